"""The express_sync module against an in-memory SGW: plans, calls, waits, retries and errors."""

from __future__ import annotations

import json
import types

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.alibabacloud.sgw.plugins.module_utils import module as module_base
from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwApiError
from ansible_collections.alibabacloud.sgw.plugins.modules import express_sync

REGION = "cn-hangzhou"
WRITES = {"CreateExpressSync", "DeleteExpressSync", "AddSharesToExpressSync", "RemoveSharesFromExpressSync"}
SECRET = "Sw0rdfish-unit-secret"

GROUP = {"ExpressSyncId": "sync-media01", "Name": "media", "BucketName": "media-bucket", "BucketPrefix": "",
         "BucketRegion": "cn-hangzhou", "MnsTopic": "sgw-express-sync-media01", "Description": "edit suites"}


def member(gateway_id, share_name, group_id="sync-media01", state="MNSHealthy"):
    return {"ExpressSyncId": group_id, "ExpressSyncState": state, "GatewayId": gateway_id,
            "GatewayName": "name-" + gateway_id, "GatewayRegion": REGION, "MnsQueue": "q-" + share_name,
            "ShareName": share_name, "StorageBundleId": "sb-1", "SyncProgress": 100}


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


class FakeSgw:
    """Just enough of the SGW API, answering ``call``/``paginate`` like SgwClient."""

    def __init__(self, groups=(), members=(), task_polls=1, busy=0, fail_tasks=False, errors=None):
        self.groups = [dict(g) for g in groups]
        self.members = [dict(s) for s in members]
        self.task_polls = task_polls  # DescribeTasks answers "running" this many times first
        self.busy = busy  # this many write calls are answered ExpressSyncInOperation
        self.fail_tasks = fail_tasks
        self.errors = dict(errors or {})  # action -> SgwApiError raised once
        self.tasks = {}
        self.calls = []
        self.closed = False

    # client interface
    def call(self, action, region, params=None):
        assert region == REGION
        params = {k: v for k, v in (params or {}).items() if v is not None}
        self.calls.append((action, params))
        if action in self.errors:
            raise self.errors.pop(action)
        if action in WRITES and action != "CreateExpressSync" and self.busy:
            self.busy -= 1
            raise SgwApiError("ExpressSyncInOperation", "The sync group is busy. Try again later.", action=action,
                              region=region, status=400, request_id="req-busy")
        return getattr(self, "_" + action)(params)

    def paginate(self, action, region, params, wrapper, item, page_size=50):
        return self.call(action, region, params)[wrapper][item]

    def close(self):
        self.closed = True

    # helpers
    def actions(self):
        return [action for action, dummy in self.calls]

    def writes(self):
        return [(action, params) for action, params in self.calls if action in WRITES]

    def member_keys(self, group_id="sync-media01"):
        return sorted((s["GatewayId"], s["ShareName"]) for s in self.members if s["ExpressSyncId"] == group_id)

    def _task(self, target):
        task_id = "t-%04d" % (len(self.tasks) + 1)
        self.tasks[task_id] = {"TaskId": task_id, "RelatedResourceId": target, "polls": 0}
        return {"TaskId": task_id, "RequestId": "req-" + task_id}

    def _group(self, group_id):
        if not any(g["ExpressSyncId"] == group_id for g in self.groups):
            raise SgwApiError("ExpressSyncNotExist", "The specified sync group does not exist.", status=400,
                              request_id="req-missing")

    # actions
    def _DescribeExpressSyncs(self, params):
        return {"ExpressSyncs": {"ExpressSync": [dict(g) for g in self.groups]}}

    def _DescribeExpressSyncShares(self, params):
        assert params["IsExternal"] is False
        ids = params["ExpressSyncIds"].split(",")
        return {"Shares": {"Share": [dict(s) for s in self.members if s["ExpressSyncId"] in ids]}}

    def _CreateExpressSync(self, params):
        group_id = "sync-new%02d" % (len(self.groups) + 1)
        self.groups.append({"ExpressSyncId": group_id, "Name": params["Name"], "BucketName": params["BucketName"],
                            "BucketPrefix": params.get("BucketPrefix", ""), "BucketRegion": params["BucketRegion"],
                            "MnsTopic": "sgw-express-sync-" + group_id, "Description": params.get("Description", "")})
        return {"ExpressSyncId": group_id}

    def _shares_of(self, params):
        return [(gateway, name) for gateway, names in json.loads(params["GatewayShares"]).items()
                for name in names.split(",")]

    def _AddSharesToExpressSync(self, params):
        group_id = params["ExpressSyncId"]
        self._group(group_id)
        for gateway, name in self._shares_of(params):
            self.members.append(member(gateway, name, group_id, state="MNSFullSyncInit"))
        return self._task(group_id)

    def _RemoveSharesFromExpressSync(self, params):
        group_id = params["ExpressSyncId"]
        self._group(group_id)
        gone = set(self._shares_of(params))
        self.members = [s for s in self.members
                        if s["ExpressSyncId"] != group_id or (s["GatewayId"], s["ShareName"]) not in gone]
        return self._task(group_id)

    def _DeleteExpressSync(self, params):
        group_id = params["ExpressSyncId"]
        self._group(group_id)
        self.groups = [g for g in self.groups if g["ExpressSyncId"] != group_id]
        self.members = [s for s in self.members if s["ExpressSyncId"] != group_id]
        return self._task(group_id)

    def _DescribeTasks(self, params):
        if "TaskId" not in params:  # every task of the group, with its state (polling it is not counted)
            tasks = [{"TaskId": t["TaskId"], "StateCode": "task.state.running" if t["polls"] < self.task_polls
                      else "task.state.completed", "RelatedResourceId": t["RelatedResourceId"]}
                     for t in self.tasks.values() if t["RelatedResourceId"] == params["TargetId"]]
            return {"Tasks": {"SimpleTask": tasks}, "TotalCount": len(tasks)}
        task = self.tasks[params["TaskId"]]
        assert params["TargetId"] == task["RelatedResourceId"]
        task["polls"] += 1
        if task["polls"] <= self.task_polls:
            state = "task.state.running"
        else:
            state = "task.state.failed" if self.fail_tasks else "task.state.completed"
        simple = {"TaskId": task["TaskId"], "StateCode": state, "MessageKey": "sim.failure" if self.fail_tasks else "",
                  "RelatedResourceId": task["RelatedResourceId"]}
        return {"Tasks": {"SimpleTask": [simple]}, "TotalCount": 1}


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(express_sync, "time", types.SimpleNamespace(sleep=fake.sleep, monotonic=fake.monotonic))
    monkeypatch.setattr(express_sync, "random", types.SimpleNamespace(random=lambda: 1.0))
    return fake


