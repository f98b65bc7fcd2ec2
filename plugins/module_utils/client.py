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

import platform
import random
import re
import time
from urllib.parse import urlsplit

try:
    import requests
    import requests.adapters
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the plugins and modules
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

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

# Never retried: the same request would fail the same way.
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
    value = response.headers.get("x-acs-retry-after") if response is not None else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


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


def extract_list(body: dict, wrapper: str, item: str, action: str = None, region: str = None) -> list:
    """The list ``body[wrapper][item]``; a missing, null or mistyped wrapper is a clear error."""
    container = body.get(wrapper) if isinstance(body, dict) else None
    items = container.get(item) if isinstance(container, dict) else None
    if not isinstance(items, list) or not all(isinstance(entry, dict) for entry in items):
        raise SgwApiError("InvalidResponse", "the answer has no valid %s.%s list (got %s)" % (
            wrapper, item, type(container.get(item) if isinstance(container, dict) else container).__name__),
            action=action, region=region, request_id=body.get("RequestId") if isinstance(body, dict) else None)
    return items


class SgwClient:
    """A signed client of the SGW API for one set of credentials and settings."""

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
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=max(4, pool_size), pool_maxsize=max(4, pool_size))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.verify = ca_bundle if (validate_certs and ca_bundle) else bool(validate_certs)
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
        """Call ``action`` in ``region`` and return the decoded JSON body, retrying what may heal."""
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
                if isinstance(error, SgwTransportError):
                    error.attempts = attempt
                retry_after = _retry_after_ms(response)
                delay = self.retry.delay(attempt, retry_after)
                elapsed = time.monotonic() - started
                if (not is_retryable(error) or attempt > self.retry.max_retries
                        or elapsed + delay > self.retry.budget):
                    if isinstance(error, SgwTransportError) and attempt > 1:
                        raise SgwTransportError(error.reason, action, region, error.endpoint, attempt)
                    raise
                self.log("SGW %s in %s: %s, retry %d of %d in %.2fs" % (
                    action, region, getattr(error, "code", None) or "transport error", attempt,
                    self.retry.max_retries, delay))
                self._sleep(delay)

    def paginate(self, action, region, params, wrapper, item, page_size=MAX_PAGE_SIZE, map_pages=map):
        """Every item of a paged action; pages after the first go through ``map_pages``.

        ``map_pages`` may be an executor's ``map`` so that the remaining pages, known from the
        first page's ``TotalCount``, are fetched concurrently.
        """
        def page(number):
            body = self.call(action, region, dict(params, PageNumber=number, PageSize=page_size))
            return body, extract_list(body, wrapper, item, action, region)

        first, items = page(1)
        try:
            total = int(first.get("TotalCount") or 0)
        except (TypeError, ValueError):
            raise SgwApiError("InvalidResponse", "TotalCount is not a number", action=action, region=region,
                              request_id=first.get("RequestId"))
        items = list(items)
        if len(items) < total and len(items) == page_size:
            last = (total + page_size - 1) // page_size
            for dummy, more in map_pages(page, range(2, last + 1)):
                items.extend(more)
        return items

    # ------------------------------------------------------------------------------ wire

    def _send(self, action, region, params):
        base = endpoint_url(region, self.endpoint)
        creds = self.credentials
        if self.signature_version == signing.V1:
            query = signing.v1_signed_params("POST", action, API_VERSION, params, creds.access_key_id,
                                             creds.access_key_secret, creds.security_token)
            headers = {}
        else:
            query = params
            headers = signing.v3_signed_headers("POST", urlsplit(base).netloc, action, API_VERSION, query,
                                                creds.access_key_id, creds.access_key_secret, creds.security_token)
        url = base + "/?" + signing.canonical_query_string(query)
        self.log("SGW %s in %s -> %s" % (action, region, base))
        try:
            return self.session.post(url, headers=headers, timeout=(self.timeout, self.timeout))
        except requests.exceptions.SSLError as exc:
            raise SgwConfigError("TLS verification of %s failed for %s: %s. Use the option ca_bundle for a private "
                                 "CA, or validate_certs: false for a test endpoint." % (base, action, _reason(exc)))
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise SgwTransportError(_reason(exc), action, region, base)

    def _decode(self, response, action, region):
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            code = "InvalidResponse.Server" if status >= 500 else "InvalidResponse"
            raise SgwApiError(code, "HTTP %s with a non-JSON body (%s): %r" % (
                status, response.headers.get("Content-Type", "no content type"), _text_snippet(response.text)),
                action=action, region=region, status=status,
                request_id=response.headers.get("x-acs-request-id"), credential_source=self.credentials.describe(),
                endpoint=self.endpoint)
        success = body.get("Success")
        if status >= 400 or success is False or str(success).lower() == "false":
            raise SgwApiError(body.get("Code") or "HTTP%s" % status, _safe_api_message(body.get("Message")),
                              action=action, region=region, status=status,
                              request_id=body.get("RequestId") or response.headers.get("x-acs-request-id"),
                              host_id=body.get("HostId"), credential_source=self.credentials.describe(),
                              endpoint=self.endpoint)
        return body


def _wire_value(value):
    """The string form the SDKs send: booleans as ``true``/``false``, numbers as decimals."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _reason(exc) -> str:
    """A short reason for a transport error, without the URL (which holds the query string)."""
    text = str(exc)
    for marker in ("Caused by ", "] "):
        if marker in text:
            text = text.split(marker, 1)[-1]
    text = re.sub(r"url: \S+", "url: /", text)
    return exc.__class__.__name__ + (": " + text.strip(" ()'\"")[:200] if text else "")
