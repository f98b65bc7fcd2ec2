"""API data reaches the inventory unsafe, even when the estate (a cache written by hand) carries trust tags."""

from __future__ import annotations

import pytest
import yaml
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
try:
    from ansible.template import Templar, is_trusted_as_template, trust_as_template
except ImportError:  # before ansible-core 2.19 (no data tagging); the core-2.NN sessions collect this module too
    pytest.skip("data tagging: ansible-core 2.19 and later", allow_module_level=True)

HOSTILE = "{{ 6 * 7 }}"


def estate(gateway_status, share_name="share-1"):
    return {"format": 1, "regions": {"cn-hangzhou": {
        "express_syncs": [{"ExpressSyncId": "sync-1", "Name": "media"}],
        "shares": [{"GatewayId": "gw-1", "ShareName": share_name, "ExpressSyncId": "sync-1",
                    "ExpressSyncState": "MNSHealthy", "StorageBundleId": "sb-1"}],
        "candidates": [],
        "gateways": [{"GatewayId": "gw-1", "Status": gateway_status, "InnerIp": "10.0.0.1"}],
        "error": None}}}


def parse(tmp_path, data):
    path = tmp_path / "untrusted.sgw.yml"
    path.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "regions": ["cn-hangzhou"],
                                    "endpoint": "http://127.0.0.1:9", "access_key_id": "LTAI5tUnitTestKey",
                                    "access_key_secret": "unit-secret"}))
    plugin = inventory_loader.get("alibabacloud.sgw.sgw")
    plugin._fetch_estate = lambda client: data  # no API: the estate as given
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(path), cache=False)
    return inventory


def test_trusted_strings_in_the_estate_are_made_unsafe(tmp_path):
    inventory = parse(tmp_path, estate(trust_as_template(HOSTILE), trust_as_template("share-{{ 1 }}")))
    host = inventory.get_host("share-{{ 1 }}@gw-1")
    variables = host.get_vars()
    assert variables["gateway_status"] == HOSTILE
    assert not is_trusted_as_template(variables["gateway_status"])
    assert not is_trusted_as_template(variables["share_name"])
    templar = Templar(loader=DataLoader(), variables=variables)
    assert templar.template(trust_as_template("{{ gateway_status }}")) == HOSTILE


def test_plain_estate_strings_stay_unsafe(tmp_path):
    inventory = parse(tmp_path, estate(HOSTILE))
    variables = inventory.get_host("share-1@gw-1").get_vars()
    assert not is_trusted_as_template(variables["gateway_status"])
    templar = Templar(loader=DataLoader(), variables=variables)
    assert templar.template(trust_as_template("{{ gateway_status }}")) == HOSTILE
