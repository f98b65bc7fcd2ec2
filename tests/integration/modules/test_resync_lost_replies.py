"""express_sync_resync against the simulator when the answer of a write is lost or late: the real
client never sends the write again, and the module settles it by reading (tasks, then members) once
it can no longer land. No membership is lost, under both readings of the reference (a Remove of a
share in no group ignored, or refused with ShareNotInExpressSync)."""

from __future__ import annotations

import pytest

from tests.integration.modules.conftest import membership, stats_delta
from tests.integration.modules.test_express_sync_resync import GROUPS, LABELS, SHARES, TASK, play, resync_playbook

__all__ = ["play"]  # the fixture, used by name
REMOVE, ADD = "RemoveSharesFromExpressSync", "AddSharesToExpressSync"
# A transport timeout of 2 s: a write sent without an answer can land for 6 s.
SHORT = {"ALIBABA_CLOUD_SGW_TIMEOUT": "2"}


@pytest.mark.parametrize("kind, membership_rule", [
    ("502", "lenient"), ("502", "strict"), ("drop", "strict"), ("truncated", "lenient")])
def test_a_remove_whose_answer_is_lost_is_sent_once_and_every_share_comes_back(
        tmp_path, sample_account, start_simulator, ansible_playbook, kind, membership_rule):
    strict = ["--strict-membership"] if membership_rule == "strict" else []
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1", *strict,
                                "--lose-reply", "%s:%s:3" % (REMOVE, kind))
    before = membership(simulator, GROUPS)
    start = simulator.stats()
    run = ansible_playbook(simulator, resync_playbook(tmp_path, shares=SHARES, healthy_timeout=60), "-i",
                           "localhost,", extra_env=SHORT)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result(TASK)
    calls = stats_delta(simulator.stats(), start)
    assert calls[REMOVE] == 3 and calls[ADD] == 3  # never sent again
    assert result["recovered"] == LABELS and result["pending"] == [] and result["resume_token"] == ""
    assert membership(simulator, GROUPS) == before


def test_a_remove_held_by_the_network_lands_late_and_is_waited_for(
        tmp_path, sample_account, start_simulator, ansible_playbook):
    # every Remove is held 4 s (the client gives up after 2 s), then applied
    simulator = start_simulator(sample_account, "--task-seconds", "0.2", "--full-sync-seconds", "1",
                                "--hold-action", "%s:4" % REMOVE)
    before = membership(simulator, GROUPS)
    run = ansible_playbook(simulator, resync_playbook(tmp_path, shares=SHARES, healthy_timeout=60), "-i",
                           "localhost,", extra_env=SHORT)
    assert run.rc == 0, run.stdout[-3000:]
    assert run.result(TASK)["recovered"] == LABELS
    assert simulator.stats()["actions"][REMOVE] == 3
    assert membership(simulator, GROUPS) == before
