"""The concurrent estate fetcher against the in-process API: the calls it makes, their order and its failures.

The API is the simulator's service (tests/support/fake_api.py); calls are made to overlap, or to answer
in a chosen order, with events and barriers, never with timed waits.
"""

from __future__ import annotations

import json
import random
import threading
import time

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate import fetch as estate_module
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.fetch import EstateFetcher, RegionFailure
from tests.simulator.errors import ApiError
from tests.support.fake_api import FakeApi

REGIONS = ["cn-hangzhou", "cn-shanghai", "cn-beijing"]
# Storage bundle -> (its region, how many gateways); sb-big's 120 gateways take three pages of 50.
BUNDLES = {"sb-hz": ("cn-hangzhou", 3), "sb-shared": ("cn-hangzhou", 2), "sb-big": ("cn-beijing", 120)}
# cn-hangzhou and cn-shanghai share sb-shared (as the mainland endpoint does).
LAYOUT = {"cn-hangzhou": ["sb-hz", "sb-shared"], "cn-shanghai": ["sb-shared"], "cn-beijing": ["sb-big"]}
GROUPS_PER_REGION = 4
WAIT = 10  # seconds an event or a barrier is waited for: only reached when the code under test is wrong


def gateway_ids(bundle):
    return ["gw-%s-%03d" % (bundle, n) for n in range(BUNDLES[bundle][1])]


def account():
    """Three regions of four groups each (account format): each group has three member shares on the
    gateways of a bundle of its region's layout, and a candidate share (its bucket, in no group) on a
    gateway of its region; sb-shared's second gateway is in cn-shanghai. Some gateways are tagged."""
    document = {"regions": REGIONS, "storage_bundles": [], "gateways": [], "express_syncs": [], "shares": [],
                "gateway_tags": {}}
    for bundle, (region, dummy) in BUNDLES.items():
        document["storage_bundles"].append({"StorageBundleId": bundle, "BackendBucketRegionId": region})
        for number, gateway_id in enumerate(gateway_ids(bundle)):
            gateway_region = "cn-shanghai" if (bundle, number) == ("sb-shared", 1) else region
            document["gateways"].append({"GatewayId": gateway_id, "StorageBundleId": bundle,
                                         "GatewayRegionId": gateway_region, "InnerIp": "10.0.0.%d" % (number % 250)})
            if number % 2 == 0 and number < 10:
                document["gateway_tags"][gateway_id] = {"team": "t%d" % number}
    regions_of = {g["GatewayId"]: g["GatewayRegionId"] for g in document["gateways"]}
    for region, bundles in LAYOUT.items():
        for number in range(GROUPS_PER_REGION):
            sync_id, bucket = "sync-%s-%d" % (region, number), "bucket-%s-%d" % (region, number)
            document["express_syncs"].append({"ExpressSyncId": sync_id, "Name": "g%d" % number, "BucketName": bucket,
                                              "BucketRegion": region})
            gateways = gateway_ids(bundles[number % len(bundles)])
            document["shares"] += [{"GatewayId": gateways[n % len(gateways)], "ShareName": "s%d-%s" % (n, sync_id),
                                    "BucketName": bucket, "ExpressSyncId": sync_id} for n in range(3)]
            spare = next(g for g in gateways if regions_of[g] == region)
            document["shares"].append({"GatewayId": spare, "ShareName": "spare-" + sync_id, "BucketName": bucket})
    return document


ACCOUNT = account()


def new_api(**behaviours):
    api = FakeApi(ACCOUNT)
    api.behaviours.update(behaviours)
    return api


def fetch(api, **options):
    return EstateFetcher(api, **options).fetch(REGIONS)


def group_ids(region):
    return [g["ExpressSyncId"] for g in ACCOUNT["express_syncs"] if g["BucketRegion"] == region]


