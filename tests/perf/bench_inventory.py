# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the alibabacloud.sgw.sgw inventory plugin against Ansible's own floor.

    python tests/perf/bench_inventory.py                 # 10,000 shares, then 2x and 4x; 3 runs each
    python tests/perf/bench_inventory.py --quick         # a tiny account, one run: proves the script works
    python tests/perf/bench_inventory.py --share-details --gateway-tags   # with the optional per-gateway calls
    python tests/perf/bench_inventory.py --health-signals express_sync,gateway,file_share,alerts   # the verdict
    python tests/perf/bench_inventory.py --accounts 20 --regions 3 ...    # several accounts (accounts_bench.py)

For each scale it generates an account with the simulator's ``--generate``, serves it with
``--latency-ms`` of delay on every call, and measures with ``/usr/bin/time`` (wall seconds,
peak RSS), falling back to its own clock and ``getrusage(RUSAGE_CHILDREN)`` in a fresh child
process when GNU time is missing:

1. cold: ``ansible-inventory -i bench.sgw.yml --list --flush-cache``;
2. cached: ``ansible-inventory -i bench.sgw.yml --list`` (the jsonfile cache of run 1);
3. floor: ``ansible-inventory -i floor.sh --list``, where ``floor.sh`` is an inventory script that
   prints the ``--list`` JSON of run 1 as it is. That JSON keeps the ``{"__ansible_unsafe": ...}``
   markers, which the script plugin reads back as untrusted strings: the floor holds exactly the
   data of run 1 (its ``--list`` output is checked to be byte-identical), so it is what Ansible
   itself costs to hold this inventory.

At the first scale it also measures, for reference, the floor with the markers stripped: the
script plugin then trusts every string (ansible-core 2.19 marks inventory script output
TrustedAsTemplate), so it holds other data than the plugin, and ``--list`` writes plain strings.

Every run is also probed in-process (parse_probe.py) to show where the plugin's time goes: the
API fetch, the cache read and the host building. The runs of one scale are interleaved (cold,
cached, floor, then again) so that the noise of a shared machine spreads evenly; each figure is
the median of ``--runs`` runs.

The configuration lists the regions explicitly, so the ideal number of calls is, per region, one
DescribeExpressSyncs, one DescribeExpressSyncShares per ``max_ids_per_call`` groups, and one
DescribeGateways per 50 gateways of each storage bundle the region's shares name (computed from
the generated account). The cached runs must make no call at all.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import os
import pathlib
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.sim_process import KEY_ID, KEY_SECRET, Simulator  # noqa: E402  (needs the path above)

