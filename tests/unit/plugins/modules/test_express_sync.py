"""The express_sync module against the SGW API in-process: plans, calls, waits, retries and errors.

The API is the simulator's service (tests/support/fake_api.py): its tasks end ``task_seconds``
after they start on a clock that moves only when the module sleeps, a running task makes the
group busy, shares must exist on the group's bucket, and added shares go through a full sync.
"""

from __future__ import annotations

import re
import types

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from ansible_collections.alibabacloud.sgw.plugins.modules import express_sync
from tests.support.fake_api import FakeApi

REGION = "cn-hangzhou"
WRITES = {"CreateExpressSync", "DeleteExpressSync", "AddSharesToExpressSync", "RemoveSharesFromExpressSync"}
SECRET = "Sw0rdfish-unit-secret"
TASK = r"^t-\w+$"

GROUP = {"ExpressSyncId": "sync-media01", "Name": "media", "BucketName": "media-bucket", "BucketPrefix": "",
         "BucketRegion": "cn-hangzhou", "MnsTopic": "sgw-express-sync-media01", "Description": "edit suites"}
# Every share of the account, all on the group's bucket: (gateway, share name).
SHARES = [("gw-a", "s1"), ("gw-a", "s2"), ("gw-a", "s5"), ("gw-b", "s3"), ("gw-c", "s4"), ("gw-c", "s9")]


def account(groups=(GROUP,), members=(), group_id="sync-media01"):
    """An account document: gateways gw-a, gw-b, gw-c, ``groups``, and SHARES, ``members`` in ``group_id``."""
    return {
        "regions": [REGION, "cn-shanghai"],
        "storage_bundles": [{"StorageBundleId": "sb-1", "Name": "edit", "BackendBucketRegionId": REGION}],
        "gateways": [{"GatewayId": gateway, "Name": "name-" + gateway, "StorageBundleId": "sb-1"}
                     for gateway in ("gw-a", "gw-b", "gw-c")],
        "express_syncs": [dict(group) for group in groups],
        "shares": [{"GatewayId": gateway, "ShareName": name, "BucketName": "media-bucket",
                    "ExpressSyncId": group_id if (gateway, name) in members else ""} for gateway, name in SHARES],
    }


def api(groups=(GROUP,), members=(), task_seconds=0.2, **kwargs):
    """The API of :func:`account`; with the default ``task_seconds`` a task ends before the second poll."""
    return FakeApi(account(groups, members, **kwargs), task_seconds=task_seconds)


def writes(sgw):
    return [(action, params) for action, dummy, params in sgw.calls if action in WRITES]


def member_keys(sgw, group_id="sync-media01"):
    return sorted((s["GatewayId"], s["ShareName"]) for s in sgw.document()["shares"] if s["ExpressSyncId"] == group_id)


@pytest.fixture
def run(run_module):
    """``run(sgw, **args)``: the module's result (``rc`` added); ``run.built`` the options it built a client from."""
    def runner(sgw, **args):
        return run_module(express_sync.main, sgw, **args)
    runner.built = run_module.built
    return runner


def key_dicts(*pairs):
    return [{"gateway_id": g, "share_name": s} for g, s in pairs]


# ------------------------------------------------------------------------------------ create


