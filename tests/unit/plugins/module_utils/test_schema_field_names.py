"""The API's field names are written once, in the schema module: nowhere else in plugins/ is a field
that the schema names (``EXPRESS_SYNC_ID``...) written as a string literal (docstrings and documentation
aside). Code that reads or sends a field the schema does not name yet adds its constant there."""

from __future__ import annotations

import ast
import pathlib

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.records import snake_case
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import schema

PLUGINS = pathlib.Path(__file__).resolve().parents[4] / "plugins"
SCHEMA = PLUGINS / "module_utils" / "wire" / "schema.py"
# The schema's named fields: each constant is the API name of a field of RECORDS.
NAMED = {name: value for name, value in vars(schema).items() if name.isupper() and isinstance(value, str)
         and any(value == field.api for fields in schema.RECORDS.values() for field in fields)}
# A string that is an API field name for another reason: the HTTP redirect header.
NOT_FIELDS = {("module_utils/wire/transport.py", "Location")}


def test_the_schema_names_the_fields_the_code_uses():
    assert {"EXPRESS_SYNC_ID", "GATEWAY_ID", "SHARE_NAME", "STORAGE_BUNDLE_ID", "TASK_ID"} <= set(NAMED)
    assert [(name, value) for name, value in NAMED.items() if name != snake_case(value).upper()] == []


def _literals(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    documentation = {id(node.value) for node in tree.body if isinstance(node, ast.Assign)
                     and any(getattr(t, "id", None) in ("DOCUMENTATION", "EXAMPLES", "RETURN") for t in node.targets)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings | documentation:
            yield node.lineno, node.value
        if isinstance(node, ast.keyword) and node.arg:  # dict(record, ExpressSyncId=...)
            yield node.value.lineno, node.arg


@pytest.mark.parametrize("path", sorted(p for p in PLUGINS.rglob("*.py") if p != SCHEMA),
                         ids=lambda p: str(p.relative_to(PLUGINS)))
def test_no_api_field_name_is_written_outside_the_schema(path):
    fields = set(NAMED.values())
    where = str(path.relative_to(PLUGINS))
    found = ["line %d: %r" % (line, value) for line, value in _literals(path)
             if value in fields and (where, value) not in NOT_FIELDS]
    assert found == []
