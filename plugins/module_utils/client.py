# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The signed HTTP client of the SGW RPC API, shared by every plugin and module.

Every call is an HTTPS ``POST /`` with the parameters in the query string, as the official
SDKs send them, signed with V3 (``ACS3-HMAC-SHA256``, default) or V1 (``HMAC-SHA1``). One
``requests.Session`` with a connection pool serves all regions and threads. Retries happen in
one place, :meth:`SgwClient.call`, and re-sign every attempt with a fresh nonce and timestamp.
"""

from __future__ import annotations

import json
import logging
import math
import platform
import random
import re
import time
from urllib.parse import quote_plus, urlsplit

try:
    import requests
    import requests.adapters
    import urllib3.exceptions
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
    # What reading a streamed body raises (requests wraps these only in iter_content).
    _URLLIB3_READ_ERRORS = (urllib3.exceptions.HTTPError, OSError)
except ImportError as exc:  # pragma: no cover - reported by the plugins and modules
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc
    _URLLIB3_READ_ERRORS = (OSError,)

from ansible_collections.alibabacloud.sgw.plugins.module_utils import signing
from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import (
    SgwApiError,
    SgwConfigError,
    SgwTransportError,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.version import COLLECTION_NAME, COLLECTION_VERSION

API_VERSION = "2018-05-11"
PRODUCT = "sgw"
MAX_PAGE_SIZE = 50

# The SDK's regional endpoint map; every other region uses sgw.<region>.aliyuncs.com.
ENDPOINT_MAP = {
    region: "sgw.cn-shanghai.aliyuncs.com"
    for region in ("cn-hangzhou", "cn-shanghai", "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote",
                   "cn-wulanchabu", "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu", "cn-hongkong")
}
ENDPOINT_MAP["us-east-1"] = "sgw.us-west-1.aliyuncs.com"

REGION_ID_PATTERN = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")

# The most items a paged listing may claim (TotalCount); more is taken for a broken answer,
# not a reason to ask for millions of pages.
MAX_TOTAL_COUNT = 100000

# The largest answer body read; SGW answers are a few hundred KiB at most.
MAX_BODY_BYTES = 32 * 1024 * 1024

# Retried: the same request may succeed when sent again. Every other code is never retried.
RETRYABLE_CODES = frozenset(("Throttling", "Throttling.User", "Throttling.Api", "ServiceUnavailable",
                             "InternalError", "UnknownError", "InvalidResponse.Server"))


def is_region_id(value) -> bool:
    return isinstance(value, str) and bool(REGION_ID_PATTERN.match(value))


def endpoint_url(region: str, endpoint: str | None = None) -> str:
    """The base URL for ``region``: the ``endpoint`` override, else the SDK's regional map."""
    if endpoint:
        url = endpoint if "://" in endpoint else "https://" + endpoint
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SgwConfigError("The endpoint %r is not a valid http(s) URL." % endpoint)
        return "%s://%s" % (parts.scheme, parts.netloc)
    if not is_region_id(region):
        raise SgwConfigError("%r is not a valid region id (for example cn-hangzhou)." % (region,))
    return "https://" + ENDPOINT_MAP.get(region, "%s.%s.aliyuncs.com" % (PRODUCT, region))


def is_retryable(error) -> bool:
    """Whether a failed attempt may succeed when simply sent again."""
    if isinstance(error, SgwTransportError):
        return True
    if isinstance(error, SgwApiError):
        return error.code in RETRYABLE_CODES or error.code.startswith("Throttling") or (error.status or 0) >= 500
    return False


class RetryPolicy:
    """Exponential backoff with full jitter, bounded by a count and a total time budget."""

    def __init__(self, max_retries=5, base_delay=0.2, max_delay=20.0, budget=120.0, rand=random.random):
        if max_retries < 0:
            raise SgwConfigError("max_retries must be 0 or more, not %r." % (max_retries,))
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.budget = budget
        self._rand = rand

    def delay(self, attempt: int, retry_after_ms=None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        if retry_after_ms is not None:
            return min(self.max_delay, max(0.0, retry_after_ms / 1000.0))
        return self._rand() * min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))