def member_keys(region):
    """(group, share name) of the member shares of a region's groups, in the order of the groups."""
    return [(sync_id, s["ShareName"]) for sync_id in group_ids(region)
            for s in ACCOUNT["shares"] if s.get("ExpressSyncId") == sync_id]


def keys(shares):
    return [(s["ExpressSyncId"], s["ShareName"]) for s in shares]


def calls_of(api, action):
    return [call for call in api.calls if call[0] == action]


def failing(condition, code="ServiceUnavailable"):
    """A ``before`` hook answering the calls that ``condition(action, region, params)`` picks with ``code``."""
    def before(action, region, params):
        if condition(action, region, params):
            raise ApiError(code)
    return before


def test_the_fewest_calls():
    api = new_api()
    estate = fetch(api, include_candidates=True)
    assert api.count("DescribeExpressSyncs") == 3
    assert api.count("DescribeExpressSyncShares") == 3 * 2  # members and candidates, all groups at once
    # sb-hz and sb-shared once each (sb-shared is named by two regions), sb-big in three pages of 50
    assert api.count("DescribeGateways") == 2 + 3
    assert len(api.calls) == 3 + 6 + 5
    assert len({json.dumps(call, sort_keys=True) for call in api.calls}) == len(api.calls), "a call repeated"
    assert all(call[2].get("PageSize") == 50 for call in calls_of(api, "DescribeGateways"))
    regions = estate["regions"]
    assert [g["GatewayId"] for g in regions["cn-beijing"]["gateways"]] == gateway_ids("sb-big")
    # A bundle named by two regions goes to the first of them, in the order given.
    assert {g["StorageBundleId"] for g in regions["cn-hangzhou"]["gateways"]} == {"sb-hz", "sb-shared"}
    assert regions["cn-shanghai"]["gateways"] == []
    for region in REGIONS:
        assert keys(regions[region]["shares"]) == member_keys(region)
        assert keys(regions[region]["candidates"]) == [(i, "spare-" + i) for i in group_ids(region)]


def test_share_details_and_gateway_tags_ask_about_each_gateway_once():
    api = new_api()
    regions = fetch(api, share_details=True, gateway_tags=True)["regions"]
    members = {s["GatewayId"] for s in ACCOUNT["shares"] if s.get("ExpressSyncId")}
    asked = [call[2]["GatewayId"] for call in calls_of(api, "DescribeGatewayFileShares")]
    assert sorted(asked) == sorted(members)
    tagged = [call[2] for call in calls_of(api, "ListTagResources")]
    assert all(len(params) - 1 <= 50 for params in tagged)  # ResourceType and at most 50 ResourceId.N
    asked = [value for params in tagged for name, value in params.items() if name.startswith("ResourceId.")]
    assert sorted(asked) == sorted(members)
    for region in REGIONS:
        mine = {s["GatewayId"] for s in regions[region]["shares"]}
        assert set(regions[region]["file_shares"]) == mine
        assert all(any(f["Name"] == s["ShareName"] for f in regions[region]["file_shares"][s["GatewayId"]])
                   for s in regions[region]["shares"])
        assert regions[region]["gateway_tags"] == {g: ACCOUNT["gateway_tags"].get(g, {}) for g in mine}


def test_without_the_switches_no_detail_is_asked():
    api = new_api()
    regions = fetch(api)["regions"]
    assert not calls_of(api, "DescribeGatewayFileShares") and not calls_of(api, "ListTagResources")
    assert all(not data["file_shares"] and not data["gateway_tags"] for data in regions.values())


