# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The several-accounts part of bench_inventory.py (``--accounts N``).

N accounts of the shape of ``--regions`` x ``--groups-per-region`` x ``--shares-per-group`` (and
``--gateways-per-region``) are generated, one of them the management account of a resource
directory whose members are the others, and served by one simulator with ``--latency-ms`` on
every call. ``ansible-inventory --list`` runs cold with ``resource_directory: true``, and, for
comparison, against ONE account holding the same shares in the same regions (N times the groups
and gateways per region), both with the same ``max_concurrency``. The runs alternate; each figure
is the median of ``--runs``. Each run is also probed in-process (parse_probe.py) for the time of
the API fetch alone, which the host building of thousands of hosts does not blur.

Calls: the ideal of several accounts is each account's own ideal (as for one account) plus one
``AssumeRole`` per member (the management account is read with its own credentials); the one
``GetCallerIdentity`` and the ``ListAccounts`` pages are shown apart.

Rounds: with every call taking ``--latency-ms`` and at most ``max_concurrency`` in flight, a fetch
takes at least as many rounds of latency as its calls need slots (``ceil(calls / max_concurrency)``)
and as its longest chain of calls that wait for one another (one account: ``DescribeExpressSyncs``,
``DescribeExpressSyncShares``, ``DescribeGateways``, and its further pages; several accounts: first
``GetCallerIdentity`` and ``ListAccounts`` side by side, then each account's ``AssumeRole`` and its
chain). Those lower bounds are printed with the fetch times measured in rounds, and the load
average (1 minute) of the machine at each run, since the simulator and the plugin share its cores.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import time

from tests.simulator.generate import Shape, generate_account
from tests.support.sim_process import REPO_ROOT, Simulator

ACCOUNTS_PAGE_SIZE = 100
PROBE = pathlib.Path(__file__).resolve().parent / "parse_probe.py"


def _write(path, document):
    path.write_text(json.dumps(document))
    return path


def _config(path, regions, args, **extra):
    path.write_text(json.dumps(dict({"plugin": "alibabacloud.sgw.sgw", "regions": regions,
                                     "max_concurrency": args.max_concurrency}, **extra), indent=2) + "\n")
    return path


def _members(document):
    return sum(1 for share in document["shares"] if share.get("ExpressSyncId"))


def run_accounts(args, workdir, env, timer, measure, ideal_calls) -> dict:
    """Measure; ``measure(command, env, stdout_path, timer)`` and ``ideal_calls(document, regions)`` are
    bench_inventory.py's."""
    here = workdir / "accounts"
    here.mkdir(parents=True, exist_ok=True)
    documents = []
    for number in range(args.accounts):
        document = generate_account(Shape(args.regions, args.groups_per_region, args.shares_per_group,
                                          args.gateways_per_region, args.candidates_per_group, args.seed + number))
        document["account_id"] = "%016d" % (1855000000000000 + number)
        documents.append(document)
    single = generate_account(Shape(args.regions, args.groups_per_region * args.accounts, args.shares_per_group,
                                    args.gateways_per_region * args.accounts, args.candidates_per_group, args.seed))
    regions = list(documents[0]["regions"])
    files = [_write(here / ("account-%02d.json" % n), d) for n, d in enumerate(documents)]
    single_file = _write(here / "single.json", single)
    many_config = _config(here / "many.sgw.yml", regions, args, resource_directory=True)
    one_config = _config(here / "one.sgw.yml", regions, args)
    program = str(pathlib.Path(sys.executable).parent / "ansible-inventory")
    members = ["--member-account=%s" % path for path in files[1:]]
    ideal = {}
    for document in documents:
        for action, count in ideal_calls(document, regions).items():
            ideal[action] = ideal.get(action, 0) + count
    ideal["AssumeRole"] = args.accounts - 1
    data = {"accounts": args.accounts, "regions": len(regions), "max_concurrency": args.max_concurrency,
            "latency_ms": args.latency_ms, "shares": sum(_members(d) for d in documents),
            "single_shares": _members(single), "many": [], "one": [], "many_calls": [], "one_calls": [],
            "many_fetch": [], "one_fetch": [], "many_load": [], "one_load": [],
            "ideal_actions": ideal, "ideal": sum(ideal.values()), "one_ideal": sum(ideal_calls(single, regions).values()),
            "overhead_ideal": {"GetCallerIdentity": 1, "ListAccounts": math.ceil(args.accounts / ACCOUNTS_PAGE_SIZE)}}
    with Simulator("--latency", args.latency_ms, *members, data=files[0]) as many, \
            Simulator("--latency", args.latency_ms, data=single_file) as one:
        many_env = dict(env, ALIBABA_CLOUD_SGW_ENDPOINT=many.url, ALIBABA_CLOUD_STS_ENDPOINT=many.url,
                        ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT=many.url)
        one_env = dict(env, ALIBABA_CLOUD_SGW_ENDPOINT=one.url)
        for run in range(args.runs):
            started = time.monotonic()
            for kind, sim, config, run_env in (("many", many, many_config, many_env), ("one", one, one_config, one_env)):
                sim.reset()
                data[kind + "_load"].append(os.getloadavg()[0])
                data[kind].append(measure([program, "-i", str(config), "--list"], run_env,
                                          here / ("%s.json" % kind), timer).wall)
                data[kind + "_calls"].append(sim.stats())
                probe = subprocess.run([sys.executable, str(PROBE), str(config), "cold"], env=run_env,
                                       capture_output=True, text=True, check=True, cwd=REPO_ROOT)
                data[kind + "_fetch"].append(json.loads(probe.stdout.strip().splitlines()[-1])["fetch"])
            print("accounts run %d measured in %.0f s" % (run + 1, time.monotonic() - started), file=sys.stderr)
    hosts = len(json.loads((here / "many.json").read_text())["_meta"]["hostvars"])
    if hosts != data["shares"]:
        raise RuntimeError("the several-accounts inventory has %d hosts, not %d" % (hosts, data["shares"]))
    data["median_many"], data["median_one"] = statistics.median(data["many"]), statistics.median(data["one"])
    data["ratio"] = data["median_many"] / data["median_one"]
    data["fetch_many"], data["fetch_one"] = statistics.median(data["many_fetch"]), statistics.median(data["one_fetch"])
    one_chain = 4 if ideal_calls(single, regions)["DescribeGateways"] > len(regions) else 3  # further pages wait
    data["rounds_one"] = max(math.ceil(data["one_ideal"] / args.max_concurrency), one_chain)
    many_chain = 4 + (1 if ideal["DescribeGateways"] > args.accounts * len(regions) else 0)  # AssumeRole first
    data["rounds_many"] = 1 + max(math.ceil(data["ideal"] / args.max_concurrency), many_chain)  # 1: finding them
    return data


