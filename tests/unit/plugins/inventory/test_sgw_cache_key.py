"""The inventory cache serves only what filled it: the same file, the same options that shape the
fetch, the same endpoint settings and the same identity. Each row fills the cache with one
configuration, then parses with another: a hit makes no call, anything else fetches afresh."""

from __future__ import annotations

import json

import pytest
import yaml
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.inventory import cache_fingerprint
from tests.support.sim_process import KEY_ID, KEY_SECRET, SAMPLE_ACCOUNT, SECRETS, STS_KEY_ID, STS_SECRET, STS_TOKEN

pytestmark = pytest.mark.core_matrix

ACCOUNT = yaml.safe_load(SAMPLE_ACCOUNT.read_text())
REGION = ACCOUNT["express_syncs"][0]["BucketRegion"]
GROUP = ACCOUNT["express_syncs"][0]
STS_KEYS = {"access_key_id": STS_KEY_ID, "access_key_secret": STS_SECRET, "security_token": STS_TOKEN}

# id, the change made to the configuration that filled the cache, whether it is a hit.
CHANGES = [
    ("same-configuration", {}, True),
    ("presentation-only", {"health": ["failed"], "hostvars_prefix": "x_", "hosts_from": "gateways",
                           "compose": {"one": "1"}, "max_concurrency": 2}, True),
    ("regions-narrowed", {"regions": [REGION]}, False),
    ("express-sync-ids", {"express_sync_ids": [GROUP["ExpressSyncId"]]}, False),
    ("bucket-filter", {"bucket_name": GROUP["BucketName"]}, False),
    ("candidates", {"include_candidates": True}, False),
    ("share-details", {"share_details": True}, False),
    ("gateway-tags", {"gateway_tags": True}, False),
    ("no-gateway-details", {"gateway_details": False}, False),
    ("endpoint-type", {"endpoint_type": "vpc"}, False),
    ("endpoints-map", {"endpoints": {"ap-southeast-1": "{url}"}}, False),
    ("another-identity", STS_KEYS, False),
]


@pytest.fixture
def cached(tmp_path, in_process):
    """``parse(simulator, **options)``: the inventory of one file with a jsonfile cache; its calls counted."""
    path = tmp_path / "cached.sgw.yml"

    def parse(simulator, **options):
        config = {"plugin": "alibabacloud.sgw.sgw", "endpoint": simulator.url, "access_key_id": KEY_ID,
                  "access_key_secret": KEY_SECRET, "max_retries": 0, "cache": True,
                  "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache")}
        config.update(json.loads(json.dumps(options).replace("{url}", simulator.url)))
        path.write_text(yaml.safe_dump(config))
        simulator.reset()
        plugin = inventory_loader.get("alibabacloud.sgw.sgw")
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), str(path), cache=True)
        plugin.update_cache_if_changed()
        return inventory, simulator.stats()["total"]
    return parse


@pytest.mark.parametrize("name, change, hit", CHANGES, ids=[c[0] for c in CHANGES])
def test_a_hit_only_for_the_same_configuration_and_identity(cached, in_process, tmp_path, record_property, name,
                                                            change, hit):
    simulator = in_process()
    dummy, filled = cached(simulator)
    assert filled > 0
    inventory, calls = cached(simulator, **change)
    record_property("calls_to_fill", filled)  # the figures (pytest --junitxml keeps them)
    record_property("calls_after_change", calls)
    assert (calls == 0) is hit, (name, calls)
    assert "sgw" in inventory.groups
    written = "".join(p.read_text() for p in (tmp_path / "cache").iterdir())
    assert not any(secret in written for secret in SECRETS) and KEY_ID not in written and STS_KEY_ID not in written


def test_another_endpoint_is_fetched(cached, in_process, record_property):
    first, second = in_process(), in_process()
    cached(first)
    calls = cached(second)[1]
    assert calls > 0
    record_property("calls_after_change", calls)
    assert cached(first)[1] == 0  # each endpoint keeps its own entry


def test_wrong_credentials_never_get_the_cached_estate(cached, in_process):
    simulator = in_process()
    cached(simulator)
    with pytest.raises(AnsibleParserError, match="InvalidAccessKeyId"):
        cached(simulator, access_key_id="LTAI5tSomebodyElse0001", access_key_secret="not-the-secret")


@pytest.mark.parametrize("identity, settings", [
    ("AccessKey LTAI5tOne", {"regions": []}),
    ("AccessKey LTAI5tTwo", {"regions": []}),
    ("RAM role acs:ram::1:role/r assumed by AccessKey LTAI5tOne", {"regions": []}),
    ("AccessKey LTAI5tOne", {"regions": ["cn-hangzhou"]}),
    ("AccessKey LTAI5tOne", {"regions": [], "endpoint": "https://u:pw-one@h"}),
])
def test_the_fingerprint_is_one_way_and_tells_each_apart(identity, settings):
    fingerprint = cache_fingerprint(settings, identity)
    assert "LTAI" not in fingerprint and "pw-one" not in fingerprint
    others = [cache_fingerprint(s, i) for i, s in [
        ("AccessKey LTAI5tOne", {"regions": []}), ("AccessKey LTAI5tTwo", {"regions": []}),
        ("RAM role acs:ram::1:role/r assumed by AccessKey LTAI5tOne", {"regions": []}),
        ("AccessKey LTAI5tOne", {"regions": ["cn-hangzhou"]}),
        ("AccessKey LTAI5tOne", {"regions": [], "endpoint": "https://u:pw-one@h"})]]
    assert others.count(fingerprint) == 1
