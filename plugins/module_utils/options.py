# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options that every plugin and module shares (credentials, endpoint, TLS, timeout,
retries, region), and :func:`build_client`, the one way to turn them into a client.

The option names, types, defaults and environment variables here are those of the doc
fragment ``alibabacloud.sgw.common`` (a unit test keeps the two in step): modules get them as
an argument spec, plugins read them with ``get_option`` (plugin_utils/base.py).
"""

from __future__ import annotations

import math
import os

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials import chain as creds
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.condition import FILE_SHARE, SIGNALS, THRESHOLDS
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.endpoints import ENDPOINT_TYPES, PUBLIC
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.signing import SIGNATURE_VERSIONS
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.sts import StsCaller, StsClient, sts_endpoint
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import HAS_REQUESTS, RetryPolicy, SgwClient


# Environment variables of each option, documented names first (they win over the older ALICLOUD_* ones).
OPTION_ENV = {
    "access_key_id": creds.ENV_ACCESS_KEY_ID,
    "access_key_secret": creds.ENV_ACCESS_KEY_SECRET,
    "security_token": creds.ENV_SECURITY_TOKEN,
    "profile": creds.ENV_PROFILE,
    "credentials_file": creds.ENV_CREDENTIALS_FILE,
    "ecs_role_name": creds.ENV_ECS_ROLE_NAME,
    "ecs_metadata_url": creds.ENV_ECS_METADATA_URL,
    "ram_role_arn": creds.ENV_ROLE_ARN,
    "role_session_name": creds.ENV_ROLE_SESSION_NAME,
    "role_session_expiration": creds.ENV_ROLE_SESSION_EXPIRATION,
    "role_policy": (),
    "external_id": (),
    "sts_endpoint": creds.ENV_STS_ENDPOINT,
    "oidc_provider_arn": creds.ENV_OIDC_PROVIDER_ARN,
    "oidc_token_file": creds.ENV_OIDC_TOKEN_FILE,
    "credentials_uri": creds.ENV_CREDENTIALS_URI,
    "endpoint": ("ALIBABA_CLOUD_SGW_ENDPOINT",),
    "endpoint_type": ("ALIBABA_CLOUD_SGW_ENDPOINT_TYPE",),
    "endpoints": (),
    "signature_version": ("ALIBABA_CLOUD_SGW_SIGNATURE_VERSION",),
    "timeout": ("ALIBABA_CLOUD_SGW_TIMEOUT",),
    "validate_certs": ("ALIBABA_CLOUD_SGW_VALIDATE_CERTS",),
    "ca_bundle": ("ALIBABA_CLOUD_SGW_CA_BUNDLE",),
    "max_retries": ("ALIBABA_CLOUD_SGW_MAX_RETRIES",),
    "max_retry_time": ("ALIBABA_CLOUD_SGW_MAX_RETRY_TIME",),
}
REGION_ENV = ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION")

# Options that name an identity: the credential chain reads their environment variables itself
# (so that it knows and reports the real source, and keeps an id with the secret of its own
# family). A value that Ansible read from the environment is not passed on as explicit.
IDENTITY_OPTIONS = ("access_key_id", "access_key_secret", "security_token", "profile", "ecs_role_name",
                    "ram_role_arn", "oidc_provider_arn", "oidc_token_file", "credentials_uri")
# Options passed to the chain as they are (explicit or from the environment alike).
CHAIN_SETTINGS = ("credentials_file", "ecs_metadata_url", "role_session_name", "role_session_expiration",
                  "role_policy", "external_id")


def env_fallback(*names):
    """The argument spec fallback of a module option: the first of the environment variables ``names``
    that is set and not empty.

    An empty variable counts as not set, as in the credential chain and in the plugins: AWX injects
    an input of a credential type that was left blank as an empty string.
    """
    from ansible.module_utils.errors import AnsibleFallbackNotFound  # pylint: disable=import-outside-toplevel

    value, dummy = creds.first_env(names)
    if value is None:
        raise AnsibleFallbackNotFound
    return value


def option_from_env(name, env=None):
    """The value of the shared option ``name`` from its environment variables, as a module would have
    it: the first that is set and not empty, converted to the option's type; else its default."""
    from ansible.module_utils.common.parameters import DEFAULT_TYPE_VALIDATORS  # pylint: disable=import-outside-toplevel

    spec = common_argument_spec()[name]
    value, dummy = creds.first_env(OPTION_ENV[name], env)
    if value is None:
        return spec.get("default")
    return DEFAULT_TYPE_VALIDATORS[spec["type"]](value)


