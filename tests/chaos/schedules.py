"""Generated fault schedules of a heal, and the invariants every schedule must keep.

A schedule is built by :func:`build` from a ``pick(options)`` function: hypothesis's ``draw`` in the
tests (``tests/chaos/test_invariants.py``), a seeded ``random.Random.choice`` in ``run_many.py``.
:func:`check` plays it (a first heal under the faults, the world changed between the runs, a second
heal without faults) and raises AssertionError when an invariant does not hold:

- every membership that can still exist is back after the second run, and its journal is empty;
- nothing is reported done that the service did not do: a share the first run reports healthy is
  a member then, and a first run that ends with nothing pending left every share a member;
- the shares that cannot come back (their group or share deleted) are named in ``orphaned``, and
  nothing else is;
- the resume token of every result holds no template character and gives back its entries, and no
  result or journal holds the secret.

A schedule may cover a member account too (``member``), reached through its role, under the same
faults; its role may be refused to the first heal (``refused``). Then, besides: every pending entry
names the account of its shares (the member's role for the member's shares, none for the caller's),
and a member whose role was refused is left as it was by the first heal.
"""

from __future__ import annotations

import json
import re

from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from tests.chaos import scenarios
from tests.support.heal_accounts import MEDIA_ROLE

WRITES = ("RemoveSharesFromExpressSync", "AddSharesToExpressSync")
READS = ("DescribeExpressSyncShares", "DescribeTasks")
WRITE_FAULTS = (None, None, "lose", "drop", "truncate", "5xx", "throttle", "hold", "deny")
READ_FAULTS = (None, None, None, "5xx", "throttle")
GROUPS = ("sync-0002xetjdlxne2sd", "sync-0001xv7je357xn8t", "sync-0004agfrbke1l39p", "sync-0003k2n8dq5w1mzr",
          "sync-0002p9t4hz6c3yxe")
SHARES = (("gw-0004xq2m7bd1v9hke", "render-frames"), ("gw-0001b2odzvl3b1mhi", "media-nfs"),
          ("gw-0002w5nb8dj3u6qcx", "exports-smb"), ("gw-0001h3vy6gc9o2xzp", "renders-proxy"))
HOSTILE = ("{{ lookup('pipe' ~ ' id') }}", "{% if 1 %}x{% endif %}", "{# note #}", "media 影像 ${HOME}")
SECRET = "chaos-secret-Zq81"
MEMBER_GATEWAYS = ("gw-0005m3dia0gatew1",)


def build(pick) -> dict:
    """One schedule; ``pick(options)`` returns one of ``options``."""
    faults = {}
    for action in WRITES + READS:
        kinds = WRITE_FAULTS if action in WRITES else READ_FAULTS
        storm = pick((0, 1, 1, 2, 3, 6))
        chosen = [pick(kinds) for dummy in range(storm)]
        if any(chosen):
            faults[action] = [k or "none" for k in chosen]
    return {
        "strict": pick((False, True)),
        "faults": faults,
        "die_at": pick((0, 0, 0, 1, 2, 3, 4, 5, 6, 7)),
        "full_at": pick((0,) * 8 + (2, 3, 5)),
        "between": pick((None, None, "group", "share")),
        "group": pick(GROUPS),
        "share": pick(SHARES),
        "hostile": pick((None, None) + HOSTILE),
        "member": pick((False, True)),
        "refused": pick((False, False, True)),
    }


def describe(schedule) -> str:
    return json.dumps(schedule, sort_keys=True, ensure_ascii=False)


def check(schedule, tmp_path):
    """Play ``schedule`` and assert every invariant (see the module documentation)."""
    deleted_group, deleted_share = schedule["group"], tuple(schedule["share"])

    def between(sim):
        if schedule["between"] == "group":
            scenarios.delete_group(sim, deleted_group)
            return {deleted_group}
        if schedule["between"] == "share" and deleted_share in sim.service.account.shares:
            scenarios.delete_share(sim, deleted_share)
            return {deleted_share}
        return set()

    def prepare(sim):
        if schedule["hostile"]:
            shares = sim.service.account.shares
            share = shares.pop(("gw-0001b2odzvl3b1mhi", "media-nfs"))
            share["ShareName"] = schedule["hostile"]
            shares[("gw-0001b2odzvl3b1mhi", schedule["hostile"])] = share

    # "none" keeps the position of a call that goes through
    faults = {a: [None if k == "none" else k for k in kinds] for a, kinds in schedule["faults"].items()}
    member = schedule.get("member", False)
    played = scenarios.play(tmp_path, strict=schedule["strict"], faults=faults, die_at=schedule["die_at"],
                            full_at=schedule["full_at"], between=between, prepare=prepare, member=member,
                            refused=member and schedule.get("refused", False))
    # every membership that can still exist is back, and nothing is left pending
    assert scenarios.lost(played) == {}, "memberships lost: %s" % scenarios.lost(played)
    assert played.pending_after_second == [], "entries left: %s" % played.pending_after_second
    # nothing reported done that the service did not do
    if played.first is not None:
        for record in played.first["shares"]:
            if record["sgw_health"] == "healthy":
                key = (record["gateway_id"], record["share_name"])
                assert played.after_first.get(key) == record["express_sync_id"], record
        if not played.first["pending"] and not played.first_errors:
            assert {k: g for k, g in played.before.items() if played.after_first.get(k) != g} == {}
    # orphans: only what was deleted, and every share that was out of a deleted group or was deleted
    orphaned = {(o["gateway_id"], o["share_name"]): o["express_sync_id"] for o in played.second["orphaned"]}
    for key, group in orphaned.items():
        assert group in played.deleted or key in played.deleted, (key, group)
    for key, group in played.before.items():
        gone = group in played.deleted or key in played.deleted
        if gone and played.after_first.get(key) != group and key in played.journalled:
            assert key in orphaned, "not named as orphaned: %s" % (key,)
    # several accounts: each entry in its own account; a refused member is left as it was
    if member and schedule.get("refused"):
        kept = {k: g for k, g in played.before.items() if k[0] in MEMBER_GATEWAYS}
        assert {k: played.after_first.get(k) for k in kept} == kept, "a refused member was changed"
    for result in (played.first, played.second):
        for entry in (result or {}).get("pending", ()):
            ours = {s["gateway_id"] in MEMBER_GATEWAYS for s in entry["shares"]}
            assert ours == {entry["account"]["role_arn"] == MEDIA_ROLE}, entry
    # resume data is never a template, and no secret is anywhere
    for result in (played.first, played.second):
        if result is None:
            continue
        token = result["resume_token"]
        assert re.fullmatch(r"(sgwresume1\.[A-Za-z0-9_-]+)?", token), token
        assert journals.decode_token(token) == result["pending"] if token else result["pending"] == []
        assert SECRET not in json.dumps(result, default=str)
