# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""STS (RPC, version 2015-04-01): ``AssumeRole`` and ``AssumeRoleWithOIDC``.

The calls go through the collection's own client (same signer, transport, retries and secret
scrubbing as the SGW calls); ``AssumeRoleWithOIDC`` is an anonymous call, sent unsigned. An STS
error becomes one :class:`~.errors.SgwCredentialError` that names the role, the STS ``Code`` and
``RequestId`` and what to check, never a secret.

The credential chain never imports this module: the options layer builds an :class:`StsCaller`
and hands it to the chain, which calls it for its role steps.
"""

from __future__ import annotations

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.identity import (
    Anonymous,
    Credentials,
    parse_expiration,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.endpoints import endpoint_url
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.redaction import hide_userinfo
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import (
    SgwApiError,
    SgwConfigError,
    SgwCredentialError,
    SgwTransportError,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import SgwClient
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import is_region_id

STS_VERSION = "2015-04-01"
DEFAULT_STS_ENDPOINT = "https://sts.aliyuncs.com"

# What to check, per STS error code.
STS_HINTS = {
    "NoPermission": "check that the role's trust policy lets this identity assume it, and that the identity has the "
                    "RAM permission sts:AssumeRole on the role",
    "EntityNotExist.Role": "check ram_role_arn: the role does not exist in that account",
    "InvalidParameter.RoleArn": "check ram_role_arn: it must look like acs:ram::<account id>:role/<role name>",
    "InvalidParameter.ExternalId": "check external_id: it must be the one the role's trust policy asks for",
    "InvalidParameter.OIDCToken": "check the OIDC token file: the token is missing, malformed or expired",
    "AuthenticationFail.OIDCToken.Expired": "the OIDC token has expired; check that its file is being rotated",
    "AuthenticationFail.NoPermission": "check that the role's trust policy trusts this OIDC provider",
    "EntityNotExist.OIDCProvider": "check oidc_provider_arn: no such OIDC identity provider",
}


class StsClient(SgwClient):
    """The collection's client, speaking STS instead of SGW."""

    api_version = STS_VERSION


def sts_endpoint(endpoint=None, region=None) -> str:
    """The STS endpoint: ``endpoint`` when set, else the regional one of ``region``, else the central one."""
    if endpoint:
        try:
            return endpoint_url(None, endpoint)
        except SgwConfigError:
            raise SgwConfigError("sts_endpoint %r is not a valid http(s) URL." % (endpoint,)) from None
    if region and is_region_id(region):
        return "https://sts.%s.aliyuncs.com" % region
    return DEFAULT_STS_ENDPOINT


class StsCaller:
    """Makes the role calls of the credential chain with one transport setting.

    ``client_factory(credentials, endpoint)`` returns a client (an :class:`StsClient`) that signs
    with ``credentials`` (an ``Anonymous`` for unsigned calls); ``region`` is the ``RegionId`` sent.
    """

    def __init__(self, client_factory, endpoint, region=None):
        self.client_factory = client_factory
        self.endpoint = endpoint
        self.shown_endpoint = hide_userinfo(endpoint)  # as messages show it
        self.region = region if region and is_region_id(region) else "cn-hangzhou"
        self.calls = 0

    def assume_role(self, source, role_arn, session_name, duration, policy=None, external_id=None):
        """``(Credentials, expiration)`` of ``role_arn`` assumed with ``source``."""
        params = {"RoleArn": role_arn, "RoleSessionName": session_name, "DurationSeconds": duration,
                  "Policy": policy or None, "ExternalId": external_id or None}
        return self._call("AssumeRole", role_arn, params, source.current(), source.describe())

    def assume_role_with_oidc(self, role_arn, provider_arn, token, session_name, duration):
        params = {"RoleArn": role_arn, "OIDCProviderArn": provider_arn, "OIDCToken": token,
                  "RoleSessionName": session_name, "DurationSeconds": duration}
        return self._call("AssumeRoleWithOIDC", role_arn, params, None, "an OIDC token of %s" % provider_arn,
                          extra_secrets=(token,))

    def caller_account_id(self, source):
        """The id of the account of ``source`` (STS ``GetCallerIdentity``)."""
        body = self._request("GetCallerIdentity", "of %s" % source.describe(), {}, source.current(), source.describe(),
                             "check the credentials and sts_endpoint")
        account_id = body.get("AccountId")
        if isinstance(account_id, int) and not isinstance(account_id, bool):
            account_id = str(account_id)
        if not isinstance(account_id, str) or not account_id.isdigit():
            raise SgwCredentialError("GetCallerIdentity at %s: the answer has no AccountId (RequestId %s)." % (
                self.shown_endpoint, body.get("RequestId")))
        return account_id

    def _call(self, action, role_arn, params, credentials, identity, extra_secrets=()):
        hint = "check ram_role_arn, the role's trust policy and sts_endpoint"
        body = self._request(action, "of role %s" % role_arn, params, credentials, identity, hint, extra_secrets)
        document = body.get("Credentials")
        if not isinstance(document, dict):
            raise SgwCredentialError("%s of role %s at %s: the answer has no Credentials (RequestId %s)." % (
                action, role_arn, self.shown_endpoint, body.get("RequestId")))
        found = Credentials(document.get("AccessKeyId"), document.get("AccessKeySecret"),
                            document.get("SecurityToken"), "RAM role %s (%s)" % (role_arn, action))
        return found, parse_expiration(document.get("Expiration"))

    def _request(self, action, about, params, credentials, identity, hint, extra_secrets=()):
        """The decoded answer of one STS call; an error is one :class:`SgwCredentialError`."""
        signer = credentials if credentials is not None else Anonymous()
        client = self.client_factory(_Hiding(signer, extra_secrets), self.endpoint)
        self.calls += 1
        try:
            body = client.call(action, self.region, params)
        except SgwApiError as error:
            parts = ["%s %s failed at %s: %s" % (action, about, self.shown_endpoint, error.code)]
            if error.status:
                parts[0] += " (HTTP %s)" % error.status
            if error.api_message:  # already scrubbed of every secret the client signs with
                parts.append(error.api_message.rstrip("."))
            if error.request_id:
                parts.append("RequestId %s" % error.request_id)
            parts.append("identity: %s" % identity)
            parts.append("hint: " + (STS_HINTS.get(error.code) or hint))
            raise SgwCredentialError(". ".join(parts) + ".", code=error.code, request_id=error.request_id) from None
        except SgwTransportError as error:
            raise SgwCredentialError("%s %s failed: could not reach the STS endpoint %s (%s). hint: check "
                                     "sts_endpoint (or ALIBABA_CLOUD_STS_ENDPOINT) and network access." % (
                                         action, about, self.shown_endpoint, error.reason)) from None
        finally:
            client.close()
        return body if isinstance(body, dict) else {}


class _Hiding:
    """Signs with ``credentials``, and also hides ``extra`` values (an OIDC token) in messages."""

    def __init__(self, credentials, extra):
        self._credentials = credentials
        self._extra = tuple(v for v in extra if v)

    def current(self):
        return self._credentials.current()

    def secret_values(self):
        return self._credentials.secret_values() + self._extra

    def describe(self):
        return self._credentials.describe()
