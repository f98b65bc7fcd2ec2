# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The signed HTTP transport of the SGW RPC API, shared by every plugin and module.

Every call is an HTTPS ``POST /`` with the parameters in the query string, as the official
SDKs send them, signed with V3 (``ACS3-HMAC-SHA256``, default) or V1 (``HMAC-SHA1``). Past
``FORM_BODY_BYTES`` of parameters (1,000 group ids, say), which a front end would refuse in a
request line, they go in an ``application/x-www-form-urlencoded`` body instead, as the Terraform
provider's client sends them: V3 signs the body's SHA-256, V1 signs the body's parameters too. One
``requests.Session`` with a connection pool serves all regions and threads, and the clients made
from it for other credentials (:meth:`SgwClient.with_credentials`: the accounts of a multi-account
inventory, STS, Resource Manager) send through the same connection pool, each with a session (and
cookies) of its own: one connection per call in flight, not per account. A call is: sign,
send, read the body (bounded in size and time), decode; the retry loop of
:meth:`SgwClient.call` re-signs every attempt with a fresh nonce and timestamp and waits with
:class:`~.backoff.Backoff`.
"""

from __future__ import annotations

import json
import math
import platform
import random
import re
import socket
import ssl
import time
from collections import namedtuple
from urllib.parse import urlsplit

try:
    import requests
    import requests.adapters
    import urllib3.exceptions
    HAS_REQUESTS = True
    # What reading a streamed body raises (requests wraps these only in iter_content).
    _URLLIB3_READ_ERRORS = (urllib3.exceptions.HTTPError, OSError)
except ImportError:  # pragma: no cover - reported by build_client
    HAS_REQUESTS = False
    _URLLIB3_READ_ERRORS = (OSError,)

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import redaction
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import signing
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.backoff import Backoff
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.endpoints import (
    API_VERSION,
    PUBLIC,
    endpoint_problems,
    endpoint_url,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import (
    SgwApiError,
    SgwConfigError,
    SgwTransportError,
    proves_not_applied,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.version import COLLECTION_NAME, COLLECTION_VERSION
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import REGION_ID

# The largest answer body read; SGW answers are a few hundred KiB at most.
MAX_BODY_BYTES = 32 * 1024 * 1024

# Retried: the same request may succeed when sent again. Every other code is never retried.
RETRYABLE_CODES = frozenset(("Throttling", "Throttling.User", "Throttling.Api", "ServiceUnavailable",
                             "InternalError", "UnknownError", "InvalidResponse.Server"))

# Parameters longer than this (as a query string) go in a form-encoded body: front ends refuse
# request lines past about 8 KB, and the signing parameters and the URL come on top.
FORM_BODY_BYTES = 2048
FORM_TYPE = "application/x-www-form-urlencoded"

# What an answer is once read: the status, the headers and the whole body (bytes).
Reply = namedtuple("Reply", "status headers body")


def is_retryable(error) -> bool:
    """Whether a failed attempt may succeed when simply sent again."""
    if isinstance(error, SgwTransportError):
        return True
    if isinstance(error, SgwApiError):
        return error.code in RETRYABLE_CODES or error.code.startswith("Throttling") or (error.status or 0) >= 500
    return False


class RetryPolicy:
    """How a call that may heal is retried: at most ``max_retries`` times within ``budget`` seconds.

    The waits are those of :class:`~.backoff.Backoff` (exponential from ``base_delay`` up to
    ``max_delay``, full jitter, ``x-acs-retry-after`` honoured); no retry starts whose wait
    would pass the budget.
    """

    def __init__(self, max_retries=5, base_delay=0.2, max_delay=20.0, budget=120.0, rand=random.random):
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.budget = budget
        self.rand = rand

    def backoff(self, sleep=time.sleep, clock=time.monotonic) -> Backoff:
        """The delays of the retries of one call, from now."""
        return Backoff(timeout=self.budget, base=self.base_delay, cap=self.max_delay, max_delays=self.max_retries,
                       clip=False, clock=clock, sleep=sleep, rand=self.rand)


def retry_after_seconds(headers):
    """The ``x-acs-retry-after`` header in seconds, or None when absent or not a number of 0 or more."""
    value = headers.get("x-acs-retry-after") if headers is not None else None
    try:
        milliseconds = float(value) if value is not None else None
    except ValueError:
        return None
    if milliseconds is None or not math.isfinite(milliseconds) or milliseconds < 0:
        return None
    return milliseconds / 1000.0


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def _text_snippet(text: str, limit: int = 120) -> str:
    """A short, one-line rendering of a non-JSON body (an HTML error page, say)."""
    return _SPACE.sub(" ", _TAG.sub(" ", text or "")).strip()[:limit]


def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


class SgwClient:
    """A signed client of the SGW API for one set of credentials and settings."""

    api_version = API_VERSION

    def __init__(self, credentials, endpoint=None, signature_version=signing.V3, timeout=30.0,
                 validate_certs=True, ca_bundle=None, retry=None, pool_size=10, log=None, sleep=time.sleep,
                 endpoint_type=PUBLIC, endpoints=None, connections=None):
        if signature_version not in signing.SIGNATURE_VERSIONS:
            raise SgwConfigError("signature_version must be one of %s, not %r." % (
                ", ".join(signing.SIGNATURE_VERSIONS), signature_version))
        problems = endpoint_problems(endpoint, endpoint_type, endpoints)  # checked early, before any call
        if len(problems) == 1 and problems[0].startswith("The endpoint"):
            raise SgwConfigError(problems[0] + ".")
        if problems:
            raise SgwConfigError("Invalid endpoint settings: %s." % "; ".join(problems))
        redaction.install_log_filter()
        self._settings = dict(signature_version=signature_version, timeout=timeout, validate_certs=validate_certs,
                              ca_bundle=ca_bundle, retry=retry, pool_size=pool_size, log=log, sleep=sleep)
        self.credentials = credentials
        self.endpoint = endpoint
        self.endpoint_type = endpoint_type
        self.endpoints = dict(endpoints or {})
        self.signature_version = signature_version
        self.timeout = float(timeout)
        self.retry = retry or RetryPolicy()
        self.log = log or (lambda message: None)
        self._sleep = sleep
        # Given with every request: a verify setting on the session alone loses to REQUESTS_CA_BUNDLE
        # and CURL_CA_BUNDLE, which would silently override validate_certs: false and ca_bundle.
        self.verify = ca_bundle if (validate_certs and ca_bundle) else bool(validate_certs)
        self.session = requests.Session()
        # ``connections``: the connection pool of the client this one was made from, used, never closed, here.
        self._owns_connections = connections is None
        self._connections = connections or requests.adapters.HTTPAdapter(pool_connections=max(4, pool_size),
                                                                         pool_maxsize=max(4, pool_size))
        self.session.mount("https://", self._connections)
        self.session.mount("http://", self._connections)
        self.session.verify = self.verify
        self.session.trust_env = True
        self.session.headers["User-Agent"] = "%s/%s (Python %s; %s)" % (
            COLLECTION_NAME, COLLECTION_VERSION, platform.python_version(), platform.system())
        self.session.headers["Accept"] = "application/json"

    def __repr__(self):
        return "SgwClient(endpoint=%r, signature_version=%r, credentials=%r)" % (
            redaction.hide_userinfo(self.endpoint), self.signature_version, self.credentials)

    def close(self):
        """Close the connections, unless they are another client's (see :meth:`with_credentials`)."""
        if self._owns_connections:
            self.session.close()

    def with_credentials(self, credentials, client_class=None, endpoint=None):
        """A new client of the same settings (transport, retries, endpoints) signing with ``credentials``;
        ``client_class`` and ``endpoint`` make it speak another API (STS, Resource Manager) at its endpoint.
        It sends through this client's connection pool (no new connection, no TLS handshake of its own), with a
        session of its own; closing it leaves the pool open: it is closed with this client."""
        if client_class is None:
            return SgwClient(credentials, endpoint=self.endpoint, endpoint_type=self.endpoint_type,
                             endpoints=self.endpoints, connections=self._connections, **self._settings)
        return client_class(credentials, endpoint=endpoint, connections=self._connections, **self._settings)

    def base_url(self, region: str) -> str:
        """The base URL that the calls of ``region`` go to."""
        return endpoint_url(region, self.endpoint, self.endpoint_type, self.endpoints)

    # ------------------------------------------------------------------------------- calls

    def call(self, action: str, region: str, params: dict | None = None, resend: bool = True) -> dict:
        """Call ``action`` in ``region`` and return the decoded JSON body, retrying what may heal.

        Every attempt is signed anew (fresh nonce and timestamp). Retries stop after
        ``max_retries``, or when the next wait would pass the ``budget`` of the retry policy. A
        parameter named as one of the signature's (:data:`~.signing.SIGNATURE_PARAMS`) is refused
        with :class:`~.errors.SgwConfigError` before anything is sent.

        ``resend=False`` is for a write: an attempt is then retried only when its failure proves
        that it changed nothing (:func:`~.errors.proves_not_applied`: a throttled or refused
        request, a connection never made). Once an attempt may have reached the service (a 5xx,
        a timeout, a lost connection, a body that cannot be read), its error is raised as it is,
        for the caller to settle by reading, and the write is never sent again.
        """
        params = {k: _wire_value(v) for k, v in (params or {}).items() if v is not None}
        params[REGION_ID] = region
        clashing = signing.signature_params_in(params)
        if clashing:
            raise SgwConfigError("%s in region %s was not sent: %s %s a parameter of the request's signature, "
                                 "which cannot be sent as an API parameter; leave it out." % (
                                     action, region, ", ".join(clashing), "is" if len(clashing) == 1 else "are"))
        backoff = self.retry.backoff(sleep=self._sleep)
        attempt = 0
        while True:
            attempt += 1
            reply = None
            try:
                reply = self._send(action, region, params)
                return self._decode(reply, action, region)
            except (SgwApiError, SgwTransportError) as error:
                retry_after = retry_after_seconds(reply.headers) if reply is not None else None
                backoff.retry_after(retry_after)
                may_resend = resend or proves_not_applied(error)
                delay = next(backoff, None) if is_retryable(error) and may_resend else None
                if delay is None:
                    if attempt > 1:
                        raise error.after_attempts(attempt) from None
                    raise
                self.log("SGW %s in %s: %s, retry %d of %d in %.2fs%s" % (
                    action, region, getattr(error, "code", None) or "transport error", attempt,
                    self.retry.max_retries, delay, " (x-acs-retry-after)" if retry_after is not None else ""))
                backoff.sleep(delay)

    # ------------------------------------------------------------------------------ wire

    def _send(self, action, region, params) -> Reply:
        url_base = self.base_url(region)
        base = redaction.hide_userinfo(url_base)  # as shown in messages and logs
        creds = self.credentials.current()  # temporary credentials are refreshed here, before they expire
        form = params if len(signing.canonical_query_string(params)) > FORM_BODY_BYTES else {}
        payload = signing.canonical_query_string(form).encode("ascii") if form else b""
        if creds is None:  # an anonymous call (AssumeRoleWithOIDC)
            common = signing.v1_common_params(action, self.api_version, params)
            query = {name: value for name, value in common.items() if name not in form}
            headers = {}
        elif self.signature_version == signing.V1:  # the signature covers the query and the body's parameters
            signed = signing.v1_signed_params("POST", action, self.api_version, params, creds.access_key_id,
                                              creds.access_key_secret, creds.security_token)
            query = {name: value for name, value in signed.items() if name not in form}
            headers = {}
        else:  # x-acs-content-sha256 is the SHA-256 of the body
            query = {} if form else params
            headers = signing.v3_signed_headers("POST", urlsplit(url_base).netloc, action, self.api_version, query,
                                                creds.access_key_id, creds.access_key_secret, creds.security_token,
                                                body=payload)
        if form:
            headers["Content-Type"] = FORM_TYPE
        url = url_base + "/?" + signing.canonical_query_string(query) if query else url_base + "/"
        self.log("SGW %s in %s -> %s" % (action, region, base))
        response = body = None
        try:
            # Redirects are not followed: they would carry a V1 query (signature, token) elsewhere.
            response = self.session.post(url, data=payload or None, headers=headers,
                                         timeout=(self.timeout, self.timeout), verify=self.verify,
                                         allow_redirects=False, stream=True)
            body = self._read_body(response, action, region, base)
            return Reply(response.status_code, response.headers, body)
        except requests.exceptions.SSLError as exc:
            reason = self._scrub(_reason(exc))
            if _is_verification_failure(exc):
                raise SgwConfigError(
                    "%s in region %s failed: TLS verification of %s failed (%s). Use the option ca_bundle for a "
                    "private CA, or validate_certs: false for a test endpoint." % (action, region, base, reason))
            raise SgwTransportError(reason, action, region, base)
        except requests.exceptions.ConnectTimeout:
            raise SgwTransportError("no connection within %gs, the timeout" % self.timeout, action, region, base,
                                    sent=False)
        except requests.exceptions.ReadTimeout:
            raise SgwTransportError("no answer within %gs, the timeout" % self.timeout, action, region, base)
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise SgwTransportError(self._scrub(_reason(exc)), action, region, base, sent=not _never_connected(exc))
        except (requests.exceptions.RequestException, ValueError, TypeError, OSError) as exc:
            # Not a network failure but a request that cannot be sent as set up (a CA bundle that
            # cannot be read, say): retrying would not help.
            raise SgwConfigError("%s in region %s failed: cannot send the request to %s: %s." % (
                action, region, base, self._scrub(_reason(exc))))
        finally:
            if response is not None and body is None:
                response.close()

    def _read_body(self, response, action, region, base) -> bytes:
        """The whole body, read within ``timeout`` of the headers, and at most ``MAX_BODY_BYTES``.

        ``timeout`` alone bounds each read from the socket, so a server that drips its answer
        would never time out; this bounds the whole body (to about twice ``timeout``). The
        connection goes back to the pool once the body is read.
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
                        endpoint=base)
                if time.monotonic() > deadline:
                    raise SgwTransportError("the answer did not arrive within %gs, the timeout" % self.timeout,
                                            action, region, base)
        except _URLLIB3_READ_ERRORS as exc:
            if _is_timeout(exc):
                raise SgwTransportError("no answer within %gs, the timeout" % self.timeout, action, region,
                                        base) from None
            raise SgwTransportError(self._scrub(_reason(exc)), action, region, base) from None
        response.raw.release_conn()
        return b"".join(body)

    def _scrub(self, text) -> str:
        """``text`` without URL query strings, the secret or the token (whatever a server or a library echoed)."""
        return redaction.scrub(text, self.credentials.secret_values())

    def _decode(self, reply, action, region):
        status = reply.status
        request_id = reply.headers.get("x-acs-request-id")
        details = dict(action=action, region=region, status=status, credential_source=self.credentials.describe(),
                       endpoint=redaction.hide_userinfo(self.endpoint))
        if 300 <= status < 400:
            location = redaction.hide_urls(reply.headers.get("Location") or "nowhere")
            raise SgwApiError("InvalidResponse", "HTTP %s redirect to %s, which is not followed; set endpoint to the "
                              "URL that answers" % (status, location), request_id=request_id, **details)
        try:  # strict JSON: NaN and Infinity are not numbers an API sends
            body = json.loads(reply.body.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            code = "InvalidResponse.Server" if status >= 500 else "InvalidResponse"
            text = reply.body.decode("utf-8", errors="replace")
            raise SgwApiError(code, self._scrub("HTTP %s with a non-JSON body (%s): %r" % (
                status, reply.headers.get("Content-Type", "no content type"), _text_snippet(text))),
                request_id=request_id, **details)
        success = body.get("Success")
        if status >= 400 or success is False or str(success).lower() == "false":
            code = body.get("Code")
            request_id = body.get("RequestId") or request_id
            raise SgwApiError(str(code) if code not in (None, "") else "HTTP%s" % status,
                              self._scrub(redaction.safe_api_message(body.get("Message"))),
                              request_id=str(request_id) if request_id is not None else None, **details)
        return body


def _wire_value(value):
    """The string form the SDKs send: booleans as ``true``/``false``, numbers as decimals."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _causes(exc):
    """``exc`` and what caused it, outermost first: ``__cause__``/``__context__``, and the
    exceptions that urllib3 and requests carry as an argument or as ``reason``."""
    seen = []
    while isinstance(exc, BaseException) and all(exc is not s for s in seen):
        seen.append(exc)
        inner = [a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)]
        exc = exc.__cause__ or getattr(exc, "reason", None) or (inner[0] if inner else None) or exc.__context__
    return seen


