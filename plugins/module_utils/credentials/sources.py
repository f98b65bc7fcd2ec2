# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credential sources other than a plain AccessKey: a profile of the aliyun CLI file, an ECS
RAM role, a credentials URI, OIDC, and a RAM role assumed with STS on top of any of them.

Which source is used is the chain's rule (chain.py); each function here reads one source, from
the settings the chain was given (:class:`Settings`). The STS calls are made by the ``sts``
object of the settings (an ``StsCaller``), so that nothing here imports the STS client.
"""

from __future__ import annotations

import json
import os
import time

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.identity import (
    Credentials,
    RefreshingCredentials,
    parse_expiration,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.redaction import hide_userinfo

DEFAULT_CREDENTIALS_FILE = "~/.aliyun/config.json"
DEFAULT_ECS_METADATA_URL = "http://100.100.100.200"
METADATA_TIMEOUT = 5
DEFAULT_SESSION_EXPIRATION = 3600
SESSION_EXPIRATION_RANGE = (900, 43200)

SUPPORTED_PROFILE_MODES = ("AK", "StsToken", "EcsRamRole", "RamRoleArn", "ChainableRamRoleArn", "OIDC",
                           "CredentialsURI")


class Settings:
    """What the chain was given.

    ``options``: the options, each already resolved (the identity options hold only what the user
    set explicitly); ``environment``: ``{option: (value, variable)}`` of the identity options that
    the environment sets; ``http_get(url, headers, method)`` fetches metadata and credentials URIs;
    ``sts`` makes the role calls; ``log`` receives ``-vvv`` notes. None and empty values count as unset.
    """

    def __init__(self, options, environment=None, http_get=None, sts=None, log=None, lazy=False):
        self.lazy = lazy  # temporary credentials are fetched at their first use, not when they are made
        self.options = {k: v for k, v in (options or {}).items() if v not in (None, "")}
        self.environment = {k: v for k, v in (environment or {}).items() if v}
        self.http_get = http_get or _metadata_get
        self.sts = sts
        self.log = log or (lambda message: None)

    def option(self, name):
        return self.options.get(name)

    def env(self, name):
        """``(value, variable)`` of the identity option ``name`` in the environment; ``(None, None)`` when unset."""
        value, variable = self.environment.get(name) or (None, None)
        return (value, variable) if value not in (None, "") else (None, variable)

    def credentials_path(self):
        return os.path.expanduser(self.option("credentials_file") or DEFAULT_CREDENTIALS_FILE)


# ------------------------------------------------------------------------------ profiles


def credentials_from_profile(settings, path, profile, seen=()):
    """Read one profile of an aliyun CLI ``config.json``; ``profile`` None means the file's current one.

    An implicit (current) profile of a mode the chain does not support is skipped (None), with a note.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            config = json.load(handle)
    except FileNotFoundError:
        raise SgwConfigError("The credentials file %s does not exist (needed for profile %r)." % (path, profile))
    except (OSError, ValueError) as exc:
        raise SgwConfigError("Cannot read the credentials file %s: %s." % (path, exc.__class__.__name__))
    if not isinstance(config, dict):
        raise SgwConfigError("The credentials file %s is not an aliyun CLI configuration." % path)
    wanted = profile or config.get("current") or "default"
    profiles = {p.get("name"): p for p in config.get("profiles") or [] if isinstance(p, dict)}
    entry = profiles.get(wanted)
    if entry is None:
        if not profile:
            return None
        raise SgwConfigError("Profile %r not found in %s (profiles there: %s)." % (
            wanted, path, ", ".join(sorted(str(n) for n in profiles)) or "none"))
    mode = str(entry.get("mode") or "AK")
    source = "profile %r of %s" % (wanted, path)
    known = {m.lower(): m for m in SUPPORTED_PROFILE_MODES}
    if mode.lower() not in known:
        if not profile:
            settings.log("alibabacloud.sgw: the current profile %r of %s has mode %s, which is not supported; it is "
                         "skipped (supported: %s)" % (wanted, path, mode, ", ".join(SUPPORTED_PROFILE_MODES)))
            return None
        raise SgwConfigError("Profile %r of %s has mode %s; supported modes are %s." % (
            wanted, path, mode, ", ".join(SUPPORTED_PROFILE_MODES)))
    return _profile_credentials(settings, path, wanted, entry, known[mode.lower()], source, seen + (wanted,))