def test_max_ids_per_call_chunks_and_keeps_the_order_of_the_calls():
    # The later chunk of each region answers first; the shares are still in the order of the groups.
    api = new_api()
    waited = []

    def later_chunk_answered(region):
        return lambda api: any(call[0] == "DescribeExpressSyncShares" and call[1] == region
                               and call[2]["ExpressSyncIds"].endswith("-3") for call in api.answered)

    def before(action, region, params):
        if action == "DescribeExpressSyncShares" and params["ExpressSyncIds"].endswith("-1"):
            waited.append(api.wait_for(later_chunk_answered(region), WAIT))

    api.before = before
    estate = fetch(api, max_ids_per_call=2, max_concurrency=8)
    assert waited == [True] * 3
    assert [call[2]["ExpressSyncIds"] for call in calls_of(api, "DescribeExpressSyncShares")
            if call[1] == "cn-beijing"] in (["sync-cn-beijing-0,sync-cn-beijing-1", "sync-cn-beijing-2,sync-cn-beijing-3"],
                                            ["sync-cn-beijing-2,sync-cn-beijing-3", "sync-cn-beijing-0,sync-cn-beijing-1"])
    assert api.count("DescribeExpressSyncShares") == 3 * 2
    for region in REGIONS:
        assert keys(estate["regions"][region]["shares"]) == member_keys(region)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_result_does_not_depend_on_the_order_of_the_answers(seed):
    rng = random.Random(seed)
    lock = threading.Lock()

    def shuffle(*dummy):  # answers come in a random order; nothing waits on it
        with lock:
            pause = rng.random() * 0.01
        time.sleep(pause)

    one_by_one = fetch(new_api(), include_candidates=True, max_concurrency=1)
    api = new_api()
    api.before = shuffle
    shuffled = fetch(api, include_candidates=True, max_concurrency=8)
    assert json.dumps(shuffled) == json.dumps(one_by_one)


@pytest.mark.parametrize("max_concurrency", [1, 2, 3])
def test_calls_run_concurrently_up_to_max_concurrency(max_concurrency):
    # The first calls (one DescribeExpressSyncs per region, all queued at once) wait for each other:
    # they can only pass when max_concurrency of them are under way together.
    api = new_api()
    barrier = threading.Barrier(max_concurrency, timeout=WAIT)
    started = iter(range(max_concurrency))
    lock = threading.Lock()

    def before(*dummy):
        with lock:
            first = next(started, None) is not None
        if first:
            barrier.wait()

    api.before = before
    fetch(api, max_concurrency=max_concurrency)
    assert api.peak == max_concurrency
    assert api.in_flight == 0


def test_a_slow_region_does_not_hold_the_others_back():
    # cn-hangzhou's first call answers only once cn-beijing has reached its last step: with a
    # barrier between the steps of all regions, it would wait in vain.
    beijing_done = threading.Event()
    waited = []

    def before(action, region, params):
        if action == "DescribeGateways" and region == "cn-beijing":
            beijing_done.set()
        if action == "DescribeExpressSyncs" and region == "cn-hangzhou":
            waited.append(beijing_done.wait(WAIT))

    api = new_api()
    api.before = before
    fetch(api, max_concurrency=8)
    assert waited == [True]


def test_gateway_details_off_makes_no_gateway_call():
    api = new_api()
    estate = fetch(api, gateway_details=False)
    assert api.count("DescribeGateways") == 0
    assert all(not data["gateways"] for data in estate["regions"].values())


def test_express_sync_ids_limit_the_groups_asked_for():
    api = new_api()
    wanted = "sync-cn-beijing-2"
    estate = fetch(api, express_sync_ids=[wanted])
    assert [call[2]["ExpressSyncIds"] for call in calls_of(api, "DescribeExpressSyncShares")] == [wanted]
    assert [g["ExpressSyncId"] for g in estate["regions"]["cn-beijing"]["express_syncs"]] == [wanted]
    assert estate["regions"]["cn-hangzhou"]["express_syncs"] == []


