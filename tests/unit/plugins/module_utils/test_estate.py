"""The concurrent estate fetcher against a fake client: the calls it makes, their order and its failures."""

from __future__ import annotations

import json
import random
import threading
import time

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwApiError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate import EstateFetcher, RegionFailure

REGIONS = ["cn-hangzhou", "cn-shanghai", "cn-beijing"]


def make_account():
    """Three regions; cn-hangzhou and cn-shanghai share bundle sb-shared (as the mainland endpoint does);
    sb-big has 120 gateways (three pages)."""
    groups, shares, gateways = {}, {}, {}
    layout = {"cn-hangzhou": ["sb-hz", "sb-shared"], "cn-shanghai": ["sb-shared"], "cn-beijing": ["sb-big"]}
    sizes = {"sb-hz": 3, "sb-shared": 2, "sb-big": 120}
    for bundle, size in sizes.items():
        gateways[bundle] = [{"GatewayId": "gw-%s-%03d" % (bundle, n), "StorageBundleId": bundle,
                             "InnerIp": "10.0.0.%d" % n} for n in range(size)]
    for region, bundles in layout.items():
        groups[region] = [{"ExpressSyncId": "sync-%s-%d" % (region, n), "Name": "g%d" % n} for n in range(4)]
        for number, group in enumerate(groups[region]):
            bundle = bundles[number % len(bundles)]
            shares[group["ExpressSyncId"]] = [
                {"GatewayId": gateways[bundle][n % len(gateways[bundle])]["GatewayId"], "ShareName": "s%d" % n,
                 "ExpressSyncId": group["ExpressSyncId"], "StorageBundleId": bundle} for n in range(3)]
            shares[group["ExpressSyncId"] + "/external"] = [
                {"GatewayId": gateways[bundle][0]["GatewayId"], "ShareName": "spare", "ExpressSyncId":
                 group["ExpressSyncId"], "StorageBundleId": bundle}]
    return groups, shares, gateways


class FakeClient:
    """Answers like the API, records every call, and can delay, block or fail calls."""

    def __init__(self, delay=None, fail=None, hook=None):
        self.groups, self.shares, self.gateways = make_account()
        self.delay = delay or (lambda action, region, params: 0)
        self.fail = fail or (lambda action, region, params: False)
        self.hook = hook
        self.calls = []
        self.in_flight = 0
        self.peak = 0
        self.lock = threading.Lock()

    @staticmethod
    def base_url(dummy_region):
        return "https://sgw.test"  # one endpoint for every region, as the mainland's

    def call(self, action, region, params=None):
        params = params or {}
        with self.lock:
            self.calls.append((action, region, dict(params)))
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            if self.hook:
                self.hook(action, region, params)
            time.sleep(self.delay(action, region, params))
            if self.fail(action, region, params):
                raise SgwApiError("ServiceUnavailable", "down", action=action, region=region, request_id="req-1")
            return self.answer(action, region, params)
        finally:
            with self.lock:
                self.in_flight -= 1

    def answer(self, action, region, params):
        if action == "DescribeExpressSyncs":
            return {"ExpressSyncs": {"ExpressSync": self.groups[region]}}
        if action == "DescribeExpressSyncShares":
            suffix = "/external" if params["IsExternal"] else ""
            found = [s for i in params["ExpressSyncIds"].split(",") for s in self.shares[i + suffix]]
            return {"Shares": {"Share": found}}
        if action == "DescribeGateways":
            everything = self.gateways[params["StorageBundleId"]]
            start = (params["PageNumber"] - 1) * params["PageSize"]
            return {"Gateways": {"Gateway": everything[start:start + params["PageSize"]]},
                    "TotalCount": len(everything)}
        raise AssertionError(action)

    def count(self, action):
        return sum(1 for call in self.calls if call[0] == action)


def fetch(client, **options):
    return EstateFetcher(client, **options).fetch(REGIONS)


def test_the_fewest_calls():
    client = FakeClient()
    estate = fetch(client, include_candidates=True)
    assert client.count("DescribeExpressSyncs") == 3
    assert client.count("DescribeExpressSyncShares") == 3 * 2  # members and candidates, all groups at once
    # sb-hz and sb-shared once each (sb-shared is named by two regions), sb-big in three pages of 50
    assert client.count("DescribeGateways") == 2 + 3
    assert len({json.dumps(call, sort_keys=True) for call in client.calls}) == len(client.calls), "a call repeated"
    assert all(call[2].get("PageSize") == 50 for call in client.calls if call[0] == "DescribeGateways")
    regions = estate["regions"]
    assert [g["GatewayId"] for g in regions["cn-beijing"]["gateways"]] == [
        g["GatewayId"] for g in client.gateways["sb-big"]]
    # A bundle named by two regions goes to the first of them, in the order given.
    assert {g["StorageBundleId"] for g in regions["cn-hangzhou"]["gateways"]} == {"sb-hz", "sb-shared"}
    assert regions["cn-shanghai"]["gateways"] == []


