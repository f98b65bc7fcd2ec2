"""The real ansible-rulebook running the rulebook alibabacloud.sgw.heal_on_failure against the simulator.

ansible-rulebook is a test-only dependency (tests/requirements-eda.txt, installed by the eda session of
noxfile.py); without it these tests are skipped. It runs with ``--print-events``, and its output is
read line by line on a thread: a test waits for an event (parsed from the printed blocks) or a line,
each wait bounded by a timeout.
"""

from __future__ import annotations

import ast
import os
import pathlib
import subprocess
import threading

import pytest
import yaml

from tests.support.sim_process import KEY_ID, KEY_SECRET, REPO_ROOT, SAMPLE_ACCOUNT, SECRETS, Simulator, ansible_env
from tests.support.waiting import stop_group

pytest.importorskip("ansible_rulebook", reason="ansible-rulebook is not installed (tests/requirements-eda.txt)")

RULEBOOK = "alibabacloud.sgw.heal_on_failure"
REGIONS = ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]
# The failed shares of the sample account, healthy here, so that nothing is failed at start.
FAILED_IN_SAMPLE = ("render-frames@gw-0004xq2m7bd1v9hke", "artifacts-cache@gw-0003f6ht0wz8n2lqa",
                    "exports-smb@gw-0002w5nb8dj3u6qcx")
FLAP_MAX_HEALS = 2


def healthy_account(directory) -> pathlib.Path:
    document = yaml.safe_load(SAMPLE_ACCOUNT.read_text(encoding="utf-8"))
    for share in document["shares"]:
        if "%s@%s" % (share["ShareName"], share["GatewayId"]) in FAILED_IN_SAMPLE:
            share.update(ExpressSyncState="MNSHealthy", SyncProgress=100)
    path = pathlib.Path(directory) / "account.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


class Rulebook:
    """A running ansible-rulebook; its output is collected by a thread."""

    def __init__(self, command, env, cwd):
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, text=True, start_new_session=True)
        self.lines = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    @property
    def output(self) -> str:
        with self.changed:
            return "\n".join(self.lines)

    def events(self, since=0) -> list:
        """The events printed (``--print-events``), from line ``since`` on."""
        found, block = [], None
        with self.changed:
            lines = self.lines[since:]
        for line in lines:
            if line == "Event:":
                block = []
            elif block is not None and line.startswith("*****"):
                found.append(ast.literal_eval("\n".join(block)))
                block = None
            elif block is not None:
                block.append(line)
        return found

    def mark(self) -> int:
        with self.changed:
            return len(self.lines)

    def wait_for(self, condition, timeout, what):
        """Wait until ``condition(self)`` holds, checked at each line of output; fail after ``timeout`` seconds."""
        with self.changed:
            if not self.changed.wait_for(lambda: condition(self) or self.process.poll() is not None, timeout):
                raise AssertionError("gave up waiting for %s after %ss; output:\n%s" % (
                    what, timeout, "\n".join(self.lines[-80:])))
        if not condition(self):
            raise AssertionError("ansible-rulebook ended (rc %s) before %s; output:\n%s" % (
                self.process.returncode, what, self.output[-6000:]))

    def wait_for_event(self, predicate, since, timeout, what):
        self.wait_for(lambda rb: any(predicate(e) for e in rb.events(since)), timeout, what)
        return next(e for e in self.events(since) if predicate(e))

    def stop(self):
        stop_group(self.process)
        self.reader.join(timeout=10)


def rulebook_command(*args):
    import sys  # pylint: disable=import-outside-toplevel
    return [str(pathlib.Path(sys.executable).parent / "ansible-rulebook"), *map(str, args)]


@pytest.fixture(scope="module")
def healing(tmp_path_factory):
    """The simulator (nothing failed at start) and ansible-rulebook healing it, for the tests of a module."""
    directory = tmp_path_factory.mktemp("eda")
    simulator = Simulator("--task-seconds", "0.2", "--full-sync-seconds", "1.5", data=healthy_account(directory))
    inventory = directory / "heal.sgw.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "regions": REGIONS}), encoding="utf-8")
    variables = directory / "vars.yml"
    variables.write_text(yaml.safe_dump({"sgw_poll_interval": 1, "sgw_regions": REGIONS,
                                         "sgw_flap_max_heals": FLAP_MAX_HEALS, "sgw_heal_wait_timeout": 60}),
                         encoding="utf-8")
    env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
                      ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET,
                      ALIBABA_CLOUD_SGW_RESYNC_JOURNAL=str(directory / "resync-journal.json"))
    env["PATH"] = os.pathsep.join([str(pathlib.Path(rulebook_command()[0]).parent), env.get("PATH", "")])
    rulebook = Rulebook(rulebook_command("-r", RULEBOOK, "-i", inventory, "--vars", variables, "--print-events"),
                        env, REPO_ROOT)
    try:
        rulebook.wait_for_event(lambda e: e.get("type") == "snapshot", 0, 120, "the snapshot")
        yield rulebook, simulator, directory
    finally:
        rulebook.stop()
        simulator.stop()
    for secret in SECRETS:
        assert secret not in rulebook.output, "a secret was printed"
