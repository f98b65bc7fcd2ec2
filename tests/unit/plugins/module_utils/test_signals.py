"""The signal reads (estate/signals.py) against the in-process API, and the facts each share gets."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.signals import (
    SignalIndex,
    read_signals,
    signal_errors,
)
from tests.integration.inventory_plugin.scenarios import EDIT01, EDIT02, RENDER01, health_account
from tests.support.fake_api import FakeApi

ALL = ["express_sync", "gateway", "file_share", "alerts"]


def member_shares(api):
    """(region, share record) of every member share, as DescribeExpressSyncShares gives them."""
    found = []
    for group in api.service.account.express_syncs.values():
        body = api.call("DescribeExpressSyncShares", group["BucketRegion"], {"ExpressSyncIds": group["ExpressSyncId"]})
        found += [(group["BucketRegion"], share) for share in body["Shares"]["Share"]]
    api.calls.clear()
    return found


def actions(api):
    counted = {}
    for action, dummy, dummy in api.calls:
        counted[action] = counted.get(action, 0) + 1
    return counted


def bundles_of(shares):
    return {share["StorageBundleId"]: region for region, share in shares}


def verdicts(data, shares, signals=None):
    index = SignalIndex(data, signals=signals)
    return {"%s@%s" % (s["ShareName"], s["GatewayId"]): index.condition_vars(s, region) for region, s in shares}


def test_each_signal_costs_what_the_documentation_says():
    api = FakeApi(health_account())
    shares = member_shares(api)
    gateways = {s["GatewayId"] for dummy, s in shares}
    regions = {s["GatewayRegion"] for dummy, s in shares}
    read_signals(api, ["express_sync"], shares)
    assert actions(api) == {}
    read_signals(api, ["file_share"], shares)
    assert actions(api) == {"DescribeGatewayFileShares": len(gateways)}
    api.calls.clear()
    read_signals(api, ["file_share"], shares, file_shares={g: [] for g in gateways})  # share_details read them
    assert actions(api) == {}
    read_signals(api, ["gateway"], shares, bundles=bundles_of(shares))
    assert actions(api) == {"DescribeGateways": len(bundles_of(shares))}
    api.calls.clear()
    read_signals(api, ["alerts"], shares)
    # one call per region, and the gateway whose alert names a share by a name no member has
    assert actions(api) == {"ListAlertEvents": len(regions), "DescribeGatewayFileShares": 1}


def test_the_verdicts_of_every_signal():
    api = FakeApi(health_account())
    shares = member_shares(api)
    data = read_signals(api, ALL, shares, max_concurrency=4, bundles=bundles_of(shares))
    assert signal_errors(data) == []
    found = verdicts(data, shares)
    assert found["renders@" + RENDER01] == {"sgw_condition": "failed", "sgw_condition_reasons": [
        "gateway_not_running", "alert_low_meta_space"]}
    assert found["media-nfs@" + EDIT01]["sgw_condition_reasons"] == ["upload_lag", "alert_upload_queue_full"]
    assert found["media-nfs@" + EDIT02]["sgw_condition_reasons"] == ["gateway_expiring", "share_disabled"]
    # the same data judged by fewer signals
    assert verdicts(data, shares, ["express_sync"])["renders@" + RENDER01]["sgw_condition"] == "ok"


@pytest.mark.parametrize("action, reason", [
    ("ListAlertEvents", "alerts_unreadable"),
    ("DescribeGatewayFileShares", "file_share_unreadable"),
    ("DescribeGateways", "gateway_unreadable"),
])
def test_a_read_that_fails_is_unknown_not_ok(action, reason):
    api = FakeApi(health_account())
    shares = member_shares(api)
    api.denied.add(action)
    data = read_signals(api, ALL, shares, bundles=bundles_of(shares))
    assert signal_errors(data) and all("Forbidden.RAM" in e["message"] or e["code"] == "Forbidden.RAM"
                                       for dummy, dummy, e in signal_errors(data))
    for name, verdict in verdicts(data, shares).items():
        assert verdict["sgw_condition"] in ("unknown", "failed"), name
        assert reason in verdict["sgw_condition_reasons"], name


def test_an_alert_named_by_index_id_is_matched_through_the_file_shares():
    api = FakeApi(health_account())
    api.behaviours["alert_share"] = "index_id"
    shares = member_shares(api)
    data = read_signals(api, ["alerts"], shares)
    assert actions(api)["DescribeGatewayFileShares"] >= 1
    assert verdicts(data, shares)["media-nfs@" + EDIT01]["sgw_condition_reasons"] == ["alert_upload_queue_full"]


def test_an_alert_that_cannot_be_told_is_unknown():
    """An alert names a share by something else than a member's name, and the gateway's file shares (which
    would tell whether it is a member by its IndexId) cannot be read: its shares are unknown."""
    api = FakeApi(health_account())
    api.behaviours["alert_share"] = "index_id"
    api.denied.add("DescribeGatewayFileShares")
    shares = member_shares(api)
    data = read_signals(api, ["alerts"], shares)
    found = verdicts(data, shares)
    assert found["media-nfs@" + EDIT01] == {"sgw_condition": "unknown", "sgw_condition_reasons": ["alerts_unreadable"]}
    assert found["renders@" + RENDER01]["sgw_condition_reasons"] == ["alert_low_meta_space"]