def test_max_ids_per_call_chunks_and_keeps_the_order_of_the_calls():
    # The later chunks answer first; the shares are still in the order of the groups.
    client = FakeClient(delay=lambda action, region, params: 0.05 if params.get("ExpressSyncIds", "").endswith(
        ("-0", "-1")) else 0)
    estate = fetch(client, max_ids_per_call=2, max_concurrency=8)
    assert client.count("DescribeExpressSyncShares") == 3 * 2
    for region in REGIONS:
        expected = [s for g in client.groups[region] for s in client.shares[g["ExpressSyncId"]]]
        assert estate["regions"][region]["shares"] == expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_result_does_not_depend_on_the_order_of_the_answers(seed):
    rng = random.Random(seed)
    lock = threading.Lock()

    def delay(*dummy):
        with lock:
            return rng.random() * 0.02

    one_by_one = fetch(FakeClient(), include_candidates=True, max_concurrency=1)
    shuffled = fetch(FakeClient(delay=delay), include_candidates=True, max_concurrency=8)
    assert json.dumps(shuffled) == json.dumps(one_by_one)


def test_calls_run_concurrently_up_to_max_concurrency():
    client = FakeClient(delay=lambda *dummy: 0.02)
    fetch(client, max_concurrency=3)
    assert client.peak == 3
    client = FakeClient(delay=lambda *dummy: 0.005)
    fetch(client, max_concurrency=1)
    assert client.peak == 1


def test_a_slow_region_does_not_hold_the_others_back():
    # cn-hangzhou's first call answers only once cn-beijing has reached its last step: with a
    # barrier between the steps of all regions, it would wait in vain.
    beijing_done = threading.Event()
    waited = []

    def hook(action, region, params):
        if action == "DescribeGateways" and region == "cn-beijing":
            beijing_done.set()
        if action == "DescribeExpressSyncs" and region == "cn-hangzhou":
            waited.append(beijing_done.wait(10))

    fetch(FakeClient(hook=hook), max_concurrency=8)
    assert waited == [True]


def test_gateway_details_off_makes_no_gateway_call():
    client = FakeClient()
    estate = fetch(client, gateway_details=False)
    assert client.count("DescribeGateways") == 0
    assert all(not data["gateways"] for data in estate["regions"].values())


def test_express_sync_ids_limit_the_groups_asked_for():
    client = FakeClient()
    wanted = "sync-cn-beijing-2"
    estate = fetch(client, express_sync_ids=[wanted])
    assert [call[2]["ExpressSyncIds"] for call in client.calls if call[0] == "DescribeExpressSyncShares"] == [wanted]
    assert [g["ExpressSyncId"] for g in estate["regions"]["cn-beijing"]["express_syncs"]] == [wanted]
    assert estate["regions"]["cn-hangzhou"]["express_syncs"] == []


def test_a_failed_region_is_recorded_and_the_others_kept():
    failing = ("DescribeExpressSyncShares", "cn-beijing")
    client = FakeClient(fail=lambda action, region, params: (action, region) == failing)
    estate = fetch(client, fail_fast=False)
    regions = estate["regions"]
    assert regions["cn-beijing"]["error"]["code"] == "ServiceUnavailable"
    assert regions["cn-beijing"]["error"]["request_id"] == "req-1"
    assert regions["cn-beijing"]["shares"] == [] and regions["cn-beijing"]["gateways"] == []
    assert not any(call[0] == "DescribeGateways" and call[1] == "cn-beijing" for call in client.calls)
    assert regions["cn-hangzhou"]["error"] is None and regions["cn-hangzhou"]["shares"]


def test_a_failed_bundle_fails_every_region_that_needs_it():
    client = FakeClient(fail=lambda action, region, params: params.get("StorageBundleId") == "sb-shared")
    regions = fetch(client, fail_fast=False)["regions"]
    assert regions["cn-hangzhou"]["error"]["action"] == "DescribeGateways"
    assert regions["cn-shanghai"]["error"] == regions["cn-hangzhou"]["error"]
    assert regions["cn-beijing"]["error"] is None and len(regions["cn-beijing"]["gateways"]) == 120


