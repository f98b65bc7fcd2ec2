"""Heals under named faults, through the real client against the simulator in process, in both
readings of the reference (adding a member again or removing a non-member: ignored or refused): no
membership that can still exist is lost, nothing is reported done that the service did not do, and
orphans are named."""

from __future__ import annotations

import errno
import os

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError
from tests.chaos import harness as h
from tests.support.fake_api import FakeClock
from tests.chaos.scenarios import delete_group, delete_share, lost, play

REMOVE, ADD = "RemoveSharesFromExpressSync", "AddSharesToExpressSync"
RENDER = "sync-0001xv7je357xn8t"


@pytest.fixture(params=[False, True], ids=["lenient", "strict"])
def strict(request):
    return request.param


@pytest.mark.parametrize("fault", ["lose", "drop", "truncate", "hold"])
def test_a_remove_applied_whose_answer_is_lost_is_sent_once_and_its_shares_come_back(tmp_path, strict, fault):
    played = play(tmp_path, strict=strict, faults={REMOVE: [fault]})
    assert lost(played) == {}
    # the first run itself put every share back: the lost answer was settled by reading
    assert played.after_first == played.before
    assert played.calls_first.count(REMOVE) == 5  # one per group, the unanswered one never sent again
    assert played.first is not None and played.first["pending"] == []


def test_a_5xx_storm_on_remove_never_resends_and_reports_nothing_removed(tmp_path, strict):
    played = play(tmp_path, strict=strict, faults={REMOVE: ["5xx"] * 20})
    assert lost(played) == {}
    assert played.calls_first.count(REMOVE) == 5 and played.calls_first.count(ADD) == 0
    assert {e.code for e in played.first_errors} == {"ServiceUnavailable"}


def test_throttling_of_a_write_is_retried_it_proves_nothing_was_applied(tmp_path, strict):
    played = play(tmp_path, strict=strict, faults={REMOVE: ["throttle", "throttle"], ADD: ["throttle"]})
    assert lost(played) == {} and played.first_errors == []
    assert played.calls_first.count(REMOVE) == 7 and played.calls_first.count(ADD) == 6


@pytest.mark.parametrize("fault", ["lose", "5xx", "hold"])
def test_an_add_whose_answer_is_lost_is_settled_by_reading(tmp_path, strict, fault):
    played = play(tmp_path, strict=strict, faults={ADD: [fault]})
    assert lost(played) == {}
    assert played.calls_first.count(ADD) == 5


def test_a_deleted_group_is_orphaned_and_blocks_no_other_group(tmp_path, strict):
    played = play(tmp_path, strict=strict, die_at=4, between=lambda sim: delete_group(sim, RENDER) or {RENDER})
    assert lost(played) == {}
    assert played.after_second == {k: g for k, g in played.before.items() if g != RENDER}
    orphaned = played.second["orphaned"]
    assert {o["express_sync_id"] for o in orphaned} == {RENDER} and len(orphaned) == 2
    assert any("no longer exists" in w for w in played.warnings)
    assert played.pending_after_second == []


def test_a_deleted_share_is_orphaned_and_its_group_mates_come_back(tmp_path, strict):
    gone = ("gw-0004xq2m7bd1v9hke", "render-frames")
    played = play(tmp_path, strict=strict, die_at=4, between=lambda sim: delete_share(sim, gone) or {gone})
    assert lost(played) == {}
    assert played.after_second == {k: g for k, g in played.before.items() if k != gone}
    assert [(o["gateway_id"], o["share_name"]) for o in played.second["orphaned"]] == [gone]
    assert played.pending_after_second == []


def test_a_remove_held_past_the_death_of_its_run_is_waited_for(tmp_path, strict):
    # The Remove is held by the network 8 s; its run dies right after (before its next journal write).
    played = play(tmp_path, strict=strict, faults={REMOVE: ["hold"] * 5}, die_at=2)
    assert lost(played) == {}
    assert played.pending_after_second == []


def test_a_full_disk_still_puts_back_what_was_taken_out_then_fails(tmp_path, strict):
    played = play(tmp_path, strict=strict, full_at=2)
    assert isinstance(played.first_error, OSError) and played.first_error.errno == errno.ENOSPC
    assert played.after_first == played.before  # the Adds were sent all the same
    assert lost(played) == {}


def test_back_to_back_heals_skip_the_shares_already_healing(tmp_path, strict):
    clock = FakeClock()
    sim = h.world(clock, strict=strict)
    requested = h.failed_shares(sim)  # what a cached inventory still says is failed
    h.run(h.client(sim, clock), h.DyingJournal(tmp_path / "j.json", clock), clock, requested, wait_healthy=False)
    first = len(sim.requests)
    dummy, result, error = h.run(h.client(sim, clock), h.DyingJournal(tmp_path / "j.json", clock), clock, requested,
                                 wait_healthy=False)
    assert error is None and result["changed"] is False
    assert h.writes(sim, first) == []  # no needless full sync
    assert len(result["skipped_healthy"]) == 3  # each in its full sync, started by the first heal
    assert {s["state"] for s in result["skipped_healthy"]} <= {"MNSFullSyncInit", "MNSFullSyncing", "MNSHealthy"}


def test_a_share_healthy_again_when_read_is_left_alone_and_reported(tmp_path):
    clock = FakeClock()
    sim = h.world(clock)
    requested = h.failed_shares(sim)
    sim.service.account.shares[("gw-0004xq2m7bd1v9hke", "render-frames")]["ExpressSyncState"] = "MNSHealthy"
    engine, result, error = h.run(h.client(sim, clock), h.DyingJournal(tmp_path / "j.json", clock), clock, requested)
    assert error is None
    assert [(s["share_name"], s["state"]) for s in result["skipped_healthy"]] == [("render-frames", "MNSHealthy")]
    assert sorted(h.writes(sim)) == sorted([(REMOVE, "sync-0004agfrbke1l39p"), (REMOVE, "sync-0003k2n8dq5w1mzr"),
                                            (ADD, "sync-0004agfrbke1l39p"), (ADD, "sync-0003k2n8dq5w1mzr")])


@pytest.mark.parametrize("link, message", [
    (os.symlink, "is a symbolic link, which is never followed"),
    (os.link, "not a regular file of this user with a single link"),
], ids=["symbolic", "hard"])
def test_a_linked_lock_is_never_followed_nor_its_target_truncated(tmp_path, link, message):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    journal = journals.Journal(tmp_path / "journal.json")
    link(target, journal.lock_path)
    with pytest.raises(SgwConfigError, match=message):
        journal.lock(0)
    assert target.read_text() == "keep me"


def test_a_symlinked_journal_is_never_read_through(tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text('{"version": 1, "entries": []}')
    journal = journals.Journal(tmp_path / "journal.json")
    os.symlink(target, journal.path)
    with pytest.raises(SgwConfigError, match="is a symbolic link"):
        journal.load()
