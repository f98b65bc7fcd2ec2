# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's STS (RPC, version 2015-04-01): ``AssumeRole``, ``AssumeRoleWithOIDC`` and
``GetCallerIdentity``.

Roles come from the ``roles`` section of the account file::

    roles:
      - Arn: acs:ram::1638094425718837:role/sgw-reader
        MaxSessionDuration: 3600           # optional (default 3600)
        Trust:                              # optional; absent: any known AccessKey may assume the role
          Principals: [LTAI5t..., acs:ram::1638094425718837:role/central]   # AccessKey ids or role ARNs
          Accounts: ["1638094425718837"]                                     # or any identity of these accounts
          OidcProviderArn: acs:ram::1638094425718837:oidc-provider/ack       # AssumeRoleWithOIDC from this provider
          ExternalId: sgw-ext-1                                              # then required by AssumeRole

``AssumeRole`` is signed like every call (the verifier's checks); the caller is an AccessKey id,
or the role ARN behind temporary credentials this STS issued (so roles can be chained).
``AssumeRoleWithOIDC`` is anonymous, as in the real service: the OIDC token must be a non-empty
three-part JWT-like string, and the role must trust the provider. Issued credentials are
accepted by the verifier, with their token, until they expire; ``duration_cap`` (``--sts-duration``)
shortens every issued lifetime for tests. ``GetCallerIdentity`` names the caller's account (see
directory.py: the management account's, or a member's for its roles' temporary credentials).
"""

from __future__ import annotations

import secrets
import time

from tests.simulator.errors import ApiError, invalid, missing

STS_VERSION = "2015-04-01"
STS_ACTIONS = ("AssumeRole", "AssumeRoleWithOIDC", "GetCallerIdentity")
ANONYMOUS_ACTIONS = ("AssumeRoleWithOIDC",)
EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
MIN_DURATION = 900


class Sts:
    """Issues temporary credentials for the roles of the account and registers them with the verifier."""

    def __init__(self, verifier, roles_of, duration_cap: float | None = None, clock=time.time,
                 account_of=lambda principal: None):
        self.verifier = verifier
        self.roles_of = roles_of  # () -> {arn: role}
        self.account_of = account_of  # principal -> the id of its account (see directory.py)
        self.duration_cap = duration_cap
        self._clock = clock

    def call(self, action: str, params: dict, caller: str | None) -> dict:
        if action == "AssumeRole":
            return self._assume_role(params, caller)
        if action == "AssumeRoleWithOIDC":
            return self._assume_role_with_oidc(params)
        if action == "GetCallerIdentity":
            return self._caller_identity(caller)
        raise ApiError("InvalidAction.NotFound")

    def _role(self, params: dict) -> dict:
        arn = params.get("RoleArn", "").strip()
        if not arn:
            raise missing("RoleArn")
        if not arn.startswith("acs:ram::") or ":role/" not in arn:
            raise ApiError("InvalidParameter.RoleArn")
        role = self.roles_of().get(arn)
        if role is None:
            raise ApiError("EntityNotExist.Role", f"The role not exists: {arn}.")
        return role

    def _duration(self, params: dict, role: dict) -> int:
        text = params.get("DurationSeconds", "").strip() or "3600"
        if not text.isdigit() or not MIN_DURATION <= int(text) <= role["MaxSessionDuration"]:
            raise ApiError("InvalidParameter.DurationSeconds",
                           f"The DurationSeconds must be between {MIN_DURATION} and {role['MaxSessionDuration']}.")
        return int(text)

    def _session_name(self, params: dict) -> str:
        name = params.get("RoleSessionName", "").strip()
        if not name:
            raise missing("RoleSessionName")
        if not 2 <= len(name) <= 64 or not all(c.isalnum() or c in "-_.@=" for c in name):
            raise invalid("RoleSessionName", "2 to 64 letters, digits and -_.@=")
        return name

    def _assume_role(self, params: dict, caller: str | None) -> dict:
        role = self._role(params)
        duration = self._duration(params, role)
        session = self._session_name(params)
        trust = role.get("Trust") or {}
        principal = self.verifier.principal_of(caller)
        principals, accounts = trust.get("Principals"), trust.get("Accounts")
        if principals is not None or accounts is not None:
            trusted = principal in (principals or ()) or caller in (principals or ()) \
                or self.account_of(principal) in (accounts or ())
            if not trusted:
                raise ApiError("NoPermission")
        if trust.get("ExternalId") and params.get("ExternalId", "") != trust["ExternalId"]:
            raise ApiError("NoPermission")
        return self._issue(role, session, duration)

    def _assume_role_with_oidc(self, params: dict) -> dict:
        role = self._role(params)
        provider = params.get("OIDCProviderArn", "").strip()
        if not provider:
            raise missing("OIDCProviderArn")
        token = params.get("OIDCToken", "").strip()
        if len([part for part in token.split(".") if part]) != 3:
            raise ApiError("InvalidParameter.OIDCToken")
        duration = self._duration(params, role)
        session = self._session_name(params)
        if (role.get("Trust") or {}).get("OidcProviderArn") != provider:
            raise ApiError("AuthenticationFail.NoPermission")
        return self._issue(role, session, duration)

    def _caller_identity(self, caller: str | None) -> dict:
        principal = self.verifier.principal_of(caller)
        account = self.account_of(principal) or ""
        if principal != caller:  # temporary credentials of a role
            return {"AccountId": account, "IdentityType": "AssumedRoleUser", "Arn": principal.replace(
                ":role/", ":assumed-role/"), "PrincipalId": principal}
        return {"AccountId": account, "IdentityType": "RAMUser", "Arn": f"acs:ram::{account}:user/{caller}",
                "PrincipalId": caller}

    def _issue(self, role: dict, session: str, duration: int) -> dict:
        now = self._clock()
        lifetime = min(duration, self.duration_cap) if self.duration_cap else duration
        key_id = "STS." + secrets.token_hex(12)
        secret = secrets.token_urlsafe(24)
        token = "CAIS" + secrets.token_urlsafe(48)
        self.verifier.issue(key_id, secret, token, now + lifetime, role["Arn"])
        assumed = role["Arn"].replace(":role/", ":assumed-role/") + "/" + session
        return {
            "AssumedRoleUser": {"Arn": assumed, "AssumedRoleId": "3%s:%s" % (secrets.token_hex(8), session)},
            "Credentials": {"AccessKeyId": key_id, "AccessKeySecret": secret, "SecurityToken": token,
                            "Expiration": time.strftime(EXPIRATION_FORMAT, time.gmtime(now + lifetime))},
        }