def test_a_bundle_of_a_failed_region_goes_to_the_next_region_that_needs_it():
    client = FakeClient(fail=lambda action, region, params: params.get("StorageBundleId") == "sb-hz")
    regions = fetch(client, fail_fast=False)["regions"]
    assert regions["cn-hangzhou"]["error"] is not None
    assert regions["cn-shanghai"]["error"] is None
    assert {g["StorageBundleId"] for g in regions["cn-shanghai"]["gateways"]} == {"sb-shared"}


def test_fail_fast_raises_for_the_first_failed_region_in_the_order_given():
    client = FakeClient(fail=lambda action, region, params: region in ("cn-shanghai", "cn-beijing"))
    with pytest.raises(RegionFailure) as info:
        fetch(client, max_concurrency=8)
    assert info.value.region == "cn-shanghai"
    assert info.value.error.code == "ServiceUnavailable"


def test_fail_fast_makes_no_new_call_after_the_failure():
    # One thread: cn-shanghai's call may already be under way when cn-hangzhou's failure is seen
    # (the pool thread takes the next call at once); cn-beijing's is dropped, and no later step runs.
    client = FakeClient(fail=lambda action, region, params: region == "cn-hangzhou",
                        delay=lambda action, region, params: 0.2 if region == "cn-shanghai" else 0)
    with pytest.raises(RegionFailure) as info:
        fetch(client, max_concurrency=1)
    assert info.value.region == "cn-hangzhou"
    assert [call[:2] for call in client.calls] in (
        [("DescribeExpressSyncs", "cn-hangzhou")],
        [("DescribeExpressSyncs", "cn-hangzhou"), ("DescribeExpressSyncs", "cn-shanghai")])


# ------------------------------------------------------------------ undocumented behaviours


class ScopedClient(FakeClient):
    """Groups carry their BucketRegion; ``scope`` says whether DescribeExpressSyncs answers for the call's
    region or for the whole account; ``endpoints`` maps regions to endpoints (one for all by default)."""

    def __init__(self, scope="region", endpoints=None, candidate_sync_id="group", gone=(), **kwargs):
        super().__init__(**kwargs)
        for region, groups in self.groups.items():
            for group in groups:
                group["BucketRegion"] = region
        self.scope = scope
        self.endpoints = endpoints or {}
        self.candidate_sync_id = candidate_sync_id
        self.gone = dict(gone)  # storage bundle id -> the code DescribeGateways answers
        self.region_scoped = set()  # regions whose endpoint answers for the region, whatever ``scope`` says

    def base_url(self, region):
        return self.endpoints.get(region, "https://sgw.test")

    def answer(self, action, region, params):
        if action == "DescribeExpressSyncs" and self.scope == "account" and region not in self.region_scoped:
            return {"ExpressSyncs": {"ExpressSync": [g for r in REGIONS for g in self.groups[r]]}}
        if action == "DescribeGateways" and params["StorageBundleId"] in self.gone:
            raise SgwApiError(self.gone[params["StorageBundleId"]], "gone", action=action, region=region,
                              request_id="req-gone")
        body = super().answer(action, region, params)
        if action == "DescribeExpressSyncShares" and params["IsExternal"] and self.candidate_sync_id == "empty":
            body["Shares"]["Share"] = [dict(s, ExpressSyncId="") for s in body["Shares"]["Share"]]
        return body


def without_order_of_claims(estate):
    return json.dumps(estate, sort_keys=True)


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_account_wide_answers_give_the_same_estate_with_fewer_calls(max_concurrency):
    scoped = ScopedClient("region")
    expected = fetch(scoped, include_candidates=True, max_concurrency=max_concurrency)
    account = ScopedClient("account")
    estate = fetch(account, include_candidates=True, max_concurrency=max_concurrency)
    assert without_order_of_claims(estate) == without_order_of_claims(expected)
    # Each group's shares are asked once; with one call in flight at a time, the other regions of the endpoint
    # are not asked at all once the first answer showed groups of other regions.
    assert account.count("DescribeExpressSyncShares") == 2
    if max_concurrency == 1:
        assert account.count("DescribeExpressSyncs") == 1
    else:  # the calls that started before the first answer came are made
        assert account.count("DescribeExpressSyncs") <= 3
    assert len(account.calls) < len(scoped.calls)
    print("calls, region scope: %d, account scope: %d (max_concurrency %d)" % (
        len(scoped.calls), len(account.calls), max_concurrency))


