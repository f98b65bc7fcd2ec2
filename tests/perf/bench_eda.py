# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of self-healing with Event-Driven Ansible: the rulebook alibabacloud.sgw.heal_on_failure.

    python tests/perf/bench_eda.py                      # poll intervals 1 and 5 s, 5 heals each
    python tests/perf/bench_eda.py --intervals 2 --rounds 3
    python tests/perf/bench_eda.py --quick              # one interval, one heal: proves the script works

Needs ansible-rulebook (tests/requirements-eda.txt) and Java 17. For each poll interval it serves
the sample account (its failed shares made healthy) with the simulator at ``--task-seconds 0.2
--full-sync-seconds 1.5``, starts ``ansible-rulebook -r alibabacloud.sgw.heal_on_failure`` against
it, and ``--rounds`` times marks the share artifacts@gw-0003f6ht0wz8n2lqa failed (``PUT
/_sim/account``) and measures:

- detection: from the mark to the transition event (read from ``--print-events``);
- healthy: from the mark to the simulator showing the share ``MNSHealthy`` again (the rule's 3 s
  batch window, the heal playbook with its inventory read, the simulator's 1.5 s full sync);

then the median, min and max of each. Also:

- calls per poll: the API calls the simulator counts while the rulebook idles, per heartbeat
  (``sgw_heartbeat_polls: 1``), against the calls of one ``ansible-inventory --list`` of the same
  estate with the same inventory file;
- memory: the resident set of the ansible-rulebook process (Python with the JVM of its rules
  engine), and of a Python process running the source alone (``main(queue, args)``) after its first
  poll and after ``--source-polls`` polls;
- flapping: one share failed again and again with ``sgw_flap_max_heals: 2``: the heals made.

Nothing here is asserted: it prints what it measured (``--json`` writes the figures too).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# pylint: disable=wrong-import-position
import yaml  # noqa: E402

from tests.perf.bench_inventory import collections_root  # noqa: E402
from tests.support.sim_process import KEY_ID, KEY_SECRET, Simulator, ansible_env  # noqa: E402
from tests.support.waiting import stop_group  # noqa: E402

SHARE = "artifacts@gw-0003f6ht0wz8n2lqa"
FLAPPER = "media-nfs@gw-0001b2odzvl3b1mhi"
REGIONS = ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]
WRITES = ("RemoveSharesFromExpressSync", "AddSharesToExpressSync")


def rss_kb(pid) -> int:
    with open("/proc/%d/status" % pid, encoding="utf-8") as handle:
        return int(re.search(r"^VmRSS:\s+(\d+)", handle.read(), re.MULTILINE).group(1))


def share_state(simulator, host):
    for share in simulator.account()["shares"]:
        if "%s@%s" % (share["ShareName"], share["GatewayId"]) == host and share.get("ExpressSyncId"):
            return share.get("ExpressSyncState")
    return None


def set_state(simulator, host, state):
    document = simulator.account()
    for share in document["shares"]:
        if "%s@%s" % (share["ShareName"], share["GatewayId"]) == host:
            share.update(ExpressSyncState=state, SyncProgress=100)
    simulator.control("/_sim/account", "PUT", document)


def wait(condition, timeout, what, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError("gave up waiting for %s after %ss" % (what, timeout))
        time.sleep(step)


class Rulebook:
    """ansible-rulebook in the background; its output goes to a file that is read as it grows."""

    def __init__(self, command, env, log):
        self.log = log
        self.handle = open(log, "w", encoding="utf-8")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=self.handle,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def text(self) -> str:
        return pathlib.Path(self.log).read_text(encoding="utf-8", errors="replace")

    def events(self, since=0):
        return list(re.findall(r"^Event:\n(.*?)\n\*{10}", self.text()[since:], re.S | re.M))

    def stop(self):
        stop_group(self.process)
        self.handle.close()


def start(workdir, simulator, variables, name):
    inventory = workdir / "bench.sgw.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "regions": REGIONS}), encoding="utf-8")
    vars_file = workdir / ("%s-vars.yml" % name)
    vars_file.write_text(yaml.safe_dump(dict({"sgw_regions": REGIONS, "sgw_heal_wait_timeout": 60}, **variables)),
                         encoding="utf-8")
    env = environment(workdir, simulator)
    command = [str(pathlib.Path(sys.executable).parent / "ansible-rulebook"), "-r", "alibabacloud.sgw.heal_on_failure",
               "-i", str(inventory), "--vars", str(vars_file), "--print-events"]
    rulebook = Rulebook(command, env, workdir / ("%s.log" % name))
    wait(lambda: "'type': 'snapshot'" in rulebook.text(), 180, "the snapshot")
    return rulebook, inventory


def environment(workdir, simulator):
    os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(collections_root(workdir)))
    env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
                      ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET,
                      ALIBABA_CLOUD_SGW_RESYNC_JOURNAL=str(workdir / "journal.json"))
    env["PATH"] = os.pathsep.join([str(pathlib.Path(sys.executable).parent), env.get("PATH", "")])
    return env


