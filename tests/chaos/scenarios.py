"""Named fault scenarios of a heal: each plays a first run under faults, then a second run without.

:func:`play` returns what the tests assert and ``run_many.py --table`` prints: the memberships
before, after the first run and after the second, the writes sent, what was orphaned and skipped.
"""

from __future__ import annotations

import dataclasses
import os

from tests.chaos import harness as h
from tests.support.fake_api import FakeClock

HEAL_STATE = "QueueFailure"


@dataclasses.dataclass
class Played:
    before: dict
    after_first: dict
    after_second: dict
    first: dict | None
    second: dict | None
    first_error: object
    first_errors: list
    calls_first: list
    calls_second: list
    deleted: set
    warnings: list
    pending_after_second: list
    journalled: set


def fail_every_member(sim, member=False):
    """Every member of a group is failed (so that a heal takes every share out)."""
    for share in h.service_of(sim, member).account.shares.values():
        if share["ExpressSyncId"]:
            share.update(ExpressSyncState=HEAL_STATE)


def delete_group(sim, group_id):
    sim.service.account.express_syncs.pop(group_id)
    for share in sim.service.account.shares.values():
        if share["ExpressSyncId"] == group_id:
            sim.service.leave_group(share)


def delete_share(sim, key):
    sim.service.account.shares.pop(key)


def play(tmp_path, strict=False, faults=None, die_at=0, full_at=0, between=None, heal_all=True, second_faults=None,
         prepare=None, member=False, refused=False):
    """A heal under ``faults`` (dying before journal write ``die_at``, or the disk full from write
    ``full_at``), ``between(sim)`` then, and a second heal (resume only, as the heal playbook's first
    play, then the heal of what is still failed) under ``second_faults``. With ``member``, both heals
    cover a member account too, through its role (refused to the first heal with ``refused``), under
    the same faults; the memberships are both accounts'."""
    clock = FakeClock()
    sim = h.world(clock, strict=strict, member=member)
    if prepare:
        prepare(sim)
    if heal_all:
        for account in (False, True) if member else (False,):
            fail_every_member(sim, account)
    before = h.memberships(sim, member)
    requested = h.failed_shares(sim)
    path = os.path.join(str(tmp_path), "journal.json")
    h.script(sim, faults)
    engine, first, error = h.run(h.client(sim, clock), h.DyingJournal(path, clock, die_at=die_at, full_at=full_at),
                                 clock, requested, member=(sim, h.failed_shares(sim, True), refused) if member else None)
    clock.sleep(0.5)
    after_first = h.memberships(sim, member)
    calls_first = h.calls(sim)
    journalled = {(s["gateway_id"], s["share_name"]) for e in h.DyingJournal(path, clock).load() for s in e["shares"]}
    deleted = set()
    if between:
        deleted = between(sim) or set()
    h.script(sim, second_faults)
    journal = h.DyingJournal(path, clock)
    engine2, second, error2 = h.run(h.client(sim, clock), journal, clock, h.failed_shares(sim),
                                    member=(sim, h.failed_shares(sim, True), False) if member else None)
    assert error2 is None, error2
    clock.sleep(60)  # every task and full sync has ended
    return Played(before, after_first, h.memberships(sim, member), first, second, error, list(engine.errors),
                  calls_first, h.calls(sim, len(calls_first)), deleted, engine.warnings + engine2.warnings,
                  list(journal.load()), journalled)


def lost(played):
    """The memberships of ``before`` that are not back at the end, and could be (not deleted)."""
    return {key: group for key, group in played.before.items()
            if played.after_second.get(key) != group and key not in played.deleted and group not in played.deleted}