PAGE_SIZE = 50
TAG_CHUNK = 50  # ResourceId.N of one ListTagResources
PROBE = pathlib.Path(__file__).resolve().parent / "parse_probe.py"
KINDS = ("cold", "cached", "floor", "floor_stripped")
PROBE_KEYS = ("parse", "fetch", "fetch_cpu", "cache_read", "populate", "cache_write")
LABELS = {
    "cold": "cold --list --flush-cache",
    "cached": "cached --list",
    "floor": "floor: script, same data",
    "floor_stripped": "floor: script, markers stripped",
}
# Measured by a fresh child process when GNU time is missing: wall seconds and the child's peak RSS.
FALLBACK_TIMER = r"""
import resource, subprocess, sys, time
out, command = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
code = subprocess.call(command)
wall = time.perf_counter() - start
with open(out, "w") as handle:
    handle.write("%.3f %d\n" % (wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


class BenchmarkError(Exception):
    """The benchmark could not measure what it means to (a failed run, different outputs...)."""


@dataclasses.dataclass
class Sample:
    wall: float
    rss_kb: int


@dataclasses.dataclass
class ScaleResult:
    scale: int
    shares: int
    gateways: int
    regions: int
    ideal: dict
    samples: dict = dataclasses.field(default_factory=lambda: {kind: [] for kind in KINDS})
    calls: list = dataclasses.field(default_factory=list)          # stats of each cold run
    cached_calls: list = dataclasses.field(default_factory=list)   # total calls of each cached run
    probes: dict = dataclasses.field(default_factory=lambda: {"cold": [], "cached": [], "floor": []})

    def median(self, kind, field="wall"):
        values = [getattr(sample, field) for sample in self.samples[kind]]
        return statistics.median(values) if values else None


# ------------------------------------------------------------------------------------ helpers


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python tests/perf/bench_inventory.py",
                                     description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--regions", type=int, default=20, help="regions (default 20)")
    parser.add_argument("--groups-per-region", type=int, default=25, help="sync groups per region (default 25)")
    parser.add_argument("--shares-per-group", type=int, default=20,
                        help="member shares per group at scale 1 (default 20); a scale multiplies it")
    parser.add_argument("--gateways-per-region", type=int, default=50, help="gateways per region (default 50)")
    parser.add_argument("--candidates-per-group", type=int, default=0,
                        help="candidate shares per group (default 0; the benchmark config does not list them)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated account (default 1)")
    parser.add_argument("--latency-ms", type=float, default=100.0, help="delay of every API call (default 100)")
    parser.add_argument("--max-concurrency", type=int, default=8, help="the plugin's max_concurrency (default 8)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement; medians are shown (default 3)")
    parser.add_argument("--scales", default="1,2,4", help="multiples of --shares-per-group (default 1,2,4)")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny account (2 regions x 3 groups x 4 shares, 10 ms), one run, scale 1")
    parser.add_argument("--no-stripped-floor", action="store_true",
                        help="skip the reference floor with the unsafe markers stripped")
    parser.add_argument("--no-probe", action="store_true", help="skip the in-process breakdown of the plugin's time")
    parser.add_argument("--share-details", action="store_true",
                        help="turn on share_details (one DescribeGatewayFileShares per gateway with member shares)")
    parser.add_argument("--gateway-tags", action="store_true",
                        help="turn on gateway_tags (one ListTagResources per region and 50 gateways)")
    parser.add_argument("--health-signals", metavar="LIST", default="",
                        help="the inventory's health_signals, comma-separated (default: not set, so the "
                             "inventory's default, express_sync)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure to FILE as JSON")
    parser.add_argument("--accounts", type=int, default=0, metavar="N",
                        help="measure instead N accounts of a resource directory, each of the shape above, against "
                             "one account with the same shares (see accounts_bench.py)")
    parser.add_argument("--workdir", metavar="DIR", help="keep accounts, configs, outputs and caches in DIR")
    args = parser.parse_args(argv)
    if args.quick:
        args.regions, args.groups_per_region, args.shares_per_group = 2, 3, 4
        args.gateways_per_region, args.latency_ms, args.runs, args.scales = 2, 10.0, 1, "1"
    try:
        args.scales = [int(s) for s in args.scales.split(",") if s.strip()]
    except ValueError:
        parser.error("--scales takes whole numbers separated by commas, for example 1,2,4")
    args.health_signals = [s.strip() for s in args.health_signals.split(",") if s.strip()]
    if args.accounts == 1 or args.accounts < 0:
        parser.error("--accounts takes 2 or more accounts")
    if not args.scales or min(args.scales) < 1 or args.runs < 1 or args.max_concurrency < 1:
        parser.error("--scales, --runs and --max-concurrency must be 1 or more")
    return args


def collections_root(workdir: pathlib.Path) -> pathlib.Path:
    """A directory holding ``ansible_collections/alibabacloud/sgw`` (a symlink to this checkout if need be)."""
    if REPO_ROOT.parent.name == "alibabacloud" and REPO_ROOT.parent.parent.name == "ansible_collections":
        return REPO_ROOT.parent.parent.parent
    link = workdir / "collections" / "ansible_collections" / "alibabacloud" / "sgw"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO_ROOT, target_is_directory=True)
    return workdir / "collections"


def gnu_time() -> str | None:
    """The path of GNU time when it is installed and takes ``-f`` and ``-o``."""
    path = shutil.which("time") or ("/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None)
    if not path:
        return None
    with tempfile.NamedTemporaryFile("r") as out:
        probe = subprocess.run([path, "-f", "%e %M", "-o", out.name, "true"], capture_output=True, check=False)
        return path if probe.returncode == 0 and len(out.read().split()) == 2 else None


def measure(command, env, stdout_path, timer) -> Sample:
    """Run ``command`` with stdout to ``stdout_path``; its wall time and peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out, open(stdout_path, "wb") as stdout:
        if timer:
            wrapped = [timer, "-f", "%e %M", "-o", out.name, *command]
        else:
            wrapped = [sys.executable, "-c", FALLBACK_TIMER, out.name, *command]
        process = subprocess.run(wrapped, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True, check=False,
                                 cwd=REPO_ROOT)
        if process.returncode != 0:
            raise BenchmarkError("%s failed (%d):\n%s" % (shlex.join(command), process.returncode,
                                                          process.stderr[-3000:]))
        wall, rss = out.read().split()[-2:]
    return Sample(float(wall), int(rss))


