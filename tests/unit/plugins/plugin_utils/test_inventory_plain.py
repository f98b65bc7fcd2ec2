"""is_plain: which estates are plain JSON data, so that nothing in them can be trusted as a template."""

from __future__ import annotations

import pytest
try:
    from ansible.template import trust_as_template
except ImportError:  # before ansible-core 2.19 (no data tagging); the core-2.NN sessions collect this module too
    pytest.skip("data tagging: ansible-core 2.19 and later", allow_module_level=True)

from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.inventory import is_plain


@pytest.mark.parametrize("data", [
    None, "", "text", 0, -3, 1.5, True, False, [], {},
    {"regions": {"cn-hangzhou": {"shares": [{"ShareName": "a", "SyncProgress": 100, "Tags": None}],
                                 "error": None}}},
    [[["deep"]], {"k": [1, {"x": "y"}]}],
    {1: "an int key", None: "a null key"},
])
def test_plain_data(data):
    assert is_plain(data) is True


class Text(str):
    pass


@pytest.mark.parametrize("data", [
    trust_as_template("{{ 7 * 6 }}"),
    {"regions": {"cn-hangzhou": {"gateways": [{"Name": trust_as_template("{{ lookup('pipe', 'id') }}")}]}}},
    {trust_as_template("key"): "value"},
    [1, 2, ("a", "tuple")],
    {"a": {1, 2}},
    {"a": Text("a str subclass")},
    [b"bytes"],
])
def test_anything_else_is_not_plain(data):
    assert is_plain(data) is False


def test_a_deep_estate_does_not_recurse():
    data = "leaf"
    for dummy in range(5000):  # deeper than Python's recursion limit
        data = [data]
    assert is_plain(data) is True