def _profile_credentials(settings, path, name, entry, mode, source, seen):
    if mode in ("AK", "StsToken", "RamRoleArn"):
        token = entry.get("sts_token") if mode == "StsToken" else None
        key_id, secret = entry.get("access_key_id"), entry.get("access_key_secret")
        if not (key_id and secret):
            raise SgwConfigError("Profile %r of %s has no access_key_id/access_key_secret." % (name, path))
        found = Credentials(key_id, secret, token, source)
        if mode != "RamRoleArn":
            return found
        return assume(settings, found, _profile_role(entry, name, path), entry.get("external_id"), None,
                      entry.get("ram_session_name"), entry.get("expired_seconds"))
    if mode == "EcsRamRole":
        return ecs_role(settings, entry.get("ram_role_name"))
    if mode == "ChainableRamRoleArn":
        parent = entry.get("source_profile")
        if not parent:
            raise SgwConfigError("Profile %r of %s has mode ChainableRamRoleArn but no source_profile." % (name, path))
        if parent in seen:
            raise SgwConfigError("Profile %r of %s: source_profile %r makes a loop (%s)." % (
                name, path, parent, " -> ".join(seen + (parent,))))
        found = credentials_from_profile(settings, path, parent, seen=seen)
        return assume(settings, found, _profile_role(entry, name, path), entry.get("external_id"), None,
                      entry.get("ram_session_name"), entry.get("expired_seconds"))
    if mode == "OIDC":
        return oidc(settings, _profile_role(entry, name, path), entry.get("oidc_provider_arn"),
                    entry.get("oidc_token_file"), source, entry.get("ram_session_name"), entry.get("expired_seconds"))
    uri = entry.get("credentials_uri")
    if not uri:
        raise SgwConfigError("Profile %r of %s has mode CredentialsURI but no credentials_uri." % (name, path))
    return from_uri(settings, uri, source)


def _profile_role(entry, name, path):
    role = entry.get("ram_role_arn")
    if not role:
        raise SgwConfigError("Profile %r of %s has mode %s but no ram_role_arn." % (name, path, entry.get("mode")))
    return role


# ------------------------------------------------------------------------------ the role steps


def _session(settings, session_name=None, expiration=None):
    """``(RoleSessionName, DurationSeconds)`` of a role step, checked."""
    name = session_name or settings.option("role_session_name") or "alibabacloud-sgw-%d" % int(time.time())
    seconds = expiration or settings.option("role_session_expiration") or DEFAULT_SESSION_EXPIRATION
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        seconds = None
    low, high = SESSION_EXPIRATION_RANGE
    if seconds is None or not low <= seconds <= high:
        raise SgwConfigError("role_session_expiration must be a whole number of seconds from %d to %d, not %r." % (
            low, high, expiration or settings.option("role_session_expiration")))
    return name, seconds


def _need_sts(settings, what):
    if settings.sts is None:
        raise SgwConfigError("%s needs STS, which is not available here." % what)
    return settings.sts


def assume(settings, source, role_arn, external_id=None, policy=None, session_name=None, expiration=None):
    """``source`` turned into the temporary credentials of ``role_arn`` (refreshed before they expire)."""
    name, seconds = _session(settings, session_name, expiration)
    sts = _need_sts(settings, "ram_role_arn")
    settings.log("alibabacloud.sgw: assuming RAM role %s with %s" % (role_arn, source.describe()))

    def fetch():
        return sts.assume_role(source, role_arn, name, seconds, policy=policy, external_id=external_id)
    return RefreshingCredentials(fetch, identity="RAM role %s assumed by %s" % (role_arn, source.identity),
                                 lazy=settings.lazy)