def render_accounts(data) -> str:
    calls = data["many_calls"][0]
    actions = calls["actions"]
    latency = data["latency_ms"]
    seconds = latency / 1000.0
    overhead = {a: actions.get(a, 0) for a in data["overhead_ideal"]}
    sgw = sum(v for a, v in actions.items() if a not in overhead)
    lines = [
        "alibabacloud.sgw.sgw inventory benchmark, several accounts: %d accounts x %d regions, %d ms per call, "
        "max_concurrency %d" % (data["accounts"], data["regions"], data["latency_ms"], data["max_concurrency"]),
        "",
        "| inventory | shares | cold --list (median s) | API fetch (median s) | calls | ideal calls | peak in flight |",
        "|---|---|---|---|---|---|---|",
        "| %d accounts (resource_directory) | %d | %.2f | %.2f | %d (+ %s) | %d | %d |" % (
            data["accounts"], data["shares"], data["median_many"], data["fetch_many"], sgw,
            ", ".join("%d %s" % (v, a) for a, v in overhead.items()), data["ideal"], calls["peak_concurrency"]),
        "| 1 account, same shares | %d | %.2f | %.2f | %d | %d | %d |" % (
            data["single_shares"], data["median_one"], data["fetch_one"], data["one_calls"][0]["total"],
            data["one_ideal"], data["one_calls"][0]["peak_concurrency"]),
        "",
        "several accounts / one account: %.2fx cold --list, %.2fx API fetch (goal: at most 1.3x)" % (
            data["ratio"], data["fetch_many"] / data["fetch_one"]),
        "calls of several accounts by action: %s; ideal: %s" % (
            json.dumps(actions, sort_keys=True), json.dumps(data["ideal_actions"], sort_keys=True)),
        "API fetch in rounds of %d ms: several accounts %.1f (at least %d: 1 to find the accounts, then %d calls, %d "
        "at a time), one account %.1f (at least %d)" % (
            latency, data["fetch_many"] / seconds, data["rounds_many"], data["ideal"], data["max_concurrency"],
            data["fetch_one"] / seconds, data["rounds_one"]),
        "load average (1 min) at the runs: several accounts %s; one account %s" % (
            " ".join("%.1f" % v for v in data["many_load"]), " ".join("%.1f" % v for v in data["one_load"])),
    ]
    return "\n".join(lines)
