"""Named fault scenarios of a heal: each plays a first run under faults, then a second run without.

:func:`play` returns what the tests assert and ``run_many.py --table`` prints: the memberships
before, after the first run and after the second, the writes sent, what was orphaned and skipped.
"""

from __future__ import annotations

import dataclasses
import os

from tests.chaos import harness as h

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


def fail_every_member(svc):
    """Every member of a group is failed (so that a heal takes every share out)."""
    for share in svc.account.shares.values():
        if share["ExpressSyncId"]:
            share.update(ExpressSyncState=HEAL_STATE)


def delete_group(svc, group_id):
    svc.account.express_syncs.pop(group_id)
    for share in svc.account.shares.values():
        if share["ExpressSyncId"] == group_id:
            svc.leave_group(share)


def delete_share(svc, key):
    svc.account.shares.pop(key)


def play(tmp_path, strict=False, faults=None, die_at=0, full_at=0, between=None, heal_all=True, second_faults=None,
         prepare=None, member=False, refused=False):
    """A heal under ``faults`` (dying before journal write ``die_at``, or the disk full from write
    ``full_at``), ``between(svc)`` then, and a second heal (resume only, as the heal playbook's first
    play, then the heal of what is still failed) without faults. With ``member``, both heals cover a
    member account too, through its role, under the same faults (its role refused to the first heal
    with ``refused``); the memberships are those of both accounts."""
    clock = h.Clock()
    svc = h.service(clock, strict=strict)
    other = h.service(clock, strict=strict, account=h.MEMBER_ACCOUNT) if member else None
    if prepare:
        prepare(svc)
    if heal_all:
        for account in [svc] + ([other] if member else []):
            fail_every_member(account)

    def memberships():
        return {**h.memberships(svc), **(h.memberships(other) if member else {})}

    def member_run(client_faults, refuse):
        if not member:
            return None, None
        member_client = h.FaultyClient(other, clock, {a: list(k) for a, k in (client_faults or {}).items()})
        return member_client, (member_client, h.failed_shares(other), refuse)

    before = memberships()
    requested = h.failed_shares(svc)
    path = os.path.join(str(tmp_path), "journal.json")
    client = h.FaultyClient(svc, clock, {a: list(k) for a, k in (faults or {}).items()})
    member_client, member_args = member_run(faults, refused)
    engine, first, error = h.run(client, h.DyingJournal(path, clock, die_at=die_at, full_at=full_at), clock,
                                 requested, member=member_args)
    clock.sleep(0.5)
    after_first = memberships()
    calls_first = list(client.calls) + (list(member_client.calls) if member else [])
    journalled = {(s["gateway_id"], s["share_name"]) for e in h.DyingJournal(path, clock).load() for s in e["shares"]}
    deleted = set()
    if between:
        deleted = between(svc) or set()
    client2 = h.FaultyClient(svc, clock, second_faults)
    member_client2, member_args2 = member_run(second_faults, False)
    journal = h.DyingJournal(path, clock)
    engine2, second, error2 = h.run(client2, journal, clock, h.failed_shares(svc), member=member_args2)
    assert error2 is None, error2
    clock.sleep(60)  # every task and full sync has ended
    return Played(before, after_first, memberships(), first, second, error, list(engine.errors),
                  calls_first, list(client2.calls) + (list(member_client2.calls) if member else []), deleted,
                  engine.warnings + engine2.warnings, list(journal.load()), journalled)


def lost(played):
    """The memberships of ``before`` that are not back at the end, and could be (not deleted)."""
    return {key: group for key, group in played.before.items()
            if played.after_second.get(key) != group and key not in played.deleted and group not in played.deleted}
