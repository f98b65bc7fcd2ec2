"""The event source's three descriptions of its arguments stay in step: DOCUMENTATION (with the shared
options of the doc fragment alibabacloud.sgw.common), the argument spec it checks, and the JSON schema
(extensions/eda/plugins/event_source/schemas/express_sync_health.json); EXAMPLES and the rulebooks pass
only arguments it knows.

Regenerate the schema after changing DOCUMENTATION:
    .nox/pytest/bin/python tests/utils/write_eda_schema.py
"""

from __future__ import annotations

import json

import pytest
import yaml

from ansible_collections.alibabacloud.sgw.plugins.doc_fragments.common import ModuleDocFragment
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import common_argument_spec
from tests.support.sim_process import REPO_ROOT
from tests.unit.eda.conftest import SOURCE_PATH, load_source

SCHEMA_PATH = SOURCE_PATH.parent / "schemas" / "express_sync_health.json"
RULEBOOKS = sorted((REPO_ROOT / "extensions" / "eda" / "rulebooks").glob("*.yml"))
JSON_TYPES = {"str": "string", "path": "string", "int": "integer", "float": "number", "bool": "boolean",
              "list": "array", "dict": "object"}
SECRETS = ("access_key_secret", "security_token")


def documented_options(source) -> dict:
    """Every option of the source: its own, then those of the fragment it extends."""
    documentation = yaml.safe_load(source.DOCUMENTATION)
    assert documentation["extends_documentation_fragment"] == ["alibabacloud.sgw.common"]
    return dict(documentation["options"], **yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])


def expected_schema(source) -> dict:
    properties = {}
    for name, option in sorted(documented_options(source).items()):
        description = option["description"]
        prop = {"type": JSON_TYPES[option["type"]],
                "description": " ".join(description if isinstance(description, list) else [description])}
        if option.get("elements"):
            prop["items"] = {"type": JSON_TYPES[option["elements"]]}
        if option.get("choices"):
            prop["enum"] = option["choices"]
        if "default" in option:
            prop["default"] = option["default"]
        if name in SECRETS:
            prop["format"] = "password"
        properties[name] = prop
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "alibabacloud.sgw.express_sync_health",
            "description": yaml.safe_load(source.DOCUMENTATION)["short_description"], "type": "object",
            "properties": properties, "required": sorted(n for n, o in documented_options(source).items()
                                                         if o.get("required"))}


def test_the_documentation_matches_the_argument_spec():
    source = load_source()
    documented = yaml.safe_load(source.DOCUMENTATION)["options"]
    assert set(documented) == set(source.ARGUMENT_SPEC)
    for name, spec in source.ARGUMENT_SPEC.items():
        option = documented[name]
        assert (option["type"], option.get("elements"), option.get("default")) == (
            spec["type"], spec.get("elements"), spec.get("default")), name
    assert not set(documented) & set(common_argument_spec())


def test_the_schema_matches_the_documentation():
    expected = expected_schema(load_source())
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == expected, (
        "regenerate the schema: .nox/pytest/bin/python tests/utils/write_eda_schema.py")


def source_args(rulesets) -> list:
    return [args for ruleset in rulesets for source in ruleset["sources"]
            for name, args in source.items() if name == "alibabacloud.sgw.express_sync_health"]


@pytest.mark.parametrize("name", ["EXAMPLES"] + [path.name for path in RULEBOOKS])
def test_examples_and_rulebooks_pass_only_known_arguments(name):
    source = load_source()
    text = source.EXAMPLES if name == "EXAMPLES" else (REPO_ROOT / "extensions" / "eda" / "rulebooks" / name).read_text()
    rulesets = yaml.safe_load(text)
    found = source_args(rulesets)
    assert found, "no ruleset uses the source"
    known = set(documented_options(source))
    for args in found:
        assert set(args) <= known, set(args) - known
    schema = pytest.importorskip("ansible_rulebook.validators")
    schema.Validate.rulebook(rulesets)


def write_schema():
    SCHEMA_PATH.write_text(json.dumps(expected_schema(load_source()), indent=2) + "\n", encoding="utf-8")