def test_create_with_shares_makes_one_create_and_one_add_grouped_per_gateway(run):
    sgw = api(groups=())
    result = run(sgw, name="media", bucket_name="media-bucket", bucket_region="cn-hangzhou",
                 description="edit suites", shares=key_dicts(("gw-b", "s3"), ("gw-a", "s1"), ("gw-a", "s2")))
    assert result["rc"] == 0 and result["changed"] is True
    done = writes(sgw)
    assert [w[0] for w in done] == ["CreateExpressSync", "AddSharesToExpressSync"]
    assert done[0][1] == {"Name": "media", "BucketName": "media-bucket", "BucketRegion": "cn-hangzhou",
                          "Description": "edit suites"}
    created = sgw.document()["express_syncs"][0]
    assert done[1][1] == {"ExpressSyncId": created["ExpressSyncId"], "GatewayShares": '{"gw-a":"s1,s2","gw-b":"s3"}'}
    assert "DescribeTasks" in sgw.actions()
    group = result["express_sync"]
    assert group["express_sync_id"] == created["ExpressSyncId"]
    assert group["mns_topic"] == created["MnsTopic"]
    assert set(group) == {"express_sync_id", "name", "bucket_name", "bucket_prefix", "bucket_region", "mns_topic",
                          "description", "shares"}
    assert [(s["gateway_id"], s["share_name"]) for s in group["shares"]] == [
        ("gw-a", "s1"), ("gw-a", "s2"), ("gw-b", "s3")]
    assert group["shares"][0]["sgw_health"] == "syncing"
    assert group["shares"][0]["express_sync_state"] == "MNSFullSyncInit"
    assert result["added_shares"] == key_dicts(("gw-b", "s3"), ("gw-a", "s1"), ("gw-a", "s2"))
    assert result["removed_shares"] == []
    assert len(result["task_ids"]) == 1 and re.match(TASK, result["task_ids"][0])
    assert "diff" not in result
    assert sgw.closed


def test_second_identical_run_is_unchanged_and_writes_nothing(run):
    sgw = api(members=[("gw-a", "s1"), ("gw-b", "s3")])
    result = run(sgw, name="media", bucket_name="media-bucket", bucket_region="cn-hangzhou", bucket_prefix="",
                 description="edit suites", shares=key_dicts(("gw-a", "s1"), ("gw-b", "s3")), purge_shares=True)
    assert result["changed"] is False
    assert writes(sgw) == []
    assert sgw.actions() == ["DescribeExpressSyncs", "DescribeTasks", "DescribeExpressSyncShares"]
    assert result["express_sync"]["express_sync_id"] == "sync-media01"
    assert len(result["express_sync"]["shares"]) == 2
    assert result["task_ids"] == []


