# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API over HTTP on the sample account: envelopes, errors, authentication, tasks and full syncs."""

from __future__ import annotations

import http.client
import json
import uuid

import pytest

from tests.simulator.tasks import full_sync_status
from tests.support.simlib import sample_account, utc_now
from tests.support.waiting import wait_until

SAMPLE = sample_account()
TASK_SECONDS = 0.5
FULL_SYNC_SECONDS = 1.0
FAILING_GROUP = "sync-0002p9t4hz6c3yxe"  # apac-renders
MEDIA = "sync-0002xetjdlxne2sd"
RENDER = "sync-0001xv7je357xn8t"
EDIT01 = "gw-0001b2odzvl3b1mhi"
EDIT02 = "gw-0002c8pz1kq7y4rtd"
MEDIA_BUNDLE = "sb-0001b2otnkdxrigeq"


@pytest.fixture(scope="module")
def sim(start_simulator):
    return start_simulator("--task-seconds", str(TASK_SECONDS), "--full-sync-seconds", str(FULL_SYNC_SECONDS),
                           "--fail-task", FAILING_GROUP)


@pytest.fixture(autouse=True)
def fresh_account(sim):
    """Every test starts from the sample account as it is in the file (the write tests change it)."""
    response = sim.control("PUT", "account", json=SAMPLE)
    assert response.status_code == 200, response.text


@pytest.fixture(params=["v3", "v1"])
def client(sim, request):
    return sim.client(scheme=request.param)


def wait_for_task(client, sync_id: str, task_id: str) -> dict:
    """The task as DescribeTasks shows it once it has ended."""
    def ended():
        task = client.ok("DescribeTasks", TargetId=sync_id, TaskId=task_id)["Tasks"]["SimpleTask"][0]
        return task if task["StateCode"] != "task.state.running" else None

    return wait_until(ended, f"task {task_id} to end")


def shares(client, sync_id: str, external: bool = False) -> dict:
    body = client.ok("DescribeExpressSyncShares", ExpressSyncIds=sync_id, IsExternal=str(external).lower())
    return {(share["GatewayId"], share["ShareName"]): share for share in body["Shares"]["Share"]}


# ------------------------------------------------------------------------------------ envelopes


def test_success_envelope(client):
    response = client.call("DescribeRegions")
    body = response.json()
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json;charset=utf-8"
    assert response.headers["x-acs-request-id"] == body["RequestId"]
    uuid.UUID(body["RequestId"])
    assert body["RequestId"] == body["RequestId"].upper()
    assert (body["Code"], body["Message"], body["Success"]) == ("200", "successful", True)
    assert body["Regions"] == {"Region": [{"RegionId": region} for region in SAMPLE["regions"]]}


def test_error_envelope(sim, client):
    response = client.call("DescribeGateways", {"StorageBundleId": "sb-0009nosuchbundle"})
    body = response.json()
    assert response.status_code == 404
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert response.headers["x-acs-request-id"] == body["RequestId"]
    assert body["HostId"] == f"127.0.0.1:{sim.port}"
    assert body["Code"] == "StorageBundleNotExist"
    assert body["Recommend"].startswith("https://") and "StorageBundleNotExist" in body["Recommend"]


