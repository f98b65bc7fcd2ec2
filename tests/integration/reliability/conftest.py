"""Fixtures and checks of the fault-injection suite.

Every test runs the real ``ansible-inventory`` (or ``ansible-playbook``) against the simulator
with one fault injected, live, through ``PUT /_sim/faults``. A run that a retry should heal must
give exactly the fault-free inventory (the golden ``defaults.json`` of the inventory tests); any
other run must end with the documented error or warning. Whatever happens: no traceback, and no
secret in stdout, stderr, a cache file or a log file.
"""

from __future__ import annotations

import json
import pathlib

import pytest
import yaml

from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import DEFAULT_SIGNALS
from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.inventory import always_groups
from tests.integration.inventory_plugin.scenarios import golden_listing, normalise
from tests.support.sim_process import (
    KEY_ID,
    KEY_SECRET,
    SECRETS,
    STS_KEY_ID,
    STS_SECRET,
    STS_TOKEN,
    Simulator,
    ansible_env,
    run_ansible,
)

HERE = pathlib.Path(__file__).resolve().parent
REGIONS = ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]

# Small bounds so that failing runs end fast: two retries, 2 s per call, 10 s of retrying.
BASE_OPTIONS = {"plugin": "alibabacloud.sgw.sgw", "regions": REGIONS, "timeout": 2, "max_retries": 2,
                "max_retry_time": 10}

# A wrong secret of the tests: it must not be printed either.
WRONG_SECRET = "wrong-secret-Qm4TzPr8sLx2"
ALL_SECRETS = SECRETS + (WRONG_SECRET,)

# Slack for starting Python and Ansible, on a loaded machine, in a bound on a run's duration.
STARTUP_SLACK = 30


def credentials(kind="key", **overrides) -> dict:
    """Environment variables with credentials: ``key`` (AccessKey), ``sts`` (with token), ``sts-no-token``."""
    if kind == "key":
        env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET}
    elif kind == "sts":
        env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": STS_KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": STS_SECRET,
               "ALIBABA_CLOUD_SECURITY_TOKEN": STS_TOKEN}
    elif kind == "sts-no-token":
        env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": STS_KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": STS_SECRET}
    else:
        raise ValueError(kind)
    env.update(overrides)
    return env


class Run:
    """One finished ``ansible-*`` command: exit code, output, the ``--list`` JSON when there is one."""

    def __init__(self, process, files=(), listing_path=None, logs=()):
        self.rc = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        self.files = [pathlib.Path(f) for f in files]
        self.logs = [pathlib.Path(f) for f in logs]
        self.listing = None
        if self.rc == 0 and listing_path is not None and listing_path.exists():
            self.listing = normalise(json.loads(listing_path.read_text()))

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def explain(self) -> str:
        return "exit code %s\n--- stdout\n%s\n--- stderr\n%s" % (self.rc, self.stdout[-4000:], self.stderr[-4000:])

    def error_line(self) -> str:
        """The line of stderr where Ansible reports the inventory plugin's failure."""
        for line in self.stderr.splitlines():
            if "Failed to parse inventory with 'auto' plugin: " in line:
                return line.split("Failed to parse inventory with 'auto' plugin: ", 1)[1]
        raise AssertionError("no inventory plugin error in stderr:\n" + self.explain())

    def warnings(self) -> list:
        return [line.split("[WARNING]: ", 1)[1] for line in self.stderr.splitlines() if "[WARNING]: " in line]


def file_texts(paths) -> str:
    """The content of the given files, and of every file below the given directories."""
    texts = []
    for path in paths:
        path = pathlib.Path(path)
        for item in ([path] if path.is_file() else sorted(path.rglob("*")) if path.exists() else []):
            if item.is_file():
                texts.append(item.read_text(errors="replace"))
    return "\n".join(texts)


def assert_clean(run, *secrets):
    """No traceback and no secret in the output and the run's files (cache); no secret in its logs.

    A log file may hold a library's traceback (urllib3 logs one with some warnings): only
    secrets are looked for there.
    """
    texts = [(run.stdout, "stdout", True), (run.stderr, "stderr", True), (file_texts(run.files), "files", True),
             (file_texts(run.logs), "logs", False)]
    for text, where, no_traceback in texts:
        assert not no_traceback or "Traceback" not in text, "%s has a traceback:\n%s" % (where, run.explain())
        for secret in ALL_SECRETS + secrets:
            assert secret not in text, "%s holds a secret:\n%s" % (where, run.explain())


def write_config(directory, name="faults", **options) -> pathlib.Path:
    """An inventory source ``<name>.sgw.yml`` with the base options and ``options`` (None drops one)."""
    config = dict(BASE_OPTIONS)
    config.update(options)
    config = {key: value for key, value in config.items() if value is not None}
    path = pathlib.Path(directory) / ("%s.sgw.yml" % name)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def inventory(sim_url, directory, *args, env=None, files=(), logs=(), run_timeout=180, config=None,
              **options) -> Run:
    """``ansible-inventory -i <config> --list --output <file> [args]`` against the simulator at ``sim_url``.

    The listing goes to a file, so that stdout holds only what Ansible prints (``-vvvv`` logs).
    """
    directory = pathlib.Path(directory)
    source = config or write_config(directory, **options)
    listing = directory / "listing.json"
    if listing.exists():
        listing.unlink()
    variables = credentials() if env is None else env
    variables = dict(variables, ALIBABA_CLOUD_SGW_ENDPOINT=sim_url)
    process = run_ansible("ansible-inventory", "-i", source, "--list", "--output", listing, *args,
                          env=ansible_env(**variables), timeout=run_timeout)
    return Run(process, files, listing, logs)


def golden() -> dict:
    return golden_listing("defaults")


# Groups the plugin makes even when empty (with the default health signals): they stay listed as
# children of all, without an entry.
ALWAYS_GROUPS = always_groups(DEFAULT_SIGNALS)


def without_region(listing: dict, region: str) -> dict:
    """The listing with the hosts of ``region`` removed, and the groups they leave empty (but the always-made ones)."""
    hostvars = listing["_meta"]["hostvars"]
    gone = {host for host, variables in hostvars.items() if unsafe(variables["sgw_region"]) == region}
    result = {"_meta": dict(listing["_meta"], hostvars={h: v for h, v in hostvars.items() if h not in gone})}
    emptied = set()
    for group, value in listing.items():
        if group in ("_meta", "all"):
            continue
        hosts = [host for host in value.get("hosts", []) if host not in gone]
        if hosts or value.get("children"):
            result[group] = dict(value, hosts=hosts) if "hosts" in value else dict(value)
        else:
            emptied.add(group)
    result["all"] = dict(listing["all"], children=[c for c in listing["all"]["children"]
                                                   if c not in emptied or c in ALWAYS_GROUPS])
    return result


def unsafe(value):
    """The text of an ``ansible-inventory --list`` value marked unsafe; fails when it is not marked."""
    assert isinstance(value, dict) and set(value) == {"__ansible_unsafe"}, value
    return value["__ansible_unsafe"]


@pytest.fixture(scope="module")
def simulator():
    """One simulator (the sample account) per test module and worker; each test sets its faults."""
    with Simulator("--seed", "7") as sim:
        yield sim


@pytest.fixture
def sim(simulator):
    """The module's simulator, with no fault and fresh statistics; faults are cleared afterwards too."""
    simulator.faults()
    simulator.reset()
    yield simulator
    simulator.faults()
