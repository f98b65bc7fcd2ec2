"""Fixtures of the module integration tests: a local SGW simulator per test, and real
``ansible-playbook`` runs against it, their results parsed from the JSON printed by the stdout
callback ``callback_plugins/json_results.py``.

Every run gets the simulator's endpoint and an AccessKey through the environment variables that
the modules and plugins read (``ALIBABA_CLOUD_SGW_ENDPOINT``, ``ALIBABA_CLOUD_ACCESS_KEY_ID``,
``ALIBABA_CLOUD_ACCESS_KEY_SECRET``); no secret is ever written to a playbook or an inventory
file, and every run is checked not to print one.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import textwrap
import types
import zlib

import pytest
import yaml

from tests.support.sim_process import (
    KEY_ID,
    KEY_SECRET,
    REPO_ROOT,
    SAMPLE_ACCOUNT,
    TEST_SCOPES,
    SECRETS,
    Simulator,
    ansible_command,
    ansible_env,
    run_ansible,
)

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import SgwClient
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials

__all__ = ["KEY_ID", "REPO_ROOT", "run_ansible"]

# ansible-core has no JSON stdout callback (ansible.builtin.json redirects to ansible.posix, not installed).
CALLBACK_PLUGINS = pathlib.Path(__file__).resolve().parent / "callback_plugins"
WRITE_ACTIONS = ("CreateExpressSync", "DeleteExpressSync", "AddSharesToExpressSync", "RemoveSharesFromExpressSync")
REGION = "cn-hangzhou"

# An account made for the module tests: free shares on media-bucket to build a group from, a busy
# group with a member and two free shares, and two groups that share a name.
BUNDLE = "sb-0001modtest000001"
GW1 = "gw-0001modtest0000g1"
GW2 = "gw-0001modtest0000g2"
BUSY_GROUP = "sync-0001modtestbusy1"
TWIN_GROUPS = ("sync-0001modtesttwin1", "sync-0001modtesttwin2")
MODULE_ACCOUNT = {
    "account_id": "1234567890123456",
    "regions": [REGION, "cn-shanghai"],
    "storage_bundles": [{"StorageBundleId": BUNDLE, "Name": "module-tests", "BackendBucketRegionId": REGION}],
    "gateways": [
        {"GatewayId": GW1, "StorageBundleId": BUNDLE, "Name": "edit01", "InnerIp": "172.16.0.11"},
        {"GatewayId": GW2, "StorageBundleId": BUNDLE, "Name": "edit02", "InnerIp": "172.16.0.12"},
    ],
    "express_syncs": [
        {"ExpressSyncId": BUSY_GROUP, "Name": "busy-group", "BucketName": "busy-bucket", "BucketRegion": REGION},
        {"ExpressSyncId": TWIN_GROUPS[0], "Name": "twins", "BucketName": "twin-a", "BucketRegion": REGION},
        {"ExpressSyncId": TWIN_GROUPS[1], "Name": "twins", "BucketName": "twin-b", "BucketRegion": REGION},
    ],
    "shares": [
        {"GatewayId": GW1, "ShareName": "media-a", "BucketName": "media-bucket"},
        {"GatewayId": GW1, "ShareName": "media-b", "BucketName": "media-bucket"},
        {"GatewayId": GW2, "ShareName": "media-c", "BucketName": "media-bucket"},
        {"GatewayId": GW2, "ShareName": "media-d", "BucketName": "media-bucket"},
        {"GatewayId": GW1, "ShareName": "busy-a", "BucketName": "busy-bucket", "ExpressSyncId": BUSY_GROUP},
        {"GatewayId": GW1, "ShareName": "busy-b", "BucketName": "busy-bucket"},
        {"GatewayId": GW2, "ShareName": "busy-c", "BucketName": "busy-bucket"},
    ],
}


def stats_delta(after: dict, before: dict) -> dict:
    """The calls per action between two ``/_sim/stats`` snapshots (actions with no call left out)."""
    actions = set(after["actions"]) | set(before["actions"])
    delta = {a: after["actions"].get(a, 0) - before["actions"].get(a, 0) for a in actions}
    return {a: n for a, n in delta.items() if n}


def writes(delta: dict) -> dict:
    return {a: n for a, n in delta.items() if a in WRITE_ACTIONS}


class PlaybookRun:
    """One finished ``ansible-playbook`` run with the JSON callback."""

    def __init__(self, process):
        self.rc = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        try:
            self.output = json.loads(self.stdout)
        except ValueError:
            raise AssertionError("ansible-playbook did not print JSON (rc %s):\n%s\n%s" % (
                self.rc, self.stdout[-3000:], self.stderr[-3000:])) from None

    def tasks(self, name):
        """Every run of the task ``name`` (one per play that has it): ``{host: result}`` each."""
        found = [task["hosts"] for play in self.output["plays"] for task in play["tasks"]
                 if task["task"]["name"] == name]
        if not found:
            raise AssertionError("no task named %r ran; tasks: %s" % (name, [
                task["task"]["name"] for play in self.output["plays"] for task in play["tasks"]]))
        return found

    def result(self, name, host="localhost"):
        """The result of the task ``name`` on ``host`` (the last play that ran it)."""
        hosts = self.tasks(name)[-1]
        assert host in hosts, "task %r did not run on %s but on %s" % (name, host, sorted(hosts))
        return hosts[host]

    @property
    def stats(self):
        return self.output["stats"]

    def __repr__(self):
        return "PlaybookRun(rc=%s, stderr=%r)" % (self.rc, self.stderr[-2000:])


@pytest.fixture
def module_account(tmp_path):
    """The module tests' account file, in the test's own directory."""
    path = tmp_path / "module_account.yml"
    path.write_text(yaml.safe_dump(MODULE_ACCOUNT, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def sample_account(tmp_path):
    """A copy of the sample account (the simulator only reads it, but the checked-in file stays untouched)."""
    path = tmp_path / "sample_account.yml"
    shutil.copyfile(SAMPLE_ACCOUNT, path)
    return path


def scopes_of(definition) -> tuple:
    """The scopes a test of this directory runs under: every one of ``TEST_SCOPES`` for a test marked
    ``every_scope`` (its subject is how groups are listed: the module express_sync reads them with
    ``DescribeExpressSyncs``, the one call whose answers the scope shapes); one for the others (the
    writes and heals, whose reads of groups go through the inventory, which its goldens test under each
    scope), taken by turns from the test's name so that both scopes serve over the directory."""
    if definition.get_closest_marker("every_scope"):
        return TEST_SCOPES
    return (TEST_SCOPES[zlib.crc32(definition.name.encode()) % len(TEST_SCOPES)],)


