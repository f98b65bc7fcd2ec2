"""The playbook alibabacloud.sgw.heal_failed_shares across several accounts of a resource directory, in one
run and one task: each account's writes are signed by its own credentials (the simulator counts each call in
the account its credentials belong to), a role that needs an external id gets it from sgw_heal_accounts, and
an interrupted heal is completed by the next run, from the journal or from the resume token alone, each entry
in its own account, whatever the inventory holds then. Nothing is lost."""

from __future__ import annotations

import json

import yaml

from tests.integration.modules.conftest import stats_delta, writes
from tests.support.heal_accounts import (
    ACCOUNTS,
    DATA,
    EXTERNAL_ID,
    FINANCE,
    FINANCE_ROLE,
    MANAGEMENT,
    MEDIA,
    MEDIA_ROLE,
    member_files,
)
from tests.support.sim_process import KEY_SECRET

PLAYBOOK = "alibabacloud.sgw.heal_failed_shares"
FAILED = {
    MANAGEMENT: {"render-frames@gw-0004xq2m7bd1v9hke", "artifacts-cache@gw-0003f6ht0wz8n2lqa",
                 "exports-smb@gw-0002w5nb8dj3u6qcx"},
    MEDIA: {"proxies@gw-0005m3dia0gatew1"},
    FINANCE: {"ledgers@gw-0006f1nance0gw01"},
}
FAST = ("-e", "sgw_heal_delay=0.5", "-e", "sgw_heal_retries=40", "-e", "sgw_heal_wait_timeout=30")
RESYNC_TASK = "Resync the failed shares, and wait until they are healthy"
RESUME_TASK = "Add back the shares that the journal says are out of their group"
WRITES = ("RemoveSharesFromExpressSync", "AddSharesToExpressSync")
REGIONS = ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]


def members_by_account(simulator):
    """``{account id: {"<share>@<gateway>": (group id, state)}}`` of every member share of every account."""
    return {account: {"%s@%s" % (s["ShareName"], s["GatewayId"]): (s["ExpressSyncId"], s["ExpressSyncState"])
                      for s in document["shares"] if s["ExpressSyncId"]}
            for account, document in simulator.control("/_sim/accounts").items()}


def groups_of(members):
    return {account: {label: group for label, (group, dummy) in shares.items()} for account, shares in members.items()}


def writes_by_account(simulator, start):
    """``{account: {write action: count}}`` since ``start``: each write counted in the account that signed it."""
    now, before = simulator.stats()["account_actions"], start["account_actions"]
    return {account: {a: n - before.get(account, {}).get(a, 0) for a, n in actions.items()
                      if a in WRITES and n - before.get(account, {}).get(a, 0)}
            for account, actions in now.items()
            if any(n - before.get(account, {}).get(a, 0) for a, n in actions.items() if a in WRITES)}


def failures(run):
    return [(task["task"]["name"], host, result.get("msg"), [r.get("msg") for r in result.get("results", ())])
            for play in run.output["plays"] for task in play["tasks"]
            for host, result in task["hosts"].items() if result.get("failed")]


def endpoints(simulator):
    return {"ALIBABA_CLOUD_STS_ENDPOINT": simulator.url, "ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT": simulator.url}


def test_heal_across_accounts_in_one_run(tmp_path, sample_account, start_simulator, ansible_playbook):
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1.5",
                                "--member-account", str(DATA / "member_media.yml"),
                                "--member-account", str(DATA / "member_finance.yml"))
    inventory = tmp_path / "estate.sgw.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "resource_directory": True,
                                         "regions": REGIONS}))
    before = members_by_account(simulator)
    for account, labels in FAILED.items():
        assert all(before[account][label][1] != "MNSHealthy" for label in labels)
    start = simulator.stats()

    run = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, *FAST, extra_env=endpoints(simulator))
    assert run.rc == 0, failures(run)

    # one module call for every account
    (hosts,) = run.tasks(RESYNC_TASK)
    (result,) = hosts.values()
    assert set(result["recovered"]) == set().union(*FAILED.values()) and result["not_recovered"] == []
    assert {r["account_id"] for r in result["shares"]} == set(FAILED)
    summary = next(iter(run.tasks("Summarise what recovered")[0].values()))["msg"]
    assert summary == {"recovered": sorted(set().union(*FAILED.values())), "not_recovered": []}

    # each account's writes were made in that account (signed by its own credentials), once per group
    calls = stats_delta(simulator.stats(), start)
    assert writes(calls) == {"RemoveSharesFromExpressSync": 5, "AddSharesToExpressSync": 5}
    assert writes_by_account(simulator, start) == {
        MANAGEMENT: {"RemoveSharesFromExpressSync": 3, "AddSharesToExpressSync": 3},
        MEDIA: {"RemoveSharesFromExpressSync": 1, "AddSharesToExpressSync": 1},
        FINANCE: {"RemoveSharesFromExpressSync": 1, "AddSharesToExpressSync": 1}}
    after = members_by_account(simulator)
    for account, labels in FAILED.items():
        # nothing lost: every member is still a member of its group, the failed ones healthy, the others untouched
        assert set(after[account]) == set(before[account])
        assert {label: after[account][label] for label in labels} == {
            label: (before[account][label][0], "MNSHealthy") for label in labels}
        assert {k: v for k, v in after[account].items() if k not in labels} == {
            k: v for k, v in before[account].items() if k not in labels}
    journal = tmp_path / "resync-journal.json"
    assert not journal.exists() or not yaml.safe_load(journal.read_text()).get("entries")


