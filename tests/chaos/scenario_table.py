"""Print, scenario by scenario, what a heal does under a named fault: the memberships before, after the
first run and after the second, and the calls each run made.

    python tests/chaos/scenario_table.py
"""

from __future__ import annotations

import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

import tests.conftest  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import  # the collection importable
from tests.chaos.scenarios import delete_group, delete_share, lost, play  # noqa: E402  pylint: disable=wrong-import-position

REMOVE, ADD = "RemoveSharesFromExpressSync", "AddSharesToExpressSync"
RENDER = "sync-0001xv7je357xn8t"
GONE_SHARE = ("gw-0004xq2m7bd1v9hke", "render-frames")
SCENARIOS = [
    ("lost reply (502) on Remove, lenient", dict(faults={REMOVE: ["lose"]})),
    ("lost reply (502) on Remove, strict", dict(strict=True, faults={REMOVE: ["lose"]})),
    ("dropped connection on Remove, strict", dict(strict=True, faults={REMOVE: ["drop"]})),
    ("truncated body on Add, lenient", dict(faults={ADD: ["truncate"]})),
    ("5xx storm on Remove (20 x 503)", dict(faults={REMOVE: ["5xx"] * 20})),
    ("throttling storm on Remove and Add", dict(faults={REMOVE: ["throttle"] * 3, ADD: ["throttle"] * 3})),
    ("deleted group between runs", dict(die_at=4, between=lambda sim: delete_group(sim, RENDER) or {RENDER})),
    ("deleted share between runs", dict(die_at=4, between=lambda sim: delete_share(sim, GONE_SHARE) or {GONE_SHARE})),
    ("Remove held 8 s, run dies", dict(faults={REMOVE: ["hold"] * 5}, die_at=2)),
    ("disk full after the intent", dict(full_at=2)),
    ("two heals back to back", dict()),
    ("two accounts: every Add denied", dict(member=True, faults={ADD: ["deny"] * 6})),
    ("two accounts: lost reply (502) on Add, strict", dict(member=True, strict=True, faults={ADD: ["lose"] * 6})),
    ("two accounts: the member's role refused to run 1", dict(member=True, refused=True)),
    ("two accounts: run 1 dies after the Removes", dict(member=True, die_at=3)),
]


def count(calls, action):
    return calls.count(action)


def main() -> int:
    print("| scenario | memberships before | after run 1 | after run 2 | lost | orphaned | run 1 Remove/Add | "
          "run 2 Remove/Add |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, kwargs in SCENARIOS:
        with tempfile.TemporaryDirectory() as directory:
            played = play(directory, **kwargs)
        orphaned = len(played.second["orphaned"]) if played.second else 0
        print("| %s | %d | %d | %d | %d | %d | %d/%d | %d/%d |" % (
            name, len(played.before), len(played.after_first), len(played.after_second), len(lost(played)),
            orphaned, count(played.calls_first, REMOVE), count(played.calls_first, ADD),
            count(played.calls_second, REMOVE), count(played.calls_second, ADD)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