@pytest.fixture
def run(monkeypatch, capsys, clock):
    """Run the module with ``args`` against a FakeSgw; returns the parsed result (``rc`` added)."""
    built = []

    def runner(sgw, **args):
        def build_client(params, log=None, region=None):
            built.append(params)
            return sgw

        monkeypatch.setattr(module_base, "build_client", build_client)
        args.setdefault("region", REGION)
        with patch_module_args(args):
            with pytest.raises(SystemExit) as exit_info:
                express_sync.main()
        out = capsys.readouterr().out
        result = json.loads(out)
        result["rc"] = exit_info.value.code
        result["raw"] = out
        return result

    runner.built = built
    return runner


def key_dicts(*pairs):
    return [{"gateway_id": g, "share_name": s} for g, s in pairs]


# ------------------------------------------------------------------------------------ create


def test_create_with_shares_makes_one_create_and_one_add_grouped_per_gateway(run, clock):
    sgw = FakeSgw()
    result = run(sgw, name="media", bucket_name="media-bucket", bucket_region="cn-hangzhou",
                 description="edit suites", shares=key_dicts(("gw-b", "s3"), ("gw-a", "s1"), ("gw-a", "s2")))
    assert result["rc"] == 0 and result["changed"] is True
    writes = sgw.writes()
    assert [w[0] for w in writes] == ["CreateExpressSync", "AddSharesToExpressSync"]
    assert writes[0][1] == {"Name": "media", "BucketName": "media-bucket", "BucketRegion": "cn-hangzhou",
                            "Description": "edit suites"}
    assert writes[1][1] == {"ExpressSyncId": "sync-new01", "GatewayShares": '{"gw-a":"s1,s2","gw-b":"s3"}'}
    assert "DescribeTasks" in sgw.actions()
    group = result["express_sync"]
    assert group["express_sync_id"] == "sync-new01"
    assert group["mns_topic"] == "sgw-express-sync-sync-new01"
    assert set(group) == {"express_sync_id", "name", "bucket_name", "bucket_prefix", "bucket_region", "mns_topic",
                          "description", "shares"}
    assert [(s["gateway_id"], s["share_name"]) for s in group["shares"]] == [
        ("gw-a", "s1"), ("gw-a", "s2"), ("gw-b", "s3")]
    assert group["shares"][0]["sgw_health"] == "syncing"
    assert group["shares"][0]["express_sync_state"] == "MNSFullSyncInit"
    assert result["added_shares"] == key_dicts(("gw-b", "s3"), ("gw-a", "s1"), ("gw-a", "s2"))
    assert result["removed_shares"] == []
    assert result["task_ids"] == ["t-0001"]
    assert "diff" not in result
    assert sgw.closed


