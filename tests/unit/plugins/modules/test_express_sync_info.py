"""express_sync_info's pure parts: the groups of the region, candidates attributed to their group."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.modules import express_sync_info


class Shares:
    """DescribeExpressSyncShares with IsExternal=true; candidates name their group or not."""

    def __init__(self, named=True):
        self.named = named
        self.calls = []
        self.table = {"sync-a": ["spare-a"], "sync-b": ["spare-b1", "spare-b2"], "sync-c": []}

    def call(self, action, region, params):
        assert action == "DescribeExpressSyncShares" and params["IsExternal"] is True
        ids = params["ExpressSyncIds"].split(",")
        self.calls.append(ids)
        return {"Shares": {"Share": [{"GatewayId": "gw-1", "ShareName": name,
                                      "ExpressSyncId": sync_id if self.named else ""}
                                     for sync_id in ids for name in self.table[sync_id]]}}


@pytest.mark.parametrize("named, calls", [(True, [["sync-a", "sync-b", "sync-c"]]),
                                          (False, [["sync-a", "sync-b", "sync-c"], ["sync-a"], ["sync-b"],
                                                   ["sync-c"]])])
def test_candidates_by_group(named, calls):
    client = Shares(named)
    found = express_sync_info.candidates_by_group(client, "cn-hangzhou", ["sync-a", "sync-b", "sync-c"])
    assert {sync_id: [(s["share_name"], s["express_sync_id"]) for s in shares] for sync_id, shares in found.items()} \
        == {"sync-a": [("spare-a", "sync-a")], "sync-b": [("spare-b1", "sync-b"), ("spare-b2", "sync-b")],
            "sync-c": []}
    assert client.calls == calls
