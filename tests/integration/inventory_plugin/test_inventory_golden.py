"""The real ``ansible-inventory`` and ``ansible-playbook`` against the simulator, compared with golden output.

Regenerate the goldens with ``python -m tests.integration.inventory_plugin.regenerate_goldens``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.integration.inventory_plugin.scenarios import (
    CONFIGS,
    SCENARIOS,
    dump,
    golden_listing,
    golden_path,
    inventory_env,
    list_inventory,
)
from tests.integration.sim_process import ANSIBLE_CORE, REPO_ROOT, SECRETS, Simulator, run_ansible, shown

FAILED_SHARES = {"render-frames@gw-0004xq2m7bd1v9hke", "artifacts-cache@gw-0003f6ht0wz8n2lqa",
                 "exports-smb@gw-0002w5nb8dj3u6qcx"}


@pytest.fixture(scope="module")
def simulator():
    with Simulator() as sim:
        yield sim


def assert_clean(process):
    """No traceback and no secret, whatever happened."""
    for stream in (process.stdout, process.stderr):
        assert "Traceback" not in stream
        assert not any(secret in stream for secret in SECRETS)


def assert_golden(name, listing):
    expected = dump(golden_listing(name))
    assert dump(listing) == expected, "output differs from %s; regenerate if the change is intended" % (
        golden_path(name))


@pytest.mark.parametrize("name", [n for n in SCENARIOS if n != "cache"])
def test_list_matches_golden(simulator, tmp_path, name):
    simulator.faults(**SCENARIOS[name])
    try:
        listing, process = list_inventory(name, inventory_env(simulator, ANSIBLE_INVENTORY_CACHE_CONNECTION=tmp_path))
    finally:
        simulator.faults()
    assert process.returncode == 0, process.stderr
    assert_clean(process)
    assert_golden(name, listing)
    if name == "region_warn":
        assert "region ap-southeast-1 skipped" in process.stderr
        assert "ServiceUnavailable" in process.stderr and "RequestId" in process.stderr


def test_cache_hit_after_the_simulator_is_gone(tmp_path):
    cache = tmp_path / "cache"
    with Simulator() as sim:
        env = inventory_env(sim, ANSIBLE_INVENTORY_CACHE_CONNECTION=cache)
        listing, process = list_inventory("cache", env)
        assert process.returncode == 0, process.stderr
        calls = sim.stats()["total"]
        assert calls > 0
        sim.reset()
        listing, process = list_inventory("cache", env)
        assert process.returncode == 0, process.stderr
        assert sim.stats()["total"] == 0
    assert_golden("cache", listing)
    # The simulator has stopped: the cache still answers, with every group.
    listing, process = list_inventory("cache", env)
    assert process.returncode == 0, process.stderr
    assert_golden("cache", listing)
    cached = "".join(path.read_text() for path in cache.iterdir())
    assert not any(secret in cached for secret in SECRETS)
    # --flush-cache refetches, and so fails now, with one clear line and no traceback. (ansible-inventory
    # has --flush-cache from ansible-core 2.17 on; before, removing the cache is the same.)
    if ANSIBLE_CORE >= (2, 17):
        flush = ("--flush-cache",)
    else:
        flush = ()
        for path in cache.iterdir():
            path.unlink()
    listing, process = list_inventory("cache", dict(env, ALIBABA_CLOUD_SGW_MAX_RETRIES="0"), *flush)
    assert process.returncode != 0 and listing is None
    assert shown("could not reach", process.stderr)
    assert_clean(process)


def test_graph_shows_the_estate(simulator):
    process = run_ansible("ansible-inventory", "-i", CONFIGS / "defaults.sgw.yml", "--graph", "sgw_health_failed",
                          env=inventory_env(simulator))
    assert process.returncode == 0, process.stderr
    assert {line.strip(" |-") for line in process.stdout.splitlines()[1:]} == FAILED_SHARES


def test_playbook_limited_to_failed_shares_runs_on_exactly_those(simulator, tmp_path):
    # The collection playbook by name, from a directory that has nothing of the collection.
    process = run_ansible("ansible-playbook", "-i", CONFIGS / "defaults.sgw.yml",
                          "alibabacloud.sgw.report_failed_shares", "-l", "sgw_health_failed",
                          env=inventory_env(simulator), cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    recap = process.stdout.split("PLAY RECAP", 1)[1].splitlines()[1:]
    assert {line.split()[0] for line in recap if line.strip()} == FAILED_SHARES
    assert '"msg": "render-frames@gw-0004xq2m7bd1v9hke: group render-cache (sync-0001xv7je357xn8t), ' \
           'state QueueFailure (failed)' in process.stdout


@pytest.mark.parametrize("config, message", [
    ("plugin: alibabacloud.sgw.sgw\nregions: [cn-hangzhou]\nmax_concurency: 4\n",
     "unknown option 'max_concurency' (did you mean 'max_concurrency'?)"),
    ("plugin: alibabacloud.sgw.sgw\nregions: ['cn hangzhou']\n", "'cn hangzhou' is not a region id"),
])
def test_bad_configuration_is_one_clear_error(simulator, tmp_path, config, message):
    path = tmp_path / "bad.sgw.yml"
    path.write_text(config)
    simulator.reset()
    process = run_ansible("ansible-inventory", "-i", path, "--list", env=inventory_env(simulator))
    assert process.returncode != 0
    assert shown(message, process.stderr)
    assert_clean(process)
    assert simulator.stats()["total"] == 0


def test_wrongly_named_file_is_declined_with_a_reason_at_vvv(simulator, tmp_path):
    path = tmp_path / "hosts.yml"
    path.write_text("plugin: alibabacloud.sgw.sgw\n")
    process = run_ansible("ansible-inventory", "-i", path, "--list", "-vvv", env=inventory_env(simulator))
    assert process.returncode != 0
    assert "its file name must end in sgw.yml or sgw.yaml" in process.stdout + process.stderr


def test_demo_script_runs_end_to_end():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
    env["SGW_DEMO_VENV"] = sys.prefix
    process = subprocess.run(["bash", str(REPO_ROOT / "docs" / "examples" / "demo.sh")], env=env, cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stderr
    assert "@sgw_health_failed:" in process.stdout
    for host in FAILED_SHARES:
        assert "ok: [%s]" % host in process.stdout
    assert process.stdout.count("ok: [") == len(FAILED_SHARES)
