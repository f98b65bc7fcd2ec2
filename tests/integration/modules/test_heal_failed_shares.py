"""The playbook alibabacloud.sgw.heal_failed_shares end to end: the inventory finds the failed shares of the
sample account, the playbook resyncs them (module express_sync_resync) and waits until they are
healthy; a heal that is interrupted (a denied Add, a controller killed between the Remove and the
Add) is completed by the next run, even though no share is failed any more."""

from __future__ import annotations

import json

import yaml

from tests.integration.modules.conftest import (
    KEY_ID,
    membership,
    start_playbook,
    stats_delta,
    writes,
)
from tests.support.waiting import wait_until

# By name, as users run it: playbooks/heal_failed_shares.yml of the collection.
PLAYBOOK = "alibabacloud.sgw.heal_failed_shares"
RENDER_CACHE = "sync-0001xv7je357xn8t"
BUILD_ARTIFACTS = "sync-0004agfrbke1l39p"
ANALYTICS = "sync-0003k2n8dq5w1mzr"
# The failed shares of the sample account, plus render-frames@gw-0001b2odzvl3b1mhi, which the test's
# copy also marks failed so that one group has two failed shares.
FAILED = {
    "render-frames@gw-0004xq2m7bd1v9hke": (RENDER_CACHE, "QueueFailure"),
    "render-frames@gw-0001b2odzvl3b1mhi": (RENDER_CACHE, "QueueFailure"),
    "artifacts-cache@gw-0003f6ht0wz8n2lqa": (BUILD_ARTIFACTS, "TopicFailure"),
    "exports-smb@gw-0002w5nb8dj3u6qcx": (ANALYTICS, "TopicAndQueueFailure"),
}
FAST = ("-e", "sgw_heal_delay=0.5", "-e", "sgw_heal_retries=40", "-e", "sgw_heal_wait_timeout=30")
GROUPS = {RENDER_CACHE: "cn-hangzhou", BUILD_ARTIFACTS: "cn-hangzhou", ANALYTICS: "cn-shanghai"}
RESYNC_TASK = "Resync the failed shares, and wait until they are healthy"
RESUME_TASK = "Add back the shares that the journal says are out of their group"


def heal_account(sample_account):
    """The sample account with a second failed share in the group render-cache."""
    document = yaml.safe_load(sample_account.read_text(encoding="utf-8"))
    for share in document["shares"]:
        if (share["GatewayId"], share["ShareName"]) == ("gw-0001b2odzvl3b1mhi", "render-frames"):
            share.update(ExpressSyncState="QueueFailure", SyncProgress=100)
    sample_account.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return sample_account


def inventory_file(tmp_path, simulator):
    path = tmp_path / "heal.sgw.yml"
    path.write_text(yaml.safe_dump({
        "plugin": "alibabacloud.sgw.sgw",
        "endpoint": simulator.url,
        "regions": ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"],
    }), encoding="utf-8")
    return path


def member_states(simulator):
    """``{"<share>@<gateway>": (group id, state)}`` of every member share, as the simulator has them now."""
    account = simulator.control("/_sim/account")
    return {"%s@%s" % (s["ShareName"], s["GatewayId"]): (s["ExpressSyncId"], s["ExpressSyncState"])
            for s in account["shares"] if s["ExpressSyncId"]}


def first_host_result(run, name):
    """The result of a run_once task (recorded on the first host of the play)."""
    (hosts,) = run.tasks(name)
    assert len(hosts) == 1, hosts
    return next(iter(hosts.values()))


