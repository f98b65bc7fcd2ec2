# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's own verifier of V1 (HMAC-SHA1) and V3 (ACS3-HMAC-SHA256) request signatures.

Written from the public signature documents (V1: https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism,
V3: https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature)
independently of the collection's signer, so that the two check each other.
:class:`Verifier` authenticates a request the way the API gateway does: the access key
must be known, the timestamp within ±15 minutes, the signature must match, the STS token must
be the key's, and a nonce may be used only once per key within the window.
"""

from __future__ import annotations

import base64
import calendar
import collections
import dataclasses
import hashlib
import hmac
import re
import threading
import time
from urllib.parse import quote

from tests.simulator.errors import ApiError, missing

V3_ALGORITHM = "ACS3-HMAC-SHA256"
V3_REQUIRED_HEADERS = ("host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                       "x-acs-content-sha256")
WINDOW_SECONDS = 15 * 60
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_AUTHORIZATION = re.compile(r"^(?P<algorithm>\S+) Credential=(?P<credential>[^,]*),"
                            r"SignedHeaders=(?P<signed>[^,]*),Signature=(?P<signature>[0-9a-fA-F]*)$")


@dataclasses.dataclass(frozen=True)
class AccessKey:
    """A credential the simulator accepts; ``token`` is set for STS credentials."""

    key_id: str
    secret: str
    token: str | None = None

    @classmethod
    def parse(cls, text: str) -> AccessKey:
        """``ID:SECRET`` or ``ID:SECRET:TOKEN`` (the secret may not contain a colon)."""
        parts = text.split(":", 2)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValueError(f"{text!r} is not ID:SECRET or ID:SECRET:TOKEN")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 and parts[2] else None)


@dataclasses.dataclass(frozen=True)
class SignedRequest:
    """What the verifier needs of an HTTP request.

    ``headers`` maps lower-case names to every value sent; ``query`` and ``form`` are the
    decoded (name, value) pairs of the query string and of a form-encoded body.
    """

    method: str
    path: str
    query: tuple
    headers: dict
    body: bytes = b""
    form: tuple = ()
    query_bytes: int = 0  # the length of the raw query string

    def header(self, name: str) -> str | None:
        values = self.headers.get(name)
        return ",".join(values) if values else None


@dataclasses.dataclass(frozen=True)
class Identity:
    """An authenticated caller and the API call it made."""

    key_id: str
    action: str
    version: str
    scheme: str


def percent_encode(value: str) -> str:
    """RFC 3986: unreserved characters stay, everything else is ``%XX`` of its UTF-8 bytes."""
    return quote(value, safe="-_.~")


def canonical_query(pairs) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(pairs))


def v1_string_to_sign(method: str, pairs) -> str:
    """``METHOD&%2F&encode(canonical query)`` over every parameter except ``Signature``."""
    unsigned = [(k, v) for k, v in pairs if k != "Signature"]
    return f"{method.upper()}&%2F&{percent_encode(canonical_query(unsigned))}"


def v1_signature(string_to_sign: str, secret: str) -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def v3_canonical_request(request: SignedRequest, signed_headers: list[str]) -> str:
    headers = "".join(f"{name}:{(request.header(name) or '').strip()}\n" for name in signed_headers)
    return "\n".join((request.method.upper(), request.path, canonical_query(request.query), headers,
                      ";".join(signed_headers), request.header("x-acs-content-sha256") or ""))


def v3_string_to_sign(canonical_request: str) -> str:
    return f"{V3_ALGORITHM}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"


def v3_signature(string_to_sign: str, secret: str) -> str:
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def parse_timestamp(value: str | None, name: str) -> float:
    """Epoch seconds of a ``yyyy-MM-ddTHH:mm:ssZ`` timestamp."""
    if not value:
        raise missing(name)
    try:
        return calendar.timegm(time.strptime(value, TIMESTAMP_FORMAT))
    except ValueError:
        raise ApiError("InvalidTimeStamp.Format") from None


def _mismatch(string_to_sign: str) -> ApiError:
    return ApiError("SignatureDoesNotMatch", "Specified signature is not matched with our calculation. "
                                             f"server string to sign is:{string_to_sign}")


class NonceCache:
    """Nonces seen per access key within the window, oldest first."""

    def __init__(self, window: float = WINDOW_SECONDS):
        self._window = window
        self._seen = collections.OrderedDict()
        self._lock = threading.Lock()

    def use(self, key_id: str, nonce: str, now: float) -> None:
        """Record a nonce; a nonce already used by the same key raises ``SignatureNonceUsed``."""
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now - self._window:
                self._seen.popitem(last=False)
            if (key_id, nonce) in self._seen:
                raise ApiError("SignatureNonceUsed")
            self._seen[(key_id, nonce)] = now


class Verifier:
    """Authenticates V1 and V3 requests against a set of access keys."""

    def __init__(self, keys, clock=time.time, window: float = WINDOW_SECONDS):
        self.keys = {key.key_id: key for key in keys}
        self._clock = clock
        self._window = window
        self._nonces = NonceCache(window)
        self._issued = {}  # temporary key id -> (expiration, role ARN), for keys issued by the simulator's STS
        self._issued_lock = threading.Lock()

    def issue(self, key_id: str, secret: str, token: str, expires_at: float, role_arn: str) -> None:
        """Accept a temporary credential (with its token) until ``expires_at``."""
        with self._issued_lock:
            now = self._clock()
            for old in [k for k, (expiry, dummy) in self._issued.items() if expiry < now - self._window]:
                self._issued.pop(old)
                self.keys.pop(old, None)
            self.keys[key_id] = AccessKey(key_id, secret, token)
            self._issued[key_id] = (expires_at, role_arn)

    def principal_of(self, key_id: str | None) -> str | None:
        """The role ARN behind a temporary key this simulator issued, else the key id itself."""
        issued = self._issued.get(key_id or "")
        return issued[1] if issued else key_id

    def verify(self, request: SignedRequest) -> Identity:
        """Return who made the call and which action it asks for, or raise :class:`ApiError`."""
        authorization = request.header("authorization") or ""
        if authorization.startswith("ACS3-"):
            return self._verify_v3(request, authorization)
        return self._verify_v1(request)

    def _verify_v1(self, request: SignedRequest) -> Identity:
        pairs = request.query + request.form
        params = dict(pairs)
        if "Signature" not in params:
            raise ApiError("IncompleteSignature", "The request carries neither a Signature parameter nor an "
                                                  f"{V3_ALGORITHM} Authorization header.")
        if params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
            raise ApiError("IncompleteSignature", "SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0.")
        key = self._key(params.get("AccessKeyId"), "AccessKeyId")
        self._check_time(parse_timestamp(params.get("Timestamp"), "Timestamp"))
        string_to_sign = v1_string_to_sign(request.method, pairs)
        if not hmac.compare_digest(v1_signature(string_to_sign, key.secret), params["Signature"]):
            raise _mismatch(string_to_sign)
        self._check_token(key, params.get("SecurityToken"))
        self._check_expiry(key)
        self._use_nonce(key, params.get("SignatureNonce"), "SignatureNonce")
        return Identity(key.key_id, params.get("Action", ""), params.get("Version", ""), "v1")

    def _verify_v3(self, request: SignedRequest, authorization: str) -> Identity:
        match = _AUTHORIZATION.match(authorization)
        if not match or match["algorithm"] != V3_ALGORITHM:
            raise ApiError("IncompleteSignature", f"The Authorization header is not a valid {V3_ALGORITHM} header.")
        signed_headers = match["signed"].split(";")
        absent = [name for name in V3_REQUIRED_HEADERS if name not in signed_headers]
        unsent = [name for name in signed_headers if request.header(name) is None]
        if absent or unsent or signed_headers != sorted(signed_headers):
            raise ApiError("IncompleteSignature", "SignedHeaders must be sorted, name only headers that were sent "
                                                  f"and include {', '.join(V3_REQUIRED_HEADERS)}.")
        key = self._key(match["credential"], "Credential")
        self._check_time(parse_timestamp(request.header("x-acs-date"), "x-acs-date"))
        if request.header("x-acs-content-sha256") != hashlib.sha256(request.body).hexdigest():
            raise ApiError("SignatureDoesNotMatch", "The x-acs-content-sha256 header is not the SHA-256 of the body.")
        string_to_sign = v3_string_to_sign(v3_canonical_request(request, signed_headers))
        if not hmac.compare_digest(v3_signature(string_to_sign, key.secret), match["signature"].lower()):
            raise _mismatch(string_to_sign)
        self._check_token(key, request.header("x-acs-security-token"))
        self._check_expiry(key)
        self._use_nonce(key, request.header("x-acs-signature-nonce"), "x-acs-signature-nonce")
        return Identity(key.key_id, request.header("x-acs-action"), request.header("x-acs-version"), "v3")

    def _key(self, key_id: str | None, name: str) -> AccessKey:
        if not key_id:
            raise missing(name)
        try:
            return self.keys[key_id]
        except KeyError:
            raise ApiError("InvalidAccessKeyId.NotFound") from None

    def _check_time(self, timestamp: float) -> None:
        if abs(self._clock() - timestamp) > self._window:
            raise ApiError("InvalidTimeStamp.Expired")

    @staticmethod
    def _check_token(key: AccessKey, token: str | None) -> None:
        if key.token and not token:
            raise ApiError("MissingSecurityToken")
        if (token or None) != key.token:
            raise ApiError("InvalidSecurityToken.Mismatch")

    def _check_expiry(self, key: AccessKey) -> None:
        issued = self._issued.get(key.key_id)
        if issued and issued[0] <= self._clock():
            raise ApiError("InvalidSecurityToken.Expired")

    def _use_nonce(self, key: AccessKey, nonce: str | None, name: str) -> None:
        if not nonce:
            raise missing(name)
        self._nonces.use(key.key_id, nonce, self._clock())