def test_check_mode_reports_the_plan_and_calls_no_write_action(run):
    sgw = api(groups=())
    result = run(sgw, name="media", bucket_name="media-bucket", bucket_region="cn-hangzhou",
                 shares=key_dicts(("gw-a", "s1")), _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True
    assert writes(sgw) == []
    assert sgw.actions() == ["DescribeExpressSyncs"]
    group = result["express_sync"]
    assert group["express_sync_id"] is None and group["name"] == "media"
    assert [(s["gateway_id"], s["share_name"], s["sgw_health"]) for s in group["shares"]] == [
        ("gw-a", "s1", "unknown")]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["shares"] == ["s1@gw-a"]
    assert result["added_shares"] == key_dicts(("gw-a", "s1"))


def test_check_mode_on_an_existing_group_predicts_members(run):
    sgw = api(members=[("gw-a", "s1"), ("gw-a", "s2")])
    result = run(sgw, express_sync_id="sync-media01", shares=key_dicts(("gw-a", "s1"), ("gw-c", "s9")),
                 purge_shares=True, _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True and writes(sgw) == []
    assert result["removed_shares"] == key_dicts(("gw-a", "s2"))
    assert result["added_shares"] == key_dicts(("gw-c", "s9"))
    assert [s["share_name"] for s in result["express_sync"]["shares"]] == ["s1", "s9"]
    assert result["diff"]["before"]["shares"] == ["s1@gw-a", "s2@gw-a"]
    assert result["diff"]["after"]["shares"] == ["s1@gw-a", "s9@gw-c"]


# ----------------------------------------------------------------------------- membership


def test_purge_removes_then_adds_with_one_call_each_and_shows_the_diff(run):
    sgw = api(members=[("gw-a", "s1"), ("gw-a", "s2"), ("gw-b", "s3")])
    result = run(sgw, express_sync_id="sync-media01", shares=key_dicts(("gw-a", "s1"), ("gw-c", "s4")),
                 purge_shares=True, _ansible_diff=True)
    assert result["changed"] is True
    assert writes(sgw) == [
        ("RemoveSharesFromExpressSync", {"ExpressSyncId": "sync-media01", "GatewayShares": '{"gw-a":"s2","gw-b":"s3"}'}),
        ("AddSharesToExpressSync", {"ExpressSyncId": "sync-media01", "GatewayShares": '{"gw-c":"s4"}'}),
    ]
    assert member_keys(sgw) == [("gw-a", "s1"), ("gw-c", "s4")]
    assert result["diff"]["before"]["shares"] == ["s1@gw-a", "s2@gw-a", "s3@gw-b"]
    assert result["diff"]["after"]["shares"] == ["s1@gw-a", "s4@gw-c"]
    assert len(result["task_ids"]) == 2
    # the returned members are read back after the changes
    assert [s["express_sync_state"] for s in result["express_sync"]["shares"]] == ["MNSHealthy", "MNSFullSyncInit"]
    # each task was waited for before the next call (the API refuses a write while a task runs)
    actions = sgw.actions()
    assert actions.index("DescribeTasks") < actions.index("AddSharesToExpressSync")


def test_without_purge_other_members_stay(run):
    sgw = api(members=[("gw-a", "s1"), ("gw-a", "s2")])
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1"), ("gw-a", "s5"), ("gw-a", "s5")))
    assert result["changed"] is True
    assert [w[0] for w in writes(sgw)] == ["AddSharesToExpressSync"]
    assert writes(sgw)[0][1]["GatewayShares"] == '{"gw-a":"s5"}'
    assert member_keys(sgw) == [("gw-a", "s1"), ("gw-a", "s2"), ("gw-a", "s5")]


def test_purge_with_an_empty_list_removes_every_member(run):
    sgw = api(members=[("gw-a", "s1"), ("gw-b", "s3")])
    result = run(sgw, name="media", shares=[], purge_shares=True)
    assert result["changed"] is True
    assert [w[0] for w in writes(sgw)] == ["RemoveSharesFromExpressSync"]
    assert result["express_sync"]["shares"] == []


def test_shares_omitted_leaves_members_alone_even_with_purge(run):
    sgw = api(members=[("gw-a", "s1")])
    result = run(sgw, name="media", purge_shares=True)
    assert result["changed"] is False and writes(sgw) == []
    assert [s["share_name"] for s in result["express_sync"]["shares"]] == ["s1"]


def test_shares_state_absent_removes_only_listed_members(run):
    sgw = api(members=[("gw-a", "s1"), ("gw-a", "s2"), ("gw-b", "s3")])
    result = run(sgw, name="media", shares_state="absent",
                 shares=key_dicts(("gw-a", "s2"), ("gw-b", "s3"), ("gw-z", "not-a-member")))
    assert result["changed"] is True
    assert writes(sgw) == [("RemoveSharesFromExpressSync", {"ExpressSyncId": "sync-media01",
                                                            "GatewayShares": '{"gw-a":"s2","gw-b":"s3"}'})]
    assert result["removed_shares"] == key_dicts(("gw-a", "s2"), ("gw-b", "s3"))
    assert member_keys(sgw) == [("gw-a", "s1")]


def test_shares_state_absent_of_non_members_is_unchanged(run):
    sgw = api(members=[("gw-a", "s1")])
    result = run(sgw, name="media", shares_state="absent", shares=key_dicts(("gw-a", "s2")))
    assert result["changed"] is False and writes(sgw) == []


def test_wait_false_returns_after_the_call_without_polling(run):
    sgw = api(members=[("gw-a", "s1")], task_seconds=10 ** 6)
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s2")), wait=False)
    assert result["changed"] is True
    assert "DescribeTasks" not in sgw.actions()
    assert len(result["task_ids"]) == 1


def start_task(sgw, share=("gw-a", "s2")):
    """Start a task on the group, as another run would: adding ``share``."""
    sgw.call("AddSharesToExpressSync", REGION, {"ExpressSyncId": "sync-media01",
                                                "GatewayShares": '{"%s":"%s"}' % share})
    sgw.calls.clear()


def test_a_task_already_running_on_the_group_is_waited_for_before_reading_members(run):
    sgw = api(members=[("gw-a", "s1")], task_seconds=0.5)
    start_task(sgw)
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1")))
    assert result["changed"] is False
    actions = sgw.actions()
    assert actions[:2] == ["DescribeExpressSyncs", "DescribeTasks"]
    assert actions.count("DescribeTasks") == 4  # the listing, then polls of the task until it has ended
    assert actions.index("DescribeExpressSyncShares") > len(actions) - 2
    assert [s["share_name"] for s in result["express_sync"]["shares"]] == ["s1", "s2"]


def test_wait_false_does_not_wait_for_running_tasks(run):
    sgw = api(members=[("gw-a", "s1")], task_seconds=10 ** 6)
    start_task(sgw)
    run(sgw, name="media", shares=key_dicts(("gw-a", "s1")), wait=False)
    assert "DescribeTasks" not in sgw.actions()


# ---------------------------------------------------------------------------------- delete


def test_absent_deletes_the_group_and_waits(run):
    sgw = api(members=[("gw-a", "s1")], task_seconds=0.5)
    result = run(sgw, name="media", state="absent", _ansible_diff=True)
    assert result["changed"] is True
    assert writes(sgw) == [("DeleteExpressSync", {"ExpressSyncId": "sync-media01"})]
    assert sgw.actions().count("DescribeTasks") == 3
    assert sgw.document()["express_syncs"] == []
    assert result["express_sync"] == {}
    assert result["diff"]["before"]["express_sync_id"] == "sync-media01"
    assert result["diff"]["before"]["shares"] == ["s1@gw-a"]
    assert result["diff"]["after"] == {}


def test_absent_of_a_missing_group_is_unchanged(run):
    sgw = api()
    result = run(sgw, express_sync_id="sync-gone01", state="absent")
    assert result["rc"] == 0 and result["changed"] is False
    assert sgw.actions() == ["DescribeExpressSyncs"]
    assert result["express_sync"] == {}


def test_absent_in_check_mode_deletes_nothing(run):
    sgw = api()
    result = run(sgw, name="media", state="absent", _ansible_check_mode=True)
    assert result["changed"] is True and writes(sgw) == []
    assert sgw.document()["express_syncs"] == [GROUP]


def test_a_group_deleted_meanwhile_is_unchanged(run):
    sgw = api()
    sgw.after["DescribeExpressSyncShares"] = lambda service: sgw.delete_express_sync("sync-media01")
    result = run(sgw, name="media", state="absent")
    assert result["rc"] == 0 and result["changed"] is False
    assert [w[0] for w in writes(sgw)] == ["DeleteExpressSync"]
    assert result["task_ids"] == []


# --------------------------------------------------------------------------------- lookups


def test_two_groups_of_one_name_are_an_error_never_a_guess(run):
    twin = dict(GROUP, ExpressSyncId="sync-media02", BucketName="other")
    sgw = api(groups=[GROUP, twin])
    result = run(sgw, name="media", state="absent")
    assert result["rc"] == 1 and result["failed"] is True
    assert "2 express sync groups are named 'media'" in result["msg"]
    assert "sync-media01, sync-media02" in result["msg"]
    assert writes(sgw) == []


def test_the_id_wins_over_a_duplicated_name(run):
    twin = dict(GROUP, ExpressSyncId="sync-media02", BucketPrefix="other/")
    sgw = api(groups=[GROUP, twin])
    result = run(sgw, express_sync_id="sync-media02", name="media", state="absent")
    assert result["changed"] is True
    assert writes(sgw) == [("DeleteExpressSync", {"ExpressSyncId": "sync-media02"})]


def test_present_with_an_unknown_id_is_an_error(run):
    sgw = api()
    result = run(sgw, express_sync_id="sync-gone01", shares=key_dicts(("gw-a", "s1")))
    assert result["rc"] == 1
    assert "sync-gone01 does not exist in region cn-hangzhou" in result["msg"]
    assert writes(sgw) == []


def test_creating_needs_the_bucket(run):
    sgw = api(groups=())
    result = run(sgw, name="media", bucket_region="cn-hangzhou")
    assert result["rc"] == 1
    assert "no express sync group is named 'media'" in result["msg"] and "bucket_name" in result["msg"]
    assert writes(sgw) == []


@pytest.mark.parametrize("args, fields", [
    ({"bucket_name": "other-bucket"}, ["bucket_name is 'media-bucket', not 'other-bucket'"]),
    ({"bucket_prefix": "sub", "description": "new"}, ["bucket_prefix is '', not 'sub'",
                                                      "description is 'edit suites', not 'new'"]),
    ({"express_sync_id": "sync-media01", "name": "renamed"}, ["name is 'media', not 'renamed'"]),
    ({"bucket_region": "cn-shanghai"}, ["bucket_region is 'cn-hangzhou', not 'cn-shanghai'"]),
])
def test_immutable_fields_that_differ_are_an_error(run, args, fields):
    sgw = api()
    args.setdefault("name", "media")
    result = run(sgw, shares=key_dicts(("gw-a", "s1")), **args)
    assert result["rc"] == 1
    assert "cannot be changed once created" in result["msg"]
    for field in fields:
        assert field in result["msg"]
    assert writes(sgw) == []


def test_a_group_that_differs_from_the_options_is_not_deleted(run):
    sgw = api()
    result = run(sgw, express_sync_id="sync-media01", name="other-name", state="absent")
    assert result["rc"] == 1
    assert "sync-media01 does not match the options, so it was not deleted" in result["msg"]
    assert "name is 'media', not 'other-name'" in result["msg"]
    assert writes(sgw) == [] and sgw.document()["express_syncs"] == [GROUP]


def test_an_empty_prefix_matches_a_group_without_prefix():
    """An API that answers a null BucketPrefix (the simulator always sends a string)."""
    manager = express_sync.ExpressSyncManager(None, REGION, {"state": "present", "bucket_prefix": ""})
    manager.check_immutable(dict(GROUP, BucketPrefix=None))  # does not raise


# ------------------------------------------------------------------------------ validation


@pytest.mark.parametrize("args, message", [
    ({}, "give express_sync_id or name"),
    ({"name": "9lives"}, "'9lives' is not a valid express sync group name"),
    ({"name": "a" * 129}, "is not a valid express sync group name"),
    ({"express_sync_id": "media01"}, "'media01' is not an express sync group id"),
    ({"name": "media", "description": "d" * 256}, "description is 256 characters long; at most 255"),
    ({"name": "media", "shares": [{"gateway_id": "gateway-1", "share_name": "s"}]}, "'gateway-1' is not a gateway id"),
    ({"name": "media", "shares": [{"gateway_id": "gw-1", "share_name": "a,b"}]}, "contains a comma"),
    ({"name": "media", "shares": [{"gateway_id": "gw-1", "share_name": " "}]}, "the share name of gateway gw-1 is empty"),
    ({"name": "media", "state": "absent", "shares": []}, "shares cannot be used with state=absent"),
    ({"name": "media", "shares": [], "shares_state": "absent", "purge_shares": True}, "purge_shares applies to"),
    ({"name": "media", "wait_timeout": -1}, "wait_timeout must be 0 or more"),
])
def test_bad_options_fail_before_any_call(run, args, message):
    sgw = api()
    result = run(sgw, **args)
    assert result["rc"] == 1
    assert message in result["msg"]
    assert sgw.calls == [] and run.built == []


def test_a_share_without_share_name_is_refused_by_the_argument_spec(run):
    result = run(api(), name="media", shares=[{"gateway_id": "gw-1"}])
    assert result["rc"] == 1 and "share_name" in result["msg"]


def test_cjk_names_are_valid():
    assert express_sync.invalid_params({"name": "媒体同步-1", "state": "present", "shares_state": "present"}) == []


# ----------------------------------------------------------------------------- busy, tasks


def test_a_busy_group_is_retried_with_growing_backoff(run, monkeypatch):
    monkeypatch.setattr(tasks, "random", types.SimpleNamespace(random=lambda: 1.0))
    sgw = api()
    sgw.script("AddSharesToExpressSync", "ExpressSyncInOperation", times=3)
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1")))
    assert result["rc"] == 0 and result["changed"] is True
    assert sgw.actions().count("AddSharesToExpressSync") == 4
    assert sgw.clock.sleeps[:3] == [0.5, 1.0, 2.0]
    assert member_keys(sgw) == [("gw-a", "s1")]


def test_a_write_meets_the_task_of_another_run_and_waits_for_it(run):
    sgw = api(members=[("gw-a", "s1")], task_seconds=3)
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s2")), wait=False)
    assert result["rc"] == 0
    sgw.calls.clear()
    result = run(sgw, name="media", shares=[], purge_shares=True, wait=False)
    assert result["rc"] == 0 and result["changed"] is True
    assert sgw.actions().count("RemoveSharesFromExpressSync") > 1  # busy until the first task has ended
    assert sum(sgw.clock.sleeps) >= 3


def test_a_group_busy_for_longer_than_wait_timeout_fails_clearly(run):
    sgw = api(members=[("gw-a", "s1")])
    sgw.script("RemoveSharesFromExpressSync", "ExpressSyncInOperation", times=1000)
    result = run(sgw, name="media", shares=[], purge_shares=True, wait_timeout=5)
    assert result["rc"] == 1 and result["changed"] is False  # every Remove was refused: nothing changed
    assert result["error_code"] == "ExpressSyncInOperation"
    assert result["request_id"].startswith("REQ-")
    assert "RemoveSharesFromExpressSync in region cn-hangzhou failed" in result["msg"]
    assert "still busy" in result["msg"] and "wait_timeout" in result["msg"]
    assert sum(sgw.clock.sleeps) == pytest.approx(5.0)
    assert max(sgw.clock.sleeps) <= 10.0


def test_a_failed_task_fails_with_its_id(run):
    sgw = api()
    sgw.fail_tasks.add("sync-media01")
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1"), ("gw-a", "s2")))
    assert result["rc"] == 1
    assert result["error_code"] == "TaskFailed"
    task_id = result["task_id"]
    assert re.match(TASK, task_id)
    assert result["msg"].startswith("AddSharesToExpressSync in region cn-hangzhou failed: TaskFailed. task %s on "
                                    "sync-media01 ended in task.state.failed (" % task_id)
    assert result["changed"] is True
    assert result["task_ids"] == [task_id]
    assert member_keys(sgw) == []


def test_a_task_that_outlives_wait_timeout_fails_with_its_id(run):
    sgw = api(task_seconds=10 ** 6)
    result = run(sgw, name="media", state="absent", wait_timeout=20)
    assert result["rc"] == 1
    assert result["error_code"] == "TaskTimeout"
    task_id = result["task_id"]
    assert result["msg"].startswith("DeleteExpressSync in region cn-hangzhou failed: TaskTimeout. task %s" % task_id)
    assert "after 20s" in result["msg"]
    # polls start fast, back off to the cap, and never sleep past the deadline
    sleeps = sgw.clock.sleeps
    assert sleeps[:5] == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert max(sleeps) == 5.0
    assert sum(sleeps) == pytest.approx(20.0)


def test_other_api_errors_keep_their_code_and_request_id(run):
    sgw = api()
    sgw.script("AddSharesToExpressSync", "GatewayNotExist")
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1")))
    assert result["rc"] == 1
    assert result["error_code"] == "GatewayNotExist" and result["request_id"].startswith("REQ-")
    assert "hint: check the gateway id" in result["msg"]
    assert sgw.actions().count("AddSharesToExpressSync") == 1  # not retried


def test_a_share_that_does_not_exist_is_the_api_error(run):
    sgw = api()
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "no-such-share")))
    assert result["rc"] == 1 and result["error_code"] == "ShareNotExist"
    assert result["changed"] is False and result["task_ids"] == []  # refused: nothing was done
    assert member_keys(sgw) == []