def test_heal_failed_shares_check_mode_then_for_real(tmp_path, sample_account, start_simulator, ansible_playbook):
    simulator = start_simulator(heal_account(sample_account), "--task-seconds", "0.2", "--full-sync-seconds", "1.5")
    inventory = inventory_file(tmp_path, simulator)
    before = member_states(simulator)
    assert {label: before[label] for label in FAILED} == FAILED

    # --check: the plan, and not one write call, no journal
    start = simulator.stats()
    check = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, "--check", *FAST)
    assert check.rc == 0, check
    assert set(check.stats) == set(FAILED) | {"localhost"}
    planned = first_host_result(check, RESYNC_TASK)
    assert planned["changed"] is True
    assert {"%s@%s" % (s["share_name"], s["gateway_id"]): (s["express_sync_id"], s["state_before"])
            for s in planned["shares"]} == FAILED
    assert writes(stats_delta(simulator.stats(), start)) == {}
    assert member_states(simulator) == before
    assert not (tmp_path / "resync-journal.json").exists()

    # for real: one remove and one add per group, then every failed share is healthy again
    start = simulator.stats()
    run = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, *FAST)
    assert run.rc == 0, run
    calls = stats_delta(simulator.stats(), start)
    assert writes(calls) == {"RemoveSharesFromExpressSync": 3, "AddSharesToExpressSync": 3}

    # the play ran on exactly the failed shares (the API calls were delegated to localhost)
    assert set(run.stats) == set(FAILED) | {"localhost"}
    assert all(run.stats[host]["failures"] == 0 for host in FAILED)
    assert run.result(RESUME_TASK)["resumed"] == []
    resynced = first_host_result(run, RESYNC_TASK)
    assert len(resynced["task_ids"]) == 6
    assert resynced["recovered"] == sorted(FAILED) and resynced["not_recovered"] == []

    # the report: each share, from its state before to healthy now
    reports = run.tasks("Report the share")[0]
    assert set(reports) == set(FAILED)
    for label, (group, state) in FAILED.items():
        message = reports[label]["msg"]
        assert message.startswith("%s in %s: %s before, MNSHealthy (healthy, 100%%) now" % (label, group, state))
    summary = first_host_result(run, "Summarise what recovered")["msg"]
    assert summary == {"recovered": sorted(FAILED), "not_recovered": []}

    after = member_states(simulator)
    healed = {label: (group, "MNSHealthy") for label, (group, dummy) in FAILED.items()}
    assert {label: after[label] for label in FAILED} == healed
    # the other members were left alone
    assert {k: v for k, v in after.items() if k not in FAILED} == {k: v for k, v in before.items() if k not in FAILED}
    assert not (tmp_path / "resync-journal.json").exists()


def test_heal_reports_shares_that_do_not_recover(tmp_path, sample_account, start_simulator, ansible_playbook):
    # a full sync far longer than the playbook waits: the shares are re-added but still syncing
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "600")
    inventory = inventory_file(tmp_path, simulator)
    run = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, "-l",
                           "localhost,sgw_sync_" + RENDER_CACHE.replace("-", "_"),
                           "-e", "sgw_heal_retries=1", "-e", "sgw_heal_delay=0.2")
    label = "render-frames@gw-0004xq2m7bd1v9hke"
    assert run.rc == 2, run
    assert set(run.stats) == {label, "localhost"}
    report = run.result("Report the share", label)["msg"]
    expected = "%s in %s: QueueFailure before, MNSFullSyncInit (syncing, 0%%) now" % (label, RENDER_CACHE)
    assert report.startswith(expected)
    assert first_host_result(run, "Summarise what recovered")["msg"] == {"recovered": [], "not_recovered": [label]}
    check = run.result("Check that every share recovered", label)
    assert check["failed"] is True and "%s not healthy yet" % label in check["msg"]
    # it was re-added all the same: a member again, its full sync under way
    assert member_states(simulator)[label] == (RENDER_CACHE, "MNSFullSyncInit")


def journal_entries(tmp_path):
    path = tmp_path / "resync-journal.json"
    return json.loads(path.read_text(encoding="utf-8"))["entries"] if path.exists() else []


