# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One credential resolution chain for every plugin and module of the collection.

The rule: what the user names explicitly beats the environment, and the environment beats
implicit file defaults. In this order, the first source that is set wins:

1. explicit (options): ``access_key_id`` / ``access_key_secret`` / ``security_token``; the OIDC
   options ``oidc_provider_arn`` / ``oidc_token_file``; ``credentials_uri``; ``profile``;
   ``ecs_role_name``;
2. the environment, in the same order: an AccessKey (an id and its secret always from the same
   family of variables), OIDC, a credentials URI, a profile, an ECS RAM role;
3. implicit: the ``current`` profile of the aliyun CLI file ``~/.aliyun/config.json``; a
   profile of a mode this chain does not support is skipped there (an explicit one is an error).

The identity found is then used to assume ``ram_role_arn`` when one is set, with STS
``AssumeRole``. Temporary credentials (STS, ECS RAM role, credentials URI) are refreshed before
they expire; they live in memory only.

The chain reads no environment variable itself: the options layer (options.py, the one table of
the shared options) gives it the explicit options and what the environment sets, each with the
variable it came from, so that it knows and reports the real source.
"""

from __future__ import annotations

import os

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials import sources
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.identity import Credentials
# Where the credential classes used to live; new code imports them from identity.py.
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.identity import RefreshingCredentials  # noqa: F401 pylint: disable=unused-import
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.sources import (
    DEFAULT_CREDENTIALS_FILE,
    Settings,
    credentials_from_profile,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError

# The AccessKey options, read from the environment as one family of variables.
KEY_OPTIONS = ("access_key_id", "access_key_secret", "security_token")

NO_CREDENTIALS = (
    "No Alibaba Cloud credentials found. Set the options access_key_id and access_key_secret "
    "(and security_token for STS), or the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), or name a "
    "profile of %s with the option profile (or ALIBABA_CLOUD_PROFILE), an ECS RAM role with "
    "the option ecs_role_name, OIDC with oidc_provider_arn, oidc_token_file and ram_role_arn, or credentials_uri."
)


def resolve_credentials(options, environment=None, http_get=None, sts=None, log=None, lazy=False):
    """Return credentials (:class:`Credentials` or :class:`RefreshingCredentials`) by the chain's rule.

    ``options`` are the options (the identity ones only as the user set them explicitly);
    ``environment`` is ``{option: (value, variable)}`` for the identity options the environment
    sets; ``http_get(url, headers, method)`` fetches metadata and credentials URIs; ``sts`` is a
    :class:`~.sts.StsCaller` for the role steps; ``log`` receives ``-vvv`` notes. With ``lazy``,
    temporary credentials are fetched at their first use (their ``identity`` is known before).
    """
    settings = Settings(options, environment, http_get, sts, log, lazy)
    role_arn = settings.option("ram_role_arn")
    found, used_role = _source_identity(settings, role_arn)
    if role_arn and not used_role:
        found = sources.assume(settings, found, role_arn, settings.option("external_id"),
                               settings.option("role_policy"))
    return found


def _source_identity(settings, role_arn):
    """The first identity of the chain, and whether it already is ``role_arn`` (OIDC)."""
    opt = settings.option
    # 1. Explicit options.
    found = _explicit_keys(settings)
    if found:
        return found, False
    if opt("oidc_provider_arn") or opt("oidc_token_file"):
        return sources.oidc(settings, role_arn, opt("oidc_provider_arn") or settings.env("oidc_provider_arn")[0],
                            opt("oidc_token_file") or settings.env("oidc_token_file")[0], "the options"), True
    if opt("credentials_uri"):
        return sources.from_uri(settings, opt("credentials_uri"), "option credentials_uri"), False
    path = settings.credentials_path()
    if opt("profile"):
        return credentials_from_profile(settings, path, opt("profile")), False
    if opt("ecs_role_name"):
        return sources.ecs_role(settings, opt("ecs_role_name")), False
    # 2. The environment, in the same order.
    found = _environment_keys(settings)
    if found:
        return found, False
    provider, provider_var = settings.env("oidc_provider_arn")
    token_file, token_var = settings.env("oidc_token_file")
    if provider or token_file:
        where = "the environment (%s)" % (provider_var if provider else token_var)
        return sources.oidc(settings, role_arn, provider, token_file, where), True
    uri, uri_var = settings.env("credentials_uri")
    if uri:
        return sources.from_uri(settings, uri, "environment %s" % uri_var), False
    profile = settings.env("profile")[0]
    if profile:
        return credentials_from_profile(settings, path, profile), False
    role = settings.env("ecs_role_name")[0]
    if role:
        return sources.ecs_role(settings, role), False
    # 3. Implicit: the current profile of the CLI file.
    if os.path.exists(path):
        found = credentials_from_profile(settings, path, None)
        if found:
            return found, False
    raise SgwConfigError(NO_CREDENTIALS % DEFAULT_CREDENTIALS_FILE)


def _explicit_keys(settings):
    key_id, secret = settings.option("access_key_id"), settings.option("access_key_secret")
    source = "options access_key_id/access_key_secret"
    if key_id and secret:
        return Credentials(key_id, secret, settings.option("security_token"), source)
    if key_id or secret:
        given, missing = ("access_key_id", "access_key_secret") if key_id else ("access_key_secret", "access_key_id")
        elsewhere = [settings.env(name)[1] for name in KEY_OPTIONS[:2] if settings.env(name)[0]]
        note = ""
        if elsewhere:
            note = (" The environment has %s, but an id and its secret must come from the same place: set both "
                    "options, or unset %s and use the environment." % (", ".join(elsewhere), given))
        raise SgwConfigError("Incomplete credentials in %s: %s is set but %s is not.%s" % (
            source, given, missing, note))
    return None


def _environment_keys(settings):
    """The AccessKey of the environment; a half pair is an error naming both variables."""
    (key_id, id_var), (secret, secret_var) = settings.env("access_key_id"), settings.env("access_key_secret")
    if key_id and secret:
        return Credentials(key_id, secret, settings.env("security_token")[0], "environment %s" % id_var)
    if key_id or secret:
        given, missing = (id_var, secret_var) if key_id else (secret_var, id_var)
        raise SgwConfigError("Incomplete credentials in the environment: %s is set but %s is not (an id and its "
                             "secret are read from the same family of variables)." % (given, missing))
    return None
