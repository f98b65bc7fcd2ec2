# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of healing failed shares: the playbook of release 1.0.0 against the module express_sync_resync.

    python tests/perf/bench_heal.py                     # 3, 9 and 27 failed groups, both playbooks
    python tests/perf/bench_heal.py --groups 3,9        # other sizes
    python tests/perf/bench_heal.py --quick             # 1 and 2 groups, fast tasks: proves the script works

For each size G it generates an account with G failed express sync groups (one failed share each,
the groups spread over three regions, every other share healthy), serves it with the simulator at
``--task-seconds 2 --full-sync-seconds 3`` (the service's tasks and full syncs take that long),
and runs, from the same account each time:

1. old: tests/perf/heal_failed_shares_1_0.yml, the healing playbook of release 1.0.0 (a loop of
   alibabacloud.sgw.express_sync per group for the removes, then for the adds, then a health
   lookup per group, ``sgw_heal_delay`` seconds apart);
2. new: playbooks/heal_failed_shares.yml (alibabacloud.sgw.heal_failed_shares), one task of
   alibabacloud.sgw.express_sync_resync.

Each figure is the wall time of the whole ``ansible-playbook -i <inventory>`` run (inventory
included), and the API calls the simulator counted during it. Both playbooks read the health every
``--health-delay`` seconds at most (the old one exactly that often; the module backs off from
0.5 s up to 5 s). The ratio of the largest size's time to the smallest size's is printed for
each playbook; the goal for the module is 1.5 or less. Nothing here is asserted: it prints what it
measured (``--json`` writes the figures too).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# pylint: disable=wrong-import-position
from tests.support.sim_process import KEY_ID, KEY_SECRET, Simulator  # noqa: E402
from tests.perf.bench_inventory import collections_root  # noqa: E402
from tests.simulator.generate import Shape, generate_account  # noqa: E402

PLAYBOOKS = {
    "old": REPO_ROOT / "tests" / "perf" / "heal_failed_shares_1_0.yml",
    "new": REPO_ROOT / "playbooks" / "heal_failed_shares.yml",
}
LABELS = {"old": "1.0.0 playbook (express_sync loops)", "new": "express_sync_resync"}
REGIONS = 3
COUNTED = ("RemoveSharesFromExpressSync", "AddSharesToExpressSync", "DescribeTasks", "DescribeExpressSyncShares")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--groups", default="3,9,27", help="the numbers of failed groups (default 3,9,27)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each playbook at each size; the median counts")
    parser.add_argument("--task-seconds", type=float, default=2.0, help="duration of a task (default 2)")
    parser.add_argument("--full-sync-seconds", type=float, default=3.0, help="duration of a full sync (default 3)")
    parser.add_argument("--health-delay", type=float, default=1.0,
                        help="seconds between two health reads of the old playbook (default 1)")
    parser.add_argument("--only", choices=sorted(PLAYBOOKS), help="run one of the playbooks only")
    parser.add_argument("--quick", action="store_true", help="1 and 2 groups, 0.2 s tasks: a check of the script")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.groups, args.task_seconds, args.full_sync_seconds, args.health_delay = "1,2", 0.2, 0.5, 0.5
    args.sizes = [int(size) for size in args.groups.split(",")]
    return args


def account_with_failed_groups(groups: int) -> dict:
    """A generated account with ``groups`` express sync groups that each have one failed share."""
    per_region = -(-groups // REGIONS)
    document = generate_account(Shape(regions=REGIONS, groups_per_region=per_region, shares_per_group=3,
                                      gateways_per_region=2, candidates_per_group=0, seed=7))
    group_ids = [g["ExpressSyncId"] for g in document["express_syncs"]]
    failing = set(group_ids[region * per_region + index] for index in range(per_region) for region in range(REGIONS)
                  if index * REGIONS + region < groups)
    marked = set()
    for share in document["shares"]:
        if share.get("ExpressSyncId"):
            share.update(ExpressSyncState="MNSHealthy", SyncProgress=100)
        if share.get("ExpressSyncId") in failing and share["ExpressSyncId"] not in marked:
            share.update(ExpressSyncState="QueueFailure", SyncProgress=100)
            marked.add(share["ExpressSyncId"])
    assert len(marked) == groups, "the generated account has too few groups"
    return document


def run_playbook(kind, simulator, document, workdir, env, args) -> dict:
    """One heal from ``document`` as it is: wall seconds, calls, and whether every share recovered."""
    simulator.control("/_sim/account", "PUT", copy.deepcopy(document))
    inventory = workdir / "heal.sgw.yml"
    inventory.write_text(json.dumps({"plugin": "alibabacloud.sgw.sgw", "endpoint": simulator.url,
                                     "regions": document["regions"]}), encoding="utf-8")
    journal = workdir / ("journal-%s.json" % kind)
    extra = ["-e", "sgw_heal_delay=%g" % args.health_delay, "-e", "sgw_heal_retries=%d" % int(600 / args.health_delay)]
    simulator.reset()
    started = time.monotonic()
    command = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
               str(PLAYBOOKS[kind]), *extra]
    run_env = dict(env, ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url, ALIBABA_CLOUD_SGW_RESYNC_JOURNAL=str(journal))
    process = subprocess.run(command, env=run_env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=3600,
                             check=False)
    seconds = time.monotonic() - started
    stats = simulator.stats()
    if process.returncode != 0:
        raise RuntimeError("the %s playbook failed (rc %d):\n%s\n%s" % (
            kind, process.returncode, process.stdout[-3000:], process.stderr[-2000:]))
    healthy = [s for s in simulator.control("/_sim/account")["shares"] if s.get("ExpressSyncId")]
    return {"seconds": seconds, "calls": stats["total"], "actions": stats["actions"],
            "peak_concurrency": stats["peak_concurrency"],
            "all_healthy": all(s["ExpressSyncState"] == "MNSHealthy" for s in healthy)}


def measure(args, workdir, env) -> list:
    results = []
    kinds = [args.only] if args.only else list(PLAYBOOKS)
    for groups in args.sizes:
        document = account_with_failed_groups(groups)
        account = workdir / ("account-%d.json" % groups)
        account.write_text(json.dumps(document), encoding="utf-8")
        with Simulator("--task-seconds", args.task_seconds, "--full-sync-seconds", args.full_sync_seconds,
                       data=account) as simulator:
            for kind in kinds:
                runs = [run_playbook(kind, simulator, document, workdir, env, args) for dummy in range(args.runs)]
                median = statistics.median(r["seconds"] for r in runs)
                chosen = min(runs, key=lambda r: abs(r["seconds"] - median))
                results.append(dict(chosen, kind=kind, groups=groups, seconds=median,
                                    all_runs=[round(r["seconds"], 2) for r in runs]))
                print("%s, %d groups: %.1f s" % (kind, groups, median), file=sys.stderr, flush=True)
    return results


def render(args, results) -> str:
    lines = ["alibabacloud.sgw heal benchmark: simulator --task-seconds %g --full-sync-seconds %g; one failed share "
             "per group, groups over %d regions; health read every %g s at most; %d run(s) each, median" % (
                 args.task_seconds, args.full_sync_seconds, REGIONS, args.health_delay, args.runs),
             "",
             "| groups | heal | seconds | API calls | Remove | Add | DescribeTasks | DescribeExpressSyncShares "
             "| peak calls in flight |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in results:
        actions = row["actions"]
        lines.append("| %d | %s | %.1f | %d | %s | %s | %s | %s | %d |" % (
            row["groups"], LABELS[row["kind"]], row["seconds"], row["calls"],
            *(actions.get(action, 0) for action in COUNTED), row["peak_concurrency"]))
    lines.append("")
    smallest, largest = min(args.sizes), max(args.sizes)
    for kind in PLAYBOOKS:
        times = {row["groups"]: row["seconds"] for row in results if row["kind"] == kind}
        if smallest in times and largest in times and smallest != largest:
            lines.append("%s: %d groups / %d groups = %.2f x the time%s" % (
                LABELS[kind], largest, smallest, times[largest] / times[smallest],
                " (goal: 1.5 or less)" if kind == "new" else ""))
    unhealthy = [row for row in results if not row["all_healthy"]]
    if unhealthy:
        lines.append("NOT every share was healthy after: %s" % ", ".join(
            "%s at %d groups" % (row["kind"], row["groups"]) for row in unhealthy))
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="sgw-bench-heal-")).resolve()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(collections_root(workdir)), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_NOCOWS": "1",
        "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true", "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCAL_TEMP": str(workdir / "tmp"), "ANSIBLE_HOME": str(workdir / "home"),
        "ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET, "LC_ALL": "C.UTF-8",
    })
    try:
        results = measure(args, workdir, env)
    except RuntimeError as exc:
        print("benchmark failed: %s" % exc, file=sys.stderr)
        return 1
    print(render(args, results))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({
            "task_seconds": args.task_seconds, "full_sync_seconds": args.full_sync_seconds, "runs": args.runs,
            "health_delay": args.health_delay, "results": results}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