def test_a_failed_region_is_recorded_and_the_others_kept():
    api = new_api()
    api.before = failing(lambda action, region, params: (action, region) == ("DescribeExpressSyncShares", "cn-beijing"))
    regions = fetch(api, fail_fast=False)["regions"]
    error = regions["cn-beijing"]["error"]
    assert error["code"] == "ServiceUnavailable" and error["action"] == "DescribeExpressSyncShares"
    [failed] = [call for call in calls_of(api, "DescribeExpressSyncShares") if call[1] == "cn-beijing"]
    assert error["request_id"] == api.request_id(failed)
    assert regions["cn-beijing"]["shares"] == [] and regions["cn-beijing"]["gateways"] == []
    assert not any(call[1] == "cn-beijing" for call in calls_of(api, "DescribeGateways"))
    assert regions["cn-hangzhou"]["error"] is None and regions["cn-hangzhou"]["shares"]


def test_a_failed_bundle_fails_every_region_that_needs_it():
    api = new_api()
    api.before = failing(lambda action, region, params: params.get("StorageBundleId") == "sb-shared")
    regions = fetch(api, fail_fast=False)["regions"]
    assert regions["cn-hangzhou"]["error"]["action"] == "DescribeGateways"
    assert regions["cn-shanghai"]["error"] == regions["cn-hangzhou"]["error"]
    assert regions["cn-beijing"]["error"] is None and len(regions["cn-beijing"]["gateways"]) == 120


def test_a_bundle_of_a_failed_region_goes_to_the_next_region_that_needs_it():
    api = new_api()
    api.before = failing(lambda action, region, params: params.get("StorageBundleId") == "sb-hz")
    regions = fetch(api, fail_fast=False)["regions"]
    assert regions["cn-hangzhou"]["error"] is not None
    assert regions["cn-shanghai"]["error"] is None
    assert {g["StorageBundleId"] for g in regions["cn-shanghai"]["gateways"]} == {"sb-shared"}


def test_fail_fast_raises_for_the_first_failed_region_in_the_order_given():
    api = new_api()
    api.before = failing(lambda action, region, params: region in ("cn-shanghai", "cn-beijing"))
    with pytest.raises(RegionFailure) as info:
        fetch(api, max_concurrency=8)
    assert info.value.region == "cn-shanghai"
    assert info.value.error.code == "ServiceUnavailable"


def test_fail_fast_makes_no_new_call_after_the_failure(monkeypatch):
    # One thread: cn-shanghai's call may already be under way when cn-hangzhou's failure is seen
    # (the pool thread takes the next call at once); it holds the thread until the failure is
    # recorded, so cn-beijing's call is dropped, and no later step runs.
    recorded = threading.Event()
    record = estate_module._Fetch._fail

    def fail(self, *args, **kwargs):
        record(self, *args, **kwargs)
        recorded.set()

    monkeypatch.setattr(estate_module._Fetch, "_fail", fail)
    waited = []

    def before(action, region, params):
        if region == "cn-hangzhou":
            raise ApiError("ServiceUnavailable")
        if region == "cn-shanghai":
            waited.append(recorded.wait(WAIT))

    api = new_api()
    api.before = before
    with pytest.raises(RegionFailure) as info:
        fetch(api, max_concurrency=1)
    assert info.value.region == "cn-hangzhou"
    assert all(waited)
    assert [call[:2] for call in api.calls] in (
        [("DescribeExpressSyncs", "cn-hangzhou")],
        [("DescribeExpressSyncs", "cn-hangzhou"), ("DescribeExpressSyncs", "cn-shanghai")])


# ------------------------------------------------------------------ undocumented behaviours


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_account_wide_answers_give_the_same_estate_with_fewer_calls(max_concurrency):
    scoped = new_api(region_scope="region")
    expected = fetch(scoped, include_candidates=True, max_concurrency=max_concurrency)
    account_wide = new_api(region_scope="account")
    estate = fetch(account_wide, include_candidates=True, max_concurrency=max_concurrency)
    assert json.dumps(estate, sort_keys=True) == json.dumps(expected, sort_keys=True)
    # Each group's shares are asked once; with one call in flight at a time, the other regions of the endpoint
    # are not asked at all once the first answer showed groups of other regions.
    assert account_wide.count("DescribeExpressSyncShares") == 2
    if max_concurrency == 1:
        assert account_wide.count("DescribeExpressSyncs") == 1
    else:  # the calls that started before the first answer came are made
        assert account_wide.count("DescribeExpressSyncs") <= 3
    assert len(account_wide.calls) < len(scoped.calls)
    print("calls, region scope: %d, account scope: %d (max_concurrency %d)" % (
        len(scoped.calls), len(account_wide.calls), max_concurrency))


