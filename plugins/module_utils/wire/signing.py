# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request signing for the Alibaba Cloud RPC API.

Two schemes are implemented, both as pure functions so that they can be tested against the
published vectors:

* V3, ``ACS3-HMAC-SHA256``: a canonical request over the method, the query string and the
  signed headers, hashed with SHA-256 and signed with HMAC-SHA256 (the SDKs' default).
* V1, ``HMAC-SHA1`` with ``SignatureVersion=1.0``: the sorted, percent-encoded parameters
  signed with HMAC-SHA1 under the key ``secret + "&"``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import uuid
from urllib.parse import quote

V1 = "v1"
V3 = "v3"
SIGNATURE_VERSIONS = (V3, V1)

V3_ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# The parameters that a V1 signature is made of. An API parameter of one of these names would be
# overwritten by the signer or, for ``SecurityToken``, taken by the service as the credential's
# token; the client refuses it (under V3 too, so that a request means the same under both).
SIGNATURE_PARAMS = frozenset(("Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion",
                              "SignatureNonce", "Timestamp", "SecurityToken", "Signature"))


def percent_encode(value) -> str:
    """RFC 3986 encoding as the API wants it: unreserved characters stay, space is ``%20``."""
    return quote(str(value), safe="-_.~")


def canonical_query_string(params: dict) -> str:
    """Sorted ``name=value`` pairs, both encoded; empty values are kept as ``name=``."""
    return "&".join(
        "%s=%s" % (percent_encode(k), percent_encode("" if v is None else v))
        for k, v in sorted(params.items())
    )


def utc_timestamp(now: datetime.datetime | None = None) -> str:
    """The ``yyyy-MM-ddTHH:mm:ssZ`` form used by ``Timestamp`` and ``x-acs-date``."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_nonce() -> str:
    """A fresh, unique signature nonce."""
    return uuid.uuid4().hex


# --------------------------------------------------------------------------------------- V1


def v1_string_to_sign(method: str, params: dict) -> str:
    return "%s&%s&%s" % (method.upper(), percent_encode("/"), percent_encode(canonical_query_string(params)))


def v1_signature(method: str, params: dict, secret: str) -> str:
    """``Base64(HMAC-SHA1(secret + "&", StringToSign))`` over every parameter but ``Signature``."""
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    digest = hmac.new((secret + "&").encode("utf-8"), v1_string_to_sign(method, unsigned).encode("utf-8"), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode("ascii")


def signature_params_in(params) -> list:
    """The names of ``params`` that are parameters of the signature (:data:`SIGNATURE_PARAMS`), sorted."""
    return sorted(SIGNATURE_PARAMS.intersection(params))


def v1_common_params(action, version, params, nonce=None, timestamp=None) -> dict:
    """The parameters of an RPC request that carries no signature (an anonymous STS call).

    ``params`` must hold no parameter of the signature (ValueError): it would be overwritten.
    """
    clashing = signature_params_in(params)
    if clashing:
        raise ValueError("parameters of the signature given as API parameters: %s" % ", ".join(clashing))
    common = dict(params)
    common.update({
        "Action": action,
        "Version": version,
        "Format": "JSON",
        "SignatureNonce": nonce or new_nonce(),
        "Timestamp": timestamp or utc_timestamp(),
    })
    return common


def v1_signed_params(method, action, version, params, access_key_id, secret, security_token=None,
                     nonce=None, timestamp=None) -> dict:
    """Return the full query parameters of a V1 request, ``Signature`` included."""
    signed = v1_common_params(action, version, params, nonce, timestamp)
    signed.update({"AccessKeyId": access_key_id, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0"})
    if security_token:
        signed["SecurityToken"] = security_token
    signed["Signature"] = v1_signature(method, signed, secret)
    return signed


# --------------------------------------------------------------------------------------- V3


def v3_canonical_request(method: str, query: dict, headers: dict, payload_hash: str, path: str = "/") -> tuple:
    """Return ``(canonical_request, signed_headers)``; every header given is signed."""
    lowered = {k.lower().strip(): str(v).strip() for k, v in headers.items()}
    names = sorted(lowered)
    canonical_headers = "".join("%s:%s\n" % (name, lowered[name]) for name in names)
    signed_headers = ";".join(names)
    request = "\n".join([
        method.upper(), path, canonical_query_string(query), canonical_headers, signed_headers, payload_hash,
    ])
    return request, signed_headers


def v3_string_to_sign(canonical_request: str) -> str:
    return "%s\n%s" % (V3_ALGORITHM, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest())


def v3_signature(canonical_request: str, secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), v3_string_to_sign(canonical_request).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def v3_signed_headers(method, host, action, version, query, access_key_id, secret, security_token=None,
                      nonce=None, date=None, body=b"") -> dict:
    """Return the headers of a V3 request, ``Authorization`` included.

    The parameters stay in the query string; only the headers built here are signed, so any
    other header a transport adds (``User-Agent``, ``Accept-Encoding``...) does not matter.
    """
    payload_hash = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date or utc_timestamp(),
        "x-acs-signature-nonce": nonce or new_nonce(),
        "x-acs-content-sha256": payload_hash,
    }
    if security_token:
        headers["x-acs-security-token"] = security_token
        headers["x-acs-accesskey-id"] = access_key_id
    canonical, signed_headers = v3_canonical_request(method, query, headers, payload_hash)
    headers["Authorization"] = "%s Credential=%s,SignedHeaders=%s,Signature=%s" % (
        V3_ALGORITHM, access_key_id, signed_headers, v3_signature(canonical, secret))
    return headers
