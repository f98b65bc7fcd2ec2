"""The resync engine against the simulated service in process, on a fake clock: a run that dies
at any step is completed by the next one, whatever the service did meanwhile."""

from __future__ import annotations


import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.resync import Resync
from tests.support.in_thread import InThread
from tests.support.fake_api import FakeApi, FakeClock

ENDPOINT = "http://127.0.0.1:1"
ACCOUNT = {"key_id": "LTAI****ey01", "identity": "b" * 24}
RENDER_CACHE = "sync-0001xv7je357xn8t"
ANALYTICS = "sync-0003k2n8dq5w1mzr"
REQUESTED = {
    ("cn-hangzhou", RENDER_CACHE): [("gw-0004xq2m7bd1v9hke", "render-frames")],
    ("cn-shanghai", ANALYTICS): [("gw-0002w5nb8dj3u6qcx", "exports-smb")],
}
PARAMS = {"wait_timeout": 60, "max_concurrency": 4, "wait_healthy": True, "healthy_timeout": 60}


class Crash(BaseException):
    """The process dies: nothing after this point runs, not even error handling."""


class DyingJournal(journals.Journal):
    """A journal whose run dies just before its ``die_at``-th write."""

    def __init__(self, path, die_at, clock):
        super().__init__(path, clock=clock, sleep=clock.sleep)
        self.die_at = die_at

    def save(self):
        if self.writes + 1 == self.die_at:
            raise Crash()
        super().save()


@pytest.fixture(params=[False, True], ids=["lenient-membership", "strict-membership"])
def world(tmp_path, request):
    """The sample account in process (tests/support/fake_api.py) on a fake clock, under both readings of
    what the reference does not say: adding a member again, or removing a share of no group, is
    ignored or refused."""
    api = FakeApi(clock=FakeClock(1000.0), task_seconds=2, full_sync_seconds=3, strict_membership=request.param)
    api.timeout = 5.0  # the client's timeout: a write sent without an answer can land for 15 s
    return api.clock, api, tmp_path / "journal.json"


def members(api, group):
    return sorted((s["GatewayId"], s["ShareName"]) for s in api.service.account.members(group))


def actions(api):
    """The actions called, in order."""
    return [action for action, _region, _params in api.calls]


def resync(client, journal, clock, check_mode=False, **params):
    waits = tasks.Waits(sleep=clock.sleep, clock=clock, rand=lambda: 1.0, wall=clock)
    return Resync(client, journal, ACCOUNT, lambda region: ENDPOINT, dict(PARAMS, **params), check_mode=check_mode,
                  waits=waits)


def serial(dummy_engine):
    """No threads: the fake clock and the service are driven from the test's thread."""
    return InThread


def test_a_full_run_writes_the_journal_before_each_step_and_leaves_nothing(world):
    clock, api, path = world
    before = {group: members(api, group) for group in (RENDER_CACHE, ANALYTICS)}
    journal = journals.Journal(path, clock=clock, sleep=clock.sleep)
    client = api
    engine = resync(client, journal, clock)
    result = engine.run(REQUESTED, pool_factory=serial(engine))
    assert result["recovered"] == ["exports-smb@gw-0002w5nb8dj3u6qcx", "render-frames@gw-0004xq2m7bd1v9hke"]
    assert engine.errors == [] and result["pending"] == []
    # intent, remove tasks sent, removes done, adds about to be sent, adds sent, adds done (file removed)
    assert journal.writes == 6
    assert not path.exists()
    assert actions(client).count("RemoveSharesFromExpressSync") == 2 and actions(client).count("AddSharesToExpressSync") == 2
    assert {group: members(api, group) for group in before} == before


@pytest.mark.parametrize("die_at", [1, 2, 3, 4, 5, 6])
def test_a_run_that_dies_at_any_step_is_completed_by_the_next(world, die_at):
    clock, api, path = world
    before = {group: members(api, group) for group in (RENDER_CACHE, ANALYTICS)}
    client = api
    dying = resync(client, DyingJournal(path, die_at, clock), clock)
    with pytest.raises(Crash):
        dying.run(REQUESTED, pool_factory=serial(dying))
    # the tasks the dead run started go on in the service; the next run starts a little later
    clock.sleep(0.5)
    journal = journals.Journal(path, clock=clock, sleep=clock.sleep)
    engine = resync(client, journal, clock)
    result = engine.run({}, resume_only=True, pool_factory=serial(engine))
    assert engine.errors == [], engine.failure_message()
    assert {group: members(api, group) for group in before} == before
    assert result["pending"] == [] and not path.exists()
    resumed_groups = sorted(r["express_sync_id"] for r in result["resumed"])
    assert resumed_groups == ([] if die_at == 1 else sorted([RENDER_CACHE, ANALYTICS]))


