"""Fixtures of the lookup and express_sync_info integration tests.

One simulator (a real subprocess) serves the account of ``data/account.yml``. Two identities
are accepted: the integration AccessKey, allowed everything, and the STS identity, denied
``DescribeExpressSyncShares`` and ``DescribeExpressSyncs`` (403 Forbidden.RAM). Each playbook
of ``playbooks/`` runs once through the real ``ansible-playbook`` and writes what it read to a
JSON report that the tests compare with what the account holds.
"""

from __future__ import annotations

import fcntl
import json
import os
import pathlib
import re

import pytest

from tests.support.sim_process import (
    KEY_ID,
    KEY_SECRET,
    SECRETS,
    STS_KEY_ID,
    STS_SECRET,
    STS_TOKEN,
    TEST_SCOPES,
    Simulator,
    ansible_env,
    run_ansible,
)

HERE = pathlib.Path(__file__).resolve().parent
PLAYBOOKS = HERE / "playbooks"
ACCOUNT = HERE / "data" / "account.yml"
REGION = "cn-hangzhou"
DENIED_ACTIONS = ("DescribeExpressSyncShares", "DescribeExpressSyncs")

_WARNING = re.compile(r"^\[WARNING\]: (.*(?:\n(?!\[|\S).*)*)", re.MULTILINE)


class PlaybookRun:
    """The outcome of one ``ansible-playbook`` run: exit code, output, report, simulator statistics."""

    def __init__(self, outcome: dict):
        self.rc = outcome["rc"]
        self.stdout = outcome["stdout"]
        self.stderr = outcome["stderr"]
        self.output = self.stdout + self.stderr
        self.report = outcome["report"]
        self.stats = outcome["stats"]

    def warnings(self) -> list:
        """Every ``[WARNING]`` of the run, each on one line."""
        return [" ".join(w.split()) for w in _WARNING.findall(self.output)]

    def explain(self) -> str:
        return "ansible-playbook exited %s\n--- stdout\n%s\n--- stderr\n%s" % (self.rc, self.stdout[-6000:],
                                                                               self.stderr[-3000:])


def _run_playbook(simulator, workdir, name, check, environment) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    report = workdir / "report.json"
    extra = {
        "report_path": str(report),
        "sgw_endpoint": simulator.url,
        "sgw_region": REGION,
        "sgw_key_id": KEY_ID,
        "sgw_key_secret": KEY_SECRET,
        "denied_key_id": STS_KEY_ID,
        "denied_key_secret": STS_SECRET,
        "denied_token": STS_TOKEN,
    }
    extra_file = workdir / "extra_vars.json"
    extra_file.write_text(json.dumps(extra))
    env_vars = {}
    if environment:
        env_vars = {"ALIBABA_CLOUD_SGW_ENDPOINT": simulator.url, "ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID,
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET, "ALIBABA_CLOUD_REGION_ID": REGION}
    args = ["-i", "localhost,", "-e", "@%s" % extra_file, str(PLAYBOOKS / ("%s.yml" % name))]
    if check:
        args.insert(0, "--check")
    simulator.reset()
    process = run_ansible("ansible-playbook", *args, env=ansible_env(**env_vars), cwd=workdir)
    return {"rc": process.returncode, "stdout": process.stdout, "stderr": process.stderr,
            "report": json.loads(report.read_text()) if report.exists() else None, "stats": simulator.stats()}


@pytest.fixture(scope="session", params=TEST_SCOPES)
def scope(request):
    """Every lookup test runs once per way the service may scope ``DescribeExpressSyncs``."""
    return request.param


@pytest.fixture(scope="session")
def simulator(scope):
    deny = []
    for action in DENIED_ACTIONS:
        deny += ["--deny", "%s@%s" % (action, STS_KEY_ID)]
    with Simulator(*deny, data=ACCOUNT, scope=scope) as sim:
        yield sim


@pytest.fixture(scope="session")
def play(tmp_path_factory, request, scope):
    """``play(name, check=False, environment=True)``: run ``playbooks/<name>.yml`` against the simulator.

    With ``environment`` the endpoint, the allowed AccessKey and the region are in the
    environment (as the lookups read them); without it, they are only extra variables.

    Each playbook runs once per test session: under pytest-xdist the first worker that needs it
    runs it and the others read its outcome (the session's shared temporary directory, a lock
    per playbook), so that splitting a test module across workers does not run it twice.
    """
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "sgw-lookup-playbooks"
    shared.mkdir(exist_ok=True)

    def run(name, check=False, environment=True):
        key = "%s-%s" % (scope, name)
        saved = shared / ("%s.json" % key)
        with open(shared / ("%s.lock" % key), "w", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not saved.exists():
                outcome = _run_playbook(request.getfixturevalue("simulator"), shared / key, name, check,
                                        environment)
                saved.write_text(json.dumps(outcome))
        return PlaybookRun(json.loads(saved.read_text()))

    return run


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text