def test_heal_stopped_by_a_denied_add_is_completed_by_the_next_run(tmp_path, sample_account, start_simulator,
                                                                   ansible_playbook):
    # an identity that may remove but not add
    simulator = start_simulator(heal_account(sample_account), "--task-seconds", "0.2", "--full-sync-seconds", "1",
                                "--deny", "AddSharesToExpressSync@" + KEY_ID)
    inventory = inventory_file(tmp_path, simulator)
    before = membership(simulator, GROUPS)

    first = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, *FAST)
    assert first.rc == 2, first
    failed = first_host_result(first, RESYNC_TASK)
    assert failed["failed"] is True and failed["error_code"] == "Forbidden.RAM"
    message = failed["msg"]
    assert "hcs-sgw:AddSharesToExpressSync" in message and "RequestId" in message
    assert str(tmp_path / "resync-journal.json") in message and "resume_only: true" in message
    assert all(label in message for label in FAILED)
    assert all(group in message for group in GROUPS)
    assert "Traceback" not in first.stdout + first.stderr
    # the shares are out of their groups, and the journal knows where they belong
    assert not set(FAILED) & set(member_states(simulator))
    entries = journal_entries(tmp_path)
    assert {e["express_sync_id"]: e["step"] for e in entries} == dict.fromkeys(GROUPS, "add_failed")
    assert {"%s@%s" % (s["share_name"], s["gateway_id"]) for e in entries for s in e["shares"]} == set(FAILED)
    assert {e["account"]["key_id"] for e in entries} == {KEY_ID[:4] + "****" + KEY_ID[-4:]}
    assert KEY_ID not in (tmp_path / "resync-journal.json").read_text(encoding="utf-8")

    simulator.faults()  # the right to add is granted

    # --check: reports what it would resume, and writes nothing
    journal_text = (tmp_path / "resync-journal.json").read_text(encoding="utf-8")
    start = simulator.stats()
    check = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, "--check", *FAST)
    assert check.rc == 0, check
    assert set(check.stats) == {"localhost"}  # no failed share left for the inventory
    would = check.result(RESUME_TASK)
    assert sorted(r["express_sync_id"] for r in would["resumed"]) == sorted(GROUPS)
    assert writes(stats_delta(simulator.stats(), start)) == {}
    assert (tmp_path / "resync-journal.json").read_text(encoding="utf-8") == journal_text

    # the next run, with no failed host at all, puts every share back where it was
    start = simulator.stats()
    second = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, *FAST)
    assert second.rc == 0, second.stdout[-4000:]
    assert set(second.stats) == {"localhost"}
    resumed = second.result(RESUME_TASK)
    assert sorted(r["express_sync_id"] for r in resumed["resumed"]) == sorted(GROUPS)
    assert resumed["pending"] == []
    assert writes(stats_delta(simulator.stats(), start)) == {"AddSharesToExpressSync": 3}
    assert membership(simulator, GROUPS) == before
    assert not (tmp_path / "resync-journal.json").exists()


def test_heal_killed_between_remove_and_add_is_completed_by_the_next_run(tmp_path, sample_account, start_simulator,
                                                                         ansible_playbook):
    # the Add calls are held (never answered, never run): the controller dies while it waits for them
    simulator = start_simulator(heal_account(sample_account), "--task-seconds", "0.3", "--full-sync-seconds", "1",
                                "--hang-action", "AddSharesToExpressSync")
    inventory = inventory_file(tmp_path, simulator)
    before = membership(simulator, GROUPS)

    # A transport timeout of 2 s: a write sent without an answer can land for 6 s.
    short = {"ALIBABA_CLOUD_SGW_TIMEOUT": "2"}
    running = start_playbook(simulator, tmp_path, PLAYBOOK, "-i", inventory, *FAST, extra_env=short)
    try:
        # every Remove task has completed and every Add has been sent
        wait_until(lambda: simulator.stats()["actions"].get("AddSharesToExpressSync") == 3,
                   "the three Add calls", timeout=120)
        assert {e["step"] for e in journal_entries(tmp_path)} == {"adding"}
    finally:
        running.kill()
    assert running.returncode == -9

    assert not set(FAILED) & set(member_states(simulator))
    assert sorted(e["express_sync_id"] for e in journal_entries(tmp_path)) == sorted(GROUPS)

    simulator.faults()
    # The Adds might still land (a proxy may hold them): the next run waits until they can no longer land.
    second = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, *FAST, extra_env=short)
    assert second.rc == 0, second.stdout[-4000:]
    assert sorted(r["express_sync_id"] for r in second.result(RESUME_TASK)["resumed"]) == sorted(GROUPS)
    assert membership(simulator, GROUPS) == before
    assert not (tmp_path / "resync-journal.json").exists()