@pytest.mark.parametrize("action, args, members, after", [
    ("AddSharesToExpressSync", {"shares": key_dicts(("gw-a", "s1"))}, [], [("gw-a", "s1")]),
    ("RemoveSharesFromExpressSync", {"shares": [], "purge_shares": True}, [("gw-a", "s1")], []),
])
def test_a_write_whose_answer_is_lost_is_sent_once_and_settled_by_reading(run, action, args, members, after):
    sgw = api(members=members)
    sgw.lose(action)
    result = run(sgw, name="media", **args)
    assert result["rc"] == 0, result["msg"]
    assert result["changed"] is True and sgw.count(action) == 1
    assert member_keys(sgw) == after
    # the members were read once the write could no longer land, and the group's tasks waited for
    assert sgw.actions()[-1] == "DescribeExpressSyncShares" and "DescribeTasks" in sgw.actions()


def test_a_write_whose_answer_is_lost_and_that_did_nothing_fails_unchanged(run):
    sgw = api()
    sgw.script("AddSharesToExpressSync", "InternalError")  # a 500: nothing proves it was not applied
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1")))
    assert result["rc"] == 1 and result["error_code"] == "WriteOutcomeUnknown"
    assert result["changed"] is False and sgw.count("AddSharesToExpressSync") == 1
    assert "shows the change was not made" in result["msg"]