@pytest.mark.parametrize("action, params, status, code", [
    ("DescribeGateways", {"StorageBundleId": MEDIA_BUNDLE, "PageSize": 51}, 400, "BadPageSize"),
    ("DescribeGateways", {"StorageBundleId": MEDIA_BUNDLE, "PageSize": 0}, 400, "BadPageSize"),
    ("DescribeGateways", {"StorageBundleId": MEDIA_BUNDLE, "PageNumber": 0}, 400, "BadPageNumber"),
    ("DescribeGateways", {"StorageBundleId": MEDIA_BUNDLE, "PageNumber": "two"}, 400, "BadPageNumber"),
    ("DescribeGateways", {}, 400, "EmptyStorageBundleId"),
    ("DescribeGateways", {"StorageBundleId": "sb-0009nosuchbundle"}, 404, "StorageBundleNotExist"),
    ("DescribeStorageBundles", {}, 400, "MissingParameter"),
    ("DescribeStorageBundles", {"BackendBucketRegionId": "cn-hangzhou", "PageSize": 99}, 400, "BadPageSize"),
    ("DescribeExpressSyncShares", {}, 400, "EmptyExpressSyncId"),
    ("DescribeExpressSyncShares", {"ExpressSyncIds": " , "}, 400, "EmptyExpressSyncId"),
    ("DescribeExpressSyncShares", {"ExpressSyncIds": f"{MEDIA},sync-0009nosuchgroup"}, 400, "ExpressSyncNotExist"),
    ("DescribeExpressSyncShares", {"ExpressSyncIds": MEDIA, "IsExternal": "maybe"}, 400, "InvalidParameter"),
    ("DescribeGatewayFileShares", {}, 400, "EmptyGatewayId"),
    ("DescribeGatewayFileShares", {"GatewayId": "gw-0009nosuchgateway"}, 400, "GatewayNotExist"),
    ("DescribeTasks", {"PageNumber": -1}, 400, "BadPageNumber"),
    ("CreateExpressSync", {"BucketRegion": "cn-hangzhou", "BucketName": "b"}, 400, "EmptyExpressSyncName"),
    ("CreateExpressSync", {"Name": "1-starts-with-a-digit", "BucketRegion": "cn-hangzhou", "BucketName": "b"},
     400, "InvalidParameter"),
    ("CreateExpressSync", {"Name": "x" * 129, "BucketRegion": "cn-hangzhou", "BucketName": "b"},
     400, "InvalidParameter"),
    ("CreateExpressSync", {"Name": "n", "BucketRegion": "eu-west-9", "BucketName": "b"}, 400, "InvalidParameter"),
    ("CreateExpressSync", {"Name": "n", "BucketRegion": "cn-hangzhou"}, 400, "MissingParameter"),
    ("CreateExpressSync", {"Name": "again", "BucketRegion": "cn-hangzhou", "BucketName": "acme-media-assets"},
     400, "ExpressSyncAlreadyExist"),
    ("DeleteExpressSync", {}, 400, "EmptyExpressSyncId"),
    ("DeleteExpressSync", {"ExpressSyncId": "sync-0009nosuchgroup"}, 400, "ExpressSyncNotExist"),
    ("AddSharesToExpressSync", {"ExpressSyncId": MEDIA}, 400, "MissingParameter"),
    ("AddSharesToExpressSync", {"ExpressSyncId": MEDIA, "GatewayShares": "{not json"}, 400, "BadRequest"),
    ("AddSharesToExpressSync", {"ExpressSyncId": MEDIA, "GatewayShares": '["a"]'}, 400, "BadRequest"),
    ("AddSharesToExpressSync", {"ExpressSyncId": MEDIA, "GatewayShares": '{"gw-0009nosuchgateway": "a"}'},
     400, "GatewayNotExist"),
    ("AddSharesToExpressSync", {"ExpressSyncId": MEDIA, "GatewayShares": json.dumps({EDIT01: "no-such-share"})},
     400, "ShareNotExist"),
    ("AddSharesToExpressSync", {"ExpressSyncId": MEDIA, "GatewayShares": json.dumps({EDIT01: "home-dirs"})},
     400, "ShareBucketMismatch"),
    ("AddSharesToExpressSync", {"ExpressSyncId": RENDER, "GatewayShares": json.dumps({EDIT01: "render-frames"})},
     200, None),
    ("RemoveSharesFromExpressSync", {"ExpressSyncId": MEDIA, "GatewayShares": json.dumps({EDIT01: "render-frames"})},
     400, "ShareNotInExpressSync"),
    ("RemoveSharesFromExpressSync", {"ExpressSyncId": "sync-0009nosuchgroup", "GatewayShares": "{}"},
     400, "ExpressSyncNotExist"),
    ("DescribeEverything", {}, 404, "InvalidAction.NotFound"),
])
def test_errors(sim, action, params, status, code):
    response = sim.client().call(action, {k: str(v) for k, v in params.items()})
    assert response.status_code == status, response.text
    assert response.json().get("Code") == (code or "200")


