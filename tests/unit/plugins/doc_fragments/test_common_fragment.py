"""The shared doc fragment documents the one table of options.py: names, types, defaults, aliases,
choices and environment variables (in their order of precedence)."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from ansible_collections.alibabacloud.sgw.plugins.doc_fragments.common import ModuleDocFragment
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import (
    ACCOUNT_OPTIONS,
    CONCURRENCY_OPTION,
    ON_ERROR_CHOICES,
    OPTIONS,
    REGION_OPTION,
    SHARED_OPTIONS,
    account_argument_spec,
    common_argument_spec,
    region_argument_spec,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.version import COLLECTION_VERSION

MODULE_OPTIONS = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
PLUGIN_OPTIONS = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
REGION_DOC = yaml.safe_load(ModuleDocFragment.REGION)["options"]["region"]
ALSO_READ_FROM = re.compile(r"Also read from ((?:E\(\w+\)(?: or )?)+)")


def documented_env(doc) -> list:
    """The variables that the option's "Also read from" sentence names, in order."""
    for line in doc["description"]:
        found = ALSO_READ_FROM.search(" ".join(line.split()))
        if found:
            return re.findall(r"E\((\w+)\)", found.group(1))
    return []


def test_module_and_plugin_variants_are_one_text():
    assert ModuleDocFragment.PLUGINS == ModuleDocFragment.DOCUMENTATION
    assert ModuleDocFragment.REGION_PLUGINS == ModuleDocFragment.REGION
    assert list(MODULE_OPTIONS) == [option.name for option in SHARED_OPTIONS]


@pytest.mark.parametrize("option", SHARED_OPTIONS + (REGION_OPTION,), ids=lambda option: option.name)
def test_option_documents_the_table(option):
    doc = REGION_DOC if option is REGION_OPTION else MODULE_OPTIONS[option.name]
    assert doc["type"] == option.type
    assert doc.get("default") == option.default
    assert doc.get("aliases", []) == list(option.aliases)
    assert doc.get("choices") == (list(option.choices) if option.choices else None)
    # No env entry: ansible-core would read the variables by its own rules, which differ by version.
    assert "env" not in doc
    assert documented_env(doc) == list(option.env)


@pytest.mark.parametrize("option", SHARED_OPTIONS + (REGION_OPTION,), ids=lambda option: option.name)
def test_argument_spec_is_made_from_the_table(option):
    spec = region_argument_spec() if option is REGION_OPTION else common_argument_spec()
    spec = spec[option.name]
    assert (spec["type"], spec.get("default"), spec.get("aliases", []), spec.get("choices")) == (
        option.type, option.default, list(option.aliases), list(option.choices) if option.choices else None)
    if option.identity or not option.env:
        # The chain takes the environment values of an identity option apart (a fallback would make them explicit).
        assert "fallback" not in spec
    else:
        assert list(spec["fallback"][1]) == list(option.env)


@pytest.mark.parametrize("name", ["access_key_secret", "security_token", "credentials_uri"])
def test_secrets_are_no_log_in_modules(name):
    assert common_argument_spec()[name]["no_log"] is True
    assert OPTIONS[name].no_log is True


def test_version_matches_galaxy_yml():
    galaxy = yaml.safe_load((pathlib.Path(__file__).parents[4] / "galaxy.yml").read_text())
    assert galaxy["version"] == COLLECTION_VERSION


def test_health_fragment_matches_the_code():
    from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import health_argument_spec
    documented = yaml.safe_load(ModuleDocFragment.HEALTH)["options"]
    spec = health_argument_spec()
    assert set(documented) == set(spec)
    for name, doc in documented.items():
        assert doc["type"] == spec[name]["type"] and doc.get("default") == spec[name].get("default")
        assert doc.get("choices") == spec[name].get("choices")
        assert doc["version_added"] == "1.2.0"


ACCOUNT_DOC = yaml.safe_load(ModuleDocFragment.ACCOUNTS)["options"]


def test_the_accounts_fragment_documents_the_account_table():
    assert list(ACCOUNT_DOC) == [option.name for option in ACCOUNT_OPTIONS]
    assert list(account_argument_spec()) == [option.name for option in ACCOUNT_OPTIONS]


@pytest.mark.parametrize("option", ACCOUNT_OPTIONS, ids=lambda option: option.name)
def test_account_option_documents_the_table(option):
    doc = ACCOUNT_DOC[option.name]
    assert doc["version_added"] == "1.2.0"
    assert (doc["type"], doc.get("default"), doc.get("choices"), doc.get("elements")) == (
        option.type, option.default, list(option.choices) if option.choices else None, option.elements)
    assert "env" not in doc
    assert documented_env(doc) == list(option.env)
    spec = account_argument_spec()[option.name]
    assert (spec["type"], spec.get("default"), spec.get("choices"), spec.get("elements")) == (
        option.type, option.default, list(option.choices) if option.choices else None, option.elements)
    if option.env:
        assert list(spec["fallback"][1]) == list(option.env)


def test_on_region_error_has_the_choices_and_default_of_on_account_error():
    from ansible_collections.alibabacloud.sgw.plugins.inventory.sgw import DOCUMENTATION
    region = yaml.safe_load(DOCUMENTATION)["options"]["on_region_error"]
    assert region["choices"] == ACCOUNT_DOC["on_account_error"]["choices"] == list(ON_ERROR_CHOICES)
    assert region["default"] == ACCOUNT_DOC["on_account_error"]["default"] == "fail"


def test_max_concurrency_is_one_option_with_the_inventory_s():
    from ansible_collections.alibabacloud.sgw.plugins.inventory.sgw import DOCUMENTATION
    from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import concurrency_argument_spec
    shared = yaml.safe_load(ModuleDocFragment.CONCURRENCY)["options"]["max_concurrency"]
    inventory = yaml.safe_load(DOCUMENTATION)["options"]["max_concurrency"]
    spec = concurrency_argument_spec()["max_concurrency"]
    assert (shared["type"], shared["default"]) == (inventory["type"], inventory["default"]) == (
        spec["type"], spec["default"]) == (CONCURRENCY_OPTION.type, CONCURRENCY_OPTION.default)