def healthy_account(workdir):
    document = yaml.safe_load((REPO_ROOT / "tests" / "simulator" / "data" / "sample_account.yml").read_text())
    for share in document["shares"]:
        if share.get("ExpressSyncState", "").endswith("Failure"):
            share.update(ExpressSyncState="MNSHealthy", SyncProgress=100)
    path = workdir / "account.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def seen(rulebook, since, host, health, count=1):
    pattern = "'share': '%s'" % host
    return len([e for e in rulebook.events(since) if pattern in e and "'to_health': '%s'" % health in e]) >= count


def heals(interval, rounds, workdir, account) -> dict:
    with Simulator("--task-seconds", "0.2", "--full-sync-seconds", "1.5", data=account) as simulator:
        # the same share fails again and again here: no flapping guard (flapping() measures it)
        rulebook, inventory = start(workdir, simulator, {"sgw_poll_interval": interval, "sgw_heartbeat_polls": 1,
                                                         "sgw_flap_max_heals": 1000}, "interval-%s" % interval)
        try:
            detection, healthy = [], []
            for dummy in range(rounds):
                since = len(rulebook.text())
                set_state(simulator, SHARE, "QueueFailure")
                marked = time.monotonic()
                wait(lambda: seen(rulebook, since, SHARE, "failed"), 120, "the failure", 0.01)
                detection.append(time.monotonic() - marked)
                wait(lambda: share_state(simulator, SHARE) == "MNSHealthy", 180, "the heal", 0.05)
                healthy.append(time.monotonic() - marked)
                wait(lambda: seen(rulebook, since, SHARE, "healthy"), 120, "the source to see it healthy")
            # calls per poll while idle: one heartbeat per poll
            before, since = simulator.stats(), len(rulebook.text())
            wait(lambda: rulebook.text()[since:].count("'type': 'heartbeat'") >= 5, 120, "5 polls")
            after = simulator.stats()
            beats = rulebook.text()[since:].count("'type': 'heartbeat'")
            per_poll = (after["total"] - before["total"]) / beats
            rulebook_rss = rss_kb(rulebook.process.pid)
        finally:
            rulebook.stop()
        before = simulator.stats()  # the rulebook stopped: only the inventory calls now
        process = subprocess.run([str(pathlib.Path(sys.executable).parent / "ansible-inventory"), "-i",
                                  str(inventory), "--list"], env=environment(workdir, simulator),
                                 capture_output=True, text=True, timeout=300, check=False)
        inventory_calls = simulator.stats()["total"] - before["total"] if process.returncode == 0 else None
    return {"interval": interval, "detection": detection, "healthy": healthy, "calls_per_poll": per_poll,
            "inventory_calls": inventory_calls, "rulebook_rss_kb": rulebook_rss}


def flapping(workdir, account, failures=5, max_heals=2) -> dict:
    with Simulator("--task-seconds", "0.2", "--full-sync-seconds", "1.5", data=account) as simulator:
        rulebook, dummy = start(workdir, simulator, {"sgw_poll_interval": 1, "sgw_flap_max_heals": max_heals},
                                "flapping")
        try:
            first = simulator.stats()
            since = len(rulebook.text())
            for number in range(1, failures + 1):
                set_state(simulator, FLAPPER, "QueueFailure")
                wait(lambda n=number: seen(rulebook, since, FLAPPER, "failed", n), 120, "failure %d" % number)
                if number <= max_heals:
                    wait(lambda n=number: seen(rulebook, since, FLAPPER, "healthy", n), 120, "heal %d" % number)
                else:
                    wait(lambda: "%s in" % FLAPPER in rulebook.text()[since:] and "is flapping" in rulebook.text()[since:],
                         60, "the flapping message")
                    set_state(simulator, FLAPPER, "MNSHealthy")  # recovers by other means, then fails again
                    wait(lambda n=number: seen(rulebook, since, FLAPPER, "healthy", n), 120, "recovery %d" % number)
            last = simulator.stats()
        finally:
            rulebook.stop()
    made = {action: last["actions"].get(action, 0) - first["actions"].get(action, 0) for action in WRITES}
    return {"failures": failures, "max_heals": max_heals, "heals": made["AddSharesToExpressSync"], "writes": made,
            "flapping_messages": rulebook.text()[since:].count("is flapping")}


