"""Before ansible-core 2.19 (no data tagging) every string is a template unless it is wrapped unsafe:
the plugin wraps the host names and every host variable there, those it derives included.

They run on a real InventoryData with ansible-core 2.16 to 2.18 (the "core-2.16" session of
noxfile.py); from 2.19 on, wrap_var makes no AnsibleUnsafe objects and test_sgw_untrusted.py
checks the 2.19 path.
"""

from __future__ import annotations

import pytest
import yaml
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.utils.unsafe_proxy import AnsibleUnsafe

from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.base import DATA_TAGGING, may_be_template

before_219 = pytest.mark.skipif(DATA_TAGGING, reason="ansible-core 2.19+ marks no AnsibleUnsafe objects")

HOSTILE = "{{ 6 * 7 }}"
HOSTILE_SHARE = "share-{% raw %}"


def estate():
    return {"format": 1, "regions": {"cn-hangzhou": {
        "express_syncs": [{"ExpressSyncId": "sync-1", "Name": HOSTILE, "BucketName": "b-{{ x }}"}],
        "shares": [{"GatewayId": "gw-1", "ShareName": HOSTILE_SHARE, "ExpressSyncId": "sync-1",
                    "ExpressSyncState": "QueueFailure", "StorageBundleId": "sb-1"},
                   {"GatewayId": "gw-1", "ShareName": "share-2", "ExpressSyncId": "sync-1",
                    "ExpressSyncState": "MNSHealthy", "StorageBundleId": "sb-1"}],
        "candidates": [],
        "gateways": [{"GatewayId": "gw-1", "Status": HOSTILE, "InnerIp": "10.0.0.1"}],
        "error": None}}}


@pytest.fixture
def inventory(tmp_path):
    path = tmp_path / "unsafe.sgw.yml"
    path.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "regions": ["cn-hangzhou"],
                                    "endpoint": "http://127.0.0.1:9", "access_key_id": "LTAI5tUnitTestKey",
                                    "access_key_secret": "unit-secret"}))
    plugin = inventory_loader.get("alibabacloud.sgw.sgw")
    plugin._fetch_estate = lambda client: estate()  # no API: the estate as given
    data = InventoryData()
    plugin.parse(data, DataLoader(), str(path), cache=False)
    return data


def strings(value):
    """Every string in ``value`` (keys and values of mappings, items of lists)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


@before_219
def test_host_names_that_could_be_templates_are_unsafe_the_others_plain(inventory):
    names = {host: type(inventory.get_host(host).name) for host in inventory.hosts}
    assert set(names) == {HOSTILE_SHARE + "@gw-1", "share-2@gw-1"}
    assert issubclass(names[HOSTILE_SHARE + "@gw-1"], AnsibleUnsafe)
    assert names["share-2@gw-1"] is str  # as 2.19's ansible-inventory --list writes it; nothing to template


@pytest.mark.parametrize("text, expected", [
    ("share-1@gw-1", False), ("a{b}c", False), ("{ {", False), ("x{{y", True), ("{%", True), ("a {# b", True),
])
def test_may_be_template(text, expected):
    assert may_be_template(text) is expected


@before_219
def test_every_host_variable_is_unsafe_derived_ones_included(inventory):
    variables = dict(inventory.get_host(HOSTILE_SHARE + "@gw-1").vars)
    for name in ("inventory_file", "inventory_dir"):  # set by ansible-core, not by the plugin
        variables.pop(name)
    assert variables["express_sync_name"] == HOSTILE
    assert variables["sgw_health"] == "failed"  # derived by the plugin, not from the API
    found = list(strings(variables))
    assert len(found) > 10
    assert [text for text in found if not isinstance(text, AnsibleUnsafe)] == []
