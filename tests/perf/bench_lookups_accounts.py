# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookups across the accounts of a resource directory: calls and time against one account.

    python tests/perf/bench_lookups_accounts.py [--accounts 3] [--latency-ms 100] [--max-concurrency 8] [--runs 3]

N accounts of one shape are generated (tests/simulator/generate.py), the first the management account of a
resource directory whose members are the others, and served by one simulator with ``--latency-ms`` on every
call; a second simulator serves ONE account holding the same groups and shares. Each lookup runs through the
real ``ansible`` command (``ansible.builtin.debug`` of a ``query()``), with ``resource_directory=true``
against the directory and without it against the one account, in the first region:

- ``express_syncs``: every group;
- ``express_sync_shares``: the shares of every group of the region (their ids as terms).

Printed: the calls by action against the ideal (one ``AssumeRole`` per member, plus each account's own
calls as if it were the only one; the ``GetCallerIdentity`` and ``ListAccounts`` pages apart), the peak of
calls in flight, and the median wall time of each command (ansible's start-up included) against the one
account's. No figure is asserted: this prints.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from tests.perf.bench_inventory import collections_root  # noqa: E402
from tests.simulator.generate import Shape, generate_account  # noqa: E402
from tests.support.sim_process import KEY_ID, KEY_SECRET, Simulator  # noqa: E402

ACCOUNTS_PAGE_SIZE = 100


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python tests/perf/bench_lookups_accounts.py", description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--accounts", type=int, default=3, help="accounts of the directory, the management one included")
    parser.add_argument("--regions", type=int, default=2, help="regions of each account (default 2)")
    parser.add_argument("--groups-per-region", type=int, default=5, help="sync groups per region (default 5)")
    parser.add_argument("--shares-per-group", type=int, default=10, help="member shares per group (default 10)")
    parser.add_argument("--latency-ms", type=float, default=100.0, help="delay of every API call (default 100)")
    parser.add_argument("--max-concurrency", type=int, default=8, help="the lookups' max_concurrency (default 8)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command; medians are shown (default 3)")
    args = parser.parse_args(argv)
    if args.accounts < 2 or args.runs < 1 or args.max_concurrency < 1:
        parser.error("--accounts takes 2 or more, --runs and --max-concurrency 1 or more")
    return args


def groups_of(document, region):
    return [g["ExpressSyncId"] for g in document["express_syncs"] if g.get("BucketRegion") == region]


def run_lookup(env, expression):
    """``(seconds, printed value)`` of ``ansible localhost -m debug -a msg=<expression>``."""
    started = time.monotonic()
    program = str(pathlib.Path(sys.executable).parent / "ansible")
    process = subprocess.run([program, "localhost", "-c", "local", "-i", "localhost,", "-m", "ansible.builtin.debug",
                              "-a", "msg={{ %s }}" % expression], env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError("ansible failed:\n%s\n%s" % (process.stdout[-3000:], process.stderr[-3000:]))
    return seconds, process.stdout


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="sgw-bench-lookups-"))
    documents = []
    for number in range(args.accounts):
        document = generate_account(Shape(args.regions, args.groups_per_region, args.shares_per_group,
                                          args.groups_per_region, 0, 1 + number))
        document["account_id"] = "%016d" % (1855000000000000 + number)
        documents.append(document)
    single = generate_account(Shape(args.regions, args.groups_per_region * args.accounts, args.shares_per_group,
                                    args.groups_per_region * args.accounts, 0, 1))
    region = documents[0]["regions"][0]
    files = []
    for number, document in enumerate(documents + [single]):
        path = workdir / ("account-%02d.json" % number)
        path.write_text(json.dumps(document))
        files.append(path)
    members = ["--member-account=%s" % path for path in files[1:args.accounts]]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
    base.update({"ANSIBLE_COLLECTIONS_PATH": str(collections_root(workdir)), "ANSIBLE_NOCOLOR": "1",
                 "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_LOCAL_TEMP": str(workdir / "tmp"),
                 "ANSIBLE_HOME": str(workdir / "home"), "ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID,
                 "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET, "ALIBABA_CLOUD_REGION_ID": region,
                 "LC_ALL": "C.UTF-8"})
    many_ids = [i for document in documents for i in groups_of(document, region)]
    one_ids = groups_of(single, region)
    holding = sum(1 for document in documents if groups_of(document, region))
    lookups = {
        "express_syncs": ("query('alibabacloud.sgw.express_syncs'%s) | length", {"DescribeExpressSyncs": 1}),
        "express_sync_shares": ("query('alibabacloud.sgw.express_sync_shares', %s%s) | length",
                                {"DescribeExpressSyncShares": 1}),
    }
    bound = ", max_concurrency=%d" % args.max_concurrency
    print("lookups across %d accounts (resource_directory) against one account with the same groups: %d ms per call, "
          "max_concurrency %d, region %s, %d groups in %d accounts" % (
              args.accounts, args.latency_ms, args.max_concurrency, region, len(many_ids), holding))
    print("")
    print("| lookup | accounts | rows | calls by action | ideal | peak in flight | median s | x one account |")
    print("|---|---|---|---|---|---|---|---|")
    with Simulator("--latency", args.latency_ms, *members, data=files[0]) as many, \
            Simulator("--latency", args.latency_ms, data=files[-1]) as one:
        many_env = dict(base, ALIBABA_CLOUD_SGW_ENDPOINT=many.url, ALIBABA_CLOUD_STS_ENDPOINT=many.url,
                        ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT=many.url)
        one_env = dict(base, ALIBABA_CLOUD_SGW_ENDPOINT=one.url)
        for name, (template, single_calls) in lookups.items():
            if name == "express_syncs":
                many_expr, one_expr = template % (", resource_directory=true" + bound), template % ""
            else:
                many_expr = template % (json.dumps(many_ids), ", resource_directory=true" + bound)
                one_expr = template % (json.dumps(one_ids), "")
            figures = {}
            for kind, sim, env, expression in (("many", many, many_env, many_expr), ("one", one, one_env, one_expr)):
                times, stats, rows = [], None, None
                for dummy in range(args.runs):
                    sim.reset()
                    seconds, printed = run_lookup(env, expression)
                    times.append(seconds)
                    stats = sim.stats()
                    rows = printed.split('"msg":')[-1].strip().strip("}").strip()
                figures[kind] = (statistics.median(times), stats, rows)
            ideal = {action: count * (holding if name == "express_sync_shares" else args.accounts)
                     for action, count in single_calls.items()}
            ideal["AssumeRole"] = args.accounts - 1
            apart = "+ 1 GetCallerIdentity, %d ListAccounts" % math.ceil(args.accounts / ACCOUNTS_PAGE_SIZE)
            for kind, accounts in (("many", args.accounts), ("one", 1)):
                seconds, stats, rows = figures[kind]
                print("| %s | %d | %s | %s | %s | %d | %.2f | %.2f |" % (
                    name, accounts, rows, json.dumps(stats["actions"], sort_keys=True),
                    "%s %s" % (json.dumps(ideal, sort_keys=True), apart) if kind == "many" else json.dumps(single_calls),
                    stats["peak_concurrency"], seconds, seconds / figures["one"][0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