def _is_verification_failure(exc) -> bool:
    """Whether a TLS error is the certificate check failing (a setting to fix, not a network blip)."""
    return any(isinstance(cause, ssl.SSLCertVerificationError) for cause in _causes(exc))


def _never_connected(exc) -> bool:
    """Whether no connection was made, so that the request never left this host."""
    refused = (urllib3.exceptions.NewConnectionError, ConnectionRefusedError, socket.gaierror)
    return any(isinstance(cause, refused) for cause in _causes(exc))


def _is_timeout(exc) -> bool:
    """Whether reading failed because the socket timed out."""
    timeouts = (TimeoutError, socket.timeout, urllib3.exceptions.TimeoutError)
    return any(isinstance(cause, timeouts) for cause in _causes(exc))


def _reason(exc) -> str:
    """A short reason for a transport error, without the URL (which holds the query string):
    the class of ``exc`` and what its root cause says."""
    cause = _causes(exc)[-1]
    if isinstance(cause, ssl.SSLCertVerificationError):
        text = "certificate verify failed: %s" % (cause.verify_message or cause.reason or "")
    elif isinstance(cause, OSError) and cause.strerror:
        text = cause.strerror
    elif cause is exc:
        text = ""
    else:
        name, text = cause.__class__.__name__, str(cause)
        text = text if text.startswith(name) else "%s: %s" % (name, text) if text else name
    text = redaction.hide_query(text).strip()[:200]
    return exc.__class__.__name__ + (": " + text if text else "")