def test_account_wide_answers_are_filed_by_bucket_region_and_filtered_by_the_regions_asked():
    api = new_api(region_scope="account")
    regions = EstateFetcher(api).fetch(["cn-beijing", "cn-shanghai"])["regions"]
    assert set(regions) == {"cn-beijing", "cn-shanghai"}
    for region in ("cn-beijing", "cn-shanghai"):
        assert [g["ExpressSyncId"] for g in regions[region]["express_syncs"]] == group_ids(region)
        assert {s["ExpressSyncId"] for s in regions[region]["shares"]} == set(group_ids(region))
    asked = {i for call in calls_of(api, "DescribeExpressSyncShares") for i in call[2]["ExpressSyncIds"].split(",")}
    assert not any(i.startswith("sync-cn-hangzhou") for i in asked), "a group of a region not asked for was read"


def test_each_endpoint_is_judged_on_its_own():
    # cn-beijing has its own endpoint, answering for its region only: it is still asked.
    api = new_api(region_scope="account")
    api.endpoints["cn-beijing"] = "https://sgw-beijing.test"
    api.endpoint_behaviours["https://sgw-beijing.test"] = {"region_scope": "region"}
    estate = fetch(api, max_concurrency=1)
    assert [call[1] for call in calls_of(api, "DescribeExpressSyncs")] == ["cn-hangzhou", "cn-beijing"]
    assert [g["ExpressSyncId"] for g in estate["regions"]["cn-beijing"]["express_syncs"]] == group_ids("cn-beijing")


@pytest.mark.parametrize("max_ids_per_call", [0, 2])
def test_candidates_without_a_group_id_are_asked_group_by_group(max_ids_per_call):
    named = fetch(new_api(), include_candidates=True, max_ids_per_call=max_ids_per_call)
    api = new_api(candidate_sync_id="empty")
    estate = fetch(api, include_candidates=True, max_ids_per_call=max_ids_per_call)
    assert json.dumps(estate) == json.dumps(named)
    external = [call for call in calls_of(api, "DescribeExpressSyncShares") if call[2]["IsExternal"]]
    chunks = 1 if not max_ids_per_call else 2
    assert len(external) == 3 * chunks + 3 * GROUPS_PER_REGION  # each chunk, then each group of each region
    for region in REGIONS:
        assert keys(estate["regions"][region]["candidates"]) == [(i, "spare-" + i) for i in group_ids(region)]