SOURCE_ALONE = textwrap.dedent("""
    import asyncio, importlib.util, json, re, sys
    sys.path.insert(0, sys.argv[1])
    spec = importlib.util.spec_from_file_location("source", sys.argv[2])
    source = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(source)
    polls, figures = int(sys.argv[3]), {}

    def rss():
        with open("/proc/self/status") as handle:
            return int(re.search(r"^VmRSS:\\s+(\\d+)", handle.read(), re.M).group(1))

    async def pause(delay):
        await asyncio.sleep(0)

    async def run():
        queue = asyncio.Queue()
        source.pause = pause
        count = [0]
        original = source.Poller.poll

        def poll(self):
            events = original(self)
            count[0] += 1
            if count[0] == 1:
                figures["after_first_poll_kb"] = rss()
            return events
        source.Poller.poll = poll
        task = asyncio.create_task(source.main(queue, {"poll_interval": 1, "heartbeat_polls": 0,
                                                       "regions": %r}))
        while count[0] < polls:
            await asyncio.sleep(0.01)
        task.cancel()
        figures["after_polls_kb"] = rss()
        figures["polls"] = count[0]
    asyncio.run(run())
    print(json.dumps(figures))
""" % REGIONS)


def source_memory(workdir, account, polls) -> dict:
    with Simulator(data=account) as simulator:
        env = dict(environment(workdir, simulator), PYTHONPATH=str(collections_root(workdir)))
        script = workdir / "source_alone.py"
        script.write_text(SOURCE_ALONE, encoding="utf-8")
        source = collections_root(workdir) / "ansible_collections" / "alibabacloud" / "sgw" / "extensions" / "eda" / \
            "plugins" / "event_source" / "express_sync_health.py"
        process = subprocess.run([sys.executable, str(script), str(REPO_ROOT), str(source), str(polls)], env=env,
                                 capture_output=True, text=True, timeout=600, check=False)
        if process.returncode:
            raise RuntimeError(process.stderr[-3000:])
        return json.loads(process.stdout.strip().splitlines()[-1])


def summary(values) -> str:
    return "%.1f (min %.1f, max %.1f)" % (statistics.median(values), min(values), max(values))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--intervals", default="1,5", help="poll intervals in seconds, comma-separated")
    parser.add_argument("--rounds", type=int, default=5, help="heals per interval")
    parser.add_argument("--source-polls", type=int, default=200, help="polls of the source alone, for its memory")
    parser.add_argument("--quick", action="store_true", help="one interval (1 s), one heal, 20 polls, no flapping")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    intervals = [1.0] if args.quick else [float(i) for i in args.intervals.split(",")]
    rounds = 1 if args.quick else args.rounds
    with tempfile.TemporaryDirectory(prefix="sgw-bench-eda-") as directory:
        workdir = pathlib.Path(directory)
        account = healthy_account(workdir)
        figures = {"rounds": rounds, "intervals": [heals(i, rounds, workdir, account) for i in intervals]}
        figures["source_memory"] = source_memory(workdir, account, 20 if args.quick else args.source_polls)
        if not args.quick:
            figures["flapping"] = flapping(workdir, account)
    print("alibabacloud.sgw EDA benchmark: rulebook heal_on_failure, %d heal(s) per poll interval" % rounds)
    print("| poll interval (s) | detection (s), median | failed -> healthy (s), median | API calls per poll | "
          "inventory --list calls | ansible-rulebook RSS (MB) |")
    print("|---|---|---|---|---|---|")
    for row in figures["intervals"]:
        print("| %g | %s | %s | %.1f | %s | %.0f |" % (
            row["interval"], summary(row["detection"]), summary(row["healthy"]), row["calls_per_poll"],
            row["inventory_calls"], row["rulebook_rss_kb"] / 1024))
    memory = figures["source_memory"]
    print("source alone: RSS %.1f MB after its first poll, %.1f MB after %d polls" % (
        memory["after_first_poll_kb"] / 1024, memory["after_polls_kb"] / 1024, memory["polls"]))
    if "flapping" in figures:
        flap = figures["flapping"]
        print("flapping: %d failures of one share with sgw_flap_max_heals %d -> %d heals (%s), %d flapping message(s)" % (
            flap["failures"], flap["max_heals"], flap["heals"], flap["writes"], flap["flapping_messages"]))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
