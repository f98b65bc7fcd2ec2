"""The lookups in a real ansible-playbook run against the simulator: results, shapes, query, recipes."""

from __future__ import annotations

import pytest

from tests.integration.lookups.conftest import assert_no_secret

MEDIA, DAILY, WEEKLY, ARCHIVE = ("sync-0001lookupmedia", "sync-0001lookupdaily", "sync-0001lookupweekly",
                                 "sync-0001lookuparchive")
TEMPLATE_NAME = "{{ lookup('ansible.builtin.pipe', 'id') }}"
SHARE_KEYS = {"express_sync_id", "express_sync_state", "sync_progress", "share_name", "gateway_id", "gateway_name",
              "gateway_region", "storage_bundle_id", "mns_queue", "sgw_health"}
VERDICT_KEYS = {"sgw_condition", "sgw_condition_reasons"}  # member shares only (health_signals: express_sync)
GROUP_KEYS = {"express_sync_id", "name", "bucket_name", "bucket_prefix", "bucket_region", "mns_topic", "description"}


@pytest.fixture(scope="module")
def run(play):
    result = play("lookups")
    assert result.rc == 0, result.explain()
    return result


@pytest.fixture(scope="module")
def report(run):
    assert run.report is not None, run.explain()
    return run.report


def test_members_have_the_inventory_keys_and_health(report):
    members = report["members"]
    assert [s["share_name"] for s in members] == ["media-nfs", "media-smb", "media-proxy"]
    assert all(set(s) == SHARE_KEYS | VERDICT_KEYS for s in members)
    assert [(s["sgw_condition"], s["sgw_condition_reasons"]) for s in members] == [
        ("ok", []), ("failed", ["sync_failed"]), ("degraded", ["sync_in_progress"])]
    assert [s["sgw_health"] for s in members] == ["healthy", "failed", "syncing"]
    assert [s["express_sync_state"] for s in members] == ["MNSHealthy", "QueueFailure", "MNSFullSyncing"]
    assert [s["sync_progress"] for s in members] == [100, 40, 60]
    smb = members[1]
    assert smb["gateway_id"] == "gw-0001lookupedit2"
    assert smb["gateway_region"] == "cn-hangzhou"
    assert smb["storage_bundle_id"] == "sb-0001lookuphz001"
    assert smb["mns_queue"].startswith("sgw-express-sync-queue-gw-0001lookupedit2-")


def test_strings_from_the_api_are_never_templated(report):
    assert report["members"][1]["gateway_name"] == TEMPLATE_NAME
    assert report["failed_loop"] == ["media-smb on %s (gw-0001lookupedit2) is QueueFailure" % TEMPLATE_NAME]
    assert report["groups_all"][0]["description"] == "{{ not templated }}"


def test_candidates(report):
    assert [(s["share_name"], s["express_sync_id"], s["sgw_health"], s["sync_progress"])
            for s in report["media_candidates"]] == [("media-new", MEDIA, "disabled", -1)]
    assert not any(VERDICT_KEYS & set(s) for s in report["media_candidates"])  # candidates have no verdict
    assert [(s["share_name"], s["express_sync_id"]) for s in report["backup_candidates"]] == [
        ("backup-spare", DAILY), ("backup-spare", WEEKLY)]


def test_region_option_overrides_the_environment(report):
    assert [(s["share_name"], s["gateway_region"]) for s in report["archive_members"]] == [("archive", "cn-shanghai")]
    assert report["archive_group"]["express_sync_id"] == ARCHIVE
    assert report["archive_group"]["bucket_region"] == "cn-shanghai"


@pytest.mark.parametrize("key", ["one_term", "two_terms", "from_list", "in_batches"])
def test_several_ids(report, key):
    assert report[key] == ["media-nfs", "media-smb", "media-proxy", "daily"]


def test_query(report):
    assert report["failed_names"] == ["media-smb"]
    assert report["not_done"] == [{"name": "media-smb", "progress": 40}, {"name": "media-proxy", "progress": 60}]
    assert report["share_count"] == 4
    assert report["first_gateway"] == "gw-0001lookupedit1"
    assert report["no_match"] == [None]


def test_lookup_and_query_shapes(report):
    shapes = report["shapes"]
    assert isinstance(shapes["lookup_one_share"], dict) and shapes["lookup_one_share"]["share_name"] == "daily"
    assert [s["share_name"] for s in shapes["lookup_three_shares"]] == ["media-nfs", "media-smb", "media-proxy"]
    assert shapes["lookup_no_share"] == []
    assert shapes["lookup_names"] == "media-nfs,media-smb,media-proxy"
    assert shapes["wantlist_names"] == ["media-nfs", "media-smb", "media-proxy"]
    assert [s["share_name"] for s in shapes["query_one_share"]] == ["daily"]
    assert shapes["query_no_share"] == []
    assert shapes["lookup_count"] == 3


def test_express_syncs(report):
    groups = report["groups_all"]
    assert [g["express_sync_id"] for g in groups] == [MEDIA, DAILY, WEEKLY]
    assert all(set(g) == GROUP_KEYS for g in groups)
    assert groups[1] == {"express_sync_id": DAILY, "name": "daily", "bucket_name": "backup-bucket",
                         "bucket_prefix": "daily", "bucket_region": "cn-hangzhou",
                         "mns_topic": "sgw-express-sync-0001lookupdaily", "description": ""}
    assert report["groups_of_bucket"] == [DAILY, WEEKLY]
    assert [g["express_sync_id"] for g in report["groups_of_prefix"]] == [WEEKLY]
    assert report["groups_of_root"] == ["media"]
    assert report["groups_by_id"] == [WEEKLY, MEDIA]
    assert report["chained"] == ["daily"]


def test_health_count_recipe(report):
    assert report["health_counts"] == {"healthy": 1, "syncing": 1, "failed": 1, "disabled": 0, "unknown": 0}


def test_no_warning_and_no_secret(run):
    assert run.warnings() == []
    assert_no_secret(run.output)


def test_one_call_per_lookup_and_a_group_listing_only_for_an_id_without_share(run):
    # express_sync_shares: one call per lookup (25 lookups, of which in_batches makes 3 calls); it lists
    # the groups only when an id has no share in the answer (an empty group, or one the service left out):
    # the 4 lookups of weekly's members. express_syncs: 7 lookups, one call each.
    assert run.stats["actions"] == {"DescribeExpressSyncShares": 25 - 1 + 3, "DescribeExpressSyncs": 7 + 4}
    assert run.stats["errors"] == {}