def pytest_generate_tests(metafunc):
    if "start_simulator" not in metafunc.fixturenames:
        return
    if any("start_simulator" in mark.args[0] for mark in metafunc.definition.iter_markers("parametrize")):
        return  # the test names its scope
    metafunc.parametrize("start_simulator", scopes_of(metafunc.definition), indirect=True)


@pytest.fixture
def start_simulator(request):
    """Start a simulator with ``start(data_file, *flags)``; every one started is stopped after the test.

    It plays the scope of ``DescribeExpressSyncs`` the test is parametrized with (see :func:`scopes_of`).
    """
    started = []

    def start(data, *flags):
        simulator = Simulator(*flags, data=data, scope=request.param)
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()


def playbook_env(simulator, tmp_path, extra_env=None) -> dict:
    """The environment of an ``ansible-playbook`` run against ``simulator`` with the JSON callback."""
    return ansible_env(
        ANSIBLE_CALLBACK_PLUGINS=str(CALLBACK_PLUGINS),
        ANSIBLE_STDOUT_CALLBACK="json_results",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url,
        ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET,
        # each test its own resync journal (the default one, under the Ansible home, is shared)
        ALIBABA_CLOUD_SGW_RESYNC_JOURNAL=str(tmp_path / "resync-journal.json"),
        **(extra_env or {}),
    )


def playbook_path(tmp_path, playbook):
    """``playbook`` as a path: a path as it is, YAML text written to the test's directory first."""
    if not isinstance(playbook, (str, bytes)) or "\n" not in playbook:
        return playbook
    path = tmp_path / ("playbook_%d.yml" % len(list(tmp_path.glob("playbook_*.yml"))))
    path.write_text(textwrap.dedent(playbook), encoding="utf-8")
    return path


def check_no_secret(*texts):
    for secret in SECRETS:
        assert all(secret not in text for text in texts), "a secret was printed"


@pytest.fixture
def ansible_playbook(tmp_path):
    """Run ``ansible-playbook`` against a simulator and return the parsed :class:`PlaybookRun`.

    ``playbook`` is a path, or YAML text that is written to the test's directory first.
    """
    def run(simulator, playbook, *args, extra_env=None, timeout=240):
        env = playbook_env(simulator, tmp_path, extra_env)
        process = run_ansible("ansible-playbook", str(playbook_path(tmp_path, playbook)), *args, env=env,
                              timeout=timeout)
        check_no_secret(process.stdout, process.stderr)
        return PlaybookRun(process)

    return run


def membership(simulator, groups) -> dict:
    """``{group id: [<share>@<gateway>, ...]}`` as ``DescribeExpressSyncShares`` answers for each group
    (``groups`` maps group ids to their regions)."""
    client = SgwClient(Credentials(KEY_ID, KEY_SECRET, source="tests"), endpoint=simulator.url)
    try:
        return {group: sorted("%s@%s" % (s["ShareName"], s["GatewayId"])
                              for s in api.describe_express_sync_shares(client, region, [group]))
                for group, region in groups.items()}
    finally:
        client.close()


def _descendants(pid) -> list:
    """The processes below ``pid`` (Ansible's workers start sessions of their own, so a process group misses them)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry, encoding="utf-8") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


class BackgroundPlaybook:
    """An ``ansible-playbook`` run in the background, to be killed like a lost controller or finished."""

    def __init__(self, command, env):
        self.process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.returncode = None

    def kill(self):
        """SIGKILL ansible-playbook and every process it started, all of them before any can react."""
        if self.process.poll() is None:
            for pid in [self.process.pid] + _descendants(self.process.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process.communicate(timeout=30)
        self.returncode = self.process.returncode

    def finish(self, timeout=240) -> PlaybookRun:
        stdout, stderr = self.process.communicate(timeout=timeout)
        self.returncode = self.process.returncode
        check_no_secret(stdout, stderr)
        return PlaybookRun(types.SimpleNamespace(returncode=self.returncode, stdout=stdout, stderr=stderr))


def start_playbook(simulator, tmp_path, playbook, *args, extra_env=None) -> BackgroundPlaybook:
    env = playbook_env(simulator, tmp_path, extra_env)
    return BackgroundPlaybook([ansible_command("ansible-playbook"), str(playbook_path(tmp_path, playbook)),
                               *map(str, args)], env)