def oidc(settings, role_arn, provider_arn, token_file, where, session_name=None, expiration=None):
    """The temporary credentials of ``role_arn`` assumed with the OIDC token of ``token_file``."""
    missing = [n for n, v in (("ram_role_arn (ALIBABA_CLOUD_ROLE_ARN)", role_arn),
                              ("oidc_provider_arn (ALIBABA_CLOUD_OIDC_PROVIDER_ARN)", provider_arn),
                              ("oidc_token_file (ALIBABA_CLOUD_OIDC_TOKEN_FILE)", token_file)) if not v]
    if missing:
        raise SgwConfigError("OIDC credentials from %s are incomplete: %s missing." % (where, ", ".join(missing)))
    name, seconds = _session(settings, session_name, expiration)
    sts = _need_sts(settings, "OIDC")
    path = os.path.expanduser(token_file)

    def fetch():  # the token file is read again at each refresh: Kubernetes rotates it
        try:
            with open(path, encoding="utf-8") as handle:
                token = handle.read().strip()
        except OSError as exc:
            raise SgwConfigError("Cannot read the OIDC token file %s: %s." % (path, exc.__class__.__name__)) from None
        if not token:
            raise SgwConfigError("The OIDC token file %s is empty." % path)
        return sts.assume_role_with_oidc(role_arn, provider_arn, token, name, seconds)
    return RefreshingCredentials(fetch, identity="RAM role %s with OIDC of %s" % (role_arn, provider_arn),
                                 lazy=settings.lazy)


# ------------------------------------------------------------------------------ metadata and URIs


def _temporary(document, source, where):
    """``(Credentials, expiration)`` from a metadata-style answer (``AccessKeyId``, ``Expiration``...)."""
    if not isinstance(document, dict) or document.get("Code", "Success") != "Success":
        raise SgwConfigError("%s refused credentials." % where)
    key_id, secret = document.get("AccessKeyId"), document.get("AccessKeySecret")
    if not (key_id and secret):
        raise SgwConfigError("%s gave no AccessKey." % where)
    return (Credentials(key_id, secret, document.get("SecurityToken"), source),
            parse_expiration(document.get("Expiration")))


def from_uri(settings, uri, where):
    """Temporary credentials from a credentials URI (``where`` names the setting, never the URI itself)."""

    def fetch():
        try:
            document = json.loads(settings.http_get(uri, {}, "GET"))
        except Exception as exc:  # pylint: disable=broad-except
            raise SgwConfigError("Cannot get credentials from the credentials URI of %s: %s." % (
                where, exc.__class__.__name__)) from None
        return _temporary(document, "credentials URI of %s" % where, "The credentials URI of %s" % where)
    return RefreshingCredentials(fetch, identity="credentials URI %s" % uri, lazy=settings.lazy)


def ecs_role(settings, role):
    """Temporary credentials of an ECS RAM role (IMDSv2 token first, IMDSv1 fallback), refreshed before expiry."""
    if not role:
        raise SgwConfigError("An ECS RAM role needs a role name (option ecs_role_name).")
    http_get = settings.http_get
    url = (settings.option("ecs_metadata_url") or DEFAULT_ECS_METADATA_URL).rstrip("/")
    base = hide_userinfo(url)  # as messages show it

    def fetch():
        headers = {}
        try:
            token = http_get(url + "/latest/api/token", {"X-aliyun-ecs-metadata-token-ttl-seconds": "21600"}, "PUT")
            headers["X-aliyun-ecs-metadata-token"] = token.strip()
        except Exception:  # pylint: disable=broad-except  # IMDSv1 fallback, as the SDKs do
            headers = {}
        try:
            document = json.loads(http_get("%s/latest/meta-data/ram/security-credentials/%s" % (url, role), headers,
                                           "GET"))
        except Exception as exc:  # pylint: disable=broad-except
            raise SgwConfigError("Cannot get credentials of the ECS RAM role %r from %s: %s." % (
                role, base, exc.__class__.__name__)) from None
        if not isinstance(document, dict) or document.get("Code") != "Success":
            raise SgwConfigError("The metadata service at %s refused credentials for the ECS RAM role %r." % (
                base, role))
        return _temporary(document, "ECS RAM role %r" % role,
                          "The metadata service at %s, for the ECS RAM role %r," % (base, role))
    return RefreshingCredentials(fetch, identity="ECS RAM role %s at %s" % (role, url), lazy=settings.lazy)


def _metadata_get(url, headers=None, method="GET"):
    """One call to the instance metadata service or a credentials URI (never through a proxy)."""
    from ansible.module_utils.urls import open_url  # pylint: disable=import-outside-toplevel

    with open_url(url, headers=headers or {}, method=method, timeout=METADATA_TIMEOUT, use_proxy=False,
                  follow_redirects="none") as response:
        return response.read().decode("utf-8")
