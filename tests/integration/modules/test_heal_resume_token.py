"""The heal playbook on an ephemeral controller, with a share whose name is a template: what the first
run returns for the next (its resume_token) passes through a file of extra variables and back into
the module without ever being templated, and every share comes back."""

from __future__ import annotations

import json
import re

import yaml

from tests.integration.modules.conftest import KEY_ID, membership
from tests.integration.modules.test_heal_failed_shares import (
    FAST,
    GROUPS,
    PLAYBOOK,
    RESUME_TASK,
    RESYNC_TASK,
    first_host_result,
    heal_account,
    inventory_file,
)


def hostile_account(sample_account, marker):
    """The heal account, with the second failed share of render-cache named as a template that runs a command."""
    document = yaml.safe_load(heal_account(sample_account).read_text(encoding="utf-8"))
    # no comma (GatewayShares separates names with commas): the arguments of lookup as one list
    name = "{{ lookup(*(['pipe'] + ['touch %s'])) }}" % marker
    for share in document["shares"]:
        if (share["GatewayId"], share["ShareName"]) == ("gw-0001b2odzvl3b1mhi", "render-frames"):
            share["ShareName"] = name
    sample_account.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return sample_account, name


def test_a_hostile_share_name_comes_back_through_the_resume_token_and_is_never_templated(
        tmp_path, sample_account, start_simulator, ansible_playbook):
    marker = tmp_path / "templated"
    account, name = hostile_account(sample_account, marker)
    simulator = start_simulator(account, "--task-seconds", "0.2", "--full-sync-seconds", "1",
                                "--deny", "AddSharesToExpressSync@" + KEY_ID)
    inventory = inventory_file(tmp_path, simulator)
    before = membership(simulator, GROUPS)
    assert "%s@gw-0001b2odzvl3b1mhi" % name in before["sync-0001xv7je357xn8t"]

    first = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, *FAST)
    assert first.rc == 2
    failed = first_host_result(first, RESYNC_TASK)
    assert "resume_token" in failed, failed
    token = failed["resume_token"]
    assert re.fullmatch(r"sgwresume1\.[A-Za-z0-9_-]+", token)
    # an ephemeral controller: the journal is gone with the first job, the token travels in a file
    (tmp_path / "resync-journal.json").unlink()
    extra = tmp_path / "pending.json"
    extra.write_text(json.dumps({"sgw_heal_resume_entries": token}), encoding="utf-8")

    simulator.faults()
    second = ansible_playbook(simulator, PLAYBOOK, "-i", inventory, *FAST, "-e", "@%s" % extra)
    assert second.rc == 0, second.stdout[-3000:]
    resumed = second.result(RESUME_TASK)
    assert name in {s["share_name"] for r in resumed["resumed"] for s in r["added"]}
    assert membership(simulator, GROUPS) == before
    assert not marker.exists(), "a share name was templated"
