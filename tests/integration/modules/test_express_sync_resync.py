"""The module express_sync_resync against the simulator: exact call counts, a failed Add task,
two runs on one journal, entries given back to a run that has no journal, and bad options."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.integration.modules.conftest import (
    KEY_ID,
    membership,
    start_playbook,
    stats_delta,
    writes,
)
from tests.support.waiting import wait_until

RENDER_CACHE = "sync-0001xv7je357xn8t"
BUILD_ARTIFACTS = "sync-0004agfrbke1l39p"
ANALYTICS = "sync-0003k2n8dq5w1mzr"
GROUPS = {RENDER_CACHE: "cn-hangzhou", BUILD_ARTIFACTS: "cn-hangzhou", ANALYTICS: "cn-shanghai"}
# the failed shares of the sample account, one per group, in two regions
SHARES = [
    {"express_sync_id": RENDER_CACHE, "gateway_id": "gw-0004xq2m7bd1v9hke", "share_name": "render-frames",
     "region": "cn-hangzhou"},
    {"express_sync_id": BUILD_ARTIFACTS, "gateway_id": "gw-0003f6ht0wz8n2lqa", "share_name": "artifacts-cache",
     "sgw_region": "cn-hangzhou"},
    {"express_sync_id": ANALYTICS, "gateway_id": "gw-0002w5nb8dj3u6qcx", "share_name": "exports-smb",
     "region": "cn-shanghai"},
]
LABELS = sorted("%s@%s" % (s["share_name"], s["gateway_id"]) for s in SHARES)
TASK = "Resync"
LOCAL = ("-i", "localhost,")


@pytest.fixture
def play(ansible_playbook):
    """``ansible_playbook`` on the inventory of localhost alone."""
    return lambda simulator, playbook, *args: ansible_playbook(simulator, playbook, *LOCAL, *args)


def start_local(simulator, tmp_path, playbook):
    return start_playbook(simulator, tmp_path, playbook, *LOCAL)


def resync_playbook(tmp_path, **options):
    """A playbook of one task of the module with ``options``; its result is registered as ``resync``."""
    path = tmp_path / ("resync_%d.yml" % len(list(tmp_path.glob("resync_*.yml"))))
    path.write_text(yaml.safe_dump([{
        "name": "Resync shares", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "tasks": [{"name": TASK, "alibabacloud.sgw.express_sync_resync": options, "register": "resync"}],
    }], sort_keys=False), encoding="utf-8")
    return path


def test_one_remove_and_one_add_per_group_and_one_health_read_per_region_per_round(
        tmp_path, sample_account, start_simulator, play):
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1.5")
    before = membership(simulator, GROUPS)
    start = simulator.stats()
    run = play(simulator, resync_playbook(tmp_path, shares=SHARES, healthy_timeout=60), "--diff")
    assert run.rc == 0, run
    result = run.result(TASK)
    calls = stats_delta(simulator.stats(), start)
    rounds = result["health_rounds"]
    assert rounds >= 1
    # two regions: the members read once per region before, then once per region per round
    assert calls.pop("DescribeExpressSyncShares") == 2 * (1 + rounds)
    # one DescribeTasks per task per polling round, the tasks of all the groups in each round
    assert calls.pop("DescribeTasks") >= 6
    assert calls == {"RemoveSharesFromExpressSync": 3, "AddSharesToExpressSync": 3}
    assert result["recovered"] == LABELS and result["not_recovered"] == []
    assert [(s["express_sync_id"], s["state_before"], s["state_after"], s["sgw_health"], s["sync_progress"])
            for s in result["shares"]] == [
        (RENDER_CACHE, "QueueFailure", "MNSHealthy", "healthy", 100),
        (BUILD_ARTIFACTS, "TopicFailure", "MNSHealthy", "healthy", 100),
        (ANALYTICS, "TopicAndQueueFailure", "MNSHealthy", "healthy", 100)]
    assert result["pending"] == [] and result["resumed"] == [] and result["not_members"] == []
    assert result["diff"]["before"] == {"%s (%s)" % (g, r): before[g] for g, r in GROUPS.items()}
    assert result["diff"]["after"] == result["diff"]["before"]
    assert membership(simulator, GROUPS) == before
    assert not (tmp_path / "resync-journal.json").exists()


def test_a_failed_add_task_keeps_the_journal_and_the_next_run_resumes(tmp_path, sample_account, start_simulator,
                                                                      play):
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1",
                                "--fail-task", "AddSharesToExpressSync@" + RENDER_CACHE)
    before = membership(simulator, GROUPS)
    run = play(simulator, resync_playbook(tmp_path, shares=SHARES, healthy_timeout=30))
    assert run.rc == 2, run
    result = run.result(TASK)
    assert result["error_code"] == "TaskFailed"
    message = result["msg"]
    assert message.startswith("AddSharesToExpressSync in region cn-hangzhou failed: TaskFailed. task t-")
    assert "task.state.failed" in message and "render-frames@gw-0004xq2m7bd1v9hke" in message
    assert str(tmp_path / "resync-journal.json") in message and "resume_only: true" in message
    # the other groups were healed all the same; this one is pending, in the result and the journal
    assert result["recovered"] == ["artifacts-cache@gw-0003f6ht0wz8n2lqa", "exports-smb@gw-0002w5nb8dj3u6qcx"]
    assert result["not_recovered"] == ["render-frames@gw-0004xq2m7bd1v9hke"]
    assert [(e["express_sync_id"], e["step"]) for e in result["pending"]] == [(RENDER_CACHE, "add_failed")]
    journal = json.loads((tmp_path / "resync-journal.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in journal["entries"]] == [e["id"] for e in result["pending"]]
    assert "render-frames@gw-0004xq2m7bd1v9hke" not in membership(simulator, GROUPS)[RENDER_CACHE]

    simulator.faults()
    start = simulator.stats()
    again = play(simulator, resync_playbook(tmp_path, resume_only=True, healthy_timeout=30))
    assert again.rc == 0, again
    resumed = again.result(TASK)
    assert resumed["resumed"] == [{"express_sync_id": RENDER_CACHE, "region": "cn-hangzhou", "account_id": None,
                                   "shares": [{"gateway_id": "gw-0004xq2m7bd1v9hke", "share_name": "render-frames"}],
                                   "added": [{"gateway_id": "gw-0004xq2m7bd1v9hke", "share_name": "render-frames"}]}]
    assert resumed["recovered"] == ["render-frames@gw-0004xq2m7bd1v9hke"]
    assert writes(stats_delta(simulator.stats(), start)) == {"AddSharesToExpressSync": 1}
    assert membership(simulator, GROUPS) == before
    assert not (tmp_path / "resync-journal.json").exists()


def test_two_runs_on_one_journal_do_not_interleave(tmp_path, sample_account, start_simulator, play):
    # the first run's Add calls are held, so that it holds the journal's lock while the others start:
    # each attempt waits for its timeout, long enough for ansible-playbook to start on a loaded machine
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1",
                                "--hang-action", "AddSharesToExpressSync")
    before = membership(simulator, GROUPS)
    playbook = resync_playbook(tmp_path, shares=SHARES, timeout=20, max_retries=2, healthy_timeout=60)
    first = start_local(simulator, tmp_path, playbook)
    try:
        wait_until(lambda: simulator.stats()["actions"].get("AddSharesToExpressSync") == 3, "the Add calls",
                   timeout=120)
        refused = play(simulator, resync_playbook(tmp_path, resume_only=True, wait_timeout=1))
        assert refused.rc == 2, refused
        message = refused.result(TASK)["msg"]
        assert "is locked by another run (pid " in message and "within 1s (wait_timeout)" in message
        assert str(tmp_path / "resync-journal.json") in message
        waiting = start_local(simulator, tmp_path, resync_playbook(tmp_path, resume_only=True, wait_timeout=120))
        simulator.faults()  # Add calls are answered from now on
        done = first.finish()
    finally:
        first.kill()
    # An Add without an answer is never sent again: once it could no longer land, the members were read, and the
    # shares that are not members are left to the journal.
    assert done.rc == 2, done
    assert "no answer within 20s" in done.result(TASK)["msg"], done.result(TASK)["msg"]
    assert sorted(e["step"] for e in done.result(TASK)["pending"]) == ["add_failed"] * 3
    second = waiting.finish()
    assert second.rc == 0, second
    # it waited for the first run, and then resumed what it left
    assert sorted(r["express_sync_id"] for r in second.result(TASK)["resumed"]) == sorted(GROUPS)
    assert simulator.stats()["actions"]["RemoveSharesFromExpressSync"] == 3
    assert simulator.stats()["actions"]["AddSharesToExpressSync"] == 6
    assert membership(simulator, GROUPS) == before


def test_pending_entries_given_back_to_a_run_without_the_journal(tmp_path, sample_account, start_simulator,
                                                                 play):
    # a job on an ephemeral controller: its journal is gone with its container, its result is not
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1",
                                "--deny", "AddSharesToExpressSync@" + KEY_ID)
    before = membership(simulator, GROUPS)
    first_journal = tmp_path / "first" / "journal.json"
    first = play(simulator, resync_playbook(tmp_path, shares=SHARES, journal=str(first_journal)))
    assert first.rc == 2, first
    pending = first.result(TASK)["pending"]
    assert sorted(e["express_sync_id"] for e in pending) == sorted(GROUPS)
    assert all(e["step"] == "add_failed" for e in pending)
    assert KEY_ID not in json.dumps(pending)
    assert not {label for shares in membership(simulator, GROUPS).values() for label in shares} & set(LABELS)

    simulator.faults()
    entries = tmp_path / "entries.json"
    entries.write_text(json.dumps({"earlier_pending": pending}), encoding="utf-8")
    fresh_journal = tmp_path / "fresh" / "journal.json"
    start = simulator.stats()
    second = play(simulator, resync_playbook(
        tmp_path, resume_only=True, resume_entries="{{ earlier_pending }}", journal=str(fresh_journal)),
        "-e", "@%s" % entries)
    assert second.rc == 0, second
    result = second.result(TASK)
    assert sorted(r["express_sync_id"] for r in result["resumed"]) == sorted(GROUPS)
    assert result["recovered"] == LABELS and result["pending"] == []
    assert writes(stats_delta(simulator.stats(), start)) == {"AddSharesToExpressSync": 3}
    assert membership(simulator, GROUPS) == before
    assert not fresh_journal.exists()

    # the first journal still has its entries: resuming them finds the shares members, and changes nothing
    start = simulator.stats()
    third = play(simulator, resync_playbook(tmp_path, resume_only=True, journal=str(first_journal)))
    assert third.rc == 0, third
    assert [r["added"] for r in third.result(TASK)["resumed"]] == [[], [], []]
    assert third.result(TASK)["changed"] is False
    assert writes(stats_delta(simulator.stats(), start)) == {}
    assert not first_journal.exists()


def test_a_share_that_is_not_a_member_is_left_alone(tmp_path, sample_account, start_simulator, play):
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1")
    stray = {"express_sync_id": RENDER_CACHE, "gateway_id": "gw-0002c8pz1kq7y4rtd", "share_name": "render-scratch",
             "region": "cn-hangzhou"}
    start = simulator.stats()
    run = play(simulator, resync_playbook(tmp_path, shares=[stray], wait_healthy=False))
    assert run.rc == 0, run
    result = run.result(TASK)
    assert result["changed"] is False
    assert result["not_members"] == [dict(stray, reason="not a member of %s" % RENDER_CACHE)]
    assert writes(stats_delta(simulator.stats(), start)) == {}


def test_bad_options_fail_before_any_call(tmp_path, sample_account, start_simulator, play):
    simulator = start_simulator(sample_account)
    foreign = {"id": "0123456789abcdef", "account": {"key_id": "LTAI****on01", "identity": "0" * 24},
               "endpoint": "https://sgw.cn-shanghai.aliyuncs.com", "region": "cn-hangzhou",
               "express_sync_id": RENDER_CACHE, "step": "adding",
               "shares": [{"gateway_id": "gw-0004xq2m7bd1v9hke", "share_name": "render-frames"}]}
    start = simulator.stats()
    run = play(simulator, resync_playbook(
        tmp_path, shares=[{"express_sync_id": "nope", "gateway_id": "gw-1", "share_name": "a", "region": "cn-hangzhou"},
                          {"express_sync_id": RENDER_CACHE, "gateway_id": "gw-1", "share_name": "b"}],
        resume_entries=[foreign, {"region": "cn-hangzhou"}], max_concurrency=0))
    assert run.rc == 2, run
    message = run.result(TASK)["msg"]
    assert message.startswith("Invalid options: ")
    for expected in ("max_concurrency must be 1 or more", "shares[0]: 'nope' is not an express sync group id",
                     "shares[1] names no region", "resume_entries[0]: it was recorded for the endpoint "
                     "https://sgw.cn-shanghai.aliyuncs.com", "resume_entries[1]: express_sync_id is missing"):
        assert expected in message
    assert simulator.stats()["total"] == start["total"]


def test_a_journal_that_cannot_be_written_fails_before_any_write(tmp_path, sample_account, start_simulator, play):
    simulator = start_simulator(sample_account)
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the journal's directory should be", encoding="utf-8")
    start = simulator.stats()
    run = play(simulator, resync_playbook(tmp_path, shares=SHARES, journal=str(blocked / "journal.json")))
    assert run.rc == 2, run
    result = run.result(TASK)
    assert result["msg"].startswith("The resync journal %s could not be read or written" % (blocked / "journal.json"))
    assert "Traceback" not in run.stdout + run.stderr and result["changed"] is False
    assert writes(stats_delta(simulator.stats(), start)) == {}