def test_share_in_another_group_cannot_join(sim):
    client = sim.client()
    assert client.error("AddSharesToExpressSync", ExpressSyncId=MEDIA,
                        GatewayShares=json.dumps({EDIT01: "render-frames"}))[:2] == (400, "ShareBucketMismatch")
    created = client.ok("CreateExpressSync", Name="media-proxies", BucketRegion="cn-hangzhou",
                        BucketName="acme-media-assets", BucketPrefix="proxies/")
    status, code, body = client.error("AddSharesToExpressSync", ExpressSyncId=created["ExpressSyncId"],
                                      GatewayShares=json.dumps({EDIT01: "media-nfs"}))
    assert (status, code) == (400, "ShareAlreadyInExpressSync")
    assert MEDIA in body["Message"]


def test_wrong_version(client):
    response = client.call("DescribeRegions", version="2017-01-01")
    assert (response.status_code, response.json()["Code"]) == (400, "InvalidVersion")


# ------------------------------------------------------------------------------------ reads


def test_express_syncs_scoped_by_region_and_filtered(sim):
    def names(region, **params):
        client = sim.client(region=region)
        return [group["Name"] for group in client.ok("DescribeExpressSyncs", **params)["ExpressSyncs"]["ExpressSync"]]

    assert names("cn-hangzhou") == ["media-assets", "render-cache", "build-artifacts"]
    assert names("cn-shanghai") == ["analytics-exports"]
    assert names(None) == [group["Name"] for group in SAMPLE["express_syncs"]]
    assert names("cn-hangzhou", BucketName="acme-render-cache") == ["render-cache"]
    assert names("cn-hangzhou", BucketName="acme-render-cache", BucketPrefix="frames/") == ["render-cache"]
    assert names("cn-hangzhou", BucketName="acme-render-cache", BucketPrefix="") == []
    assert names("cn-hangzhou", BucketName="acme-media-assets", BucketPrefix="") == ["media-assets"]
    assert names("cn-hangzhou", BucketPrefix="frames/") == ["media-assets", "render-cache", "build-artifacts"]


def test_groups_carry_every_field(sim):
    groups = sim.client(region=None).ok("DescribeExpressSyncs")["ExpressSyncs"]["ExpressSync"]
    assert {tuple(sorted(group)) for group in groups} == {
        ("BucketName", "BucketPrefix", "BucketRegion", "Description", "ExpressSyncId", "MnsTopic", "Name")}
    assert groups[2]["Description"] == ""


def test_members_and_candidates(client):
    members = shares(client, MEDIA)
    assert set(members) == {(EDIT01, "media-nfs"), (EDIT02, "media-nfs"), ("gw-0004xq2m7bd1v9hke", "media-smb")}
    assert members[(EDIT01, "media-nfs")] == {
        "ExpressSyncId": MEDIA, "ExpressSyncState": "MNSHealthy", "GatewayId": EDIT01, "GatewayName": "gw-hz-edit01",
        "GatewayRegion": "cn-hangzhou", "MnsQueue": members[(EDIT01, "media-nfs")]["MnsQueue"],
        "ShareName": "media-nfs", "StorageBundleId": MEDIA_BUNDLE, "SyncProgress": 100}
    assert members[(EDIT01, "media-nfs")]["MnsQueue"].startswith(f"sgw-express-sync-queue-{EDIT01}-")
    candidates = shares(client, MEDIA, external=True)
    assert list(candidates) == [(EDIT02, "media-archive")]
    assert candidates[(EDIT02, "media-archive")]["ExpressSyncId"] == MEDIA


@pytest.mark.parametrize("spelling", ["True", "true", "TRUE"])
def test_booleans_are_case_insensitive(sim, spelling):
    body = sim.client().ok("DescribeExpressSyncShares", ExpressSyncIds=MEDIA, IsExternal=spelling)
    assert [share["ShareName"] for share in body["Shares"]["Share"]] == ["media-archive"]


