# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by every plugin and module, and the one way to turn them into a client.

The option names, types, defaults and environment variables here are those of the doc
fragment ``alibabacloud.sgw.common`` (a unit test keeps the two in step).
"""

from __future__ import annotations

import math
import os

from ansible_collections.alibabacloud.sgw.plugins.module_utils import credentials as creds
from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.signing import SIGNATURE_VERSIONS
from ansible_collections.alibabacloud.sgw.plugins.module_utils.transport import HAS_REQUESTS, RetryPolicy, SgwClient


# Environment variables of each option, in order of precedence.
OPTION_ENV = {
    "access_key_id": creds.ENV_ACCESS_KEY_ID,
    "access_key_secret": creds.ENV_ACCESS_KEY_SECRET,
    "security_token": creds.ENV_SECURITY_TOKEN,
    "profile": creds.ENV_PROFILE,
    "credentials_file": creds.ENV_CREDENTIALS_FILE,
    "ecs_role_name": creds.ENV_ECS_ROLE_NAME,
    "ecs_metadata_url": creds.ENV_ECS_METADATA_URL,
    "endpoint": ("ALIBABA_CLOUD_SGW_ENDPOINT",),
    "signature_version": ("ALIBABA_CLOUD_SGW_SIGNATURE_VERSION",),
    "timeout": ("ALIBABA_CLOUD_SGW_TIMEOUT",),
    "validate_certs": ("ALIBABA_CLOUD_SGW_VALIDATE_CERTS",),
    "ca_bundle": ("ALIBABA_CLOUD_SGW_CA_BUNDLE",),
    "max_retries": ("ALIBABA_CLOUD_SGW_MAX_RETRIES",),
    "max_retry_time": ("ALIBABA_CLOUD_SGW_MAX_RETRY_TIME",),
}
REGION_ENV = ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION")


def common_argument_spec() -> dict:
    """The module argument spec of the shared options (doc fragment ``alibabacloud.sgw.common``).

    Credentials are not given environment fallbacks here: the credential chain reads the same
    variables itself, so that it can tell where the credentials came from.
    """
    from ansible.module_utils.basic import env_fallback  # pylint: disable=import-outside-toplevel

    def env(option):
        return {"fallback": (env_fallback, list(OPTION_ENV[option]))}

    return {
        "access_key_id": {"type": "str", "aliases": ["access_key"], "no_log": False},
        "access_key_secret": {"type": "str", "aliases": ["secret_key"], "no_log": True},
        "security_token": {"type": "str", "aliases": ["sts_token"], "no_log": True},
        "profile": {"type": "str"},
        "credentials_file": {"type": "path", "aliases": ["shared_credentials_file"]},
        "ecs_role_name": {"type": "str", "aliases": ["role_name"]},
        "ecs_metadata_url": {"type": "str"},
        "endpoint": dict(type="str", **env("endpoint")),
        "signature_version": dict(type="str", choices=list(SIGNATURE_VERSIONS), default="v3",
                                  **env("signature_version")),
        "timeout": dict(type="float", default=30.0, **env("timeout")),
        "validate_certs": dict(type="bool", default=True, **env("validate_certs")),
        "ca_bundle": dict(type="path", **env("ca_bundle")),
        "max_retries": dict(type="int", default=5, **env("max_retries")),
        "max_retry_time": dict(type="float", default=120.0, **env("max_retry_time")),
    }


def region_argument_spec() -> dict:
    from ansible.module_utils.basic import env_fallback  # pylint: disable=import-outside-toplevel

    return {"region": {"type": "str", "aliases": ["region_id"], "fallback": (env_fallback, list(REGION_ENV))}}


def build_client(options: dict, credential_source=None, log=None, pool_size=10) -> SgwClient:
    """A client from the shared options (a dict with every option of the doc fragment).

    ``credential_source`` names where explicit credentials came from when that is not the
    options themselves (a plugin whose option was read from an environment variable).
    """
    if not HAS_REQUESTS:
        raise SgwConfigError("The Python library requests is required on the host that calls the SGW API: "
                             "pip install requests.")
    timeout = _number(options.get("timeout"), "timeout")
    if timeout is None or timeout <= 0:
        raise SgwConfigError("timeout must be a positive number of seconds, not %r." % (options.get("timeout"),))
    max_retries = options.get("max_retries")
    try:
        valid = not isinstance(max_retries, bool) and int(max_retries) >= 0 and int(max_retries) == float(max_retries)
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise SgwConfigError("max_retries must be a whole number, 0 or more, not %r." % (max_retries,))
    budget = options.get("max_retry_time")
    budget = 120.0 if budget is None else _number(budget, "max_retry_time")
    if budget is None or budget < 0:
        raise SgwConfigError("max_retry_time must be 0 or more seconds (0: no retries), not %r." % (
            options.get("max_retry_time"),))
    ca_bundle = options.get("ca_bundle")
    if ca_bundle and not os.path.isfile(os.path.expanduser(str(ca_bundle))):
        raise SgwConfigError("ca_bundle %s is not a file; set it to a PEM file of CA certificates." % (ca_bundle,))
    found = creds.resolve_credentials(
        access_key_id=options.get("access_key_id"),
        access_key_secret=options.get("access_key_secret"),
        security_token=options.get("security_token"),
        profile=options.get("profile"),
        credentials_file=options.get("credentials_file"),
        ecs_role_name=options.get("ecs_role_name"),
        ecs_metadata_url=options.get("ecs_metadata_url"),
        explicit_source=credential_source,
    )
    retry = RetryPolicy(max_retries=int(max_retries), budget=budget)
    validate_certs = options.get("validate_certs")
    return SgwClient(found, endpoint=options.get("endpoint") or None,
                     signature_version=options.get("signature_version") or "v3", timeout=timeout,
                     validate_certs=True if validate_certs is None else validate_certs,
                     ca_bundle=os.path.expanduser(str(ca_bundle)) if ca_bundle else None,
                     retry=retry, pool_size=pool_size, log=log)


def _number(value, name):
    """``value`` as a finite float, None when absent; anything else is a configuration error."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SgwConfigError("%s must be a number of seconds, not %r." % (name, value)) from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise SgwConfigError("%s must be a finite number of seconds, not %r." % (name, value))
    return number
