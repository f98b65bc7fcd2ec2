# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The official SDKs, as independent clients, against a simulator serving a generated account.

``alibabacloud-sgw20180511`` signs with V3 by default and with V1 when
``signature_algorithm='v2'``; ``aliyun-python-sdk-core`` signs with V1 and adds ``RegionId``.
"""

from __future__ import annotations

import json

import pytest
import yaml
from alibabacloud_sgw20180511 import models
from alibabacloud_sgw20180511.client import Client as SgwClient
from alibabacloud_tea_openapi.models import Config
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.auth.credentials import StsTokenCredential
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from Tea.exceptions import TeaException

from tests.support.simlib import run_simulator
from tests.support.waiting import wait_until

GATEWAYS_PER_REGION = 60
TASK_SECONDS = 0.2
FULL_SYNC_SECONDS = 0.6
SCHEMES = ["v3", "v2"]  # the SDK's names: v2 is the RPC HMAC-SHA1 signature (V1 here)


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    """A generated account, written with --write and read back, as a document."""
    path = tmp_path_factory.mktemp("sdk") / "generated.yml"
    result = run_simulator("--generate", "--regions", "3", "--groups-per-region", "3", "--shares-per-group", "4",
                           "--gateways-per-region", str(GATEWAYS_PER_REGION), "--candidates-per-group", "2",
                           "--seed", "7", "--write", str(path))
    assert result.returncode == 0, result.stderr
    return {"path": path, "document": yaml.safe_load(path.read_text(encoding="utf-8"))}


# Every value of every behaviour switch: the defaults, then each switch the other way.
MODES = {
    "default": {},
    "switched": {"region_scope": "account", "candidate_sync_id": "empty", "unknown_ids": "omit",
                 "total_count": "absent", "max_query_bytes": 8192},
}


@pytest.fixture(scope="module")
def simulator(start_simulator, estate):
    return start_simulator("--data", str(estate["path"]), "--task-seconds", str(TASK_SECONDS),
                           "--full-sync-seconds", str(FULL_SYNC_SECONDS))


@pytest.fixture(scope="module", params=list(MODES))
def mode(request, simulator):
    simulator.set_faults(**MODES[request.param])
    yield MODES[request.param]
    simulator.set_faults()


@pytest.fixture
def sim(simulator, mode):  # pylint: disable=unused-argument  # the mode is set on the simulator
    return simulator


def sdk(sim, scheme="v3", key_id="testid", secret="testsecret", token=None) -> SgwClient:
    config = Config(access_key_id=key_id, access_key_secret=secret, security_token=token,
                    endpoint=f"127.0.0.1:{sim.port}", protocol="http", region_id="cn-hangzhou")
    if scheme == "v2":
        config.signature_algorithm = "v2"
    return SgwClient(config)


def core(sim, region="cn-hangzhou", credential=None) -> tuple[AcsClient, callable]:
    """An AcsClient and a ``call(action, **params)`` that returns the parsed body."""
    client = AcsClient(region_id=region, credential=credential) if credential else \
        AcsClient("testid", "testsecret", region)

    def call(action, method="POST", **params):
        request = CommonRequest(domain=f"127.0.0.1:{sim.port}", version="2018-05-11", action_name=action)
        request.set_protocol_type("http")
        request.set_method(method)
        for name, value in params.items():
            request.add_query_param(name, value)
        return json.loads(client.do_action_with_exception(request))

    return client, call


def group_ids(document, region=None) -> list[str]:
    return [group["ExpressSyncId"] for group in document["express_syncs"]
            if region is None or group["BucketRegion"] == region]


def members(document, sync_id) -> set:
    return {(share["GatewayId"], share["ShareName"]) for share in document["shares"]
            if share["ExpressSyncId"] == sync_id}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_regions(sim, estate, scheme):
    body = sdk(sim, scheme).describe_regions(models.DescribeRegionsRequest()).body
    assert [region.region_id for region in body.regions.region] == estate["document"]["regions"]
    assert (body.code, body.message, body.success) == ("200", "successful", True)
    assert len(body.request_id) == 36 and body.request_id == body.request_id.upper()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_groups_without_region_are_all_groups(sim, estate, scheme):
    body = sdk(sim, scheme).describe_express_syncs(models.DescribeExpressSyncsRequest()).body
    assert [group.express_sync_id for group in body.express_syncs.express_sync] == group_ids(estate["document"])
    by_id = {group["ExpressSyncId"]: group for group in estate["document"]["express_syncs"]}
    for group in body.express_syncs.express_sync:
        assert group.to_map() == by_id[group.express_sync_id]


def test_core_sdk_scopes_groups_by_region(sim, estate, mode):
    account_wide = mode.get("region_scope") == "account"
    for region in estate["document"]["regions"]:
        _client, call = core(sim, region)
        body = call("DescribeExpressSyncs")
        assert [group["ExpressSyncId"] for group in body["ExpressSyncs"]["ExpressSync"]] == \
            group_ids(estate["document"], None if account_wide else region)


def test_core_sdk_get_and_post(sim, estate):
    _client, call = core(sim)
    for method in ("GET", "POST"):
        assert call("DescribeRegions", method=method)["Regions"]["Region"][0]["RegionId"] == "cn-hangzhou"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_member_and_candidate_shares(sim, estate, scheme, mode):
    document = estate["document"]
    client = sdk(sim, scheme)
    gateways = {gateway["GatewayId"]: gateway for gateway in document["gateways"]}
    for sync_id in group_ids(document)[:4]:
        request = models.DescribeExpressSyncSharesRequest(express_sync_ids=sync_id)
        shares = client.describe_express_sync_shares(request).body.shares.share
        assert {(share.gateway_id, share.share_name) for share in shares} == members(document, sync_id)
        for share in shares:
            assert share.gateway_name == gateways[share.gateway_id]["Name"]
            assert share.storage_bundle_id == gateways[share.gateway_id]["StorageBundleId"]
            assert share.gateway_region == gateways[share.gateway_id]["GatewayRegionId"]
        request = models.DescribeExpressSyncSharesRequest(express_sync_ids=sync_id, is_external=True)
        candidates = client.describe_express_sync_shares(request).body.shares.share
        assert len(candidates) == 2
        candidate_id = "" if mode.get("candidate_sync_id") == "empty" else sync_id
        assert {(c.express_sync_id, c.express_sync_state, c.sync_progress) for c in candidates} == \
            {(candidate_id, "MNSNotEnabled", -1)}


def test_shares_of_several_groups_at_once(sim, estate):
    document = estate["document"]
    sync_ids = group_ids(document)[:3]
    _client, call = core(sim)
    shares = call("DescribeExpressSyncShares", ExpressSyncIds=",".join(sync_ids))["Shares"]["Share"]
    assert {(share["GatewayId"], share["ShareName"]) for share in shares} == \
        set().union(*(members(document, sync_id) for sync_id in sync_ids))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_gateways_paging_beyond_50(sim, estate, scheme, mode):
    document = estate["document"]
    bundle = document["storage_bundles"][0]
    expected = [gateway["GatewayId"] for gateway in document["gateways"]
                if gateway["StorageBundleId"] == bundle["StorageBundleId"]]
    assert len(expected) == GATEWAYS_PER_REGION
    client = sdk(sim, scheme)
    seen = []
    for page in (1, 2):
        request = models.DescribeGatewaysRequest(storage_bundle_id=bundle["StorageBundleId"], page_number=page,
                                                 page_size=50)
        body = client.describe_gateways(request).body
        total = None if mode.get("total_count") == "absent" else GATEWAYS_PER_REGION
        assert (body.total_count, body.page_number, body.page_size) == (total, page, 50)
        seen += [gateway.gateway_id for gateway in body.gateways.gateway]
    assert seen == expected
    gateway = client.describe_gateways(models.DescribeGatewaysRequest(
        storage_bundle_id=bundle["StorageBundleId"], page_size=1)).body.gateways.gateway[0]
    assert gateway.to_map() == {**document["gateways"][0], "ElasticNodes": {"ElasticNode": []}}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_bad_page_size_is_an_sdk_error(sim, estate, scheme):
    request = models.DescribeGatewaysRequest(storage_bundle_id=estate["document"]["storage_bundles"][0]
                                             ["StorageBundleId"], page_size=51)
    with pytest.raises(TeaException) as raised:
        sdk(sim, scheme).describe_gateways(request)
    assert (raised.value.code, raised.value.data["statusCode"]) == ("BadPageSize", 400)


def test_storage_bundles_by_region(sim, estate):
    document = estate["document"]
    for region in document["regions"]:
        body = sdk(sim).describe_storage_bundles(models.DescribeStorageBundlesRequest(
            backend_bucket_region_id=region)).body
        assert [bundle.to_map() for bundle in body.storage_bundles.storage_bundle] == \
            [bundle for bundle in document["storage_bundles"] if bundle["BackendBucketRegionId"] == region]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_sts_credentials(sim, scheme):
    client = sdk(sim, scheme, "STS.testid", "stssecret", "ststoken")
    assert client.describe_regions(models.DescribeRegionsRequest()).body.success
    with pytest.raises(TeaException) as raised:
        sdk(sim, scheme, "STS.testid", "stssecret", "stale").describe_regions(models.DescribeRegionsRequest())
    assert raised.value.code == "InvalidSecurityToken.Mismatch"
    with pytest.raises(TeaException) as raised:
        sdk(sim, scheme, "STS.testid", "stssecret").describe_regions(models.DescribeRegionsRequest())
    assert raised.value.code == "MissingSecurityToken"


def test_core_sdk_sts_and_wrong_secret(sim):
    _client, call = core(sim, credential=StsTokenCredential("STS.testid", "stssecret", "ststoken"))
    assert call("DescribeRegions")["Success"] is True
    _client, call = core(sim, credential=StsTokenCredential("testid", "wrong", "ststoken"))
    with pytest.raises(ServerException) as raised:
        call("DescribeRegions")
    assert raised.value.get_error_code() == "SignatureDoesNotMatch"


def wait_for_task(client, sync_id, task_id) -> str:
    """The task's state once it has ended."""
    def ended():
        tasks = client.describe_tasks(models.DescribeTasksRequest(target_id=sync_id, task_id=task_id)).body
        state = tasks.tasks.simple_task[0].state_code
        return state if state != "task.state.running" else None

    return wait_until(ended, f"task {task_id} to end")


