"""The module express_sync_info in a real ansible-playbook --check run against the simulator."""

from __future__ import annotations

import pytest

from tests.integration.lookups.conftest import assert_no_secret

MEDIA, DAILY, WEEKLY, ARCHIVE = ("sync-0001lookupmedia", "sync-0001lookupdaily", "sync-0001lookupweekly",
                                 "sync-0001lookuparchive")
GROUP_KEYS = {"express_sync_id", "name", "bucket_name", "bucket_prefix", "bucket_region", "mns_topic", "description"}
SHARE_KEYS = {"express_sync_id", "express_sync_state", "sync_progress", "share_name", "gateway_id", "gateway_name",
              "gateway_region", "storage_bundle_id", "mns_queue", "sgw_health"}
VERDICT_KEYS = {"sgw_condition", "sgw_condition_reasons"}  # member shares only (health_signals: express_sync)
ZERO = {"healthy": 0, "syncing": 0, "failed": 0, "disabled": 0, "unknown": 0}


@pytest.fixture(scope="module")
def run(play):
    result = play("info", check=True, environment=False)
    assert result.rc == 0, result.explain()
    assert result.report is not None, result.explain()
    return result


@pytest.fixture(scope="module")
def report(run):
    return run.report


def ids(result):
    return [g["express_sync_id"] for g in result["express_syncs"]]


def test_lists_every_group_without_shares(report):
    result = report["all_groups"]
    assert result["changed"] is False
    assert ids(result) == [MEDIA, DAILY, WEEKLY]
    assert all(set(g) == GROUP_KEYS for g in result["express_syncs"])
    assert result["express_syncs"][0]["description"] == "{{ not templated }}"


def test_groups_by_id_with_shares_health_and_candidates(report):
    result = report["two_groups"]
    assert result["changed"] is False
    assert ids(result) == [MEDIA, WEEKLY]  # the API's order; the unknown id is left out
    media, weekly = result["express_syncs"]
    assert [s["share_name"] for s in media["shares"]] == ["media-nfs", "media-smb", "media-proxy"]
    assert all(set(s) == SHARE_KEYS | VERDICT_KEYS for s in media["shares"])
    assert [(s["sgw_condition"], s["sgw_condition_reasons"]) for s in media["shares"]] == [
        ("ok", []), ("failed", ["sync_failed"]), ("degraded", ["sync_in_progress"])]
    assert media["health_summary"] == dict(ZERO, healthy=1, syncing=1, failed=1)
    assert [(s["share_name"], s["express_sync_id"], s["sgw_health"]) for s in media["candidates"]] == [
        ("media-new", MEDIA, "disabled")]
    assert not VERDICT_KEYS & set(media["candidates"][0])  # candidates have no verdict
    assert media["condition_summary"] == {"ok": 1, "degraded": 1, "failed": 1, "unknown": 0}
    assert weekly["shares"] == []
    assert weekly["health_summary"] == ZERO
    assert [(s["share_name"], s["express_sync_id"]) for s in weekly["candidates"]] == [("backup-spare", WEEKLY)]


def test_groups_of_a_bucket(report):
    result = report["bucket_groups"]
    assert ids(result) == [DAILY, WEEKLY]
    daily = result["express_syncs"][0]
    assert [s["share_name"] for s in daily["shares"]] == ["daily"]
    assert daily["health_summary"] == dict(ZERO, healthy=1)
    assert "candidates" not in daily
    assert ids(report["root_group"]) == [MEDIA]
    assert "shares" not in report["root_group"]["express_syncs"][0]
    assert "health_summary" not in report["root_group"]["express_syncs"][0]


def test_region_option_wins_over_module_defaults(report):
    result = report["other_region"]
    assert ids(result) == [ARCHIVE]
    assert [(s["share_name"], s["gateway_region"]) for s in result["express_syncs"][0]["shares"]] == [
        ("archive", "cn-shanghai")]


def test_release_gate_recipe(report):
    assert report["gate"]["express_syncs"][0]["health_summary"] == dict(ZERO, healthy=1)


def test_bad_input_fails_with_a_clear_message(report):
    errors = report["errors"]
    assert errors["bad_id"] == "Invalid express_sync_ids: 'gw-0001lookupedit1' is not an express sync group id (sync-...)."
    assert errors["prefix"] == ("Invalid options: bucket_prefix needs bucket_name (the API lists the group of a prefix "
                                "only within one bucket).")
    assert errors["no_region"].startswith("region is required")


def test_denied_call_fails_with_code_and_request_id(report):
    denied = report["errors"]["denied"]
    assert denied["error_code"] == "Forbidden.RAM"
    assert len(denied["request_id"]) == 36
    assert "DescribeExpressSyncs in region cn-hangzhou failed: Forbidden.RAM (HTTP 403)" in denied["msg"]
    assert denied["request_id"] in denied["msg"]


def test_one_share_call_per_kind_for_all_groups(run):
    # Listings: every group, two groups, bucket, bucket root, other region, gate, denied.
    # Share calls: two groups (members + candidates), bucket, other region, gate, judged.
    # The health signals of judged: one DescribeGateways for its cluster, one DescribeGatewayFileShares per
    # gateway of its members (two), one ListAlertEvents for their region.
    assert run.stats["actions"] == {"DescribeExpressSyncs": 7 + 1, "DescribeExpressSyncShares": 2 + 1 + 1 + 1 + 1,
                                    "DescribeGateways": 1, "DescribeGatewayFileShares": 2, "ListAlertEvents": 1}
    assert run.stats["errors"] == {"Forbidden.RAM": 1}


def test_no_secret_in_the_output(run):
    assert_no_secret(run.output)
    assert "Traceback" not in run.output


def test_health_signals_judge_each_share(report):
    media = report["judged"]["express_syncs"][0]
    assert {s["share_name"]: (s["sgw_condition"], s["sgw_condition_reasons"]) for s in media["shares"]} == {
        "media-nfs": ("degraded", ["alert_upload_queue_full"]),
        "media-smb": ("failed", ["sync_failed"]),
        "media-proxy": ("degraded", ["sync_in_progress"])}
    assert media["condition_summary"] == {"ok": 0, "degraded": 2, "failed": 1, "unknown": 0}
    assert media["health_summary"] == dict(ZERO, healthy=1, syncing=1, failed=1)
    assert report["errors"]["signals_without_shares"] == (
        "Invalid options: health_signals judges the member shares: set shares to true.")
