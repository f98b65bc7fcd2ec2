# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The switches of the behaviours that the service's documentation leaves open, each way, and the 414 limit."""

from __future__ import annotations

import pytest

from tests.support.simlib import sample_account

MEDIA = "sync-0002xetjdlxne2sd"      # cn-hangzhou
ANALYTICS = "sync-0003k2n8dq5w1mzr"  # cn-shanghai
UNKNOWN = "sync-0009doesnotexist"
ALL_GROUPS = {"sync-0002xetjdlxne2sd", "sync-0001xv7je357xn8t", "sync-0004agfrbke1l39p", ANALYTICS,
              "sync-0002p9t4hz6c3yxe"}
ENGINEERING = "sb-0002k7wq3xv0c1fbn"  # one gateway: gw-0003f6ht0wz8n2lqa
ANALYTICS_CLUSTER = "sb-0003m1d8ryq5t2hsa"  # gw-0001r9ka4ls2e7yvm and gw-0002w5nb8dj3u6qcx


@pytest.fixture(scope="module")
def sim(start_simulator):
    return start_simulator()


@pytest.fixture(autouse=True)
def default_behaviour(sim):
    sim.set_faults()
    assert sim.control("PUT", "account", json=sample_account()).status_code == 200


def group_ids(sim, region):
    body = sim.client(region=region).ok("DescribeExpressSyncs")
    return {group["ExpressSyncId"] for group in body["ExpressSyncs"]["ExpressSync"]}


@pytest.mark.parametrize("scope, region, expected", [
    ("region", "cn-hangzhou", {"sync-0002xetjdlxne2sd", "sync-0001xv7je357xn8t", "sync-0004agfrbke1l39p"}),
    ("region", "cn-shanghai", {ANALYTICS}),
    ("region", "eu-central-1", set()),
    ("account", "cn-hangzhou", ALL_GROUPS),
    ("account", "cn-shanghai", ALL_GROUPS),
    ("account", "eu-central-1", ALL_GROUPS),
])
def test_region_scope(sim, scope, region, expected):
    sim.set_faults(region_scope=scope)
    assert group_ids(sim, region) == expected


@pytest.mark.parametrize("mode, expected", [("group", {MEDIA}), ("empty", {""})])
def test_candidate_sync_id(sim, mode, expected):
    sim.set_faults(candidate_sync_id=mode)
    shares = sim.client().ok("DescribeExpressSyncShares", ExpressSyncIds=MEDIA, IsExternal="true")["Shares"]["Share"]
    assert [share["ShareName"] for share in shares] == ["media-archive"]
    assert {share["ExpressSyncId"] for share in shares} == expected
    members = sim.client().ok("DescribeExpressSyncShares", ExpressSyncIds=MEDIA)["Shares"]["Share"]
    assert {share["ExpressSyncId"] for share in members} == {MEDIA}  # members always name their group


@pytest.mark.parametrize("mode, ids, outcome", [
    ("error", [MEDIA, UNKNOWN], "ExpressSyncNotExist"),
    ("error", [UNKNOWN], "ExpressSyncNotExist"),
    ("omit", [MEDIA, UNKNOWN], {MEDIA}),
    ("omit", [UNKNOWN, ANALYTICS], {ANALYTICS}),
    ("omit", [UNKNOWN], set()),
])
def test_unknown_ids(sim, mode, ids, outcome):
    sim.set_faults(unknown_ids=mode)
    response = sim.client().call("DescribeExpressSyncShares", {"ExpressSyncIds": ",".join(ids)})
    if isinstance(outcome, str):
        assert (response.status_code, response.json()["Code"]) == (400, outcome)
    else:
        assert response.status_code == 200
        assert {share["ExpressSyncId"] for share in response.json()["Shares"]["Share"]} == outcome


@pytest.mark.parametrize("mode, has_total", [("present", True), ("absent", False)])
def test_total_count(sim, mode, has_total):
    sim.set_faults(total_count=mode)
    body = sim.client().ok("DescribeGateways", StorageBundleId=ANALYTICS_CLUSTER, PageSize=1)
    assert ("TotalCount" in body) is has_total
    assert len(body["Gateways"]["Gateway"]) == 1
    tasks = sim.client().ok("DescribeTasks")
    assert ("TotalCount" in tasks) is has_total


@pytest.mark.parametrize("missing, bundle, outcome", [
    ([], ANALYTICS_CLUSTER, ["gw-0001r9ka4ls2e7yvm", "gw-0002w5nb8dj3u6qcx"]),
    (["gw-0002w5nb8dj3u6qcx"], ANALYTICS_CLUSTER, ["gw-0001r9ka4ls2e7yvm"]),
    (["gw-0003f6ht0wz8n2lqa"], ENGINEERING, "StorageBundleNotExist"),
])
def test_missing_gateway(sim, missing, bundle, outcome):
    sim.set_faults(missing_gateways=missing)
    response = sim.client().call("DescribeGateways", {"StorageBundleId": bundle, "PageSize": "50"})
    if isinstance(outcome, str):
        assert response.json()["Code"] == outcome
    else:
        assert [gateway["GatewayId"] for gateway in response.json()["Gateways"]["Gateway"]] == outcome
    # Its shares are still listed, as before the gateway went.
    shares = sim.client(region="cn-shanghai").ok("DescribeExpressSyncShares", ExpressSyncIds=ANALYTICS)
    assert "gw-0002w5nb8dj3u6qcx" in {share["GatewayId"] for share in shares["Shares"]["Share"]}
    gone = sim.client().call("DescribeGatewayFileShares", {"GatewayId": "gw-0003f6ht0wz8n2lqa"})
    assert gone.status_code == 200 or gone.json()["Code"] == "GatewayNotExist"
    assert (gone.status_code == 200) is ("gw-0003f6ht0wz8n2lqa" not in missing)


@pytest.mark.parametrize("limit, padding, status", [(0, 20000, 200), (8192, 7000, 200), (8192, 9000, 414)])
def test_query_limit(sim, limit, padding, status):
    sim.set_faults(max_query_bytes=limit)
    ids = ",".join([MEDIA] * (padding // (len(MEDIA) + 1)))
    response = sim.client().call("DescribeExpressSyncShares", {"ExpressSyncIds": ids})
    assert response.status_code == status
    if status == 414:
        assert "414 Request-URI Too Large" in response.text
        assert sim.stats()["errors"].get("RequestURITooLarge")


def test_a_long_list_in_a_form_body_passes_the_limit(sim):
    """The limit is on the query string: the same parameters in a form-encoded body pass, for V3 and V1."""
    sim.set_faults(max_query_bytes=8192)
    ids = ",".join([MEDIA] * 600)
    for scheme in ("v3", "v1"):
        response = sim.client(scheme=scheme).call("DescribeExpressSyncShares", form={"ExpressSyncIds": ids})
        assert response.status_code == 200, response.text
        assert {share["ExpressSyncId"] for share in response.json()["Shares"]["Share"]} == {MEDIA}


@pytest.mark.parametrize("setting", [{"region_scope": "global"}, {"total_count": True}, {"missing_gateways": "gw"},
                                     {"max_query_bytes": -1}])
def test_bad_behaviour_settings_are_refused(sim, setting):
    response = sim.control("PUT", "faults", json=setting)
    assert response.status_code == 400
