"""The pure inventory model: de-duplication, host variables, built-in groups, gateway view."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.plugin_utils import inventory as model


def share(name, gateway, sync_id, state="MNSHealthy", progress=100, bundle="sb-1"):
    return {"ShareName": name, "GatewayId": gateway, "ExpressSyncId": sync_id, "ExpressSyncState": state,
            "SyncProgress": progress, "GatewayName": gateway + "-name", "GatewayRegion": "cn-hangzhou",
            "StorageBundleId": bundle, "MnsQueue": "q-" + name}


def group(sync_id, name, region="cn-hangzhou"):
    return {"ExpressSyncId": sync_id, "Name": name, "BucketName": "bucket-" + name, "BucketPrefix": "",
            "BucketRegion": region, "MnsTopic": "topic-" + name, "Description": ""}


def region_data(groups=(), shares=(), candidates=(), gateways=(), error=None):
    return {"express_syncs": list(groups), "shares": list(shares), "candidates": list(candidates),
            "gateways": list(gateways), "error": error}


GW_A = {"GatewayId": "gw-a", "Status": "Running", "Location": "Cloud", "InnerIp": "172.16.0.10", "Ip": "47.1.1.1"}
GW_B = {"GatewayId": "gw-b", "Status": "Stopped", "Location": "On_Premise", "InnerIp": "", "Ip": "10.0.0.5"}

ESTATE = {"format": 1, "regions": {
    "cn-hangzhou": region_data(
        groups=[group("sync-media", "media")],
        shares=[share("media-nfs", "gw-a", "sync-media"), share("media-smb", "gw-b", "sync-media", "QueueFailure", 40)],
        candidates=[share("spare", "gw-a", "sync-media", "MNSNotEnabled", -1)],
        gateways=[GW_A, GW_B]),
    # The mainland endpoint answers cn-shanghai with the same group again, and one of its own.
    "cn-shanghai": region_data(
        groups=[group("sync-media", "media"), group("sync-logs", "logs", "cn-shanghai")],
        shares=[share("media-nfs", "gw-a", "sync-media"), share("logs", "gw-b", "sync-logs", "MNSFullSyncing", 55)],
        candidates=[share("spare", "gw-a", "sync-logs", "MNSNotEnabled", -1),
                    share("logs", "gw-b", "sync-logs", "MNSNotEnabled", -1)],
        gateways=[GW_B]),
    "ap-southeast-1": region_data(error={"message": "boom"}, groups=[group("sync-x", "x")],
                                  shares=[share("ghost", "gw-z", "sync-x")]),
}}


def test_index_deduplicates_groups_shares_and_gateways_first_region_wins():
    index = model.EstateIndex(ESTATE)
    assert sorted(index.syncs) == ["sync-logs", "sync-media"]
    assert index.syncs["sync-media"][0] == "cn-hangzhou"
    assert sorted(index.members) == [("gw-a", "media-nfs"), ("gw-b", "logs"), ("gw-b", "media-smb")]
    assert index.members[("gw-a", "media-nfs")][0] == "cn-hangzhou"
    assert sorted(index.gateways) == ["gw-a", "gw-b"]


def test_index_candidates_merge_groups_and_never_repeat_members():
    index = model.EstateIndex(ESTATE)
    assert list(index.candidates) == [("gw-a", "spare")]
    assert index.candidates[("gw-a", "spare")][2] == ["sync-media", "sync-logs"]


def test_failed_region_contributes_nothing():
    index = model.EstateIndex(ESTATE)
    assert "sync-x" not in index.syncs and ("gw-z", "ghost") not in index.members


def hosts_by_name(pairs, hosts_from=model.HOSTS_FROM_SHARES):
    return {model.default_hostname(v, hosts_from): (v, g) for v, g in pairs}


def test_share_host_variables():
    hosts = hosts_by_name(model.EstateIndex(ESTATE).share_hosts())
    variables, dummy = hosts["media-smb@gw-b"]
    assert variables == {
        "express_sync_id": "sync-media", "express_sync_state": "QueueFailure", "gateway_id": "gw-b",
        "gateway_name": "gw-b-name", "gateway_region": "cn-hangzhou", "mns_queue": "q-media-smb",
        "share_name": "media-smb", "storage_bundle_id": "sb-1", "sync_progress": 40, "sgw_health": "failed",
        "express_sync_name": "media", "express_sync_bucket_name": "bucket-media", "express_sync_bucket_prefix": "",
        "express_sync_bucket_region": "cn-hangzhou", "express_sync_mns_topic": "topic-media",
        "express_sync_description": "", "sgw_candidate": False, "sgw_region": "cn-hangzhou",
        "gateway_status": "Stopped", "gateway_location": "On_Premise", "gateway_type": None, "gateway_class": None,
        "gateway_version": None, "gateway_ip": "10.0.0.5", "gateway_inner_ip": "", "gateway_vpc_id": None,
        "gateway_vswitch_id": None, "gateway_ecs_instance_id": None, "ansible_host": "10.0.0.5",
        "sgw_full_sync_supported": True,
    }


def test_share_without_gateway_details_has_no_gateway_vars_or_address():
    estate = {"regions": {"cn-hangzhou": region_data(groups=[group("sync-media", "media")],
                                                     shares=[share("s", "gw-q", "sync-media")])}}
    variables, dummy = next(model.EstateIndex(estate).share_hosts())
    assert "ansible_host" not in variables and "gateway_status" not in variables


@pytest.mark.parametrize("hostname, expected_groups", [
    ("media-nfs@gw-a", ["sgw", "sgw_health_healthy", "sgw_region_cn-hangzhou", "sgw_state_MNSHealthy",
                        "sgw_gateway_gw-a", "sgw_sync_sync-media"]),
    ("media-smb@gw-b", ["sgw", "sgw_health_failed", "sgw_region_cn-hangzhou", "sgw_state_QueueFailure",
                        "sgw_gateway_gw-b", "sgw_sync_sync-media"]),
    ("logs@gw-b", ["sgw", "sgw_health_syncing", "sgw_region_cn-shanghai", "sgw_state_MNSFullSyncing",
                   "sgw_gateway_gw-b", "sgw_sync_sync-logs"]),
    ("spare@gw-a", ["sgw", "sgw_health_disabled", "sgw_region_cn-hangzhou", "sgw_state_MNSNotEnabled",
                    "sgw_gateway_gw-a", "sgw_candidates", "sgw_sync_sync-logs_candidates",
                    "sgw_sync_sync-media_candidates"]),
])
def test_share_groups(hostname, expected_groups):
    hosts = hosts_by_name(model.EstateIndex(ESTATE).share_hosts(include_candidates=True))
    assert hosts[hostname][1] == expected_groups


def test_candidates_only_when_asked():
    names = set(hosts_by_name(model.EstateIndex(ESTATE).share_hosts()))
    assert names == {"media-nfs@gw-a", "media-smb@gw-b", "logs@gw-b"}
    spare = hosts_by_name(model.EstateIndex(ESTATE).share_hosts(True))["spare@gw-a"][0]
    assert spare["sgw_candidate"] is True and spare["express_sync_id"] == ""
    assert spare["sgw_candidate_for"] == ["sync-logs", "sync-media"]


def test_unknown_state_is_grouped_as_unknown_without_crashing():
    estate = {"regions": {"r": region_data(shares=[share("s", "gw-a", "sync-1", state="BrandNewState"),
                                                   share("t", "gw-a", "sync-1", state="")])}}
    groups = [g for dummy, g in model.EstateIndex(estate).share_hosts()]
    assert "sgw_health_unknown" in groups[0] and "sgw_state_BrandNewState" in groups[0]
    assert "sgw_health_unknown" in groups[1] and not any(g.startswith("sgw_state_") for g in groups[1])


def test_gateway_hosts_carry_shares_and_worst_health():
    hosts = hosts_by_name(model.EstateIndex(ESTATE).gateway_hosts(True), model.HOSTS_FROM_GATEWAYS)
    assert sorted(hosts) == ["gw-a", "gw-b"]
    gw_b, groups_b = hosts["gw-b"]
    assert gw_b["sgw_health"] == "failed"
    assert [s["share_name"] for s in gw_b["sgw_shares"]] == ["media-smb", "logs"]
    assert gw_b["ansible_host"] == "10.0.0.5" and gw_b["gateway_status"] == "Stopped"
    assert groups_b[:4] == ["sgw", "sgw_health_failed", "sgw_region_cn-hangzhou", "sgw_gateway_gw-b"]
    assert {"sgw_sync_sync-media", "sgw_sync_sync-logs", "sgw_state_QueueFailure",
            "sgw_state_MNSFullSyncing"} <= set(groups_b)
    gw_a, groups_a = hosts["gw-a"]
    assert gw_a["sgw_health"] == "healthy"
    assert gw_a["sgw_candidate_shares"] == [{"share_name": "spare", "sgw_candidate_for": ["sync-logs", "sync-media"]}]
    assert "sgw_candidates" in groups_a and "sgw_sync_sync-logs_candidates" in groups_a


@pytest.mark.parametrize("variables, hosts_from, expected", [
    ({"share_name": "media-nfs", "gateway_id": "gw-a"}, "shares", "media-nfs@gw-a"),
    ({"share_name": "", "gateway_id": "gw-a"}, "shares", ""),
    ({"share_name": "media-nfs", "gateway_id": "gw-a"}, "gateways", "gw-a"),
])
def test_default_hostname(variables, hosts_from, expected):
    assert model.default_hostname(variables, hosts_from) == expected


@pytest.mark.parametrize("prefix, suffix, expected", [
    ("", "", {"share_name": "s", "ansible_host": "h"}),
    ("sgw_", "", {"sgw_share_name": "s", "ansible_host": "h"}),
    ("", "_x", {"share_name_x": "s", "ansible_host": "h"}),
    ("a_", "_b", {"a_share_name_b": "s", "ansible_host": "h"}),
])
def test_affix_vars(prefix, suffix, expected):
    assert model.affix_vars({"share_name": "s", "ansible_host": "h"}, prefix, suffix) == expected


# The region of a record is the region its data says, whatever region's answer held it.
ACCOUNT_WIDE = {"format": 2, "regions": {
    # An account-wide answer for cn-hangzhou, filed as it came (a cache of an older release).
    "cn-hangzhou": region_data(
        groups=[group("sync-media", "media"), group("sync-backup", "backup", "cn-shanghai"),
                group("sync-bare", "bare", "")],
        shares=[share("media-nfs", "gw-a", "sync-media"), share("backup", "gw-b", "sync-backup"),
                share("bare", "gw-a", "sync-bare"), share("stray", "gw-a", "sync-unknown")],
        candidates=[share("spare", "gw-b", "sync-backup", "MNSNotEnabled", -1)],
        gateways=[GW_A, GW_B]),
    "cn-shanghai": region_data(groups=[group("sync-backup", "backup", "cn-shanghai")]),
}}


@pytest.mark.parametrize("key, region", [
    (("gw-a", "media-nfs"), "cn-hangzhou"),
    (("gw-b", "backup"), "cn-shanghai"),   # its group's BucketRegion, not the answer it came in
    (("gw-a", "bare"), "cn-hangzhou"),     # a group without BucketRegion: the region it was filed under
    (("gw-a", "stray"), "cn-hangzhou"),    # a share of no known group: the region it was filed under
    (("gw-b", "spare"), "cn-shanghai"),    # a candidate: the region of the group it is for
])
def test_the_region_of_a_share_is_its_groups(key, region):
    index = model.EstateIndex(ACCOUNT_WIDE)
    hosts = {(v["gateway_id"], v["share_name"]): (v, groups) for v, groups in index.share_hosts(True)}
    variables, groups = hosts[key]
    assert variables["sgw_region"] == region
    assert "sgw_region_%s" % region in groups
    assert variables["gateway_region"] == "cn-hangzhou"  # the gateway's own region is kept apart


def test_shares_whose_gateway_is_not_listed_are_reported():
    estate = {"format": 2, "regions": {"cn-hangzhou": dict(region_data(
        groups=[group("sync-media", "media")],
        shares=[share("media-nfs", "gw-a", "sync-media"), share("media-old", "gw-gone", "sync-media"),
                share("elsewhere", "gw-c", "sync-media", bundle="sb-gone")],
        gateways=[dict(GW_A, StorageBundleId="sb-1")]), missing_bundles=[
            {"storage_bundle_id": "sb-gone", "code": "StorageBundleNotExist", "message": "gone", "request_id": "r",
             "action": "DescribeGateways"}])}}
    index = model.EstateIndex(estate)
    assert index.gateways_without_details() == [("gw-gone", "sb-1")]
    assert [(region, record["storage_bundle_id"]) for region, record in index.missing_bundles] == [
        ("cn-hangzhou", "sb-gone")]
    hosts = {v["share_name"]: v for v, dummy in index.share_hosts()}
    assert "gateway_status" not in hosts["media-old"] and "ansible_host" not in hosts["media-old"]
    assert hosts["media-nfs"]["ansible_host"] == "172.16.0.10"


@pytest.mark.parametrize("progress, supported, in_group", [
    (100, True, False), (0, True, False), (-1, True, False), (-2, False, True), ("-2", False, True), (None, True, False),
])
def test_full_sync_support_of_member_shares(progress, supported, in_group):
    estate = {"format": 2, "regions": {"cn-hangzhou": region_data(
        groups=[group("sync-media", "media")], shares=[share("old", "gw-a", "sync-media", progress=progress)],
        candidates=[share("spare", "gw-a", "sync-media", "MNSNotEnabled", -2)])}}
    hosts = hosts_by_name(model.EstateIndex(estate).share_hosts(include_candidates=True))
    variables, groups = hosts["old@gw-a"]
    assert variables["sgw_full_sync_supported"] is supported
    assert (model.FULL_SYNC_UNSUPPORTED_GROUP in groups) is in_group
    candidate, candidate_groups = hosts["spare@gw-a"]  # a candidate is in no group: nothing to say about full sync
    assert "sgw_full_sync_supported" not in candidate
    assert model.FULL_SYNC_UNSUPPORTED_GROUP not in candidate_groups


def test_share_details_are_merged_by_gateway_and_share_name():
    data = region_data(groups=[group("sync-media", "media")],
                       shares=[share("media-nfs", "gw-a", "sync-media"), share("media-smb", "gw-b", "sync-media")])
    data["file_shares"] = {"gw-a": [{"Name": "media-nfs", "Protocol": "NFS", "OssBucketName": "bucket-media",
                                     "OssEndpoint": "oss-cn-hangzhou-internal.aliyuncs.com", "PathPrefix": "p/",
                                     "OssHealth": "BucketHealthy", "MnsHealth": "MNSHealthy"},
                                    {"Name": "other", "Protocol": "SMB"}]}
    hosts = hosts_by_name(model.EstateIndex({"format": 2, "regions": {"cn-hangzhou": data}}).share_hosts())
    detailed = hosts["media-nfs@gw-a"][0]
    assert (detailed["share_protocol"], detailed["share_oss_bucket"], detailed["share_path_prefix"],
            detailed["share_oss_health"], detailed["share_mns_health"]) == (
        "NFS", "bucket-media", "p/", "BucketHealthy", "MNSHealthy")
    assert "share_protocol" not in hosts["media-smb@gw-b"][0]


@pytest.mark.parametrize("text, expected", [
    ("plugin: alibabacloud.sgw.sgw\n", True),
    ("---\nplugin: 'alibabacloud.sgw.sgw'  # comment\nregions: []\n", True),
    ('plugin: "alibabacloud.sgw.sgw"\n', True),
    ("plugin: amazon.aws.aws_ec2\n", False),
    ("# plugin: alibabacloud.sgw.sgw\n", False),
    ("plugin: alibabacloud.sgw.sgw_other\n", False),
])
def test_names_this_plugin(tmp_path, text, expected):
    path = tmp_path / "hosts.yml"
    path.write_text(text)
    assert model.names_this_plugin(str(path)) is expected