def test_check_mode_reads_and_plans_but_writes_nothing(world):
    clock, api, path = world
    pending = journals.new_entry(ACCOUNT, ENDPOINT, "cn-hangzhou", "sync-0004agfrbke1l39p",
                                 [("gw-0003f6ht0wz8n2lqa", "artifacts-cache")])
    api.service.account.shares[("gw-0003f6ht0wz8n2lqa", "artifacts-cache")].update(ExpressSyncId="")
    journal = journals.Journal(path, clock=clock, sleep=clock.sleep)
    journal.entries = [pending]
    journal.save()
    text = path.read_text(encoding="utf-8")
    client = api
    engine = resync(client, journal, clock, check_mode=True)
    result = engine.run(REQUESTED, pool_factory=serial(engine))
    assert set(actions(client)) == {"DescribeExpressSyncShares"}
    assert path.read_text(encoding="utf-8") == text and journal.writes == 1
    assert result["changed"] is True
    assert [r["added"] for r in result["resumed"]] == [[{"gateway_id": "gw-0003f6ht0wz8n2lqa",
                                                         "share_name": "artifacts-cache"}]]
    assert [s["state_before"] for s in result["shares"]] == ["QueueFailure", "not a member", "TopicAndQueueFailure"]
    assert [e["id"] for e in result["pending"]] == [pending["id"]]


def test_entries_of_other_credentials_are_left_alone_with_a_warning(world):
    clock, api, path = world
    other = journals.new_entry({"key_id": "LTAI****zz99", "identity": "c" * 24}, ENDPOINT, "cn-hangzhou",
                               RENDER_CACHE, [("gw-0004xq2m7bd1v9hke", "render-frames")])
    journal = journals.Journal(path, clock=clock, sleep=clock.sleep)
    journal.entries = [other]
    journal.save()
    client = api
    engine = resync(client, journal, clock)
    result = engine.run({}, resume_only=True, pool_factory=serial(engine))
    assert result["resumed"] == [] and result["pending"] == [] and actions(client) == []
    assert "holds 1 pending entries of other credentials or endpoints" in engine.warnings[0]
    assert journals.Journal(path).load() == [other]


def test_a_busy_group_is_retried_until_its_task_ends(world):
    clock, api, path = world
    # a task of someone else runs on the group for 2 s
    api.call("AddSharesToExpressSync", "cn-hangzhou",
             {"ExpressSyncId": RENDER_CACHE, "GatewayShares": '{"gw-0002c8pz1kq7y4rtd":"render-scratch"}'})
    client = api
    engine = resync(client, journals.Journal(path, clock=clock, sleep=clock.sleep), clock)
    result = engine.run({("cn-hangzhou", RENDER_CACHE): [("gw-0004xq2m7bd1v9hke", "render-frames")]},
                        pool_factory=serial(engine))
    assert engine.errors == []
    assert result["recovered"] == ["render-frames@gw-0004xq2m7bd1v9hke"]
    assert actions(client).count("RemoveSharesFromExpressSync") > 1  # answered ExpressSyncInOperation first


def test_a_share_that_is_not_a_member_is_reported_and_left_alone(world):
    clock, api, path = world
    client = api
    engine = resync(client, journals.Journal(path, clock=clock, sleep=clock.sleep), clock)
    result = engine.run({("cn-hangzhou", RENDER_CACHE): [("gw-0002c8pz1kq7y4rtd", "render-scratch")]},
                        pool_factory=serial(engine))
    assert result["changed"] is False and result["shares"] == []
    assert [s["share_name"] for s in result["not_members"]] == ["render-scratch"]
    assert "render-scratch@gw-0002c8pz1kq7y4rtd (sync-0001xv7je357xn8t)" in engine.warnings[0]
    assert "AddSharesToExpressSync" not in actions(client) and "RemoveSharesFromExpressSync" not in actions(client)