def _retry_after_ms(response):
    """The ``x-acs-retry-after`` header (milliseconds), or None when absent or not a number of 0 or more."""
    value = response.headers.get("x-acs-retry-after") if response is not None else None
    try:
        milliseconds = float(value) if value is not None else None
    except ValueError:
        return None
    if milliseconds is None or not math.isfinite(milliseconds) or milliseconds < 0:
        return None
    return milliseconds


# ``?Name=value...``: the query string of a URL, which for V1 holds the signature and the STS token.
_QUERY = re.compile(r"\?[\w.~%-]+=[^\s'\"<>()]*")
QUERY_HIDDEN = "?<query hidden>"


def hide_query(text: str) -> str:
    """``text`` with the query string of every URL in it replaced by ``?<query hidden>``."""
    return _QUERY.sub(QUERY_HIDDEN, text)


class _HideQueryFilter(logging.Filter):
    """Hides URL query strings in the log records of urllib3 (it logs full URLs, for instance
    ``Failed to parse headers (url=...)`` at WARNING, which a configured log file would keep)."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # pylint: disable=broad-except  # a record that cannot be formatted is left alone
            return True
        hidden = hide_query(message)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


_LOGGERS_WITH_URLS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.response", "urllib3.poolmanager",
                      "urllib3.util.retry", "urllib3.http2.connection", "urllib3.contrib.pyopenssl", "requests")


def _install_log_filter():
    for name in _LOGGERS_WITH_URLS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _HideQueryFilter) for f in logger.filters):
            logger.addFilter(_HideQueryFilter())


_install_log_filter()


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def _text_snippet(text: str, limit: int = 120) -> str:
    """A short, one-line rendering of a non-JSON body (an HTML error page, say)."""
    return _SPACE.sub(" ", _TAG.sub(" ", text or "")).strip()[:limit]


def _safe_api_message(message) -> str:
    """The API's message without the server's string-to-sign, which can hold a token."""
    message = str(message or "")
    cut = message.find("server string to sign is")
    return message[:cut].rstrip(" .:") if cut >= 0 else message


def json_type(value) -> str:
    """The JSON name of a decoded value's type (``null``, ``string``, ``object``...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


# Per list item: the fields that identify an item, group it or address it, which must be strings
# when present (null counts as absent); those of REQUIRED_FIELDS must be non-empty strings. Any
# other field is passed on as the API gave it.
STRING_FIELDS = {
    "Share": ("GatewayId", "ShareName", "ExpressSyncId", "ExpressSyncState", "StorageBundleId", "GatewayRegion"),
    "ExpressSync": ("ExpressSyncId", "Name", "BucketName", "BucketRegion", "BucketPrefix"),
    "Gateway": ("GatewayId", "StorageBundleId", "InnerIp", "Ip", "Name", "GatewayRegionId"),
    "Region": ("RegionId",),
    "TagResource": ("ResourceId", "TagKey", "TagValue"),
    "FileShare": ("Name", "IndexId", "Protocol", "OssBucketName", "OssEndpoint", "PathPrefix", "ExpressSyncId"),
    "SimpleTask": ("TaskId", "StateCode"),
}
REQUIRED_FIELDS = {
    "Share": ("GatewayId", "ShareName"),
    "ExpressSync": ("ExpressSyncId",),
    "Gateway": ("GatewayId",),
    "FileShare": ("Name",),
    "TagResource": ("ResourceId", "TagKey"),
}


def _item_problem(wrapper, item, index, entry):
    """What is wrong with one list item, or None."""
    where = "%s.%s[%d]" % (wrapper, item, index)
    for field in STRING_FIELDS.get(item, ()):
        value = entry.get(field)
        if value is not None and not isinstance(value, str):
            return "%s.%s is %s, not a string" % (where, field, json_type(value))
    for field in REQUIRED_FIELDS.get(item, ()):
        if not entry.get(field):
            return "%s has no %s" % (where, field)
    return None