def test_account_wide_answers_are_filed_by_bucket_region_and_filtered_by_the_regions_asked():
    account = ScopedClient("account")
    estate = EstateFetcher(account).fetch(["cn-beijing", "cn-shanghai"])
    regions = estate["regions"]
    assert set(regions) == {"cn-beijing", "cn-shanghai"}
    for region in ("cn-beijing", "cn-shanghai"):
        assert [g["ExpressSyncId"] for g in regions[region]["express_syncs"]] == [
            g["ExpressSyncId"] for g in account.groups[region]]
        assert {s["ExpressSyncId"] for s in regions[region]["shares"]} == {
            g["ExpressSyncId"] for g in account.groups[region]}
    asked = {i for call in account.calls if call[0] == "DescribeExpressSyncShares"
             for i in call[2]["ExpressSyncIds"].split(",")}
    assert not any(i.startswith("sync-cn-hangzhou") for i in asked), "a group of a region not asked for was read"


def test_each_endpoint_is_judged_on_its_own():
    # cn-beijing has its own endpoint, answering for its region only: it is still asked.
    account = ScopedClient("account", endpoints={"cn-beijing": "https://sgw.beijing.test"})
    account.region_scoped.add("cn-beijing")
    estate = fetch(account, max_concurrency=1)
    assert [call[1] for call in account.calls if call[0] == "DescribeExpressSyncs"] == ["cn-hangzhou", "cn-beijing"]
    assert estate["regions"]["cn-beijing"]["express_syncs"]


@pytest.mark.parametrize("max_ids_per_call", [0, 2])
def test_candidates_without_a_group_id_are_asked_group_by_group(max_ids_per_call):
    named = fetch(ScopedClient(), include_candidates=True, max_ids_per_call=max_ids_per_call)
    client = ScopedClient(candidate_sync_id="empty")
    estate = fetch(client, include_candidates=True, max_ids_per_call=max_ids_per_call)
    assert json.dumps(estate) == json.dumps(named)
    external = [call for call in client.calls if call[0] == "DescribeExpressSyncShares" and call[2]["IsExternal"]]
    chunks = 1 if not max_ids_per_call else 2
    assert len(external) == 3 * chunks + 3 * 4  # each chunk, then each of the 4 groups of each region
    for region in REGIONS:
        assert all(s["ExpressSyncId"] for s in estate["regions"][region]["candidates"])


@pytest.mark.parametrize("code", ["StorageBundleNotExist", "GatewayNotExist"])
def test_a_bundle_that_no_longer_exists_keeps_its_shares_and_is_listed(code):
    client = ScopedClient(gone={"sb-shared": code})
    regions = fetch(client, fail_fast=True)["regions"]
    assert all(data["error"] is None for data in regions.values())
    for region in ("cn-hangzhou", "cn-shanghai"):
        assert [(m["storage_bundle_id"], m["code"], m["request_id"]) for m in regions[region]["missing_bundles"]] == [
            ("sb-shared", code, "req-gone")]
        assert any(s["StorageBundleId"] == "sb-shared" for s in regions[region]["shares"])
    assert {g["StorageBundleId"] for g in regions["cn-hangzhou"]["gateways"]} == {"sb-hz"}
    assert regions["cn-beijing"]["missing_bundles"] == []


@pytest.mark.parametrize("max_concurrency", [1, 8])
def test_a_failed_listing_covered_by_an_account_wide_answer_loses_nothing(max_concurrency):
    # cn-shanghai's DescribeExpressSyncs fails, or is never made: either way cn-hangzhou's answer held its groups.
    def fail(action, region, params):
        return action == "DescribeExpressSyncs" and region == "cn-shanghai"

    expected = fetch(ScopedClient("account"), fail_fast=False)
    estate = fetch(ScopedClient("account", fail=fail), fail_fast=False, max_concurrency=max_concurrency)
    assert json.dumps(estate) == json.dumps(expected)
    # Answering per region, nothing covers it: the region fails.
    regions = fetch(ScopedClient("region", fail=fail), fail_fast=False)["regions"]
    assert regions["cn-shanghai"]["error"]["code"] == "ServiceUnavailable"


def test_gateways_without_total_count_are_read_page_after_page():
    class Untold(FakeClient):
        def answer(self, action, region, params):
            body = super().answer(action, region, params)
            body.pop("TotalCount", None)
            return body

    expected = fetch(FakeClient())
    client = Untold()
    assert json.dumps(fetch(client)) == json.dumps(expected)
    big = [call[2]["PageNumber"] for call in client.calls
           if call[0] == "DescribeGateways" and call[2]["StorageBundleId"] == "sb-big"]
    assert big == [1, 2, 3]  # 120 gateways: 50, 50, then a short page of 20 ends it
