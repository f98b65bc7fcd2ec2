"""Start the local SGW simulator as a real subprocess and talk to its control endpoints.

Shared by every integration test (and by the golden-file regeneration script), so that each
one runs the real ``ansible-*`` commands against a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from ansible.release import __version__ as ansible_core_version

from tests.simulator.pytest_plugin import SgwSimulator

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE_ACCOUNT = REPO_ROOT / "tests" / "simulator" / "data" / "sample_account.yml"
KEY_ID = "LTAI5tSgwIntegration01"
KEY_SECRET = "integration-secret-Zx81vQ"
STS_KEY_ID = "STS.NUgYrLnoC37mZZCNnAbez2"
STS_SECRET = "integration-sts-secret-3f9Q"
STS_TOKEN = "integration-sts-token-CAIS8wF1q6Ft5B2yfSjIr5bkKP7"
SECRETS = (KEY_SECRET, STS_SECRET, STS_TOKEN)
# The ansible-core of the Python running the tests (and of the ansible-* commands they run).
ANSIBLE_CORE = tuple(int(part) for part in ansible_core_version.split(".")[:2])
# The credentials every simulator of the tests accepts: an AccessKey, and an STS one with its token.
ACCESS_KEYS = ("%s:%s" % (KEY_ID, KEY_SECRET), "%s:%s:%s" % (STS_KEY_ID, STS_SECRET, STS_TOKEN))
# The ways the service may scope DescribeExpressSyncs (see docs/simulator.md): every integration test that
# reads groups runs under each, behind a front end that refuses query strings longer than 8 KB.
SCOPES = ("region", "account")
QUERY_LIMIT = 8192


def scopes_from(value: str | None) -> tuple:
    """The scopes the scope-parametrized fixtures run under: ``SGW_TEST_SCOPES`` (comma-separated),
    all of :data:`SCOPES` when unset. The stages that repeat the suite on other interpreters and
    ansible-core versions set one scope: which scope the service plays does not depend on them."""
    scopes = tuple(dict.fromkeys(s.strip() for s in (value or ",".join(SCOPES)).split(",") if s.strip()))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValueError("SGW_TEST_SCOPES must name some of %s, not %r" % (", ".join(SCOPES), value))
    return scopes


TEST_SCOPES = scopes_from(os.environ.get("SGW_TEST_SCOPES"))


def scope_faults(scope: str) -> dict:
    """The simulator settings of one of :data:`SCOPES`."""
    return {"region_scope": scope, "max_query_bytes": QUERY_LIMIT}


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
        return self.control("/_sim/faults", "PUT", {**self.base_faults, **faults})


class Simulator(SimulatorControls, SgwSimulator):
    """A running simulator (the pytest plugin's, with the tests' fixed credentials); ``url`` is its base
    URL. With ``scope`` (one of :data:`SCOPES`) it scopes DescribeExpressSyncs that way, whatever
    faults are set later."""

    def __init__(self, *args, data=SAMPLE_ACCOUNT, scope=None):
        self.base_faults = scope_faults(scope) if scope else {}
        args = [*args, *("--%s=%s" % (k.replace("_", "-"), v) for k, v in self.base_faults.items())]
        super().__init__(data, args=args, access_keys=ACCESS_KEYS)


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


def shown(message: str, output: str) -> bool:
    """Whether ``output`` (an ``ansible-*`` command's stderr) shows ``message``.

    Before ansible-core 2.19, Display wraps every warning and error at 79 columns (at spaces,
    within hyphenated words, inside long words), so there the comparison ignores whitespace.
    """
    if ANSIBLE_CORE >= (2, 19):
        return message in output
    return "".join(message.split()) in "".join(output.split())