def extract_list(body: dict, wrapper: str, item: str, action: str = None, region: str = None) -> list:
    """The list ``body[wrapper][item]``; a missing, null or mistyped wrapper is a clear error.

    Nothing is guessed: an answer without the list could be read as "no items", and an
    inventory that silently drops hosts is worse than one that fails. Items whose identity
    fields are not strings (see ``STRING_FIELDS``) are errors too.
    """
    request_id = body.get("RequestId") if isinstance(body, dict) else None
    if not isinstance(body, dict):
        problem = "the answer is a JSON %s, not an object" % json_type(body)
    elif wrapper not in body:
        problem = "the answer has no %s" % wrapper
    elif not isinstance(body[wrapper], dict):
        problem = "%s is %s, not an object with the list %s" % (wrapper, json_type(body[wrapper]), item)
    elif item not in body[wrapper]:
        problem = "%s has no list %s" % (wrapper, item)
    elif not isinstance(body[wrapper][item], list):
        problem = "%s.%s is %s, not a list" % (wrapper, item, json_type(body[wrapper][item]))
    else:
        items = body[wrapper][item]
        bad = [json_type(entry) for entry in items if not isinstance(entry, dict)]
        if bad:
            problem = "%s.%s holds %s where objects are expected" % (wrapper, item, ", ".join(sorted(set(bad))))
        else:
            problem = next((p for p in (_item_problem(wrapper, item, i, e) for i, e in enumerate(items)) if p), None)
            if problem is None:
                return items
    raise SgwApiError("InvalidResponse", problem, action=action, region=region,
                      request_id=request_id if isinstance(request_id, str) else None)


