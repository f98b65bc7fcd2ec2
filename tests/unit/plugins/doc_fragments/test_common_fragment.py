"""The shared doc fragment says exactly what the code does: names, types, defaults, aliases, env."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from ansible_collections.alibabacloud.sgw.plugins.doc_fragments.common import ModuleDocFragment
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import (
    IDENTITY_OPTIONS,
    OPTION_ENV,
    REGION_ENV,
    common_argument_spec,
    region_argument_spec,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.version import COLLECTION_VERSION

MODULE_OPTIONS = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
PLUGIN_OPTIONS = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]


def test_module_and_plugin_variants_document_the_same_options():
    assert set(MODULE_OPTIONS) == set(PLUGIN_OPTIONS) == set(common_argument_spec()) == set(OPTION_ENV)
    for name, doc in MODULE_OPTIONS.items():
        assert "env" not in doc
        assert {k: v for k, v in PLUGIN_OPTIONS[name].items() if k != "env"} == doc


@pytest.mark.parametrize("name", sorted(OPTION_ENV))
def test_option_matches_argument_spec(name):
    doc, spec = MODULE_OPTIONS[name], common_argument_spec()[name]
    assert doc["type"] == spec["type"]
    assert doc.get("default") == spec.get("default")
    assert doc.get("aliases", []) == spec.get("aliases", [])
    assert doc.get("choices") == spec.get("choices")


@pytest.mark.parametrize("name", sorted(OPTION_ENV))
def test_plugin_env_matches_the_code(name):
    assert [e["name"] for e in PLUGIN_OPTIONS[name].get("env", [])] == list(OPTION_ENV[name])


@pytest.mark.parametrize("name", sorted(OPTION_ENV))
def test_module_env_is_the_plugin_env_or_read_by_the_chain(name):
    """Modules read the same variables: by an argument-spec fallback, or (identity options) by the chain itself."""
    spec = common_argument_spec()[name]
    if name in IDENTITY_OPTIONS:
        assert "fallback" not in spec
    elif OPTION_ENV[name]:
        assert list(spec["fallback"][1]) == list(OPTION_ENV[name])
    else:
        assert "fallback" not in spec


def test_region_fragments_match_the_code():
    module_region = yaml.safe_load(ModuleDocFragment.REGION)["options"]["region"]
    plugin_region = yaml.safe_load(ModuleDocFragment.REGION_PLUGINS)["options"]["region"]
    spec = region_argument_spec()["region"]
    assert module_region["aliases"] == plugin_region["aliases"] == spec["aliases"]
    assert [e["name"] for e in plugin_region["env"]] == list(REGION_ENV) == list(spec["fallback"][1])


def test_secrets_are_no_log_in_modules():
    spec = common_argument_spec()
    assert spec["access_key_secret"]["no_log"] is True
    assert spec["security_token"]["no_log"] is True


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