def ideal_calls(document: dict, regions, max_ids_per_call=0, share_details=False, gateway_tags=False,
                health_signals=()) -> dict:
    """The fewest calls the API allows for ``regions`` of an account document, per action.

    ``share_details`` or the health signal ``file_share``: one DescribeGatewayFileShares per gateway with member
    shares in each region; ``gateway_tags``: one ListTagResources per 50 such gateways in each region; the health
    signal ``alerts``: one ListAlertEvents per region with member shares and 50 of its alerts (the generated
    account has none); the health signals ``express_sync`` and ``gateway``: none.
    """
    gateways_per_bundle = {}
    bundle_of = {}
    for gateway in document["gateways"]:
        bundle = gateway["StorageBundleId"]
        gateways_per_bundle[bundle] = gateways_per_bundle.get(bundle, 0) + 1
        bundle_of[gateway["GatewayId"]] = bundle
    members = {}
    for share in document["shares"]:
        if share.get("ExpressSyncId"):
            members.setdefault(share["ExpressSyncId"], []).append(share)
    calls = {"DescribeExpressSyncs": 0, "DescribeExpressSyncShares": 0, "DescribeGateways": 0}
    asked = set()
    for region in dict.fromkeys(regions):
        calls["DescribeExpressSyncs"] += 1
        groups = [g["ExpressSyncId"] for g in document["express_syncs"] if g["BucketRegion"] == region]
        if not groups:
            continue
        calls["DescribeExpressSyncShares"] += math.ceil(len(groups) / max_ids_per_call) if max_ids_per_call else 1
        bundles = {bundle_of[s["GatewayId"]] for g in groups for s in members.get(g, ())}
        gateways = {s["GatewayId"] for g in groups for s in members.get(g, ())}
        if share_details or "file_share" in health_signals:
            calls["DescribeGatewayFileShares"] = calls.get("DescribeGatewayFileShares", 0) + len(gateways)
        if "alerts" in health_signals and gateways:
            alerts = sum(1 for alert in document.get("alerts", ()) if alert["GatewayId"] in gateways)
            calls["ListAlertEvents"] = calls.get("ListAlertEvents", 0) + max(1, math.ceil(alerts / PAGE_SIZE))
        if gateway_tags and gateways:
            calls["ListTagResources"] = calls.get("ListTagResources", 0) + math.ceil(len(gateways) / TAG_CHUNK)
        for bundle in sorted(bundles - asked):
            calls["DescribeGateways"] += max(1, math.ceil(gateways_per_bundle[bundle] / PAGE_SIZE))
        asked |= bundles
    return calls


