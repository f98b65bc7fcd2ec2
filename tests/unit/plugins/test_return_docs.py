"""Every RETURN block documents exactly the keys of the records that the code returns.

The plugins and modules run against the in-process API (the simulator's sample account, every
record complete), and the keys of what they return are compared with the ``contains`` of their
RETURN documentation, level by level. The documented types of the record fields are checked
against the schema of the API records too.
"""

from __future__ import annotations

import pytest
import yaml
from ansible.plugins.loader import lookup_loader

from ansible_collections.alibabacloud.sgw.plugins.lookup import express_sync_shares as shares_lookup
from ansible_collections.alibabacloud.sgw.plugins.lookup import express_syncs as syncs_lookup
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import RECORDS
from ansible_collections.alibabacloud.sgw.plugins.modules import express_sync, express_sync_info

MEDIA = "sync-0002xetjdlxne2sd"
MEDIA_CANDIDATE = {"gateway_id": "gw-0002c8pz1kq7y4rtd", "share_name": "media-archive"}
ENV = ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION")


def documented(plugin):
    """The RETURN of ``plugin``, without the keys of a read of several accounts."""
    return strip(yaml.safe_load(plugin.RETURN))


def strip(doc):
    if isinstance(doc, dict):
        return {key: strip(value) for key, value in doc.items() if key not in ACCOUNT_KEYS}
    return doc


def lookup(name, client, monkeypatch, *terms, **options):
    for variable in ENV:
        monkeypatch.delenv(variable, raising=False)
    plugin = lookup_loader.get("alibabacloud.sgw.%s" % name)
    plugin.sgw_client = lambda pool_size=10, region=None: client
    return plugin.run(list(terms), region="cn-hangzhou", **options)


def assert_keys(records, contains, where):
    assert records, "%s: nothing returned to compare with" % where
    for record in records:
        assert set(record) == set(contains), where


VERDICT_KEYS = {"sgw_condition", "sgw_condition_reasons"}
# Returned with the options accounts or resource_directory only (tests/unit/plugins/lookup/test_lookups_across_accounts.py
# and tests/unit/plugins/modules/test_express_sync_info_accounts.py compare those).
ACCOUNT_KEYS = {"account_id", "account_name"}
SIGNALS = ["express_sync", "gateway", "file_share", "alerts"]


def without(contains, keys):
    return {key: value for key, value in contains.items() if key not in keys}


def test_express_sync_shares_lookup(fake_api, monkeypatch):
    contains = documented(shares_lookup)["_raw"]["contains"]
    plain = without(contains, VERDICT_KEYS)
    assert_keys(lookup("express_sync_shares", fake_api, monkeypatch, MEDIA), contains, "express_sync_shares")
    candidates = lookup("express_sync_shares", fake_api, monkeypatch, MEDIA, is_external=True)
    assert_keys(candidates, plain, "express_sync_shares is_external")
    judged = lookup("express_sync_shares", fake_api, monkeypatch, MEDIA, health_signals=SIGNALS)
    assert_keys(judged, contains, "express_sync_shares health_signals")


def test_express_syncs_lookup(fake_api, monkeypatch):
    contains = documented(syncs_lookup)["_raw"]["contains"]
    assert_keys(lookup("express_syncs", fake_api, monkeypatch), contains, "express_syncs")


def test_express_sync_info_module(fake_api, run_module):
    result = run_module(express_sync_info.main, fake_api, express_sync_ids=[MEDIA], shares=True, candidates=True)
    groups = result["express_syncs"]
    contains = documented(express_sync_info)["express_syncs"]["contains"]
    assert_keys(groups, contains, "express_sync_info express_syncs")
    share_keys = documented(shares_lookup)["_raw"]["contains"]  # "the keys of the express_sync_shares lookup"
    assert_keys(groups[0]["shares"], share_keys, "express_sync_info shares")
    assert_keys(groups[0]["candidates"], without(share_keys, VERDICT_KEYS), "express_sync_info candidates")
    assert set(groups[0]["health_summary"]) == set(contains["health_summary"]["sample"])
    unjudged = run_module(express_sync_info.main, fake_api, express_sync_ids=[MEDIA])["express_syncs"]
    assert_keys(unjudged, without(contains, {"shares", "candidates", "health_summary", "condition_summary"}),
                "express_sync_info express_syncs shares=false")
    judged = run_module(express_sync_info.main, fake_api, express_sync_ids=[MEDIA], shares=True, candidates=True,
                        health_signals=SIGNALS)["express_syncs"]
    assert_keys(judged, contains, "express_sync_info express_syncs health_signals")
    assert_keys(judged[0]["shares"], share_keys, "express_sync_info shares health_signals")
    assert set(judged[0]["condition_summary"]) == set(contains["condition_summary"]["sample"])


def test_express_sync_module(fake_api, run_module):
    result = run_module(express_sync.main, fake_api, express_sync_id=MEDIA, shares=[MEDIA_CANDIDATE])
    assert result["changed"] and not result.get("failed"), result
    docs = documented(express_sync)
    assert set(docs) >= {k for k in result if k not in ("rc", "raw", "invocation", "changed")}
    contains = docs["express_sync"]["contains"]
    assert_keys([result["express_sync"]], contains, "express_sync express_sync")
    assert_keys(result["express_sync"]["shares"], contains["shares"]["contains"], "express_sync shares")
    assert_keys(result["added_shares"], ("gateway_id", "share_name"), "express_sync added_shares")


@pytest.mark.parametrize("plugin, path, item", [
    (shares_lookup, ("_raw",), "Share"),
    (syncs_lookup, ("_raw",), "ExpressSync"),
    (express_sync_info, ("express_syncs",), "ExpressSync"),
    (express_sync, ("express_sync",), "ExpressSync"),
    (express_sync, ("express_sync", "shares"), "Share"),
])
def test_documented_types_of_string_fields(plugin, path, item):
    entry = documented(plugin)[path[0]]
    for key in path[1:]:
        entry = entry["contains"][key]
    contains = entry["contains"]
    for field in RECORDS[item]:
        if field.kind == "str" and field.name in contains:
            assert contains[field.name]["type"] == "str", (plugin.__name__, field.name)
