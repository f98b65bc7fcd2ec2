"""The documentation of the modules that write parses, and says what their argument specs do."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.alibabacloud.sgw.plugins.modules import express_sync, express_sync_resync
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.resync import HEAL_STATES


@pytest.mark.parametrize("module", [express_sync, express_sync_resync], ids=lambda m: m.__name__.split(".")[-1])
def test_the_documentation_parses(module):
    documentation = yaml.safe_load(module.DOCUMENTATION)
    assert isinstance(yaml.safe_load(module.RETURN), dict) and isinstance(yaml.safe_load(module.EXAMPLES), list)
    assert set(documentation["options"]) >= set(module.argument_spec())
    # every line of a description is text (a "key: value" line would be a mapping)
    for section in (documentation, yaml.safe_load(module.RETURN)):
        assert [path for path, text in _descriptions(section) if not isinstance(text, str)] == []


def _descriptions(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and not isinstance(value, dict):  # not an option named description
                yield from ((path, text) for text in (value if isinstance(value, list) else [value]))
            else:
                yield from _descriptions(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _descriptions(value, path + (index,))


def test_heal_states_default_is_the_failed_states_in_the_spec_and_the_docs():
    documentation = yaml.safe_load(express_sync_resync.DOCUMENTATION)
    assert documentation["options"]["heal_states"]["default"] == list(HEAL_STATES)
    assert express_sync_resync.argument_spec()["heal_states"]["default"] == list(HEAL_STATES)
    returned = yaml.safe_load(express_sync_resync.RETURN)
    assert {"skipped_healthy", "orphaned", "resume_token"} <= set(returned)