def test_second_identical_run_is_unchanged_and_writes_nothing(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1"), member("gw-b", "s3")])
    result = run(sgw, name="media", bucket_name="media-bucket", bucket_region="cn-hangzhou", bucket_prefix="",
                 description="edit suites", shares=key_dicts(("gw-a", "s1"), ("gw-b", "s3")), purge_shares=True)
    assert result["changed"] is False
    assert sgw.writes() == []
    assert sgw.actions() == ["DescribeExpressSyncs", "DescribeTasks", "DescribeExpressSyncShares"]
    assert result["express_sync"]["express_sync_id"] == "sync-media01"
    assert len(result["express_sync"]["shares"]) == 2
    assert result["task_ids"] == []


def test_check_mode_reports_the_plan_and_calls_no_write_action(run):
    sgw = FakeSgw()
    result = run(sgw, name="media", bucket_name="media-bucket", bucket_region="cn-hangzhou",
                 shares=key_dicts(("gw-a", "s1")), _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True
    assert sgw.writes() == []
    assert sgw.actions() == ["DescribeExpressSyncs"]
    group = result["express_sync"]
    assert group["express_sync_id"] is None and group["name"] == "media"
    assert [(s["gateway_id"], s["share_name"], s["sgw_health"]) for s in group["shares"]] == [
        ("gw-a", "s1", "unknown")]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["shares"] == ["s1@gw-a"]
    assert result["added_shares"] == key_dicts(("gw-a", "s1"))


def test_check_mode_on_an_existing_group_predicts_members(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1"), member("gw-a", "s2")])
    result = run(sgw, express_sync_id="sync-media01", shares=key_dicts(("gw-a", "s1"), ("gw-c", "s9")),
                 purge_shares=True, _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True and sgw.writes() == []
    assert result["removed_shares"] == key_dicts(("gw-a", "s2"))
    assert result["added_shares"] == key_dicts(("gw-c", "s9"))
    assert [s["share_name"] for s in result["express_sync"]["shares"]] == ["s1", "s9"]
    assert result["diff"]["before"]["shares"] == ["s1@gw-a", "s2@gw-a"]
    assert result["diff"]["after"]["shares"] == ["s1@gw-a", "s9@gw-c"]


# ----------------------------------------------------------------------------- membership


def test_purge_removes_then_adds_with_one_call_each_and_shows_the_diff(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1"), member("gw-a", "s2"), member("gw-b", "s3")])
    result = run(sgw, express_sync_id="sync-media01", shares=key_dicts(("gw-a", "s1"), ("gw-c", "s4")),
                 purge_shares=True, _ansible_diff=True)
    assert result["changed"] is True
    assert sgw.writes() == [
        ("RemoveSharesFromExpressSync", {"ExpressSyncId": "sync-media01", "GatewayShares": '{"gw-a":"s2","gw-b":"s3"}'}),
        ("AddSharesToExpressSync", {"ExpressSyncId": "sync-media01", "GatewayShares": '{"gw-c":"s4"}'}),
    ]
    assert sgw.member_keys() == [("gw-a", "s1"), ("gw-c", "s4")]
    assert result["diff"]["before"]["shares"] == ["s1@gw-a", "s2@gw-a", "s3@gw-b"]
    assert result["diff"]["after"]["shares"] == ["s1@gw-a", "s4@gw-c"]
    assert result["task_ids"] == ["t-0001", "t-0002"]
    # the returned members are read back after the changes
    assert [s["express_sync_state"] for s in result["express_sync"]["shares"]] == ["MNSHealthy", "MNSFullSyncInit"]
    # each task was waited for before the next call
    actions = sgw.actions()
    assert actions.index("DescribeTasks") < actions.index("AddSharesToExpressSync")


def test_without_purge_other_members_stay(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1"), member("gw-a", "s2")])
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1"), ("gw-a", "s5"), ("gw-a", "s5")))
    assert result["changed"] is True
    assert [w[0] for w in sgw.writes()] == ["AddSharesToExpressSync"]
    assert sgw.writes()[0][1]["GatewayShares"] == '{"gw-a":"s5"}'
    assert sgw.member_keys() == [("gw-a", "s1"), ("gw-a", "s2"), ("gw-a", "s5")]


def test_purge_with_an_empty_list_removes_every_member(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1"), member("gw-b", "s2")])
    result = run(sgw, name="media", shares=[], purge_shares=True)
    assert result["changed"] is True
    assert [w[0] for w in sgw.writes()] == ["RemoveSharesFromExpressSync"]
    assert result["express_sync"]["shares"] == []


def test_shares_omitted_leaves_members_alone_even_with_purge(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1")])
    result = run(sgw, name="media", purge_shares=True)
    assert result["changed"] is False and sgw.writes() == []
    assert [s["share_name"] for s in result["express_sync"]["shares"]] == ["s1"]


def test_shares_state_absent_removes_only_listed_members(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1"), member("gw-a", "s2"), member("gw-b", "s3")])
    result = run(sgw, name="media", shares_state="absent",
                 shares=key_dicts(("gw-a", "s2"), ("gw-b", "s3"), ("gw-z", "not-a-member")))
    assert result["changed"] is True
    assert sgw.writes() == [("RemoveSharesFromExpressSync", {"ExpressSyncId": "sync-media01",
                                                             "GatewayShares": '{"gw-a":"s2","gw-b":"s3"}'})]
    assert result["removed_shares"] == key_dicts(("gw-a", "s2"), ("gw-b", "s3"))
    assert sgw.member_keys() == [("gw-a", "s1")]


def test_shares_state_absent_of_non_members_is_unchanged(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1")])
    result = run(sgw, name="media", shares_state="absent", shares=key_dicts(("gw-a", "s2")))
    assert result["changed"] is False and sgw.writes() == []


def test_wait_false_returns_after_the_call_without_polling(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1")], task_polls=100)
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s2")), wait=False)
    assert result["changed"] is True
    assert "DescribeTasks" not in sgw.actions()
    assert result["task_ids"] == ["t-0001"]


def test_a_task_already_running_on_the_group_is_waited_for_before_reading_members(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1")], task_polls=2)
    sgw.tasks["t-0900"] = {"TaskId": "t-0900", "RelatedResourceId": "sync-media01", "polls": 0}
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1")))
    assert result["changed"] is False
    actions = sgw.actions()
    assert actions[:2] == ["DescribeExpressSyncs", "DescribeTasks"]
    assert actions.count("DescribeTasks") == 4  # the listing, then polls of t-0900 until it has ended
    assert actions.index("DescribeExpressSyncShares") > len(actions) - 2


def test_wait_false_does_not_wait_for_running_tasks(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1")], task_polls=100)
    sgw.tasks["t-0900"] = {"TaskId": "t-0900", "RelatedResourceId": "sync-media01", "polls": 0}
    run(sgw, name="media", shares=key_dicts(("gw-a", "s1")), wait=False)
    assert "DescribeTasks" not in sgw.actions()


# ---------------------------------------------------------------------------------- delete


def test_absent_deletes_the_group_and_waits(run):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1")], task_polls=2)
    result = run(sgw, name="media", state="absent", _ansible_diff=True)
    assert result["changed"] is True
    assert sgw.writes() == [("DeleteExpressSync", {"ExpressSyncId": "sync-media01"})]
    assert sgw.actions().count("DescribeTasks") == 3
    assert result["express_sync"] == {}
    assert result["diff"]["before"]["express_sync_id"] == "sync-media01"
    assert result["diff"]["before"]["shares"] == ["s1@gw-a"]
    assert result["diff"]["after"] == {}


def test_absent_of_a_missing_group_is_unchanged(run):
    sgw = FakeSgw(groups=[GROUP])
    result = run(sgw, express_sync_id="sync-gone01", state="absent")
    assert result["rc"] == 0 and result["changed"] is False
    assert sgw.actions() == ["DescribeExpressSyncs"]
    assert result["express_sync"] == {}


def test_absent_in_check_mode_deletes_nothing(run):
    sgw = FakeSgw(groups=[GROUP])
    result = run(sgw, name="media", state="absent", _ansible_check_mode=True)
    assert result["changed"] is True and sgw.writes() == []
    assert sgw.groups == [GROUP]


def test_a_group_deleted_meanwhile_is_unchanged(run):
    sgw = FakeSgw(groups=[GROUP], errors={"DeleteExpressSync": SgwApiError(
        "ExpressSyncNotExist", "The specified sync group does not exist.", action="DeleteExpressSync", status=400)})
    result = run(sgw, name="media", state="absent")
    assert result["rc"] == 0 and result["changed"] is False
    assert result["task_ids"] == []


# --------------------------------------------------------------------------------- lookups


def test_two_groups_of_one_name_are_an_error_never_a_guess(run):
    twin = dict(GROUP, ExpressSyncId="sync-media02", BucketName="other")
    sgw = FakeSgw(groups=[GROUP, twin])
    result = run(sgw, name="media", state="absent")
    assert result["rc"] == 1 and result["failed"] is True
    assert "2 express sync groups are named 'media'" in result["msg"]
    assert "sync-media01, sync-media02" in result["msg"]
    assert sgw.writes() == []


def test_the_id_wins_over_a_duplicated_name(run):
    twin = dict(GROUP, ExpressSyncId="sync-media02")
    sgw = FakeSgw(groups=[GROUP, twin])
    result = run(sgw, express_sync_id="sync-media02", name="media", state="absent")
    assert result["changed"] is True
    assert sgw.writes() == [("DeleteExpressSync", {"ExpressSyncId": "sync-media02"})]


def test_present_with_an_unknown_id_is_an_error(run):
    sgw = FakeSgw(groups=[GROUP])
    result = run(sgw, express_sync_id="sync-gone01", shares=key_dicts(("gw-a", "s1")))
    assert result["rc"] == 1
    assert "sync-gone01 does not exist in region cn-hangzhou" in result["msg"]
    assert sgw.writes() == []


def test_creating_needs_the_bucket(run):
    sgw = FakeSgw()
    result = run(sgw, name="media", bucket_region="cn-hangzhou")
    assert result["rc"] == 1
    assert "no express sync group is named 'media'" in result["msg"] and "bucket_name" in result["msg"]
    assert sgw.writes() == []


@pytest.mark.parametrize("args, fields", [
    ({"bucket_name": "other-bucket"}, ["bucket_name is 'media-bucket', not 'other-bucket'"]),
    ({"bucket_prefix": "sub", "description": "new"}, ["bucket_prefix is '', not 'sub'",
                                                      "description is 'edit suites', not 'new'"]),
    ({"express_sync_id": "sync-media01", "name": "renamed"}, ["name is 'media', not 'renamed'"]),
    ({"bucket_region": "cn-shanghai"}, ["bucket_region is 'cn-hangzhou', not 'cn-shanghai'"]),
])
def test_immutable_fields_that_differ_are_an_error(run, args, fields):
    sgw = FakeSgw(groups=[GROUP])
    args.setdefault("name", "media")
    result = run(sgw, shares=key_dicts(("gw-a", "s1")), **args)
    assert result["rc"] == 1
    assert "cannot be changed once created" in result["msg"]
    for field in fields:
        assert field in result["msg"]
    assert sgw.writes() == []


def test_a_group_that_differs_from_the_options_is_not_deleted(run):
    sgw = FakeSgw(groups=[GROUP])
    result = run(sgw, express_sync_id="sync-media01", name="other-name", state="absent")
    assert result["rc"] == 1
    assert "sync-media01 does not match the options, so it was not deleted" in result["msg"]
    assert "name is 'media', not 'other-name'" in result["msg"]
    assert sgw.writes() == [] and sgw.groups == [GROUP]


def test_an_empty_prefix_matches_a_group_without_prefix(run):
    sgw = FakeSgw(groups=[dict(GROUP, BucketPrefix=None)])
    result = run(sgw, name="media", bucket_prefix="", bucket_name="media-bucket")
    assert result["rc"] == 0 and result["changed"] is False


# ------------------------------------------------------------------------------ validation


@pytest.mark.parametrize("args, message", [
    ({}, "give express_sync_id or name"),
    ({"name": "9lives"}, "'9lives' is not a valid express sync group name"),
    ({"name": "a" * 129}, "is not a valid express sync group name"),
    ({"express_sync_id": "media01"}, "'media01' is not an express sync group id"),
    ({"name": "media", "description": "d" * 256}, "description is 256 characters long; at most 255"),
    ({"name": "media", "shares": [{"gateway_id": "gateway-1", "share_name": "s"}]}, "'gateway-1' is not a gateway id"),
    ({"name": "media", "shares": [{"gateway_id": "gw-1", "share_name": "a,b"}]}, "contains a comma"),
    ({"name": "media", "shares": [{"gateway_id": "gw-1", "share_name": " "}]}, "share_name of a share of gateway gw-1"),
    ({"name": "media", "state": "absent", "shares": []}, "shares cannot be used with state=absent"),
    ({"name": "media", "shares": [], "shares_state": "absent", "purge_shares": True}, "purge_shares applies to"),
    ({"name": "media", "wait_timeout": -1}, "wait_timeout must be 0 or more"),
])
def test_bad_options_fail_before_any_call(run, args, message):
    sgw = FakeSgw()
    result = run(sgw, **args)
    assert result["rc"] == 1
    assert message in result["msg"]
    assert sgw.calls == [] and run.built == []


def test_a_share_without_share_name_is_refused_by_the_argument_spec(run):
    result = run(FakeSgw(), name="media", shares=[{"gateway_id": "gw-1"}])
    assert result["rc"] == 1 and "share_name" in result["msg"]


def test_cjk_names_are_valid():
    assert express_sync.invalid_params({"name": "媒体同步-1", "state": "present", "shares_state": "present"}) == []


# ----------------------------------------------------------------------------- busy, tasks


def test_a_busy_group_is_retried_with_growing_backoff(run, clock):
    sgw = FakeSgw(groups=[GROUP], busy=3)
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1")))
    assert result["rc"] == 0 and result["changed"] is True
    assert sgw.actions().count("AddSharesToExpressSync") == 4
    busy_sleeps = clock.sleeps[:3]
    assert busy_sleeps == [0.5, 1.0, 2.0]
    assert sgw.member_keys() == [("gw-a", "s1")]


def test_a_group_busy_for_longer_than_wait_timeout_fails_clearly(run, clock):
    sgw = FakeSgw(groups=[GROUP], members=[member("gw-a", "s1")], busy=10 ** 6)
    result = run(sgw, name="media", shares=[], purge_shares=True, wait_timeout=5)
    assert result["rc"] == 1 and result["changed"] is True
    assert result["error_code"] == "ExpressSyncInOperation"
    assert result["request_id"] == "req-busy"
    assert "RemoveSharesFromExpressSync in region cn-hangzhou failed" in result["msg"]
    assert "still busy" in result["msg"] and "wait_timeout" in result["msg"]
    assert sum(clock.sleeps) == pytest.approx(5.0)
    assert max(clock.sleeps) <= 10.0


def test_a_failed_task_fails_with_its_id(run):
    sgw = FakeSgw(groups=[GROUP], fail_tasks=True)
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1"), ("gw-a", "s2")))
    assert result["rc"] == 1
    assert result["error_code"] == "TaskFailed"
    assert result["task_id"] == "t-0001"
    assert result["msg"].startswith("AddSharesToExpressSync in region cn-hangzhou failed: TaskFailed. task t-0001 on "
                                    "sync-media01 ended in task.state.failed (sim.failure)")
    assert result["changed"] is True
    assert result["task_ids"] == ["t-0001"]


def test_a_task_that_outlives_wait_timeout_fails_with_its_id(run, clock):
    sgw = FakeSgw(groups=[GROUP], task_polls=10 ** 6)
    result = run(sgw, name="media", state="absent", wait_timeout=20)
    assert result["rc"] == 1
    assert result["error_code"] == "TaskTimeout"
    assert result["task_id"] == "t-0001"
    assert result["msg"].startswith("DeleteExpressSync in region cn-hangzhou failed: TaskTimeout. task t-0001")
    assert "after 20s" in result["msg"]
    # polls start fast, back off to the cap, and never sleep past the deadline
    assert clock.sleeps[:5] == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert max(clock.sleeps) == 5.0
    assert sum(clock.sleeps) == pytest.approx(20.0)


def test_other_api_errors_keep_their_code_and_request_id(run):
    error = SgwApiError("GatewayNotExist", "The specified gateway does not exist.", action="AddSharesToExpressSync",
                        region=REGION, status=400, request_id="req-gw")
    sgw = FakeSgw(groups=[GROUP], errors={"AddSharesToExpressSync": error})
    result = run(sgw, name="media", shares=key_dicts(("gw-a", "s1")))
    assert result["rc"] == 1
    assert result["error_code"] == "GatewayNotExist" and result["request_id"] == "req-gw"
    assert "hint: check the gateway id" in result["msg"]
    assert sgw.actions().count("AddSharesToExpressSync") == 1  # not retried


def test_the_secret_is_never_returned(run):
    sgw = FakeSgw(groups=[GROUP])
    result = run(sgw, name="media", access_key_id="LTAI5tUnitKey", access_key_secret=SECRET,
                 security_token=SECRET + "-token", shares=key_dicts(("gw-a", "s1")), _ansible_diff=True)
    assert result["rc"] == 0
    assert SECRET not in result["raw"]
    assert run.built[0]["access_key_secret"] == SECRET  # it did reach the client