def strip_unsafe(value):
    """``value`` with every ``{"__ansible_unsafe": text}`` replaced by ``text``."""
    if isinstance(value, dict):
        if len(value) == 1 and "__ansible_unsafe" in value:
            return value["__ansible_unsafe"]
        return {key: strip_unsafe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [strip_unsafe(item) for item in value]
    return value


def digest(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_script(path: pathlib.Path, listing: pathlib.Path) -> None:
    path.write_text("#!/bin/sh\n# An inventory script that prints a saved --list output.\nexec cat %s\n"
                    % shlex.quote(str(listing)))
    path.chmod(0o755)


# ------------------------------------------------------------------------------------ one scale


def run_scale(args, scale, workdir, env, timer, with_stripped_floor) -> ScaleResult:
    here = workdir / ("x%d" % scale)
    here.mkdir(parents=True, exist_ok=True)
    account = here / "account.json"
    generate = [sys.executable, "-m", "tests.simulator", "--generate", "--regions", args.regions,
                "--groups-per-region", args.groups_per_region, "--shares-per-group", args.shares_per_group * scale,
                "--gateways-per-region", args.gateways_per_region,
                "--candidates-per-group", args.candidates_per_group, "--seed", args.seed, "--write", account]
    subprocess.run([str(arg) for arg in generate], cwd=REPO_ROOT, check=True)
    document = json.loads(account.read_text())
    regions = list(document["regions"])
    members = sum(1 for share in document["shares"] if share.get("ExpressSyncId"))
    result = ScaleResult(scale, members, len(document["gateways"]), len(regions),
                         ideal_calls(document, regions, share_details=args.share_details,
                                     gateway_tags=args.gateway_tags, health_signals=args.health_signals))

    config = here / "bench.sgw.yml"
    config.write_text(json.dumps({
        "plugin": "alibabacloud.sgw.sgw", "regions": regions, "max_concurrency": args.max_concurrency,
        "cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(here / "cache"),
        "cache_timeout": 0, "share_details": args.share_details, "gateway_tags": args.gateway_tags,
        **({"health_signals": args.health_signals} if args.health_signals else {}),
    }, indent=2) + "\n")
    program = [str(pathlib.Path(sys.executable).parent / "ansible-inventory")]
    inventory = program + ["-i", str(config), "--list"]
    cold_out, cached_out = here / "cold.json", here / "cached.json"
    floor_json, floor_out, floor_script = here / "floor-input.json", here / "floor.json", here / "floor.sh"
    stripped_json, stripped_out, stripped_script = (here / "floor-stripped-input.json",
                                                    here / "floor-stripped.json", here / "floor-stripped.sh")
    with Simulator("--latency", args.latency_ms, data=account) as sim:
        run_env = dict(env, ALIBABA_CLOUD_SGW_ENDPOINT=sim.url)
        for run in range(args.runs):
            sim.reset()
            result.samples["cold"].append(measure(inventory + ["--flush-cache"], run_env, cold_out, timer))
            result.calls.append(sim.stats())
            sim.reset()
            result.samples["cached"].append(measure(inventory, run_env, cached_out, timer))
            result.cached_calls.append(sim.stats()["total"])
            if digest(cached_out) != digest(cold_out):
                raise BenchmarkError("the cached --list output differs from the cold one (%s, %s)"
                                     % (cold_out, cached_out))
            if run == 0:
                shutil.copyfile(cold_out, floor_json)
                write_script(floor_script, floor_json)
                if with_stripped_floor:
                    stripped_json.write_text(json.dumps(strip_unsafe(json.loads(cold_out.read_text()))))
                    write_script(stripped_script, stripped_json)
            elif digest(cold_out) != digest(floor_json):
                raise BenchmarkError("two cold runs gave different --list outputs (%s, %s)" % (floor_json, cold_out))
            result.samples["floor"].append(measure(program + ["-i", str(floor_script), "--list"], run_env,
                                                   floor_out, timer))
            if digest(floor_out) != digest(cold_out):
                raise BenchmarkError("the floor's --list output differs from the plugin's (%s, %s)"
                                     % (cold_out, floor_out))
            if with_stripped_floor:
                result.samples["floor_stripped"].append(measure(
                    program + ["-i", str(stripped_script), "--list"], run_env, stripped_out, timer))
            if not args.no_probe:
                for mode, source in (("cold", config), ("cached", config), ("floor", floor_script)):
                    probe = subprocess.run([sys.executable, str(PROBE), str(source), mode], env=run_env,
                                           capture_output=True, text=True, check=False, cwd=REPO_ROOT)
                    if probe.returncode != 0:
                        raise BenchmarkError("parse_probe.py %s failed:\n%s" % (mode, probe.stderr[-3000:]))
                    result.probes[mode].append(json.loads(probe.stdout.strip().splitlines()[-1]))
    return result


# ------------------------------------------------------------------------------------ report


def _fmt(value, pattern="%.2f"):
    return "-" if value is None else pattern % value


def _probe_median(result, mode, key):
    values = [probe[key] for probe in result.probes[mode]]
    return statistics.median(values) if values else None


def summary(args, results) -> dict:
    """Every figure of the table, JSON-able."""
    latency = args.latency_ms / 1000.0
    base = results[0]
    scales = []
    for result in results:
        medians = {kind: {"wall": result.median(kind), "rss_kb": result.median(kind, "rss_kb"),
                          "runs": [s.wall for s in result.samples[kind]]}
                   for kind in KINDS if result.samples[kind]}
        floor = medians["floor"]
        last = result.calls[-1]
        scales.append({
            "scale": result.scale, "shares": result.shares, "gateways": result.gateways, "regions": result.regions,
            "medians": medians,
            "api_calls": {"total": [c["total"] for c in result.calls], "actions": last["actions"],
                          "ideal": sum(result.ideal.values()), "ideal_actions": result.ideal,
                          "cached": result.cached_calls,
                          "peak_concurrency": max(c["peak_concurrency"] for c in result.calls)},
            "ratios": {
                "cold_vs_floor_plus_3_latency": medians["cold"]["wall"] / (floor["wall"] + 3 * latency),
                "cached_vs_floor": medians["cached"]["wall"] / floor["wall"],
                "cold_rss_vs_floor": medians["cold"]["rss_kb"] / floor["rss_kb"],
                "cached_rss_vs_floor": medians["cached"]["rss_kb"] / floor["rss_kb"],
            },
            "vs_first_scale": {kind: medians[kind]["wall"] / base.median(kind)
                               for kind in ("cold", "cached", "floor")},
            "probe": {mode: {key: _probe_median(result, mode, key) for key in PROBE_KEYS}
                      for mode in ("cold", "cached", "floor") if result.probes[mode]},
        })
    return {"latency_ms": args.latency_ms, "max_concurrency": args.max_concurrency, "runs": args.runs,
            "health_signals": args.health_signals,
            "shape": {"regions": args.regions, "groups_per_region": args.groups_per_region,
                      "shares_per_group": args.shares_per_group, "gateways_per_region": args.gateways_per_region,
                      "candidates_per_group": args.candidates_per_group, "seed": args.seed},
            "scales": scales}


def render(args, data, timer) -> str:
    from ansible import __version__ as ansible_version  # pylint: disable=import-outside-toplevel

    latency = args.latency_ms
    lines = [
        "alibabacloud.sgw.sgw inventory benchmark: %d regions x %d groups x %d shares per group (x scale), "
        "%d gateways per region; latency %g ms per call; max_concurrency %d; health_signals %s"
        % (args.regions, args.groups_per_region, args.shares_per_group, args.gateways_per_region, latency,
           args.max_concurrency, ",".join(args.health_signals) or "not set (express_sync)"),
        "ansible-core %s, Python %s, %s, %d CPUs; median of %d run(s); wall time and peak RSS %s"
        % (ansible_version, platform.python_version(), platform.platform(terse=True), os.cpu_count() or 0,
           args.runs, "from %s" % timer if timer else
           "measured by the benchmark (clock + getrusage(RUSAGE_CHILDREN) of a fresh child; GNU time missing)"),
        "",
        "| shares | run | wall s | runs (s) | peak RSS MB | ratio | vs 1st scale | API calls | ideal | "
        "calls per action | peak concurrency |",
        "|---:|---|---:|---|---:|---|---:|---:|---:|---|---:|",
    ]
    for scale in data["scales"]:
        medians, calls, ratios = scale["medians"], scale["api_calls"], scale["ratios"]
        for kind in KINDS:
            if kind not in medians:
                continue
            row = medians[kind]
            ratio = {"cold": "%.2f = cold / (floor + 3 x %g ms)" % (ratios["cold_vs_floor_plus_3_latency"], latency),
                     "cached": "%.2f = cached / floor" % ratios["cached_vs_floor"],
                     "floor": "1.00", "floor_stripped": "%.2f = this / floor" % (
                         row["wall"] / medians["floor"]["wall"])}[kind]
            rss_ratio = row["rss_kb"] / medians["floor"]["rss_kb"]
            if kind == "cold":
                total = ",".join(str(t) for t in sorted(set(calls["total"])))
                per_action = ", ".join("%s %d" % item for item in sorted(calls["actions"].items()))
                api = (total, str(calls["ideal"]), per_action, str(calls["peak_concurrency"]))
            elif kind == "cached":
                api = (",".join(str(t) for t in sorted(set(calls["cached"]))), "0", "-", "-")
            else:
                api = ("-", "-", "-", "-")
            lines.append("| %d | %s | %.2f | %s | %.0f (x%.2f) | %s | %s | %s | %s | %s | %s |" % (
                scale["shares"], LABELS[kind], row["wall"], " ".join("%.2f" % w for w in row["runs"]),
                row["rss_kb"] / 1024.0, rss_ratio, ratio,
                _fmt(scale["vs_first_scale"].get(kind), "x%.2f"), *api))
    lines.append("")
    probed = [s for s in data["scales"] if s["probe"]]
    if probed:
        lines.append("In-process parse through InventoryManager (no CLI start-up, no --list output), medians, s:")
        for scale in probed:
            probe = scale["probe"]
            floor = probe.get("floor", {}).get("parse")
            for mode in ("cold", "cached"):
                row = probe[mode]
                rest = row["parse"] - row["fetch"] - row["cache_read"] - row["populate"] - row["cache_write"]
                lines.append("  %6d shares %-6s parse %s (floor's parse %s) = fetch %s + cache read %s + host "
                             "building %s + cache write %s + the rest %s" % (
                                 scale["shares"], mode, _fmt(row["parse"]), _fmt(floor), _fmt(row["fetch"]),
                                 _fmt(row["cache_read"]), _fmt(row["populate"]), _fmt(row["cache_write"]),
                                 _fmt(rest)))
            cold, ideal = probe["cold"], scale["api_calls"]["ideal"]
            lines.append("  %6d shares: the fetch took %.1f x latency for %d calls at max_concurrency %d (at least "
                         "%d rounds of latency), %.2f s of it CPU time of the plugin's process" % (
                             scale["shares"], cold["fetch"] / (latency / 1000.0), ideal, args.max_concurrency,
                             max(3, math.ceil(ideal / args.max_concurrency)), cold["fetch_cpu"]))
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = pathlib.Path(args.workdir or tempfile.mkdtemp(prefix="sgw-bench-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        root = collections_root(workdir)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(root), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_NOCOWS": "1",
            "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true", "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCAL_TEMP": str(workdir / "tmp"), "ANSIBLE_HOME": str(workdir / "home"),
            "ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET,
            "LC_ALL": "C.UTF-8",
        })
        timer = gnu_time()
        if args.accounts:
            from tests.perf.accounts_bench import render_accounts, run_accounts  # noqa: E402  pylint: disable=import-outside-toplevel
            data = run_accounts(args, workdir, env, timer, measure, ideal_calls)
            print(render_accounts(data))
            if args.json:
                pathlib.Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
            return 0
        results = []
        for index, scale in enumerate(args.scales):
            started = time.monotonic()
            results.append(run_scale(args, scale, workdir, env, timer,
                                     with_stripped_floor=index == 0 and not args.no_stripped_floor))
            print("scale x%d measured in %.0f s" % (scale, time.monotonic() - started), file=sys.stderr, flush=True)
        data = summary(args, results)
        print(render(args, data, timer))
        if args.json:
            pathlib.Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
    except BenchmarkError as exc:
        print("benchmark failed: %s" % exc, file=sys.stderr)
        return 1
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