def share_states(client, sync_id) -> dict:
    shares = client.describe_express_sync_shares(models.DescribeExpressSyncSharesRequest(
        express_sync_ids=sync_id)).body.shares.share
    return {(share.gateway_id, share.share_name): (share.express_sync_state, share.sync_progress) for share in shares}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_write_side_round_trip(sim, estate, scheme):
    """Create a group on a candidate's bucket, add the candidate, watch its full sync, remove it, delete the group."""
    client = sdk(sim, scheme)
    source = estate["document"]["express_syncs"][3 if scheme == "v3" else 4]
    candidates = client.describe_express_sync_shares(models.DescribeExpressSyncSharesRequest(
        express_sync_ids=source["ExpressSyncId"], is_external=True)).body.shares.share
    share = candidates[0]
    created = client.create_express_sync(models.CreateExpressSyncRequest(
        name=f"sdk-{scheme}", bucket_region=source["BucketRegion"], bucket_name=source["BucketName"],
        bucket_prefix="sdk/", description="made by the SDK test")).body
    sync_id = created.express_sync_id
    assert sync_id.startswith("sync-") and len(sync_id) == 21

    added = client.add_shares_to_express_sync(models.AddSharesToExpressSyncRequest(
        express_sync_id=sync_id, gateway_shares=json.dumps({share.gateway_id: share.share_name}))).body
    assert added.task_id.startswith("t-") and added.mns_topic == "sgw-express-sync-" + sync_id[len("sync-"):]
    assert added.mns_queues.startswith(f"sgw-express-sync-queue-{share.gateway_id}-")
    assert share_states(client, sync_id) == {}
    assert wait_for_task(client, sync_id, added.task_id) == "task.state.completed"
    state, progress = share_states(client, sync_id)[(share.gateway_id, share.share_name)]
    assert state in ("MNSFullSyncInit", "MNSFullSyncing") and 0 <= progress < 100
    wait_until(lambda: share_states(client, sync_id)[(share.gateway_id, share.share_name)] == ("MNSHealthy", 100),
               "the full sync to end")

    removed = client.remove_shares_from_express_sync(models.RemoveSharesFromExpressSyncRequest(
        express_sync_id=sync_id, gateway_shares=json.dumps({share.gateway_id: share.share_name}))).body
    assert wait_for_task(client, sync_id, removed.task_id) == "task.state.completed"
    assert share_states(client, sync_id) == {}

    deleted = client.delete_express_sync(models.DeleteExpressSyncRequest(express_sync_id=sync_id)).body
    assert wait_for_task(client, sync_id, deleted.task_id) == "task.state.completed"
    groups = client.describe_express_syncs(models.DescribeExpressSyncsRequest()).body.express_syncs.express_sync
    assert sync_id not in {group.express_sync_id for group in groups}
