# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options that every plugin and module shares (credentials, endpoint, TLS, timeout,
retries, region): ONE table (:data:`SHARED_OPTIONS`), and everything made from it.

- modules: the argument spec (:func:`common_argument_spec`, :func:`region_argument_spec`), with
  the environment variables as fallbacks;
- inventory and lookup plugins: :func:`resolve_options`, which resolves the options from what
  the user wrote (the inventory file, the lookup's arguments) and the environment, without
  asking ansible-core where a value came from (its answer differs from one version to another);
- the credential chain: :func:`find_credentials` gives it the explicit identity options and what
  the environment sets, each with its variable;
- the doc fragment ``alibabacloud.sgw.common`` documents the same table (a unit test keeps them equal).

The rules, the same everywhere: a value written in a file, given to a lookup or set on a module
wins over the environment; among the variables of an option the documented names come first;
an empty variable counts as not set (AWX injects a blank input so). To add a shared option: add
a row here and its entry in the doc fragment.
"""

from __future__ import annotations

import math
import os
from collections import namedtuple

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials import chain
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.accounts import DEFAULT_DIRECTORY_ROLE
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.condition import (
    EXPRESS_SYNC,
    FILE_SHARE,
    SIGNALS,
    THRESHOLDS,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.endpoints import ENDPOINT_TYPES, PUBLIC
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.resource_manager import DEFAULT_RESOURCE_MANAGER_ENDPOINT
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.signing import SIGNATURE_VERSIONS
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.sts import StsCaller, StsClient, sts_endpoint
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import HAS_REQUESTS, RetryPolicy, SgwClient

# One shared option. ``env``: its environment variables, documented names first. ``identity``: it
# names an identity, so its explicit value and its environment value have different ranks in the
# credential chain (the chain gets both). ``templated``: an inventory file may write it as a Jinja
# template. ``no_log``: for the module argument spec (None: Ansible's own guess).
Option = namedtuple("Option", "name type env default aliases choices no_log identity templated elements")
Option.__new__.__defaults__ = ((), None, (), None, None, False, False, None)

SHARED_OPTIONS = (
    Option("access_key_id", "str", ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"), aliases=("access_key",),
           no_log=False, identity=True, templated=True),
    Option("access_key_secret", "str", ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"),
           aliases=("secret_key",), no_log=True, identity=True, templated=True),
    Option("security_token", "str", ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"),
           aliases=("sts_token",), no_log=True, identity=True, templated=True),
    Option("profile", "str", ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"), identity=True, templated=True),
    Option("credentials_file", "path", ("ALICLOUD_SHARED_CREDENTIALS_FILE",), aliases=("shared_credentials_file",),
           templated=True),
    Option("ecs_role_name", "str", ("ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME"), aliases=("role_name",),
           identity=True, templated=True),
    Option("ecs_metadata_url", "str", ("ALIBABA_CLOUD_ECS_METADATA_URL",)),
    Option("ram_role_arn", "str", ("ALIBABA_CLOUD_ROLE_ARN",), templated=True),
    Option("role_session_name", "str", ("ALIBABA_CLOUD_ROLE_SESSION_NAME",), templated=True),
    Option("role_session_expiration", "int", ("ALIBABA_CLOUD_ROLE_SESSION_EXPIRATION",), default=3600),
    Option("role_policy", "str", templated=True),
    Option("external_id", "str", no_log=False, templated=True),
    Option("sts_endpoint", "str", ("ALIBABA_CLOUD_STS_ENDPOINT",), templated=True),
    Option("oidc_provider_arn", "str", ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN",), identity=True, templated=True),
    Option("oidc_token_file", "path", ("ALIBABA_CLOUD_OIDC_TOKEN_FILE",), no_log=False, identity=True,
           templated=True),
    Option("credentials_uri", "str", ("ALIBABA_CLOUD_CREDENTIALS_URI",), no_log=True, identity=True, templated=True),
    Option("endpoint", "str", ("ALIBABA_CLOUD_SGW_ENDPOINT",), templated=True),
    Option("endpoint_type", "str", ("ALIBABA_CLOUD_SGW_ENDPOINT_TYPE",), default=PUBLIC,
           choices=tuple(ENDPOINT_TYPES)),
    Option("endpoints", "dict"),
    Option("signature_version", "str", ("ALIBABA_CLOUD_SGW_SIGNATURE_VERSION",), default="v3",
           choices=tuple(SIGNATURE_VERSIONS)),
    Option("timeout", "float", ("ALIBABA_CLOUD_SGW_TIMEOUT",), default=30.0),
    Option("validate_certs", "bool", ("ALIBABA_CLOUD_SGW_VALIDATE_CERTS",), default=True),
    Option("ca_bundle", "path", ("ALIBABA_CLOUD_SGW_CA_BUNDLE",)),
    Option("max_retries", "int", ("ALIBABA_CLOUD_SGW_MAX_RETRIES",), default=5),
    Option("max_retry_time", "float", ("ALIBABA_CLOUD_SGW_MAX_RETRY_TIME",), default=120.0),
)
# The options of the health verdict, in the table's form: the inventory, the lookup express_sync_shares and the
# module express_sync_info take them (doc fragment alibabacloud.sgw.common.health). A threshold not set is the
# default of condition.THRESHOLDS (None: not checked); no environment variable. The default signal, the express
# sync state, costs no call: every member share has a verdict.
DEFAULT_SIGNALS = (EXPRESS_SYNC,)
HEALTH_OPTIONS = (Option("health_signals", "list", default=list(DEFAULT_SIGNALS), choices=SIGNALS,
                         elements="str"),) + tuple(
    Option(name, "int") for name in THRESHOLDS)

# What a region or an account that cannot be read does (on_region_error, on_account_error): ``fail`` the
# run, or ``warn``, name it and keep the others. ``error``, the word of 1.1.0's on_region_error, is ``fail``.
ON_ERROR_FAIL, ON_ERROR_WARN = "fail", "warn"
ON_ERROR_CHOICES = (ON_ERROR_FAIL, ON_ERROR_WARN, "error")


def fails(mode) -> bool:
    """Whether the on_region_error / on_account_error value ``mode`` fails the run (``fail``, ``error``)."""
    return mode != ON_ERROR_WARN


# The options of a read of several accounts, in the table's form: the inventory, the lookups and express_sync_info
# take them (doc fragment alibabacloud.sgw.common.accounts). Left out, one account is read, as before.
ACCOUNT_OPTIONS = (
    Option("accounts", "list", default=[], elements="dict"),
    Option("resource_directory", "bool", default=False),
    Option("resource_directory_role_name", "str", default=DEFAULT_DIRECTORY_ROLE),
    Option("account_ids", "list", default=[], elements="str"),
    Option("on_account_error", "str", default=ON_ERROR_FAIL, choices=ON_ERROR_CHOICES),
    Option("resource_manager_endpoint", "str", ("ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT",),
           default=DEFAULT_RESOURCE_MANAGER_ENDPOINT),
)
# The cap of the calls in flight of the lookups and express_sync_info (doc fragment alibabacloud.sgw.common.concurrency);
# the inventory documents its own, of 1.0.0, the same type and default.
CONCURRENCY_OPTION = Option("max_concurrency", "int", default=8)
# The region of a module or lookup (the inventory has its list of regions).
REGION_OPTION = Option("region", "str", ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"), aliases=("region_id",))

OPTIONS = {option.name: option for option in SHARED_OPTIONS}
# Derived views, for the code and the tests that need only names.
OPTION_ENV = {option.name: option.env for option in SHARED_OPTIONS}
REGION_ENV = REGION_OPTION.env
IDENTITY_OPTIONS = tuple(option.name for option in SHARED_OPTIONS if option.identity)
TEMPLATED_OPTIONS = tuple(option.name for option in SHARED_OPTIONS if option.templated)
# What the credential chain reads: the identity options and the settings of its sources and role steps.
CHAIN_OPTIONS = IDENTITY_OPTIONS + ("credentials_file", "ecs_metadata_url", "ram_role_arn", "role_session_name",
                                    "role_session_expiration", "role_policy", "external_id")


def first_env(names, env=None):
    """The value of the first variable of ``names`` that is set and not empty, and its name."""
    env = os.environ if env is None else env
    for name in names:
        value = env.get(name)
        if value:
            return value, name
    return None, None


def env_fallback(*names):
    """The argument spec fallback of a module option: the first of the environment variables ``names``
    that is set and not empty."""
    from ansible.module_utils.errors import AnsibleFallbackNotFound  # pylint: disable=import-outside-toplevel

    value, dummy = first_env(names)
    if value is None:
        raise AnsibleFallbackNotFound
    return value


def _spec(option) -> dict:
    spec = {"type": option.type}
    for key, value in (("aliases", list(option.aliases)), ("default", _default(option)),
                       ("choices", list(option.choices or ())), ("no_log", option.no_log),
                       ("elements", option.elements)):
        if value is not None and (value != [] or key == "default"):
            spec[key] = value
    # The identity options get no fallback: the chain takes their environment values apart.
    if option.env and not option.identity:
        spec["fallback"] = (env_fallback, list(option.env))
    return spec


def common_argument_spec() -> dict:
    """The module argument spec of the shared options (doc fragment ``alibabacloud.sgw.common``)."""
    return {option.name: _spec(option) for option in SHARED_OPTIONS}


def region_argument_spec() -> dict:
    return {REGION_OPTION.name: _spec(REGION_OPTION)}


def convert(option, value, where):
    """``value`` as the type of ``option``, in its choices; else a configuration error naming ``where``."""
    from ansible.module_utils.common.parameters import DEFAULT_TYPE_VALIDATORS  # pylint: disable=import-outside-toplevel
    from ansible.module_utils.parsing.convert_bool import BOOLEANS  # pylint: disable=import-outside-toplevel

    if option.type == "bool" and isinstance(value, str) and value.lower() not in {str(b).lower() for b in BOOLEANS}:
        # A word that is not a boolean must not silently turn certificate checks off.
        problem = "%s must be true or false, not %r" % (option.name, value)
    else:
        try:
            value = DEFAULT_TYPE_VALIDATORS[option.type](value)
            problem = None
        except (TypeError, ValueError) as exc:
            problem = "%s: %s" % (option.name, str(exc).rstrip("."))
        if problem is None and option.choices and value not in option.choices:
            problem = "%s must be one of %s, not %r" % (option.name, ", ".join(option.choices), value)
    if problem:
        raise SgwConfigError("Invalid configuration: %s (from the %s)." % (problem, where))
    return value


def given_value(option, given):
    """The value of ``option`` in ``given`` (by its name or an alias), converted; None when not set or empty."""
    for key in (option.name,) + tuple(option.aliases):
        value = given.get(key) if given else None
        if value is not None and value != "":
            return convert(option, value, "option %s" % key)
    return None


def environment_value(option, env=None):
    """``(value, variable)`` of ``option`` in the environment, converted; ``(None, None)`` when unset."""
    value, variable = first_env(option.env, env)
    if value is None:
        return None, None
    return convert(option, value, "environment variable %s" % variable), variable


def resolve_options(given, env=None, table=SHARED_OPTIONS) -> dict:
    """Every option of ``table`` for a plugin: given (not empty) wins, else the environment, else the default.

    ``given`` is what the user wrote (the inventory file after templating, the lookup's
    arguments). An identity option keeps only its given value: :func:`find_credentials` hands
    its environment value to the chain apart.
    """
    values = {}
    for option in table:
        value = given_value(option, given)
        if value is None and not option.identity:
            value = environment_value(option, env)[0]
        values[option.name] = _default(option) if value is None else value
    return values


def _default(option):
    """The default of ``option``, a list one a fresh copy (a caller may change what it is given)."""
    return list(option.default) if isinstance(option.default, list) else option.default


def identity_environment(env=None) -> dict:
    """``{option: (value, variable)}`` of the identity options that the environment sets.

    The AccessKey options are read as one family: the first family of variables (documented
    names first) that has an id or a secret gives all three, so that an id is never paired with
    the secret of another family; a missing one keeps its variable's name, for the message.
    """
    found = {}
    keys = chain.KEY_OPTIONS
    for family in zip(*(OPTIONS[name].env for name in keys)):
        values = [(os.environ if env is None else env).get(variable) or None for variable in family]
        if values[0] or values[1]:
            found.update((name, (value, variable)) for name, value, variable in zip(keys, values, family))
            break
    for name in IDENTITY_OPTIONS:
        if name not in keys:
            value, variable = first_env(OPTIONS[name].env, env)
            if value is not None:
                found[name] = (value, variable)
    return found


def find_credentials(options, env=None, http_get=None, sts=None, log=None, lazy=False):
    """The credentials of the chain for ``options`` (given values; the identity ones only as set
    explicitly) and the environment ``env`` (``os.environ`` by default)."""
    settings = {}
    for name in CHAIN_OPTIONS:
        value = options.get(name)
        if value in (None, "") and not OPTIONS[name].identity:
            value = environment_value(OPTIONS[name], env)[0]
        settings[name] = value
    return chain.resolve_credentials(settings, identity_environment(env), http_get=http_get, sts=sts, log=log,
                                     lazy=lazy)


def health_argument_spec() -> dict:
    """The module argument spec of :data:`HEALTH_OPTIONS` (doc fragment ``alibabacloud.sgw.common.health``)."""
    return {option.name: _spec(option) for option in HEALTH_OPTIONS}


def account_argument_spec() -> dict:
    """The module argument spec of :data:`ACCOUNT_OPTIONS` (doc fragment ``alibabacloud.sgw.common.accounts``)."""
    return {option.name: _spec(option) for option in ACCOUNT_OPTIONS}


def concurrency_argument_spec() -> dict:
    return {CONCURRENCY_OPTION.name: _spec(CONCURRENCY_OPTION)}


def concurrency_problem(value):
    """What is wrong with a ``max_concurrency`` of ``value``, or None."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return "max_concurrency must be 1 or more (1 makes the calls one after another)"
    return None


def account_settings(given, env=None) -> dict:
    """The values of :data:`ACCOUNT_OPTIONS` for a plugin, from what the user wrote and the environment."""
    return resolve_options(given, env, table=ACCOUNT_OPTIONS)


def health_settings(options: dict):
    """``(signals, thresholds, problems)`` from the health options: not set (None), the signals are
    :data:`DEFAULT_SIGNALS`; an empty list is a problem (there is always a verdict), and so is a threshold
    written without the file_share signal (it would be ignored)."""
    signals = options.get("health_signals")
    signals = list(dict.fromkeys(signals)) if signals is not None else list(DEFAULT_SIGNALS)
    problems = ["health_signals: %r is not one of %s" % (s, ", ".join(SIGNALS)) for s in signals
                if s not in SIGNALS]
    if not signals:
        problems.append("health_signals must name at least one of %s (leave it out for the default, %s)" % (
            ", ".join(SIGNALS), ", ".join(DEFAULT_SIGNALS)))
    thresholds = {}
    for name, default in THRESHOLDS.items():
        value = options.get(name)
        if value is None:
            thresholds[name] = default
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append("%s must be a whole number, 0 or more, not %r" % (name, value))
        elif FILE_SHARE not in signals:
            problems.append("%s is a threshold of the file_share health signal: add file_share to health_signals"
                            % name)
        thresholds[name] = value
    return signals, thresholds, problems


def extra_signals(signals) -> list:
    """The signals of ``signals`` that need calls or data beyond the express sync records (the default's
    verdict needs none)."""
    return [signal for signal in signals or () if signal not in DEFAULT_SIGNALS]


def build_client(options: dict, log=None, pool_size=10, region=None, note=None, lazy=False) -> SgwClient:
    """A client from the shared options (a dict with every option of the doc fragment).

    The identity options must hold only what the user set explicitly (see ``IDENTITY_OPTIONS``):
    the chain reads their environment values apart.
    ``region`` picks the regional STS endpoint; ``note`` receives ``-vvv`` notes. With ``lazy``,
    temporary credentials are fetched at the first call (``client.credentials.identity`` is known
    before, without any call).
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
    found = find_credentials(options, sts=sts, log=note or log, lazy=lazy)
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