@pytest.mark.parametrize("code", ["StorageBundleNotExist", "GatewayNotExist"])
def test_a_bundle_that_no_longer_exists_keeps_its_shares_and_is_listed(code):
    api = new_api()
    api.before = failing(lambda action, region, params: params.get("StorageBundleId") == "sb-shared", code)
    regions = fetch(api, fail_fast=True)["regions"]
    assert all(data["error"] is None for data in regions.values())
    [gone] = [call for call in calls_of(api, "DescribeGateways") if call[2]["StorageBundleId"] == "sb-shared"]
    for region in ("cn-hangzhou", "cn-shanghai"):
        assert [(m["storage_bundle_id"], m["code"], m["request_id"]) for m in regions[region]["missing_bundles"]] == [
            ("sb-shared", code, api.request_id(gone))]
        assert any(s["StorageBundleId"] == "sb-shared" for s in regions[region]["shares"])
    assert {g["StorageBundleId"] for g in regions["cn-hangzhou"]["gateways"]} == {"sb-hz"}
    assert regions["cn-beijing"]["missing_bundles"] == []


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_a_failed_listing_covered_by_an_account_wide_answer_loses_nothing(max_concurrency):
    # cn-shanghai's DescribeExpressSyncs fails, or is never made: either way cn-hangzhou's answer held its groups.
    def listing(action, region, params):
        return action == "DescribeExpressSyncs" and region == "cn-shanghai"

    expected = fetch(new_api(region_scope="account"), fail_fast=False)
    api = new_api(region_scope="account")
    api.before = failing(listing)
    assert json.dumps(fetch(api, fail_fast=False, max_concurrency=max_concurrency)) == json.dumps(expected)
    # Answering per region, nothing covers it: the region fails.
    api = new_api(region_scope="region")
    api.before = failing(listing)
    regions = fetch(api, fail_fast=False)["regions"]
    assert regions["cn-shanghai"]["error"]["code"] == "ServiceUnavailable"


def test_gateways_without_total_count_are_read_page_after_page():
    expected = fetch(new_api())
    api = new_api(total_count="absent")
    assert json.dumps(fetch(api)) == json.dumps(expected)
    big = [call[2]["PageNumber"] for call in calls_of(api, "DescribeGateways") if call[2]["StorageBundleId"] == "sb-big"]
    assert big == [1, 2, 3]  # 120 gateways: 50, 50, then a short page of 20 ends it


# Any exception of a region's calls (a bug, an answer that cannot be decoded) is that region's error.
UNEXPECTED = [
    ("listing", lambda action, region, params: action == "DescribeExpressSyncs" and region == "cn-shanghai"),
    ("shares", lambda action, region, params: action == "DescribeExpressSyncShares" and region == "cn-shanghai"),
    ("gateways", lambda action, region, params: action == "DescribeGateways" and params.get("StorageBundleId") == "sb-big"),
]


def raising(condition):
    def before(action, region, params):
        if condition(action, region, params):
            raise ValueError("cannot decode this answer")
    return before


@pytest.mark.parametrize("where, condition", UNEXPECTED, ids=[u[0] for u in UNEXPECTED])
def test_an_unexpected_exception_is_the_region_error_never_an_empty_success(where, condition):
    api = new_api()
    api.before = raising(condition)
    regions = fetch(api, fail_fast=False)["regions"]
    failed = "cn-beijing" if where == "gateways" else "cn-shanghai"
    assert regions[failed]["error"]["message"].startswith("unexpected ValueError: cannot decode this answer")
    for region in set(REGIONS) - {failed}:
        assert regions[region]["error"] is None and keys(regions[region]["shares"]) == member_keys(region)


@pytest.mark.parametrize("where, condition", UNEXPECTED, ids=[u[0] for u in UNEXPECTED])
def test_an_unexpected_exception_fails_the_fetch_with_fail_fast(where, condition):
    api = new_api()
    api.before = raising(condition)
    with pytest.raises(RegionFailure) as info:
        fetch(api)
    assert info.value.region == ("cn-beijing" if where == "gateways" else "cn-shanghai")
    assert "unexpected ValueError" in str(info.value.error)


def test_an_unexpected_exception_on_the_region_thread_is_the_region_error(monkeypatch):
    """A bug in the code that files the answers (not in a call) fails the region too."""
    claim = estate_module._Fetch._claim

    def broken(self, region, groups):
        if region == "cn-beijing":
            raise KeyError("ExpressSyncId")
        return claim(self, region, groups)

    monkeypatch.setattr(estate_module._Fetch, "_claim", broken)
    regions = fetch(new_api(), fail_fast=False)["regions"]
    assert regions["cn-beijing"]["error"]["message"].startswith("unexpected KeyError")
    assert regions["cn-hangzhou"]["error"] is None