def test_every_state_is_on_some_member(sim):
    client = sim.client()
    ids = ",".join(group["ExpressSyncId"] for group in SAMPLE["express_syncs"])
    states = {share["ExpressSyncState"] for share in
              client.ok("DescribeExpressSyncShares", ExpressSyncIds=ids)["Shares"]["Share"]}
    assert states == {"TopicAndQueueFailure", "TopicFailure", "QueueFailure", "MNSFullSyncInit", "MNSFullSyncing",
                      "MNSNotEnabled", "MNSHealthy"}


def test_gateway_file_shares(sim):
    client = sim.client()
    file_shares = client.ok("DescribeGatewayFileShares", GatewayId=EDIT01, Refresh="True")["FileShares"]["FileShare"]
    by_name = {share["Name"]: share for share in file_shares}
    assert set(by_name) == {"media-nfs", "render-frames", "artifacts-ro", "home-dirs"}
    assert by_name["media-nfs"]["ExpressSyncId"] == MEDIA
    assert (by_name["render-frames"]["MnsHealth"], by_name["render-frames"]["SyncProgress"]) == ("MNSFullSyncInit", 0)
    assert (by_name["home-dirs"]["Protocol"], by_name["home-dirs"]["OssBucketName"]) == ("SMB", "acme-home-dirs")
    assert by_name["home-dirs"]["ExpressSyncId"] == "" and by_name["home-dirs"]["Enabled"] is True
    one = client.ok("DescribeGatewayFileShares", GatewayId=EDIT01, IndexId="NFSmedia-nfs")["FileShares"]["FileShare"]
    assert [share["Name"] for share in one] == ["media-nfs"]


def test_gateway_paging_and_defaults(sim):
    client = sim.client()
    body = client.ok("DescribeGateways", StorageBundleId=MEDIA_BUNDLE)
    assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (3, 1, 10)
    first, second = (client.ok("DescribeGateways", StorageBundleId=MEDIA_BUNDLE, PageSize=2, PageNumber=page)
                     for page in (1, 2))
    assert [gateway["Name"] for gateway in first["Gateways"]["Gateway"] + second["Gateways"]["Gateway"]] == \
        ["gw-hz-edit01", "gw-hz-edit02", "gw-hz-studio-onprem"]
    empty = client.ok("DescribeGateways", StorageBundleId=MEDIA_BUNDLE, PageSize=2, PageNumber=3)
    assert empty["Gateways"]["Gateway"] == [] and empty["TotalCount"] == 3
    onprem = second["Gateways"]["Gateway"][0]
    assert onprem["Location"] == "On_Premise" and onprem["GatewayRegionId"] == "cn-hangzhou"
    assert onprem["ElasticNodes"] == {"ElasticNode": []} and onprem["ActivatedTime"] == onprem["CreatedTime"]
    assert len(onprem) == 38


def test_storage_bundles(sim):
    body = sim.client().ok("DescribeStorageBundles", BackendBucketRegionId="cn-hangzhou", PageSize=1)
    assert body["TotalCount"] == 2
    assert body["StorageBundles"]["StorageBundle"] == [SAMPLE["storage_bundles"][0]]


# ------------------------------------------------------------------------------------ wire protocol


