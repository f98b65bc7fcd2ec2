"""The playbook alibabacloud.sgw.heal_failed_shares across several accounts of a resource directory, in one
run: each account's writes are signed by its own credentials, and nothing is lost."""

from __future__ import annotations

import yaml

from tests.integration.modules.conftest import stats_delta, writes
from tests.support.sim_process import REPO_ROOT

PLAYBOOK = "alibabacloud.sgw.heal_failed_shares"
DATA = REPO_ROOT / "tests" / "simulator" / "data"
MANAGEMENT, MEDIA, FINANCE = "1638094425718837", "1855000000000001", "1855000000000002"
FAILED = {
    MANAGEMENT: {"render-frames@gw-0004xq2m7bd1v9hke", "artifacts-cache@gw-0003f6ht0wz8n2lqa",
                 "exports-smb@gw-0002w5nb8dj3u6qcx"},
    MEDIA: {"proxies@gw-0005m3dia0gatew1"},
    FINANCE: {"ledgers@gw-0006f1nance0gw01"},
}
FAST = ("-e", "sgw_heal_delay=0.5", "-e", "sgw_heal_retries=40", "-e", "sgw_heal_wait_timeout=30")
RESYNC_TASK = "Resync the failed shares of each account, and wait until they are healthy"


def members_by_account(simulator):
    """``{account id: {"<share>@<gateway>": (group id, state)}}`` of every member share of every account."""
    return {account: {"%s@%s" % (s["ShareName"], s["GatewayId"]): (s["ExpressSyncId"], s["ExpressSyncState"])
                      for s in document["shares"] if s["ExpressSyncId"]}
            for account, document in simulator.control("/_sim/accounts").items()}


def failures(run):
    return [(task["task"]["name"], host, result.get("msg"), [r.get("msg") for r in result.get("results", ())])
            for play in run.output["plays"] for task in play["tasks"]
            for host, result in task["hosts"].items() if result.get("failed")]


def test_heal_across_accounts_in_one_run(tmp_path, sample_account, start_simulator, ansible_playbook):
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1.5",
                                "--member-account", str(DATA / "member_media.yml"),
                                "--member-account", str(DATA / "member_finance.yml"))
    inventory = tmp_path / "estate.sgw.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "resource_directory": True,
                                         "regions": ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]}))
    endpoints = {"ALIBABA_CLOUD_STS_ENDPOINT": simulator.url, "ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT": simulator.url}
    before = members_by_account(simulator)
    for account, labels in FAILED.items():
        assert all(before[account][label][1] != "MNSHealthy" for label in labels)
    start = simulator.stats()

    run = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, *FAST, extra_env=endpoints)
    assert run.rc == 0, failures(run)

    # one module call per account, each with its own shares
    (hosts,) = run.tasks(RESYNC_TASK)
    (result,) = hosts.values()
    by_account = {item["sgw_heal_account"]: item for item in result["results"]}
    assert set(by_account) == set(FAILED)
    for account, labels in FAILED.items():
        assert set(by_account[account]["recovered"]) == labels and by_account[account]["not_recovered"] == []
    summary = next(iter(run.tasks("Summarise what recovered")[0].values()))["msg"]
    assert summary == {"recovered": sorted(set().union(*FAILED.values())), "not_recovered": []}

    # each account's writes were made in that account (signed by its own credentials), once per group
    calls = stats_delta(simulator.stats(), start)
    groups = {MANAGEMENT: 3, MEDIA: 1, FINANCE: 1}
    assert writes(calls) == {"RemoveSharesFromExpressSync": 5, "AddSharesToExpressSync": 5}
    assert calls["AssumeRole"] >= 2  # the inventory's and the module's, one per member each
    after = members_by_account(simulator)
    for account, labels in FAILED.items():
        # nothing lost: every member is still a member of its group, the failed ones healthy, the others untouched
        assert set(after[account]) == set(before[account])
        assert {label: after[account][label] for label in labels} == {
            label: (before[account][label][0], "MNSHealthy") for label in labels}
        assert {k: v for k, v in after[account].items() if k not in labels} == {
            k: v for k, v in before[account].items() if k not in labels}
    assert all(simulator.stats()["accounts"].get(account, 0) > start["accounts"].get(account, 0) for account in groups)
    journal = tmp_path / "resync-journal.json"
    assert not journal.exists() or not yaml.safe_load(journal.read_text()).get("entries")


def test_an_interrupted_heal_across_accounts_is_completed_by_the_next_run(tmp_path, sample_account, start_simulator,
                                                                          ansible_playbook):
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1.5",
                                "--member-account", str(DATA / "member_media.yml"),
                                "--member-account", str(DATA / "member_finance.yml"))
    inventory = tmp_path / "estate.sgw.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "resource_directory": True,
                                         "regions": ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]}))
    endpoints = {"ALIBABA_CLOUD_STS_ENDPOINT": simulator.url, "ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT": simulator.url}
    before = members_by_account(simulator)

    # every Add is refused: each account's failed shares are out of their group, and in the journal
    simulator.faults(deny=["AddSharesToExpressSync"])
    first = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, *FAST, extra_env=endpoints)
    assert first.rc != 0
    out = members_by_account(simulator)
    for account, labels in FAILED.items():
        assert not labels & set(out[account])  # taken out of their group, members of nothing

    # the next run, the Add allowed again: each account's entries are completed with that account's credentials
    simulator.faults()
    second = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, *FAST, extra_env=endpoints)
    assert second.rc == 0, failures(second)
    after = members_by_account(simulator)
    for account in FAILED:
        assert set(after[account]) == set(before[account])  # nothing lost
        assert {label: group for label, (group, dummy) in after[account].items()} == {
            label: group for label, (group, dummy) in before[account].items()}
    journal = tmp_path / "resync-journal.json"
    assert not journal.exists() or not yaml.safe_load(journal.read_text()).get("entries")
