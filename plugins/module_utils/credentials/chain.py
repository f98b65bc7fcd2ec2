# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One credential resolution chain for every plugin and module of the collection.

The rule: what the user names explicitly beats the environment, and the environment beats
implicit file defaults. In this order, the first source that is set wins:

1. explicit (options): ``access_key_id`` / ``access_key_secret`` / ``security_token``; the OIDC
   options ``oidc_provider_arn`` / ``oidc_token_file``; ``credentials_uri``; ``profile``;
   ``ecs_role_name``;
2. the environment, documented names first: ``ALIBABA_CLOUD_ACCESS_KEY_ID`` /
   ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` / ``ALIBABA_CLOUD_SECURITY_TOKEN``, else the older
   ``ALICLOUD_ACCESS_KEY`` / ``ALICLOUD_SECRET_KEY`` / ``ALICLOUD_SECURITY_TOKEN`` (an id and its
   secret always come from the same family); OIDC (``ALIBABA_CLOUD_OIDC_PROVIDER_ARN``,
   ``ALIBABA_CLOUD_OIDC_TOKEN_FILE``); ``ALIBABA_CLOUD_CREDENTIALS_URI``; ``ALIBABA_CLOUD_PROFILE``
   (or ``ALICLOUD_PROFILE``); ``ALIBABA_CLOUD_ECS_METADATA`` (or ``ALICLOUD_ECS_ROLE_NAME``);
3. implicit: the ``current`` profile of the aliyun CLI file ``~/.aliyun/config.json``; a
   profile of a mode this chain does not support is skipped there (an explicit one is an error).

The identity found is then used to assume ``ram_role_arn`` (option, else ``ALIBABA_CLOUD_ROLE_ARN``)
when one is set, with STS ``AssumeRole``. Temporary credentials (STS, ECS RAM role, credentials
URI) are refreshed before they expire; they live in memory only.

The secret and the token never appear in a ``repr``, an exception or a log line.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
import time

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.redaction import mask_key_id

ENV_ACCESS_KEY_ID = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY")
ENV_ACCESS_KEY_SECRET = ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY")
ENV_SECURITY_TOKEN = ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN")
ENV_PROFILE = ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE")
ENV_CREDENTIALS_FILE = ("ALICLOUD_SHARED_CREDENTIALS_FILE",)
ENV_ECS_ROLE_NAME = ("ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME")
ENV_ECS_METADATA_URL = ("ALIBABA_CLOUD_ECS_METADATA_URL",)
ENV_ROLE_ARN = ("ALIBABA_CLOUD_ROLE_ARN",)
ENV_ROLE_SESSION_NAME = ("ALIBABA_CLOUD_ROLE_SESSION_NAME",)
ENV_ROLE_SESSION_EXPIRATION = ("ALIBABA_CLOUD_ROLE_SESSION_EXPIRATION",)
ENV_STS_ENDPOINT = ("ALIBABA_CLOUD_STS_ENDPOINT",)
ENV_OIDC_PROVIDER_ARN = ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN",)
ENV_OIDC_TOKEN_FILE = ("ALIBABA_CLOUD_OIDC_TOKEN_FILE",)
ENV_CREDENTIALS_URI = ("ALIBABA_CLOUD_CREDENTIALS_URI",)

# The two families of AccessKey variables, documented first: (id, secret, token) each.
ENV_KEY_FAMILIES = tuple(zip(ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN))

DEFAULT_CREDENTIALS_FILE = "~/.aliyun/config.json"
DEFAULT_ECS_METADATA_URL = "http://100.100.100.200"
METADATA_TIMEOUT = 5
DEFAULT_SESSION_EXPIRATION = 3600
SESSION_EXPIRATION_RANGE = (900, 43200)
# Temporary credentials are refreshed when less than this part of their lifetime is left (at most
# REFRESH_MARGIN_MAX seconds), so that a call signed with them never arrives after they expire.
REFRESH_FRACTION = 0.25
REFRESH_MARGIN_MAX = 300.0

SUPPORTED_PROFILE_MODES = ("AK", "StsToken", "EcsRamRole", "RamRoleArn", "ChainableRamRoleArn", "OIDC",
                           "CredentialsURI")

NO_CREDENTIALS = (
    "No Alibaba Cloud credentials found. Set the options access_key_id and access_key_secret "
    "(and security_token for STS), or the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), or name a "
    "profile of %s with the option profile (or ALIBABA_CLOUD_PROFILE), an ECS RAM role with "
    "the option ecs_role_name, OIDC with oidc_provider_arn, oidc_token_file and ram_role_arn, or credentials_uri."
)


class Credentials:
    """An AccessKey pair, an optional STS token, and where they came from."""

    __slots__ = ("access_key_id", "access_key_secret", "security_token", "source")

    def __init__(self, access_key_id, access_key_secret, security_token=None, source="options"):
        self.source = source
        self.access_key_id = _checked(access_key_id, "AccessKey ID", source)
        self.access_key_secret = _checked(access_key_secret, "AccessKey secret", source)
        for value, what in ((self.access_key_id, "AccessKey ID"), (self.access_key_secret, "AccessKey secret")):
            if not value:
                raise SgwConfigError("The %s from %s is empty." % (what, source))
        self.security_token = _checked(security_token, "security token", source) or None

    @property
    def masked_key_id(self) -> str:
        return mask_key_id(self.access_key_id)

    def describe(self) -> str:
        """Where the credentials came from, safe to print: the source and a masked key id."""
        return "%s (AccessKey ID %s%s)" % (self.source, self.masked_key_id, ", with STS token" if self.security_token else "")

    def current(self):
        """The credentials to sign the next request with: these, as they never expire."""
        return self

    def secret_values(self) -> tuple:
        """Every secret value that a message must never show."""
        return tuple(v for v in (self.access_key_secret, self.security_token) if v)

    def __repr__(self):
        return "Credentials(%s)" % self.describe()

    __str__ = __repr__


class Anonymous:
    """No credentials: the request is sent unsigned (STS ``AssumeRoleWithOIDC`` is such a call)."""

    source = "no credentials (an anonymous call)"

    @staticmethod
    def current():
        return None

    @staticmethod
    def secret_values() -> tuple:
        return ()

    def describe(self) -> str:
        return self.source


class RefreshingCredentials:
    """Temporary credentials that renew themselves before they expire.

    ``fetch()`` returns ``(Credentials, expiration)``, the expiration in epoch seconds (None: never).
    :meth:`current` calls it again when less than a quarter of the lifetime (at most five minutes)
    is left; one thread refreshes while the others wait. Every secret ever fetched is kept (in
    memory only) so that error messages can still hide an older one.
    """

    def __init__(self, fetch, clock=time.time):
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._secrets = []
        self.refreshes = 0
        self._current, self._expiration, self._margin = None, None, 0.0
        self._renew()

    def _renew(self):
        found, expiration = self._fetch()
        now = self._clock()
        self._current, self._expiration = found, expiration
        self._margin = 0.0 if expiration is None else min(REFRESH_MARGIN_MAX,
                                                          max(0.0, expiration - now) * REFRESH_FRACTION)
        self._secrets.extend(v for v in found.secret_values() if v not in self._secrets)

    def current(self) -> Credentials:
        with self._lock:
            if self._expiration is not None and self._expiration - self._clock() <= self._margin:
                self._renew()
                self.refreshes += 1
            return self._current

    @property
    def expiration(self):
        return self._expiration

    @property
    def source(self):
        return self._current.source

    @property
    def access_key_id(self):
        return self._current.access_key_id

    @property
    def security_token(self):
        return self._current.security_token

    def secret_values(self) -> tuple:
        return tuple(self._secrets)

    def describe(self) -> str:
        return self._current.describe()

    def __repr__(self):
        return "RefreshingCredentials(%s)" % self.describe()

    __str__ = __repr__


def _checked(value, what, source):
    """A credential value without surrounding white space (a pasted newline, say).

    What is left must be printable ASCII without spaces, as every AccessKey and STS token is;
    anything else could not be sent in a header, and the error would show the value. The
    error here never shows it.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise SgwConfigError("The %s from %s must be a string, not %s." % (what, source, type(value).__name__))
    value = value.strip()
    bad = [c for c in value if not "!" <= c <= "~"]
    if bad:
        hint = ""
        if "{{" in value or "{%" in value:
            hint = " It looks like an unrendered Jinja template; templates are rendered only in options that allow them."
        raise SgwConfigError("The %s from %s contains %d space, control or non-ASCII character(s); an AccessKey and "
                             "an STS token never do, so check for a copy and paste error.%s" % (
                                 what, source, len(bad), hint))
    return value


def first_env(names, env=None):
    """The value of the first variable of ``names`` that is set and not empty, and its name."""
    env = os.environ if env is None else env
    for name in names:
        value = env.get(name)
        if value:
            return value, name
    return None, None


def parse_expiration(value):
    """Epoch seconds of an ``Expiration`` such as ``2026-11-29T03:00:00Z``; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    for layout in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            moment = datetime.datetime.strptime(value, layout)
        except ValueError:
            continue
        return moment.replace(tzinfo=datetime.timezone.utc).timestamp()
    return None


# ------------------------------------------------------------------------------ the chain


class _Settings:
    """What the chain was given: the explicit options, the environment and its helpers."""

    def __init__(self, options, env, http_get, sts, log):
        self.options = {k: v for k, v in options.items() if v not in (None, "")}
        self.env = env
        self.http_get = http_get
        self.sts = sts
        self.log = log or (lambda message: None)

    def option(self, name):
        return self.options.get(name)

    def env_value(self, names):
        return first_env(names, self.env)


def resolve_credentials(access_key_id=None, access_key_secret=None, security_token=None, profile=None,
                        credentials_file=None, ecs_role_name=None, ecs_metadata_url=None, env=None,
                        http_get=None, explicit_source=None, ram_role_arn=None, role_session_name=None,
                        role_session_expiration=None, role_policy=None, external_id=None, oidc_provider_arn=None,
                        oidc_token_file=None, credentials_uri=None, sts=None, log=None):
    """Return credentials (:class:`Credentials` or :class:`RefreshingCredentials`) by the chain's rule.

    The arguments are the options the user set explicitly (never values Ansible read from the
    environment: the chain reads the environment itself). ``env`` defaults to ``os.environ``;
    ``http_get(url, headers, method)`` fetches metadata and credentials URIs; ``sts`` is a
    :class:`~.sts.StsCaller` for the role steps; ``log`` receives ``-vvv`` notes.
    ``explicit_source`` describes where the explicit AccessKey came from, when not the options.
    """
    settings = _Settings(dict(
        access_key_id=access_key_id, access_key_secret=access_key_secret, security_token=security_token,
        profile=profile, credentials_file=credentials_file, ecs_role_name=ecs_role_name,
        ecs_metadata_url=ecs_metadata_url, ram_role_arn=ram_role_arn, role_session_name=role_session_name,
        role_session_expiration=role_session_expiration, role_policy=role_policy, external_id=external_id,
        oidc_provider_arn=oidc_provider_arn, oidc_token_file=oidc_token_file, credentials_uri=credentials_uri,
    ), os.environ if env is None else env, http_get, sts, log)
    role_arn = settings.option("ram_role_arn") or settings.env_value(ENV_ROLE_ARN)[0]
    found, used_role = _source_identity(settings, explicit_source, role_arn)
    if role_arn and not used_role:
        found = _assume(settings, found, role_arn, settings.option("external_id"), settings.option("role_policy"))
    return found


def _source_identity(settings, explicit_source, role_arn):
    """The first identity of the chain, and whether it already is ``role_arn`` (OIDC)."""
    opt = settings.option
    # 1. Explicit options.
    found = _explicit_keys(settings, explicit_source)
    if found:
        return found, False
    if opt("oidc_provider_arn") or opt("oidc_token_file"):
        return _oidc(settings, role_arn, opt("oidc_provider_arn") or settings.env_value(ENV_OIDC_PROVIDER_ARN)[0],
                     opt("oidc_token_file") or settings.env_value(ENV_OIDC_TOKEN_FILE)[0], "the options"), True
    if opt("credentials_uri"):
        return _from_uri(settings, opt("credentials_uri"), "option credentials_uri"), False
    path = _credentials_path(settings)
    if opt("profile"):
        return credentials_from_profile(path, opt("profile"), settings=settings), False
    if opt("ecs_role_name"):
        return _ecs(settings, opt("ecs_role_name")), False
    # 2. The environment, documented names first.
    found = _environment_keys(settings)
    if found:
        return found, False
    provider, provider_var = settings.env_value(ENV_OIDC_PROVIDER_ARN)
    token_file, token_var = settings.env_value(ENV_OIDC_TOKEN_FILE)
    if provider or token_file:
        return _oidc(settings, role_arn, provider, token_file, "the environment (%s)" % (provider_var or token_var)), True
    uri, uri_var = settings.env_value(ENV_CREDENTIALS_URI)
    if uri:
        return _from_uri(settings, uri, "environment %s" % uri_var), False
    profile, dummy = settings.env_value(ENV_PROFILE)
    if profile:
        return credentials_from_profile(path, profile, settings=settings), False
    role, dummy = settings.env_value(ENV_ECS_ROLE_NAME)
    if role:
        return _ecs(settings, role), False
    # 3. Implicit: the current profile of the CLI file.
    if os.path.exists(path):
        found = credentials_from_profile(path, None, settings=settings)
        if found:
            return found, False
    raise SgwConfigError(NO_CREDENTIALS % DEFAULT_CREDENTIALS_FILE)


def _credentials_path(settings):
    return os.path.expanduser(settings.option("credentials_file") or settings.env_value(ENV_CREDENTIALS_FILE)[0]
                              or DEFAULT_CREDENTIALS_FILE)


def _explicit_keys(settings, explicit_source):
    key_id, secret = settings.option("access_key_id"), settings.option("access_key_secret")
    source = explicit_source or "options access_key_id/access_key_secret"
    if key_id and secret:
        return Credentials(key_id, secret, settings.option("security_token"), source)
    if key_id or secret:
        given, missing = ("access_key_id", "access_key_secret") if key_id else ("access_key_secret", "access_key_id")
        elsewhere = [name for family in ENV_KEY_FAMILIES for name in family[:2] if settings.env.get(name)]
        note = ""
        if elsewhere:
            note = (" The environment has %s, but an id and its secret must come from the same place: set both "
                    "options, or unset %s and use the environment." % (", ".join(elsewhere), given))
        raise SgwConfigError("Incomplete credentials in %s: %s is set but %s is not.%s" % (
            source, given, missing, note))
    return None


def _environment_keys(settings):
    """The AccessKey of the first family of variables that has one; a half pair is an error naming it."""
    for id_var, secret_var, token_var in ENV_KEY_FAMILIES:
        key_id, secret = settings.env.get(id_var), settings.env.get(secret_var)
        if key_id and secret:
            return Credentials(key_id, secret, settings.env.get(token_var) or None, "environment %s" % id_var)
        if key_id or secret:
            given, missing = (id_var, secret_var) if key_id else (secret_var, id_var)
            raise SgwConfigError("Incomplete credentials in the environment: %s is set but %s is not (an id and its "
                                 "secret are read from the same family of variables)." % (given, missing))
    return None


def credentials_from_profile(path, profile, metadata_url=None, http_get=None, settings=None, seen=()):
    """Read one profile of an aliyun CLI ``config.json``; ``profile`` None means the file's current one.

    An implicit (current) profile of a mode the chain does not support is skipped (None), with a note.
    """
    settings = settings or _Settings({"ecs_metadata_url": metadata_url}, os.environ, http_get, None, None)
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
        return _assume(settings, found, _profile_role(entry, name, path), entry.get("external_id"), None,
                       entry.get("ram_session_name"), entry.get("expired_seconds"))
    if mode == "EcsRamRole":
        return _ecs(settings, entry.get("ram_role_name"))
    if mode == "ChainableRamRoleArn":
        parent = entry.get("source_profile")
        if not parent:
            raise SgwConfigError("Profile %r of %s has mode ChainableRamRoleArn but no source_profile." % (name, path))
        if parent in seen:
            raise SgwConfigError("Profile %r of %s: source_profile %r makes a loop (%s)." % (
                name, path, parent, " -> ".join(seen + (parent,))))
        found = credentials_from_profile(path, parent, settings=settings, seen=seen)
        return _assume(settings, found, _profile_role(entry, name, path), entry.get("external_id"), None,
                       entry.get("ram_session_name"), entry.get("expired_seconds"))
    if mode == "OIDC":
        return _oidc(settings, _profile_role(entry, name, path), entry.get("oidc_provider_arn"),
                     entry.get("oidc_token_file"), source, entry.get("ram_session_name"), entry.get("expired_seconds"))
    uri = entry.get("credentials_uri")
    if not uri:
        raise SgwConfigError("Profile %r of %s has mode CredentialsURI but no credentials_uri." % (name, path))
    return _from_uri(settings, uri, source)


def _profile_role(entry, name, path):
    role = entry.get("ram_role_arn")
    if not role:
        raise SgwConfigError("Profile %r of %s has mode %s but no ram_role_arn." % (name, path, entry.get("mode")))
    return role


# ------------------------------------------------------------------------------ the steps


def _session(settings, session_name=None, expiration=None):
    """``(RoleSessionName, DurationSeconds)`` of a role step, checked."""
    name = (session_name or settings.option("role_session_name") or settings.env_value(ENV_ROLE_SESSION_NAME)[0]
            or "alibabacloud-sgw-%d" % int(time.time()))
    seconds = (expiration or settings.option("role_session_expiration")
               or settings.env_value(ENV_ROLE_SESSION_EXPIRATION)[0] or DEFAULT_SESSION_EXPIRATION)
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


def _assume(settings, source, role_arn, external_id=None, policy=None, session_name=None, expiration=None):
    """``source`` turned into the temporary credentials of ``role_arn`` (refreshed before they expire)."""
    name, seconds = _session(settings, session_name, expiration)
    sts = _need_sts(settings, "ram_role_arn")
    settings.log("alibabacloud.sgw: assuming RAM role %s with %s" % (role_arn, source.describe()))

    def fetch():
        return sts.assume_role(source, role_arn, name, seconds, policy=policy, external_id=external_id)
    return RefreshingCredentials(fetch)


def _oidc(settings, role_arn, provider_arn, token_file, where, session_name=None, expiration=None):
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
    return RefreshingCredentials(fetch)


def _temporary(document, source, where):
    """``(Credentials, expiration)`` from a metadata-style answer (``AccessKeyId``, ``Expiration``...)."""
    if not isinstance(document, dict) or document.get("Code", "Success") != "Success":
        raise SgwConfigError("%s refused credentials." % where)
    key_id, secret = document.get("AccessKeyId"), document.get("AccessKeySecret")
    if not (key_id and secret):
        raise SgwConfigError("%s gave no AccessKey." % where)
    return (Credentials(key_id, secret, document.get("SecurityToken"), source),
            parse_expiration(document.get("Expiration")))


def _from_uri(settings, uri, where):
    http_get = settings.http_get or _metadata_get

    def fetch():
        try:
            document = json.loads(http_get(uri, {}, "GET"))
        except Exception as exc:  # pylint: disable=broad-except
            raise SgwConfigError("Cannot get credentials from the credentials URI of %s: %s." % (
                where, exc.__class__.__name__)) from None
        return _temporary(document, "credentials URI of %s" % where, "The credentials URI of %s" % where)
    return RefreshingCredentials(fetch)


def _ecs(settings, role):
    metadata_url = (settings.option("ecs_metadata_url") or settings.env_value(ENV_ECS_METADATA_URL)[0]
                    or DEFAULT_ECS_METADATA_URL)
    return credentials_from_ecs_role(role, metadata_url, settings.http_get)


def _metadata_get(url, headers=None, method="GET"):
    """One call to the instance metadata service or a credentials URI (never through a proxy)."""
    from ansible.module_utils.urls import open_url  # pylint: disable=import-outside-toplevel

    with open_url(url, headers=headers or {}, method=method, timeout=METADATA_TIMEOUT, use_proxy=False,
                  follow_redirects="none") as response:
        return response.read().decode("utf-8")


def credentials_from_ecs_role(role, metadata_url=DEFAULT_ECS_METADATA_URL, http_get=None):
    """Temporary credentials of an ECS RAM role (IMDSv2 token first, IMDSv1 fallback), refreshed before expiry."""
    if not role:
        raise SgwConfigError("An ECS RAM role needs a role name (option ecs_role_name).")
    http_get = http_get or _metadata_get
    base = (metadata_url or DEFAULT_ECS_METADATA_URL).rstrip("/")

    def fetch():
        headers = {}
        try:
            token = http_get(base + "/latest/api/token", {"X-aliyun-ecs-metadata-token-ttl-seconds": "21600"}, "PUT")
            headers["X-aliyun-ecs-metadata-token"] = token.strip()
        except Exception:  # pylint: disable=broad-except  # IMDSv1 fallback, as the SDKs do
            headers = {}
        url = "%s/latest/meta-data/ram/security-credentials/%s" % (base, role)
        try:
            document = json.loads(http_get(url, headers, "GET"))
        except Exception as exc:  # pylint: disable=broad-except
            raise SgwConfigError("Cannot get credentials of the ECS RAM role %r from %s: %s." % (
                role, base, exc.__class__.__name__)) from None
        if not isinstance(document, dict) or document.get("Code") != "Success":
            raise SgwConfigError("The metadata service at %s refused credentials for the ECS RAM role %r." % (
                base, role))
        return _temporary(document, "ECS RAM role %r" % role,
                          "The metadata service at %s, for the ECS RAM role %r," % (base, role))
    return RefreshingCredentials(fetch)