@pytest.mark.parametrize("scheme", ["v1", "v3"])
def test_form_body_is_signed_and_merged(sim, scheme):
    response = sim.client(scheme=scheme).call("DescribeExpressSyncShares", form={"ExpressSyncIds": MEDIA,
                                                                                 "IsExternal": "true"})
    assert response.status_code == 200, response.text
    assert [share["ShareName"] for share in response.json()["Shares"]["Share"]] == ["media-archive"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_get_and_post(client, method):
    assert client.call("DescribeRegions", method=method).status_code == 200


def test_other_methods_and_paths_are_not_the_api(sim):
    assert sim.client().call("DescribeRegions", method="PUT").json()["Code"] == "InvalidAction.NotFound"


def test_bad_signature_over_http(client):
    def tamper(query, _headers):
        query["PageSize"] = "50"

    response = client.call("DescribeRegions", tamper=tamper)
    body = response.json()
    assert (response.status_code, body["Code"]) == (400, "SignatureDoesNotMatch")
    assert "server string to sign is:" in body["Message"]


def test_nonce_reuse_and_expired_timestamp(client):
    nonce = uuid.uuid4().hex
    assert client.call("DescribeRegions", nonce=nonce).status_code == 200
    assert client.call("DescribeRegions", nonce=nonce).json()["Code"] == "SignatureNonceUsed"
    assert client.call("DescribeRegions", timestamp=utc_now(-20 * 60)).json()["Code"] == "InvalidTimeStamp.Expired"
    assert client.call("DescribeRegions", timestamp="yesterday").json()["Code"] == "InvalidTimeStamp.Format"


@pytest.mark.parametrize("scheme", ["v1", "v3"])
def test_keys_and_tokens_over_http(sim, scheme):
    assert sim.client("nobody", "x", scheme=scheme).call("DescribeRegions").status_code == 404
    assert sim.client("STS.testid", "stssecret", token="ststoken", scheme=scheme).call(
        "DescribeRegions").status_code == 200
    wrong = sim.client("STS.testid", "stssecret", token="other", scheme=scheme).call("DescribeRegions")
    assert (wrong.status_code, wrong.json()["Code"]) == (403, "InvalidSecurityToken.Mismatch")
    missing = sim.client("STS.testid", "stssecret", scheme=scheme).call("DescribeRegions")
    assert missing.json()["Code"] == "MissingSecurityToken"


def test_v3_requires_the_core_headers_to_be_signed(sim):
    def unsign_nonce(_query, headers):
        headers["authorization"] = headers["authorization"].replace("x-acs-signature-nonce;", "")

    response = sim.client().call("DescribeRegions", tamper=unsign_nonce)
    assert response.json()["Code"] == "IncompleteSignature"


def test_keep_alive(sim):
    connection = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    sockets = set()
    for _attempt in range(3):
        connection.request("GET", "/_sim/stats")
        response = connection.getresponse()
        response.read()
        assert response.status == 200 and not response.will_close
        sockets.add(id(connection.sock))
    connection.close()
    assert len(sockets) == 1


# ------------------------------------------------------------------------------------ tasks and state


def test_add_runs_a_task_then_a_full_sync(sim):
    client = sim.client()
    added = client.ok("AddSharesToExpressSync", ExpressSyncId=MEDIA, GatewayShares=json.dumps({EDIT02: "media-archive"}))
    assert (added["MnsFullSyncDelay"], added["MnsTopic"]) == (1, "sgw-express-sync-0002xetjdlxne2sd")
    assert added["MnsPublicEndpoint"] == "http://1638094425718837.mns.cn-hangzhou.aliyuncs.com/"
    assert added["MnsInnerEndpoint"] == "http://1638094425718837.mns.cn-hangzhou-internal.aliyuncs.com/"
    for busy in (("AddSharesToExpressSync", {"GatewayShares": json.dumps({EDIT02: "media-archive"})}),
                 ("RemoveSharesFromExpressSync", {"GatewayShares": json.dumps({EDIT01: "media-nfs"})}),
                 ("DeleteExpressSync", {})):
        status, code, body = client.error(busy[0], ExpressSyncId=MEDIA, **busy[1])
        assert (status, code, body["Message"]) == (400, "ExpressSyncInOperation", "The sync group is busy. Try again later.")
    running = client.ok("DescribeTasks", TargetId=MEDIA)["Tasks"]["SimpleTask"][0]
    assert running["StateCode"] == "task.state.running" and 0 <= running["Progress"] < 100
    assert (running["TaskId"], running["RelatedResourceId"]) == (added["TaskId"], MEDIA)
    assert (EDIT02, "media-archive") not in shares(client, MEDIA)

    task = wait_for_task(client, MEDIA, added["TaskId"])
    assert (task["StateCode"], task["Progress"], task["MessageKey"]) == ("task.state.completed", 100, "")
    assert task["UpdatedTime"] >= task["CreatedTime"]
    seen = []

    def healthy():
        share = shares(client, MEDIA)[(EDIT02, "media-archive")]
        seen.append((share["ExpressSyncState"], share["SyncProgress"]))
        return seen[-1] == ("MNSHealthy", 100)

    wait_until(healthy, "the full sync to end")
    order = ["MNSFullSyncInit", "MNSFullSyncing", "MNSHealthy"]
    steps = [order.index(state) for state, _progress in seen]
    progress = [progress for _state, progress in seen]
    assert steps == sorted(steps) and progress == sorted(progress)
    assert seen[0][0] != "MNSHealthy"
    assert (EDIT02, "media-archive") not in shares(client, MEDIA, external=True)


@pytest.mark.parametrize("started, now, expected", [
    (100.0, 100.0, ("MNSFullSyncInit", 0)),
    (100.0, 100.2, ("MNSFullSyncInit", 0)),
    (100.0, 100.25, ("MNSFullSyncing", 25)),
    (100.0, 100.999, ("MNSFullSyncing", 99)),
    (100.0, 101.0, ("MNSHealthy", 100)),
    (100.0, 500.0, ("MNSHealthy", 100)),
])
def test_full_sync_progression(started, now, expected):
    assert full_sync_status(started, now, 1.0) == expected


def test_remove_returns_a_share_to_the_candidates(sim):
    client = sim.client()
    removed = client.ok("RemoveSharesFromExpressSync", ExpressSyncId=MEDIA,
                        GatewayShares=json.dumps({EDIT01: "media-nfs", EDIT02: ""}))
    assert set(removed) == {"TaskId", "RequestId", "Code", "Message", "Success"}
    wait_for_task(client, MEDIA, removed["TaskId"])
    assert (EDIT01, "media-nfs") not in shares(client, MEDIA)
    candidate = shares(client, MEDIA, external=True)[(EDIT01, "media-nfs")]
    assert (candidate["ExpressSyncState"], candidate["SyncProgress"], candidate["MnsQueue"]) == ("MNSNotEnabled", -1, "")


def test_delete_releases_the_members(sim):
    client = sim.client()
    deleted = client.ok("DeleteExpressSync", ExpressSyncId=MEDIA)
    assert MEDIA in [group["ExpressSyncId"] for group in client.ok("DescribeExpressSyncs")["ExpressSyncs"]["ExpressSync"]]
    assert wait_for_task(client, MEDIA, deleted["TaskId"])["StateCode"] == "task.state.completed"
    assert MEDIA not in [group["ExpressSyncId"]
                         for group in client.ok("DescribeExpressSyncs")["ExpressSyncs"]["ExpressSync"]]
    assert client.error("DescribeExpressSyncShares", ExpressSyncIds=MEDIA)[1] == "ExpressSyncNotExist"
    file_shares = client.ok("DescribeGatewayFileShares", GatewayId=EDIT01)["FileShares"]["FileShare"]
    media = next(share for share in file_shares if share["Name"] == "media-nfs")
    assert (media["ExpressSyncId"], media["MnsHealth"], media["SyncProgress"]) == ("", "MNSNotEnabled", -1)
    assert client.ok("DescribeTasks", TaskId=deleted["TaskId"])["Tasks"]["SimpleTask"][0]["Name"] == \
        "DeleteExpressSync"


def test_failing_task_changes_nothing(sim):
    client = sim.client(region="ap-southeast-1")
    added = client.ok("AddSharesToExpressSync", ExpressSyncId=FAILING_GROUP,
                      GatewayShares=json.dumps({"gw-0001h3vy6gc9o2xzp": "renders-incoming"}))
    task = wait_for_task(client, FAILING_GROUP, added["TaskId"])
    assert (task["StateCode"], task["Progress"]) == ("task.state.failed", 100)
    assert task["MessageKey"]
    assert ("gw-0001h3vy6gc9o2xzp", "renders-incoming") in shares(client, FAILING_GROUP, external=True)


def test_create_express_sync(sim):
    client = sim.client()
    created = client.ok("CreateExpressSync", Name="媒体-proxies_v2.0", BucketRegion="cn-shanghai",
                        BucketName="acme-warehouse", BucketPrefix="staging/", Description="created by a test")
    sync_id = created["ExpressSyncId"]
    assert set(created) == {"ExpressSyncId", "RequestId", "Code", "Message", "Success"}
    groups = sim.client(region="cn-shanghai").ok("DescribeExpressSyncs", BucketName="acme-warehouse")
    assert groups["ExpressSyncs"]["ExpressSync"] == [{
        "ExpressSyncId": sync_id, "Name": "媒体-proxies_v2.0", "BucketName": "acme-warehouse",
        "BucketRegion": "cn-shanghai", "BucketPrefix": "staging/", "MnsTopic": "sgw-express-sync-" + sync_id[5:],
        "Description": "created by a test"}]
    candidates = shares(sim.client(region="cn-shanghai"), sync_id, external=True)
    assert list(candidates) == [("gw-0001r9ka4ls2e7yvm", "warehouse-staging")]


# ------------------------------------------------------------------------------------ account control


def test_account_control(sim):
    document = sim.control("GET", "account").json()
    assert [group["ExpressSyncId"] for group in document["express_syncs"]] == \
        [group["ExpressSyncId"] for group in SAMPLE["express_syncs"]]
    assert len(document["gateways"][0]) == 38
    smaller = dict(SAMPLE, express_syncs=SAMPLE["express_syncs"][:1],
                   shares=[share for share in SAMPLE["shares"] if share.get("ExpressSyncId") in ("", None, MEDIA)])
    assert sim.control("PUT", "account", json=smaller).json()["express_syncs"] == 1
    assert len(sim.client(region=None).ok("DescribeExpressSyncs")["ExpressSyncs"]["ExpressSync"]) == 1
    broken = dict(SAMPLE, shares=[{"GatewayId": "gw-0009nosuchgateway", "ShareName": "x", "BucketName": "b"}])
    response = sim.control("PUT", "account", json=broken)
    assert response.status_code == 400 and "unknown GatewayId" in response.json()["error"]
    assert sim.control("PUT", "account", data=b"{oops").status_code == 400
    assert sim.control("DELETE", "account").status_code == 405
    assert sim.control("GET", "nothing").status_code == 404


@pytest.mark.parametrize("strict", [False, True])
def test_adding_a_member_or_removing_a_share_of_no_group(start_simulator, strict):
    """The reference does not say what the service does: the simulator plays both readings."""
    strict_sim = start_simulator(*(["--strict-membership"] if strict else []))
    client = strict_sim.client()
    member = json.dumps({EDIT01: "media-nfs"})
    loose = next(key for key, share in shares(client, MEDIA, external=True).items())
    outsider = json.dumps({loose[0]: loose[1]})
    if strict:
        assert client.error("AddSharesToExpressSync", ExpressSyncId=MEDIA, GatewayShares=member)[1] == \
            "ShareAlreadyInExpressSync"
        assert client.error("RemoveSharesFromExpressSync", ExpressSyncId=MEDIA, GatewayShares=outsider)[1] == \
            "ShareNotInExpressSync"
    else:
        wait_for_task(client, MEDIA, client.ok("AddSharesToExpressSync", ExpressSyncId=MEDIA,
                                               GatewayShares=member)["TaskId"])
        wait_for_task(client, MEDIA, client.ok("RemoveSharesFromExpressSync", ExpressSyncId=MEDIA,
                                               GatewayShares=outsider)["TaskId"])
    assert (EDIT01, "media-nfs") in shares(client, MEDIA) and loose not in shares(client, MEDIA)