def further_pages(first_page_size, total, page_size=MAX_PAGE_SIZE):
    """The page numbers after the first that a paged listing still has to be asked for.

    A short first page is the whole listing, whatever ``TotalCount`` claims.
    """
    if first_page_size < page_size or total <= first_page_size:
        return range(0)
    return range(2, (total + page_size - 1) // page_size + 1)


def total_count(body, action=None, region=None) -> int:
    """The ``TotalCount`` of a paged answer: a whole number from 0 to ``MAX_TOTAL_COUNT`` (absent is 0)."""
    value = body.get("TotalCount") if isinstance(body, dict) else None
    if value is None or value == "":
        return 0
    try:
        total = int(value) if not isinstance(value, (bool, float)) else None
    except (TypeError, ValueError):
        total = None
    if isinstance(value, float) and value.is_integer():
        total = int(value)
    if total is None or not 0 <= total <= MAX_TOTAL_COUNT:
        request_id = body.get("RequestId")
        raise SgwApiError("InvalidResponse", "TotalCount %s is not a whole number from 0 to %d" % (
            json.dumps(value)[:40], MAX_TOTAL_COUNT), action=action, region=region,
            request_id=request_id if isinstance(request_id, str) else None)
    return total


def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


class SgwClient:
    """A signed client of the SGW API for one set of credentials and settings."""

    api_version = API_VERSION

    def __init__(self, credentials, endpoint=None, signature_version=signing.V3, timeout=30.0,
                 validate_certs=True, ca_bundle=None, retry=None, pool_size=10, log=None, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise SgwConfigError("The Python library requests is required: pip install requests.")
        if signature_version not in signing.SIGNATURE_VERSIONS:
            raise SgwConfigError("signature_version must be one of %s, not %r." % (
                ", ".join(signing.SIGNATURE_VERSIONS), signature_version))
        if endpoint:
            endpoint_url("", endpoint)  # validate early, before any call
        self.credentials = credentials
        self.endpoint = endpoint
        self.signature_version = signature_version
        self.timeout = float(timeout)
        self.retry = retry or RetryPolicy()
        self.log = log or (lambda message: None)
        self._sleep = sleep
        # Given with every request: a verify setting on the session alone loses to REQUESTS_CA_BUNDLE
        # and CURL_CA_BUNDLE, which would silently override validate_certs: false and ca_bundle.
        self.verify = ca_bundle if (validate_certs and ca_bundle) else bool(validate_certs)
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=max(4, pool_size), pool_maxsize=max(4, pool_size))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.verify = self.verify
        self.session.trust_env = True
        self.session.headers["User-Agent"] = "%s/%s (Python %s; %s)" % (
            COLLECTION_NAME, COLLECTION_VERSION, platform.python_version(), platform.system())
        self.session.headers["Accept"] = "application/json"

    def __repr__(self):
        return "SgwClient(endpoint=%r, signature_version=%r, credentials=%r)" % (
            self.endpoint, self.signature_version, self.credentials)

    def close(self):
        self.session.close()

    # ------------------------------------------------------------------------------- calls

    def call(self, action: str, region: str, params: dict | None = None) -> dict:
        """Call ``action`` in ``region`` and return the decoded JSON body, retrying what may heal.

        Every attempt is signed anew (fresh nonce and timestamp). Retries stop after
        ``max_retries``, or when the next wait would pass the ``budget`` of the retry policy.
        """
        params = {k: _wire_value(v) for k, v in (params or {}).items() if v is not None}
        params["RegionId"] = region
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            response = None
            try:
                response = self._send(action, region, params)
                return self._decode(response, action, region)
            except (SgwApiError, SgwTransportError) as error:
                retry_after = _retry_after_ms(response)
                delay = self.retry.delay(attempt, retry_after)
                elapsed = time.monotonic() - started
                if (not is_retryable(error) or attempt > self.retry.max_retries
                        or elapsed + delay > self.retry.budget):
                    if attempt > 1:
                        raise error.after_attempts(attempt) from None
                    raise
                self.log("SGW %s in %s: %s, retry %d of %d in %.2fs%s" % (
                    action, region, getattr(error, "code", None) or "transport error", attempt,
                    self.retry.max_retries, delay, " (x-acs-retry-after)" if retry_after is not None else ""))
                self._sleep(delay)

    def paginate(self, action, region, params, wrapper, item, page_size=MAX_PAGE_SIZE):
        """Every item of a paged action, page after page up to the first page's ``TotalCount``."""
        def page(number):
            body = self.call(action, region, dict(params, PageNumber=number, PageSize=page_size))
            return body, extract_list(body, wrapper, item, action, region)

        first, items = page(1)
        items = list(items)
        for number in further_pages(len(items), total_count(first, action, region), page_size):
            items.extend(page(number)[1])
        return items

    # ------------------------------------------------------------------------------ wire

    def _send(self, action, region, params):
        base = endpoint_url(region, self.endpoint)
        creds = self.credentials.current()  # temporary credentials are refreshed here, before they expire
        if creds is None:  # an anonymous call (AssumeRoleWithOIDC)
            query = signing.v1_common_params(action, self.api_version, params)
            headers = {}
        elif self.signature_version == signing.V1:
            query = signing.v1_signed_params("POST", action, self.api_version, params, creds.access_key_id,
                                             creds.access_key_secret, creds.security_token)
            headers = {}
        else:
            query = params
            headers = signing.v3_signed_headers("POST", urlsplit(base).netloc, action, self.api_version, query,
                                                creds.access_key_id, creds.access_key_secret, creds.security_token)
        url = base + "/?" + signing.canonical_query_string(query)
        self.log("SGW %s in %s -> %s" % (action, region, base))
        response = None
        try:
            # Redirects are not followed: they would carry a V1 query (signature, token) elsewhere.
            response = self.session.post(url, headers=headers, timeout=(self.timeout, self.timeout),
                                         verify=self.verify, allow_redirects=False, stream=True)
            self._read_body(response, action, region, base)
            return response
        except requests.exceptions.SSLError as exc:
            reason = self._scrub(_reason(exc))
            if _is_verification_failure(exc):
                raise SgwConfigError(
                    "%s in region %s failed: TLS verification of %s failed (%s). Use the option ca_bundle for a "
                    "private CA, or validate_certs: false for a test endpoint." % (action, region, base, reason))
            raise SgwTransportError(reason, action, region, base)
        except requests.exceptions.ConnectTimeout:
            raise SgwTransportError("no connection within %gs, the timeout" % self.timeout, action, region, base)
        except requests.exceptions.ReadTimeout:
            raise SgwTransportError("no answer within %gs, the timeout" % self.timeout, action, region, base)
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise SgwTransportError(self._scrub(_reason(exc)), action, region, base)
        except (requests.exceptions.RequestException, ValueError, TypeError, OSError) as exc:
            # Not a network failure but a request that cannot be sent as set up (a CA bundle that
            # cannot be read, say): retrying would not help.
            raise SgwConfigError("%s in region %s failed: cannot send the request to %s: %s." % (
                action, region, base, self._scrub(_reason(exc))))
        finally:
            if response is not None and not response._content_consumed:  # pylint: disable=protected-access
                response.close()

    def _read_body(self, response, action, region, base):
        """Read the whole body within ``timeout`` of the headers, and at most ``MAX_BODY_BYTES``.

        ``timeout`` alone bounds each read from the socket, so a server that drips its answer
        would never time out; this bounds the whole body (to about twice ``timeout``).
        """
        deadline = time.monotonic() + self.timeout
        read1 = getattr(response.raw, "read1", None)  # urllib3 2: returns what has arrived, up to the size
        if read1 is not None:
            chunks = iter(lambda: read1(65536, decode_content=True), b"")
        else:  # pragma: no cover - urllib3 1.x
            chunks = response.iter_content(chunk_size=65536)
        body, size = [], 0
        try:
            for chunk in chunks:
                body.append(chunk)
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise SgwApiError("InvalidResponse", "the answer is larger than %d MiB" % (
                        MAX_BODY_BYTES // 2 ** 20), action=action, region=region, status=response.status_code,
                        endpoint=self.endpoint)
                if time.monotonic() > deadline:
                    raise SgwTransportError("the answer did not arrive within %gs, the timeout" % self.timeout,
                                            action, region, base)
        except _URLLIB3_READ_ERRORS as exc:
            if "timed out" in str(exc).lower():
                raise SgwTransportError("no answer within %gs, the timeout" % self.timeout, action, region,
                                        base) from None
            raise SgwTransportError(self._scrub(_reason(exc)), action, region, base) from None
        response._content = b"".join(body)  # pylint: disable=protected-access  # what .json() and .text read
        response._content_consumed = True  # pylint: disable=protected-access
        response.raw.release_conn()

    def _scrub(self, text) -> str:
        """``text`` without URL query strings, the secret or the token (whatever a server or a library echoed)."""
        text = hide_query(str(text))
        for value in self.credentials.secret_values():
            if value and len(value) >= 4:
                for form in (value, signing.percent_encode(value), quote_plus(value)):
                    text = text.replace(form, "****")
        return text

    def _decode(self, response, action, region):
        status = response.status_code
        request_id = response.headers.get("x-acs-request-id")
        details = dict(action=action, region=region, status=status, credential_source=self.credentials.describe(),
                       endpoint=self.endpoint)
        if 300 <= status < 400:
            location = hide_query(response.headers.get("Location") or "nowhere")
            raise SgwApiError("InvalidResponse", "HTTP %s redirect to %s, which is not followed; set endpoint to the "
                              "URL that answers" % (status, location), request_id=request_id, **details)
        try:  # strict JSON: NaN and Infinity are not numbers an API sends
            body = json.loads(response.content.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            code = "InvalidResponse.Server" if status >= 500 else "InvalidResponse"
            raise SgwApiError(code, self._scrub("HTTP %s with a non-JSON body (%s): %r" % (
                status, response.headers.get("Content-Type", "no content type"), _text_snippet(response.text))),
                request_id=request_id, **details)
        success = body.get("Success")
        if status >= 400 or success is False or str(success).lower() == "false":
            code = body.get("Code")
            request_id = body.get("RequestId") or request_id
            host_id = body.get("HostId")
            raise SgwApiError(str(code) if code not in (None, "") else "HTTP%s" % status,
                              self._scrub(_safe_api_message(body.get("Message"))),
                              request_id=str(request_id) if request_id is not None else None,
                              host_id=str(host_id) if host_id is not None else None, **details)
        return body


def _wire_value(value):
    """The string form the SDKs send: booleans as ``true``/``false``, numbers as decimals."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_verification_failure(exc) -> bool:
    """Whether a TLS error is the certificate check failing (a setting to fix, not a network blip)."""
    text = str(exc).lower()
    return any(marker in text for marker in ("certificate verify failed", "certificate_verify_failed",
                                             "hostname mismatch", "doesn't match", "does not match"))


def _reason(exc) -> str:
    """A short reason for a transport error, without the URL (which holds the query string)."""
    text = str(exc)
    for marker in ("Caused by ", "] "):
        if marker in text:
            text = text.split(marker, 1)[-1]
    text = re.sub(r"url: \S+", "url: /", text)
    text = re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>,? *", "", text)
    text = hide_query(text).strip(" '\"")
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip(" '\"")
    while text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:].lstrip(" '\"")
    text = text[:200]
    return exc.__class__.__name__ + (": " + text if text else "")