def external_id_estate(tmp_path, start_simulator, sample_account):
    """The sample account (management) and two members read through ``accounts``: media, both of whose shares
    are failed, through its directory role; finance through sgw-healer, whose trust policy asks for an external
    id. Returns the simulator, the inventory and the file of extra vars that gives the playbook that external id."""
    flags = [flag for path in member_files(tmp_path) for flag in ("--member-account", str(path))]
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1.5", *flags)
    inventory = tmp_path / "members.sgw.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "accounts": ACCOUNTS,
                                         "regions": REGIONS}))
    extra = tmp_path / "heal-accounts.yml"
    extra.write_text(yaml.safe_dump({"sgw_heal_accounts": ACCOUNTS}))
    return simulator, inventory, extra


def test_heal_across_two_accounts_one_of_whose_roles_needs_an_external_id(
        tmp_path, sample_account, start_simulator, ansible_playbook):
    simulator, inventory, extra = external_id_estate(tmp_path, start_simulator, sample_account)
    before = members_by_account(simulator)
    start = simulator.stats()
    run = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, "-e", "@%s" % extra, *FAST,
                           extra_env=endpoints(simulator))
    assert run.rc == 0, failures(run)
    (result,) = run.tasks(RESYNC_TASK)[0].values()
    assert sorted(result["recovered"]) == ["ledgers@gw-0006f1nance0gw01", "masters@gw-0005m3dia0gatew1",
                                           "proxies@gw-0005m3dia0gatew1"]
    assert writes_by_account(simulator, start) == {
        account: {"RemoveSharesFromExpressSync": 1, "AddSharesToExpressSync": 1} for account in (MEDIA, FINANCE)}
    assert groups_of(members_by_account(simulator)) == groups_of(before)
    assert EXTERNAL_ID not in json.dumps(result)


def interrupted_heal(tmp_path, sample_account, start_simulator, ansible_playbook):
    """A heal of both members whose every Add is refused: each account's failed shares are out of their
    group, and in the journal. Returns the simulator, the inventory, the extra vars, the memberships before
    and the result of the heal task."""
    simulator, inventory, extra = external_id_estate(tmp_path, start_simulator, sample_account)
    before = members_by_account(simulator)
    simulator.faults(deny=["AddSharesToExpressSync"])
    first = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, "-e", "@%s" % extra, *FAST,
                             extra_env=endpoints(simulator))
    assert first.rc != 0
    (result,) = first.tasks(RESYNC_TASK)[0].values()
    simulator.faults()
    return simulator, inventory, extra, before, result


def test_an_interrupted_heal_across_accounts_is_completed_by_the_next_run_from_the_journal(
        tmp_path, sample_account, start_simulator, ansible_playbook):
    simulator, inventory, extra, before, dummy = interrupted_heal(tmp_path, sample_account, start_simulator,
                                                                  ansible_playbook)
    out = members_by_account(simulator)
    assert out[MEDIA] == {}  # media has no share left in any group: the inventory finds none of its shares
    assert not {"ledgers@gw-0006f1nance0gw01"} & set(out[FINANCE])
    journal = tmp_path / "resync-journal.json"
    entries = json.loads(journal.read_text())["entries"]
    assert sorted((e["account"]["account_id"], e["account"]["role_arn"]) for e in entries) == [
        (MEDIA, MEDIA_ROLE), (FINANCE, FINANCE_ROLE)]
    assert EXTERNAL_ID not in journal.read_text() and KEY_SECRET not in journal.read_text()

    # the next run, the Add allowed again: the first play completes both accounts' entries, in one task
    start = simulator.stats()
    second = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, "-e", "@%s" % extra, *FAST,
                              extra_env=endpoints(simulator))
    assert second.rc == 0, failures(second)
    (resumed,) = second.tasks(RESUME_TASK)[0].values()
    assert sorted((r["account_id"], r["express_sync_id"]) for r in resumed["resumed"]) == [
        (MEDIA, "sync-0005m3diasync01"), (FINANCE, "sync-0006financesyn")]
    assert writes_by_account(simulator, start) == {account: {"AddSharesToExpressSync": 1}
                                                   for account in (MEDIA, FINANCE)}
    assert groups_of(members_by_account(simulator)) == groups_of(before)  # nothing lost
    assert not journal.exists() or not json.loads(journal.read_text()).get("entries")


def test_an_interrupted_heal_across_accounts_is_completed_from_the_resume_token_alone(
        tmp_path, sample_account, start_simulator, ansible_playbook):
    simulator, inventory, extra, before, result = interrupted_heal(tmp_path, sample_account, start_simulator,
                                                                   ansible_playbook)
    token = result["resume_token"]
    assert len(result["pending"]) == 2

    # a fresh controller: no journal, only the token of the one task, given back as extra vars
    (tmp_path / "resync-journal.json").unlink()
    pending = tmp_path / "pending.json"
    pending.write_text(json.dumps({"sgw_heal_resume_entries": token}))
    start = simulator.stats()
    second = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, "-e", "@%s" % extra, "-e", "@%s" % pending,
                              *FAST, extra_env=endpoints(simulator))
    assert second.rc == 0, failures(second)
    assert writes_by_account(simulator, start) == {account: {"AddSharesToExpressSync": 1}
                                                   for account in (MEDIA, FINANCE)}
    assert groups_of(members_by_account(simulator)) == groups_of(before)  # nothing lost
