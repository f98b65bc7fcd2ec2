# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One credential resolution chain for every plugin and module of the collection.

In this order, the first that yields an AccessKey wins:

1. the options ``access_key_id`` / ``access_key_secret`` / ``security_token``;
2. the environment: ``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` /
   ``ALIBABA_CLOUD_SECURITY_TOKEN``, or ``ALICLOUD_ACCESS_KEY`` / ``ALICLOUD_SECRET_KEY`` /
   ``ALICLOUD_SECURITY_TOKEN``;
3. a profile of the aliyun CLI file (``~/.aliyun/config.json``): the one named by ``profile``
   (or ``ALIBABA_CLOUD_PROFILE`` / ``ALICLOUD_PROFILE``), else the file's ``current`` profile;
   modes ``AK``, ``StsToken`` and ``EcsRamRole``;
4. an ECS RAM role from the instance metadata service, when ``ecs_role_name`` is given.

The secret and the token never appear in a ``repr``, an exception or a log line.
"""

from __future__ import annotations

import json
import os

from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.redaction import mask_key_id

ENV_ACCESS_KEY_ID = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY")
ENV_ACCESS_KEY_SECRET = ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY")
ENV_SECURITY_TOKEN = ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN")
ENV_PROFILE = ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE")
ENV_CREDENTIALS_FILE = ("ALICLOUD_SHARED_CREDENTIALS_FILE",)
ENV_ECS_ROLE_NAME = ("ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME")
ENV_ECS_METADATA_URL = ("ALIBABA_CLOUD_ECS_METADATA_URL",)

DEFAULT_CREDENTIALS_FILE = "~/.aliyun/config.json"
DEFAULT_ECS_METADATA_URL = "http://100.100.100.200"
METADATA_TIMEOUT = 5

NO_CREDENTIALS = (
    "No Alibaba Cloud credentials found. Set the options access_key_id and access_key_secret "
    "(and security_token for STS), or the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), or name a "
    "profile of %s with the option profile (or ALIBABA_CLOUD_PROFILE), or an ECS RAM role with "
    "the option ecs_role_name."
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

    def __repr__(self):
        return "Credentials(%s)" % self.describe()

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
        raise SgwConfigError("The %s from %s contains %d space, control or non-ASCII character(s); an AccessKey and "
                             "an STS token never do, so check for a copy and paste error." % (what, source, len(bad)))
    return value


def first_env(names, env=None):
    """The value of the first variable of ``names`` that is set and not empty, and its name."""
    env = os.environ if env is None else env
    for name in names:
        value = env.get(name)
        if value:
            return value, name
    return None, None


def _from_pair(key_id, secret, token, source, what):
    if key_id and secret:
        return Credentials(key_id, secret, token, source)
    if key_id or secret:
        missing = "access_key_secret" if key_id else "access_key_id"
        raise SgwConfigError("Incomplete credentials in %s: %s is missing." % (what, missing))
    return None


def resolve_credentials(access_key_id=None, access_key_secret=None, security_token=None, profile=None,
                        credentials_file=None, ecs_role_name=None, ecs_metadata_url=None, env=None,
                        http_get=None, explicit_source=None):
    """Return :class:`Credentials` from the first source of the chain that has them.

    ``env`` defaults to ``os.environ``; ``http_get(url, headers, method)`` fetches metadata and
    defaults to Ansible's ``open_url`` (tests pass a loopback URL instead).
    ``explicit_source`` describes where the explicit values came from, when not the options.
    """
    env = os.environ if env is None else env

    found = _from_pair(access_key_id, access_key_secret, security_token,
                       explicit_source or "options access_key_id/access_key_secret", "the options")
    if found:
        return found

    key_id, key_var = first_env(ENV_ACCESS_KEY_ID, env)
    secret, secret_var = first_env(ENV_ACCESS_KEY_SECRET, env)
    token, dummy = first_env(ENV_SECURITY_TOKEN, env)
    found = _from_pair(key_id, secret, token, "environment %s" % (key_var or secret_var),
                       "the environment (%s / %s)" % (ENV_ACCESS_KEY_ID[0], ENV_ACCESS_KEY_SECRET[0]))
    if found:
        return found

    metadata_url = ecs_metadata_url or first_env(ENV_ECS_METADATA_URL, env)[0] or DEFAULT_ECS_METADATA_URL
    profile = profile or first_env(ENV_PROFILE, env)[0]
    path = os.path.expanduser(credentials_file or first_env(ENV_CREDENTIALS_FILE, env)[0] or DEFAULT_CREDENTIALS_FILE)
    if profile or os.path.exists(path):
        found = credentials_from_profile(path, profile, metadata_url, http_get)
        if found:
            return found

    role = ecs_role_name or first_env(ENV_ECS_ROLE_NAME, env)[0]
    if role:
        return credentials_from_ecs_role(role, metadata_url, http_get)

    raise SgwConfigError(NO_CREDENTIALS % DEFAULT_CREDENTIALS_FILE)


def credentials_from_profile(path, profile, metadata_url=DEFAULT_ECS_METADATA_URL, http_get=None):
    """Read one profile of an aliyun CLI ``config.json``; ``profile`` None means the file's current one."""
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
    if mode.lower() in ("ak", "ststoken"):
        token = entry.get("sts_token") if mode.lower() == "ststoken" else None
        found = _from_pair(entry.get("access_key_id"), entry.get("access_key_secret"), token, source, source)
        if not found:
            raise SgwConfigError("Profile %r of %s has no access_key_id/access_key_secret." % (wanted, path))
        return found
    if mode.lower() == "ecsramrole":
        return credentials_from_ecs_role(entry.get("ram_role_name"), metadata_url, http_get)
    raise SgwConfigError("Profile %r of %s has mode %s; supported modes are AK, StsToken and EcsRamRole." % (
        wanted, path, mode))


def _metadata_get(url, headers=None, method="GET"):
    """One call to the instance metadata service (never through a proxy)."""
    from ansible.module_utils.urls import open_url  # pylint: disable=import-outside-toplevel

    with open_url(url, headers=headers or {}, method=method, timeout=METADATA_TIMEOUT, use_proxy=False,
                  follow_redirects="none") as response:
        return response.read().decode("utf-8")


def credentials_from_ecs_role(role, metadata_url=DEFAULT_ECS_METADATA_URL, http_get=None):
    """Fetch temporary credentials of an ECS RAM role (IMDSv2 token first, IMDSv1 fallback)."""
    if not role:
        raise SgwConfigError("An ECS RAM role needs a role name (option ecs_role_name).")
    http_get = http_get or _metadata_get
    base = metadata_url.rstrip("/")
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
            role, base, exc.__class__.__name__))
    if not isinstance(document, dict) or document.get("Code") != "Success":
        raise SgwConfigError("The metadata service at %s refused credentials for the ECS RAM role %r." % (base, role))
    found = _from_pair(document.get("AccessKeyId"), document.get("AccessKeySecret"), document.get("SecurityToken"),
                       "ECS RAM role %r" % role, "the metadata service answer")
    if not found:
        raise SgwConfigError("The metadata service at %s gave no AccessKey for the ECS RAM role %r." % (base, role))
    return found