def common_argument_spec() -> dict:
    """The module argument spec of the shared options (doc fragment ``alibabacloud.sgw.common``).

    The identity options get no environment fallback here: the credential chain reads the same
    variables itself, so that it can tell where the credentials came from.
    """

    def env(option):
        return {"fallback": (env_fallback, list(OPTION_ENV[option]))} if OPTION_ENV[option] else {}

    return {
        "access_key_id": {"type": "str", "aliases": ["access_key"], "no_log": False},
        "access_key_secret": {"type": "str", "aliases": ["secret_key"], "no_log": True},
        "security_token": {"type": "str", "aliases": ["sts_token"], "no_log": True},
        "profile": {"type": "str"},
        "credentials_file": dict(type="path", aliases=["shared_credentials_file"], **env("credentials_file")),
        "ecs_role_name": {"type": "str", "aliases": ["role_name"]},
        "ecs_metadata_url": dict(type="str", **env("ecs_metadata_url")),
        "ram_role_arn": {"type": "str"},
        "role_session_name": dict(type="str", **env("role_session_name")),
        "role_session_expiration": dict(type="int", default=3600, **env("role_session_expiration")),
        "role_policy": {"type": "str"},
        "external_id": {"type": "str", "no_log": False},
        "sts_endpoint": dict(type="str", **env("sts_endpoint")),
        "oidc_provider_arn": {"type": "str"},
        "oidc_token_file": {"type": "path", "no_log": False},
        "credentials_uri": {"type": "str"},
        "endpoint": dict(type="str", **env("endpoint")),
        "endpoint_type": dict(type="str", choices=list(ENDPOINT_TYPES), default=PUBLIC, **env("endpoint_type")),
        "endpoints": dict(type="dict", **env("endpoints")),
        "signature_version": dict(type="str", choices=list(SIGNATURE_VERSIONS), default="v3",
                                  **env("signature_version")),
        "timeout": dict(type="float", default=30.0, **env("timeout")),
        "validate_certs": dict(type="bool", default=True, **env("validate_certs")),
        "ca_bundle": dict(type="path", **env("ca_bundle")),
        "max_retries": dict(type="int", default=5, **env("max_retries")),
        "max_retry_time": dict(type="float", default=120.0, **env("max_retry_time")),
    }


def region_argument_spec() -> dict:
    return {"region": {"type": "str", "aliases": ["region_id"], "fallback": (env_fallback, list(REGION_ENV))}}


def health_argument_spec() -> dict:
    """The options of the health verdict (doc fragment ``alibabacloud.sgw.common.health``): the signals, and
    the thresholds of the file share signal (None: the default of :data:`condition.THRESHOLDS`)."""
    spec = {"health_signals": {"type": "list", "elements": "str", "choices": list(SIGNALS)}}
    spec.update((name, {"type": "int"}) for name in THRESHOLDS)
    return spec


def health_settings(options: dict):
    """``(signals, thresholds, problems)`` from the health options: signals None when the verdict is not
    asked for; a threshold written without the file_share signal is a problem (it would be ignored)."""
    signals = options.get("health_signals")
    signals = list(dict.fromkeys(signals)) if signals is not None else None
    problems = ["health_signals: %r is not one of %s" % (s, ", ".join(SIGNALS)) for s in signals or ()
                if s not in SIGNALS]
    if signals is not None and not signals:
        problems.append("health_signals must name at least one of %s (leave it out for no verdict)" % (
            ", ".join(SIGNALS)))
    thresholds = {}
    for name, default in THRESHOLDS.items():
        value = options.get(name)
        if value is None:
            thresholds[name] = default
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append("%s must be a whole number, 0 or more, not %r" % (name, value))
        elif FILE_SHARE not in (signals or ()):
            problems.append("%s is a threshold of the file_share health signal: add file_share to health_signals"
                            % name)
        thresholds[name] = value
    return signals, thresholds, problems


def build_client(options: dict, log=None, pool_size=10, region=None, note=None) -> SgwClient:
    """A client from the shared options (a dict with every option of the doc fragment).

    The identity options must hold only what the user set explicitly (see ``IDENTITY_OPTIONS``).
    ``region`` picks the regional STS endpoint; ``note`` receives ``-vvv`` notes.
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
    validate_certs = True if options.get("validate_certs") is None else options.get("validate_certs")
    transport = dict(signature_version=options.get("signature_version") or "v3", timeout=timeout,
                     validate_certs=validate_certs, ca_bundle=os.path.expanduser(str(ca_bundle)) if ca_bundle else None,
                     retry=RetryPolicy(max_retries=int(max_retries), budget=budget), log=log)

    def sts_client(credentials, endpoint):
        return StsClient(credentials, endpoint=endpoint, pool_size=1, **transport)

    sts = StsCaller(sts_client, sts_endpoint(options.get("sts_endpoint"), region), region)
    chain = {name: options.get(name) for name in IDENTITY_OPTIONS + CHAIN_SETTINGS}
    found = creds.resolve_credentials(sts=sts, log=note or log, **chain)
    return SgwClient(found, endpoint=options.get("endpoint") or None,
                     endpoint_type=options.get("endpoint_type") or PUBLIC, endpoints=options.get("endpoints") or None,
                     pool_size=pool_size, **transport)


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


def client_options(given, argument_spec) -> tuple:
    """``(shared options for build_client, the other parameters)`` of a plugin that is neither a module nor
    an Ansible plugin (an event source): ``given`` checked against the shared options and ``argument_spec``
    as a module's would be (types, aliases, choices, the environment variables of the shared options;
    the identity options only when given, the credential chain reads their variables itself).

    Raises ValueError naming every problem.
    """
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # pylint: disable=import-outside-toplevel

    shared = common_argument_spec()
    spec = dict(shared, **argument_spec)
    result = ArgumentSpecValidator(spec).validate(dict(given))
    if result.error_messages:
        raise ValueError("Invalid arguments: %s." % "; ".join(m.rstrip(".") for m in result.error_messages))
    values = result.validated_parameters
    return {name: values.get(name) for name in shared}, {name: values.get(name) for name in argument_spec}
