# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A pytest plugin: the local SGW simulator as fixtures, for offline tests of playbooks and
inventories that use alibabacloud.sgw (see docs/simulator.md, "In your own tests").

Load it from a ``conftest.py``, with the directory that holds ``ansible_collections/`` on
``sys.path`` (pytest's ``pythonpath`` setting)::

    pytest_plugins = ["ansible_collections.alibabacloud.sgw.tests.simulator.pytest_plugin"]

Fixtures:

``sgw_simulator``
    A simulator started for the test, on a free port of 127.0.0.1, with a fresh credential, and
    stopped after it. The account is the sample account, unless the test is marked
    ``@pytest.mark.sgw_simulator(account=..., generate=..., args=[...])``.
``sgw_simulator_factory``
    A function taking the same arguments, to start several simulators (all stopped after the test).

Each is an :class:`SgwSimulator`: ``url``, ``access_key_id``, ``access_key_secret``, ``env`` (the
environment variables that point ansible-* commands at it), ``faults(**settings)``, ``stats()``,
``reset()``, ``account()`` and ``stop()``.

This module needs only the standard library (and pytest for the fixtures); the simulator runs in
its own process, ``python -m tests.simulator`` in the collection root, which needs PyYAML.
"""

from __future__ import annotations

import ctypes
import json
import pathlib
import secrets
import signal
import subprocess
import sys
import tempfile
import urllib.request

try:
    import pytest
except ImportError:  # the class is usable without pytest; the fixtures are not
    pytest = None

COLLECTION_ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE_ACCOUNT = pathlib.Path(__file__).resolve().parent / "data" / "sample_account.yml"
READY = "SGW simulator listening on "
PR_SET_PDEATHSIG = 1
# --generate's shape options (see python -m tests.simulator --help)
SHAPE_OPTIONS = ("regions", "groups_per_region", "shares_per_group", "gateways_per_region",
                 "candidates_per_group", "seed")


def stop_with_parent():
    """``preexec_fn`` of a child that must not outlive the test process (a killed pytest worker, say)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def new_access_key() -> tuple[str, str]:
    """A fresh AccessKey id and secret that only this simulator accepts."""
    return "LTAI5tSim" + secrets.token_hex(6), secrets.token_hex(12)


def account_args(account=None, generate=None) -> list[str]:
    """The simulator's account options: the sample account (None or "sample"), a file, or --generate."""
    if generate is not None and account is not None:
        raise ValueError("give account or generate, not both")
    if generate is not None:
        shape = {} if generate is True else dict(generate)
        unknown = sorted(set(shape) - set(SHAPE_OPTIONS))
        if unknown:
            raise ValueError("unknown generate options %s (known: %s)" % (unknown, ", ".join(SHAPE_OPTIONS)))
        args = ["--generate"]
        for name, value in shape.items():
            args += ["--%s" % name.replace("_", "-"), str(int(value))]
        return args
    if account is None or account == "sample":
        return ["--data", str(SAMPLE_ACCOUNT)]
    return ["--data", str(account)]


class SgwSimulator:
    """A running simulator (a subprocess); stop it with :meth:`stop` or use it as a context manager.

    ``account``: None or ``"sample"`` (the sample account), or the path of an account file (YAML or
    JSON); ``generate``: True or a dict of shape options (``regions``, ``groups_per_region``,
    ``shares_per_group``, ``gateways_per_region``, ``candidates_per_group``, ``seed``) for a
    synthetic account instead; ``args``: more command-line options (``--task-seconds 0.2``...);
    ``access_keys``: the accepted ``ID:SECRET[:TOKEN]`` credentials (default: one fresh AccessKey).
    """

    def __init__(self, account=None, *, generate=None, args=(), access_keys=None, python=None, start_timeout=60):
        if access_keys is None:
            self.access_key_id, self.access_key_secret = new_access_key()
            access_keys = ["%s:%s" % (self.access_key_id, self.access_key_secret)]
        else:
            self.access_key_id, self.access_key_secret = access_keys[0].split(":")[:2]
        command = [python or sys.executable, "-m", "tests.simulator", "--port", "0", *account_args(account, generate)]
        for key in access_keys:
            command += ["--access-key", key]
        command += [str(arg) for arg in args]
        self.log = tempfile.TemporaryFile(mode="w+")  # stderr, read back only when the start fails
        self.process = subprocess.Popen(command, cwd=COLLECTION_ROOT, stdout=subprocess.PIPE, stderr=self.log,
                                        stdin=subprocess.DEVNULL, text=True, preexec_fn=stop_with_parent)
        line = self._first_line(start_timeout)
        if not line.startswith(READY):
            self.process.kill()
            self.process.wait()
            self.log.seek(0)
            raise RuntimeError("the SGW simulator did not start: %r %s" % (line, self.log.read()))
        self.url = line.rsplit(" ", 1)[1]

    def _first_line(self, timeout) -> str:
        import selectors  # pylint: disable=import-outside-toplevel

        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                return "(nothing within %ss)" % timeout
        return self.process.stdout.readline().strip()

    @property
    def env(self) -> dict:
        """The environment variables that point the collection at this simulator, with its credential."""
        return {"ALIBABA_CLOUD_SGW_ENDPOINT": self.url, "ALIBABA_CLOUD_ACCESS_KEY_ID": self.access_key_id,
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET": self.access_key_secret}

    def control(self, path, method="GET", payload=None):
        """Call a control endpoint (``/_sim/...``); returns its JSON answer."""
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec - the simulator on 127.0.0.1
            body = response.read()
        return json.loads(body) if body else None

    def stats(self) -> dict:
        """The call counters: ``total``, ``actions``, ``regions``, ``errors``..."""
        return self.control("/_sim/stats")

    def reset(self):
        """Zero the counters."""
        self.control("/_sim/reset", "POST")

    def faults(self, **settings):
        """Replace the live fault settings (none given: no fault), e.g. ``unavailable_regions=["cn-hangzhou"]``."""
        return self.control("/_sim/faults", "PUT", settings)

    def account(self) -> dict:
        """The account as it is now (after the calls so far), in the account file format."""
        return self.control("/_sim/account")

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


if pytest is not None:

    def pytest_configure(config):
        config.addinivalue_line(
            "markers", "sgw_simulator(account=None, generate=None, args=()): how the sgw_simulator fixture starts "
            "the local SGW simulator (alibabacloud.sgw)")

    @pytest.fixture
    def sgw_simulator_factory():
        """Start simulators (``SgwSimulator`` arguments); every one is stopped after the test."""
        started = []

        def start(account=None, **options):
            simulator = SgwSimulator(account, **options)
            started.append(simulator)
            return simulator

        yield start
        for simulator in started:
            simulator.stop()

    @pytest.fixture
    def sgw_simulator(request, sgw_simulator_factory):
        """A simulator for this test: the sample account, or what the ``sgw_simulator`` mark says."""
        marker = request.node.get_closest_marker("sgw_simulator")
        options = dict(marker.kwargs) if marker else {}
        return sgw_simulator_factory(**options)
