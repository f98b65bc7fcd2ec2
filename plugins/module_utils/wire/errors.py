# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors raised by the SGW client, with one readable message each.

Every message says what failed (action and region), the API's ``Code`` and ``RequestId``, and
what to do about it. No message ever contains a secret or a security token.
"""

from __future__ import annotations

# What to do about an error code, appended to the message.
HINTS = {
    "SignatureDoesNotMatch": "the AccessKey secret is most likely wrong for this AccessKey ID; check access_key_secret",
    "IncompleteSignature": "the request signature is incomplete; check signature_version",
    "InvalidAccessKeyId.NotFound": "the AccessKey ID does not exist; check access_key_id or the profile in use",
    "InvalidAccessKeyId.Inactive": "the AccessKey is disabled; enable it in the RAM console or use another one",
    "InvalidTimeStamp.Expired": "the request timestamp is outside the allowed 15 minutes; check this machine's clock (NTP)",
    "InvalidTimeStamp.Format": "the request timestamp is malformed; check this machine's clock and locale",
    "SignatureNonceUsed": "a signature nonce was reused; retry the run",
    "MissingSecurityToken": "these are STS credentials: set security_token as well",
    "InvalidSecurityToken.Expired": "the STS token has expired; get a fresh one",
    "InvalidSecurityToken.Malformed": "the STS token is malformed; check security_token",
    "InvalidSecurityToken.Mismatch": "the STS token does not belong to this AccessKey ID; check security_token",
    "Forbidden.RAM": "grant the RAM action hcs-sgw:{action} to this identity (see docs/credentials.md)",
    "NoPermission": "grant the RAM action hcs-sgw:{action} to this identity (see docs/credentials.md)",
    "Throttling": "the API is throttling requests; lower max_concurrency or retry later",
    "Throttling.User": "the API is throttling requests; lower max_concurrency or retry later",
    "Throttling.Api": "the API is throttling requests; lower max_concurrency or retry later",
    "ServiceUnavailable": "the service is temporarily unavailable; retry later",
    "InternalError": "the service failed internally; retry later",
    "ExpressSyncNotExist": "check the express sync group id and the region",
    "ExpressSyncInOperation": "another task is running on this express sync group; retry when it has finished",
    "GatewayNotExist": "check the gateway id and the region",
    "StorageBundleNotExist": "check the storage bundle (gateway cluster) id and the region",
    "InvalidAction.NotFound": "this endpoint does not serve the action; check endpoint",
    "InvalidResponse": "the endpoint did not answer like the SGW API; check endpoint, proxies and the service status",
}


class SgwError(Exception):
    """Base class of every error of this collection's client."""


class _CallError(SgwError):
    """An error of one API call: it knows its action, region and how many attempts were made."""

    action = region = None
    attempts = 1

    def after_attempts(self, attempts):
        """This error, saying that it is the last of ``attempts`` attempts."""
        self.attempts = attempts
        self.args = (self.describe(),)
        return self

    def where(self) -> str:
        where = self.action or "SGW API call"
        return where + " in region %s" % self.region if self.region else where

    def describe(self) -> str:
        raise NotImplementedError


class SgwConfigError(SgwError):
    """Bad or missing configuration, found before any API call."""


class SgwCredentialError(SgwConfigError):
    """Credentials could not be had: an STS call refused or failed (its ``code`` and ``request_id`` kept)."""

    def __init__(self, message, code=None, request_id=None):
        super().__init__(message)
        self.code = code
        self.request_id = request_id


class SgwApiError(_CallError):
    """A call that the API (or something in front of it) answered with an error."""

    hints = HINTS  # what to do, per code (another API's errors may have their own)

    def __init__(self, code, message, action=None, region=None, status=None, request_id=None,
                 credential_source=None, endpoint=None, attempts=1):
        self.code = str(code) if code else "Unknown"
        self.api_message = message or ""
        self.action = action
        self.region = region
        self.status = status
        self.request_id = request_id
        self.credential_source = credential_source
        self.endpoint = endpoint
        self.attempts = attempts
        super().__init__(self.describe())

    def describe(self) -> str:
        parts = ["%s failed: %s" % (self.where(), self.code)]
        if self.status:
            parts[0] += " (HTTP %s)" % self.status
        if self.attempts > 1:
            parts[0] += " after %d attempts" % self.attempts
        if self.api_message:
            parts.append(self.api_message.rstrip("."))
        if self.request_id:
            parts.append("RequestId %s" % self.request_id)
        if self.credential_source:
            parts.append("credentials from %s" % self.credential_source)
        hint = self.hints.get(self.code)
        if hint:
            parts.append("hint: " + hint.format(action=self.action or "<action>"))
        return ". ".join(parts) + "."

    @property
    def is_denied(self) -> bool:
        return self.code in ("Forbidden.RAM", "NoPermission") or self.code.startswith("Forbidden")


class SgwTransportError(_CallError):
    """The endpoint could not be reached, or did not answer in time.

    ``sent`` is False only when the request certainly never left this host (no connection could
    be made); otherwise the service may have received it and acted on it.
    """

    def __init__(self, reason, action=None, region=None, endpoint=None, attempts=1, sent=True):
        self.reason = reason
        self.action = action
        self.region = region
        self.endpoint = endpoint
        self.attempts = attempts
        self.sent = sent
        super().__init__(self.describe())

    def describe(self) -> str:
        message = "%s failed: could not reach %s (%s)" % (self.where(), self.endpoint or "the endpoint", self.reason)
        if self.attempts > 1:
            message += " after %d attempts" % self.attempts
        return message + ". hint: check endpoint, network access and timeout."


# Codes of answers that are not the service's own (a body that could not be read as one).
UNREADABLE_CODES = ("InvalidResponse", "InvalidResponse.Server")


def proves_not_applied(error) -> bool:
    """Whether ``error``, met by one attempt of a call, proves that the call changed nothing.

    Only a readable refusal does: an API error answered with a 4xx status and a JSON body (a
    denied, throttled or invalid request, a busy group), a configuration error found before
    sending, or a connection that was never made. A 5xx status, a body that cannot be read, a
    timeout or a connection lost once the request may have left are no proof either way.
    """
    if isinstance(error, SgwTransportError):
        return not error.sent
    if isinstance(error, SgwApiError):
        return error.status is not None and 400 <= error.status < 500 and error.code not in UNREADABLE_CODES
    return isinstance(error, SgwConfigError)