def test_the_secret_is_never_returned(run):
    sgw = api()
    result = run(sgw, name="media", access_key_id="LTAI5tUnitKey", access_key_secret=SECRET,
                 security_token=SECRET + "-token", shares=key_dicts(("gw-a", "s1")), _ansible_diff=True)
    assert result["rc"] == 0
    assert SECRET not in result["raw"]
    assert run.built[0]["access_key_secret"] == SECRET  # it did reach the client


@pytest.mark.parametrize("state", ["task.state.paused", "task.state.cancelled", "unknown"])
def test_a_task_in_an_unknown_state_is_reported_not_waited_for(run, state):
    sgw = api(task_seconds=10 ** 6)
    answer = sgw.call

    def call(action, region, params=None, resend=True):  # the service reports a state the module does not know
        fields = answer(action, region, params, resend)
        for task in fields.get("Tasks", {}).get("SimpleTask", []) if action == "DescribeTasks" else ():
            task["StateCode"] = state
        return fields

    sgw.call = call
    result = run(sgw, name="media", state="absent", wait_timeout=300)
    assert result["rc"] == 1
    assert result["error_code"] == "TaskStateUnknown"
    assert re.match(TASK, result["task_id"])
    assert "neither running, completed nor failed" in result["msg"]
    assert sum(sgw.clock.sleeps) < 1, "the module waited on a task that nothing says will end"


def test_groups_of_other_regions_in_an_account_wide_answer_are_not_the_regions(run):
    # The endpoint answers for the whole account: a group named "media" in cn-shanghai is not this region's.
    elsewhere = dict(GROUP, ExpressSyncId="sync-media09", BucketRegion="cn-shanghai", MnsTopic="topic-09")
    sgw = api(groups=(elsewhere, GROUP))
    sgw.behaviours["region_scope"] = "account"
    result = run(sgw, name="media", state="absent")
    assert result["changed"] is True
    assert writes(sgw) == [("DeleteExpressSync", {"ExpressSyncId": "sync-media01"})]
    sgw = api(groups=(elsewhere,))
    sgw.behaviours["region_scope"] = "account"
    result = run(sgw, express_sync_id="sync-media09", state="absent")
    assert result["rc"] == 1
    assert "sync-media09 is in region cn-shanghai, not in region cn-hangzhou; set region: cn-shanghai" in result["msg"]
