"""The real ``ansible-inventory`` and ``ansible-playbook`` against the simulator, compared with golden output.

Regenerate the goldens with ``python -m tests.integration.inventory_plugin.regenerate_goldens``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.integration.inventory_plugin.scenarios import (
    CALLS,
    CONFIGS,
    SCENARIOS,
    calls_by_scope,
    calls_table,
    dump,
    golden_name,
    golden_listing,
    golden_path,
    inventory_env,
    list_inventory,
    prepare,
    restore,
)
from tests.support.sim_process import ANSIBLE_CORE, REPO_ROOT, SECRETS, TEST_SCOPES, Simulator, run_ansible, shown

# On every supported ansible-core (the core_matrix sessions): the goldens whose output goes through what
# changes between cores (templated options, constructed groups and variables, hostnames, filters,
# warnings, the cache, --graph, configuration errors); the other scenarios only vary the API answers,
# which ansible-core does not touch, and run in the full suite (on one core).
CORE_MATRIX_SCENARIOS = ("defaults", "gateways", "candidates", "constructed", "hostnames", "filters", "region_warn",
                         "templated", "health_all")
core_matrix = pytest.mark.core_matrix

FAILED_SHARES = {"render-frames@gw-0004xq2m7bd1v9hke", "artifacts-cache@gw-0003f6ht0wz8n2lqa",
                 "exports-smb@gw-0002w5nb8dj3u6qcx"}


@pytest.fixture(scope="module")
def simulator():
    with Simulator() as sim:
        yield sim


@pytest.fixture(scope="module", params=TEST_SCOPES)
def scoped_simulator(request):
    """A simulator per way the service may scope DescribeExpressSyncs: the goldens are the same under each."""
    with Simulator(scope=request.param) as sim:
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


@pytest.mark.parametrize("name", [pytest.param(n, marks=[core_matrix] if n in CORE_MATRIX_SCENARIOS else [])
                                  for n in SCENARIOS if n != "cache"])
def test_list_matches_golden(scoped_simulator, tmp_path, name):
    prepare(scoped_simulator, name)
    scoped_simulator.reset()
    try:
        listing, process = list_inventory(name, inventory_env(scoped_simulator,
                                                              ANSIBLE_INVENTORY_CACHE_CONNECTION=tmp_path))
    finally:
        restore(scoped_simulator)
    assert process.returncode == 0, process.stderr
    assert_clean(process)
    golden = golden_name(name, scoped_simulator.base_faults["region_scope"])
    assert_golden(golden, listing)
    if name in CALLS and scoped_simulator.base_faults["region_scope"] == "region":
        assert scoped_simulator.stats()["actions"] == CALLS[name]
    if golden == "region_warn":
        assert "region ap-southeast-1 skipped" in process.stderr
        assert "ServiceUnavailable" in process.stderr and "RequestId" in process.stderr


@pytest.mark.parametrize("switches, name", [
    ({"candidate_sync_id": "empty"}, "candidates"),
    ({"total_count": "absent"}, "gateways"),
    ({"unknown_ids": "omit"}, "defaults"),
    ({"region_scope": "account", "candidate_sync_id": "empty", "total_count": "absent"}, "candidates"),
], ids=["candidates-without-group-id", "no-total-count", "unknown-ids-omitted", "all"])
def test_the_golden_under_each_undocumented_behaviour(simulator, tmp_path, switches, name):
    simulator.faults(**switches)
    try:
        listing, process = list_inventory(name, inventory_env(simulator, ANSIBLE_INVENTORY_CACHE_CONNECTION=tmp_path))
    finally:
        simulator.faults()
    assert process.returncode == 0, process.stderr
    assert_clean(process)
    assert_golden(name, listing)


def test_account_wide_answers_give_the_same_inventory_with_fewer_calls(tmp_path):
    """The same hosts, groups and variables whether DescribeExpressSyncs answers per region or for the
    whole account; account-wide answers are used once (fewer or equal calls)."""
    found = calls_by_scope(["defaults", "candidates", "region_warn"], tmp_path)
    print("\nAPI calls of ansible-inventory --list per scope:\n" + calls_table(found))
    for name, by_scope in found.items():
        (region_listing, region_calls, dummy), (account_listing, account_calls, process) = (
            by_scope["region"], by_scope["account"])
        assert account_listing is not None, process.stderr
        assert dump(region_listing) == dump(golden_listing(name))
        assert dump(account_listing) == dump(golden_listing(golden_name(name, "account"))), name
        assert account_calls <= region_calls, name
    assert found["defaults"]["account"][1] < found["defaults"]["region"][1]


def test_a_deleted_gateway_and_cluster_keep_their_shares_with_a_warning(tmp_path):
    with Simulator(scope="account") as sim:
        sim.faults(missing_gateways=["gw-0002w5nb8dj3u6qcx", "gw-0003f6ht0wz8n2lqa"])
        listing, process = list_inventory("defaults", inventory_env(sim, ANSIBLE_INVENTORY_CACHE_CONNECTION=tmp_path))
    assert process.returncode == 0, process.stderr
    assert_clean(process)
    expected = json.loads(golden_path("defaults").read_text())
    assert sorted(listing["_meta"]["hostvars"]) == sorted(expected["_meta"]["hostvars"])
    stripped = {"exports-smb@gw-0002w5nb8dj3u6qcx", "exports-scratch@gw-0002w5nb8dj3u6qcx",
                "artifacts@gw-0003f6ht0wz8n2lqa", "artifacts-cache@gw-0003f6ht0wz8n2lqa"}
    for host, variables in listing["_meta"]["hostvars"].items():
        if host in stripped:
            assert "gateway_status" not in variables and "ansible_host" not in variables, host
            assert variables["sgw_health"] == expected["_meta"]["hostvars"][host]["sgw_health"]
        else:
            assert variables == expected["_meta"]["hostvars"][host], host
    warnings = " ".join(process.stderr.split())
    assert "the gateway cluster sb-0002k7wq3xv0c1fbn no longer exists" in warnings
    assert "StorageBundleNotExist" in warnings
    assert "the gateway gw-0002w5nb8dj3u6qcx is not listed by DescribeGateways of its cluster" in warnings


@core_matrix
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
    # has --flush-cache from ansible-core 2.19 on; before, removing the cache is the same.)
    if ANSIBLE_CORE >= (2, 19):
        flush = ("--flush-cache",)
    else:
        flush = ()
        for path in cache.iterdir():
            path.unlink()
    listing, process = list_inventory("cache", dict(env, ALIBABA_CLOUD_SGW_MAX_RETRIES="0"), *flush)
    assert process.returncode != 0 and listing is None
    assert shown("could not reach", process.stderr)
    assert_clean(process)


@core_matrix
def test_graph_shows_the_estate(simulator):
    process = run_ansible("ansible-inventory", "-i", CONFIGS / "defaults.sgw.yml", "--graph", "sgw_health_failed",
                          env=inventory_env(simulator))
    assert process.returncode == 0, process.stderr
    assert {line.strip(" |-") for line in process.stdout.splitlines()[1:]} == FAILED_SHARES


@core_matrix
def test_the_report_playbook_runs_on_exactly_the_failed_shares(simulator, tmp_path):
    # The collection playbook by name, from a directory that has nothing of the collection.
    process = run_ansible("ansible-playbook", "-i", CONFIGS / "defaults.sgw.yml",
                          "alibabacloud.sgw.report_failed_shares",
                          env=inventory_env(simulator), cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    recap = process.stdout.split("PLAY RECAP", 1)[1].splitlines()[1:]
    # localhost: the first play, which checks that the inventory was read
    assert {line.split()[0] for line in recap if line.strip()} == FAILED_SHARES | {"localhost"}
    assert '"msg": "render-frames@gw-0004xq2m7bd1v9hke: group render-cache (sync-0001xv7je357xn8t), ' \
           'state QueueFailure (failed)' in process.stdout


def test_the_report_playbook_succeeds_on_a_healthy_estate(simulator):
    """hosts: sgw_health_failed with no failed share is a play without hosts (exit 0), where -l would exit 1."""
    process = run_ansible("ansible-playbook", "-i", CONFIGS / "empty_health.sgw.yml",
                          "alibabacloud.sgw.report_failed_shares", env=inventory_env(simulator))
    assert process.returncode == 0, process.stdout + process.stderr
    assert "skipping: no hosts matched" in process.stdout
    graph = run_ansible("ansible-inventory", "-i", CONFIGS / "empty_health.sgw.yml", "--graph", "sgw_health_failed",
                        env=inventory_env(simulator))
    assert graph.returncode == 0, graph.stderr
    assert graph.stdout.strip() == "@sgw_health_failed:"


@core_matrix
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


@core_matrix
def test_wrongly_named_file_is_declined_with_a_warning_at_normal_verbosity(simulator, tmp_path):
    path = tmp_path / "hosts.yml"
    path.write_text("plugin: alibabacloud.sgw.sgw\n")
    process = run_ansible("ansible-inventory", "-i", path, "--list", env=inventory_env(simulator))
    assert process.returncode != 0
    assert "its file name must end in sgw.yml or sgw.yaml" in " ".join(process.stderr.split())


def test_demo_script_runs_end_to_end():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
    env["SGW_DEMO_VENV"] = sys.prefix
    # Left over in a user's shell: the demo must clear what it does not set itself.
    env.update(ALIBABA_CLOUD_SECURITY_TOKEN="stale-token-of-the-shell", ALICLOUD_ACCESS_KEY="LTAI5tStaleShellKey01",
               ALICLOUD_SECRET_KEY="stale-shell-secret", ALIBABA_CLOUD_PROFILE="no-such-profile",
               ALIBABA_CLOUD_ROLE_ARN="acs:ram::1:role/not-for-the-demo")
    process = subprocess.run(["bash", str(REPO_ROOT / "docs" / "examples" / "demo.sh")], env=env, cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stderr
    assert "@sgw_health_failed:" in process.stdout
    for host in FAILED_SHARES:
        assert "ok: [%s]" % host in process.stdout
    # and localhost: the first play checks that the inventory was read
    assert process.stdout.count("ok: [") == len(FAILED_SHARES) + 1
    assert "ok: [localhost]" in process.stdout
