"""Start the local SGW simulator as a real subprocess and talk to its control endpoints.

Shared by every integration test (and by the golden-file regeneration script), so that each
one runs the real ``ansible-*`` commands against a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import ctypes
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import urllib.request

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE_ACCOUNT = REPO_ROOT / "tests" / "simulator" / "data" / "sample_account.yml"
KEY_ID = "LTAI5tSgwIntegration01"
KEY_SECRET = "integration-secret-Zx81vQ"
STS_KEY_ID = "STS.NUgYrLnoC37mZZCNnAbez2"
STS_SECRET = "integration-sts-secret-3f9Q"
STS_TOKEN = "integration-sts-token-CAIS8wF1q6Ft5B2yfSjIr5bkKP7"
SECRETS = (KEY_SECRET, STS_SECRET, STS_TOKEN)
PR_SET_PDEATHSIG = 1
# The ways the service may scope DescribeExpressSyncs (see docs/simulator.md): every integration test that
# reads groups runs under each, behind a front end that refuses query strings longer than 8 KB.
SCOPES = ("region", "account")
QUERY_LIMIT = 8192


def scope_faults(scope: str) -> dict:
    """The simulator settings of one of :data:`SCOPES`."""
    return {"region_scope": scope, "max_query_bytes": QUERY_LIMIT}


def stop_with_parent():
    """``preexec_fn`` of a child that must not outlive the test process (a killed pytest worker, say)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class SimulatorControls:
    """The control endpoints of a simulator, over its ``control(path, method, payload)``; the
    settings in ``base_faults`` (a scope's) stay whatever faults are set later."""

    base_faults = {}

    def stats(self):
        return self.control("/_sim/stats")

    def reset(self):
        self.control("/_sim/reset", "POST")

    def faults(self, **faults):
        """Replace the faults (the settings of ``base_faults`` stay)."""
        self.control("/_sim/faults", "PUT", {**self.base_faults, **faults})


class Simulator(SimulatorControls):
    """A running simulator; ``url`` is its base URL. With ``scope`` (one of :data:`SCOPES`) it scopes
    DescribeExpressSyncs that way, whatever faults are set later."""

    def __init__(self, *args, data=SAMPLE_ACCOUNT, scope=None):
        self.base_faults = scope_faults(scope) if scope else {}
        args = [*args, *("--%s=%s" % (k.replace("_", "-"), v) for k, v in self.base_faults.items())]
        command = [sys.executable, "-m", "tests.simulator", "--port", "0", "--data", str(data),
                   "--access-key", "%s:%s" % (KEY_ID, KEY_SECRET),
                   "--access-key", "%s:%s:%s" % (STS_KEY_ID, STS_SECRET, STS_TOKEN), *map(str, args)]
        self.log = tempfile.TemporaryFile(mode="w+")  # stderr, read back only when the start fails
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                        preexec_fn=stop_with_parent)
        line = self.process.stdout.readline().strip()
        if not line.startswith("SGW simulator listening on "):
            self.process.kill()
            self.process.wait()
            self.log.seek(0)
            raise RuntimeError("the simulator did not start: %r %s" % (line, self.log.read()))
        self.url = line.rsplit(" ", 1)[1]

    def control(self, path, method="GET", payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec - loopback test server
            body = response.read()
        return json.loads(body) if body else None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def ansible_env(**extra) -> dict:
    """The environment of an ``ansible-*`` command in the tests: the collection, no colour, no cows."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": os.environ["ANSIBLE_COLLECTIONS_PATH"],
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_NOCOWS": "1",
        "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCAL_TEMP": os.environ.get("ANSIBLE_LOCAL_TEMP", "/tmp/ansible-local-sgw-tests"),
        "ANSIBLE_HOME": os.environ.get("ANSIBLE_HOME_FOR_TESTS", "/tmp/ansible-home-sgw-tests"),
        "LC_ALL": "C.UTF-8",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def ansible_command(name: str) -> str:
    """The path of an ``ansible-*`` command of the Python running the tests."""
    return str(pathlib.Path(sys.executable).parent / name)


def run_ansible(name, *args, env=None, timeout=180, cwd=REPO_ROOT):
    return subprocess.run([ansible_command(name), *map(str, args)], env=env or ansible_env(), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False)
