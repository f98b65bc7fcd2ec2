"""The health verdict of the real ``ansible-inventory`` against the simulator: what each signal shows,
what a signal that cannot be read gives, and configurations that would ignore an option."""

from __future__ import annotations

import json

import pytest

from tests.integration.inventory_plugin.scenarios import (
    CALLS,
    CONFIGS,
    BUILD01,
    EDIT01,
    EDIT02,
    RENDER01,
    dump,
    golden_listing,
    health_account,
    inventory_env,
    list_inventory,
    normalise,
    prepare,
    restore,
)
from tests.support.sim_process import Simulator, run_ansible, shown


@pytest.fixture(scope="module")
def simulator():
    with Simulator() as sim:
        yield sim


@pytest.fixture
def inventory(simulator, tmp_path):
    """Run a health scenario (its account and faults, then ``switches``); restore the sample account after."""
    def run(name, **switches):
        prepare(simulator, name)
        if switches:
            simulator.faults(**switches)
        simulator.reset()
        try:
            return list_inventory(name, inventory_env(simulator, ANSIBLE_INVENTORY_CACHE_CONNECTION=tmp_path))
        finally:
            restore(simulator)
    return run


def members_of(gateway_id):
    return {"%s@%s" % (s["ShareName"], gateway_id) for s in health_account()["shares"]
            if s["GatewayId"] == gateway_id and s.get("ExpressSyncId")}


def hosts(listing, group):
    return set(listing.get(group, {}).get("hosts", ()))


def test_a_stopped_gateway_fails_all_its_shares(inventory):
    listing, process = inventory("health_gateway")
    assert process.returncode == 0, process.stderr
    stopped = members_of(RENDER01)
    assert len(stopped) == 2
    assert stopped <= hosts(listing, "sgw_condition_failed")
    assert stopped <= hosts(listing, "sgw_reason_gateway_not_running")
    # their express sync is healthy: sgw_health keeps its meaning
    assert stopped <= hosts(listing, "sgw_health_healthy")
    assert members_of(BUILD01) <= hosts(listing, "sgw_reason_gateway_expired")
    assert hosts(listing, "sgw_reason_gateway_expiring") == members_of(EDIT02)


def test_an_alert_puts_its_share_in_its_reason_group(inventory):
    listing, process = inventory("health_alerts")
    assert process.returncode == 0, process.stderr
    assert hosts(listing, "sgw_reason_alert_upload_queue_full") == {"media-nfs@" + EDIT01}
    # an alert on another share of a gateway, or one that has ended, concerns no member share
    assert "media-nfs@" + EDIT02 in hosts(listing, "sgw_condition_ok")
    assert not hosts(listing, "sgw_reason_alert_throttling") & members_of(EDIT01)
    # an alert on a whole gateway concerns every share of it
    assert hosts(listing, "sgw_reason_alert_low_meta_space") == members_of(RENDER01)


@pytest.mark.parametrize("switches", [
    {"alert_share": "index_id"},
    {"alert_events": "wrapped", "total_count": "absent"},
    {"alert_share": "index_id", "alert_events": "wrapped", "region_scope": "account"},
], ids=["index-id", "wrapped-no-total", "all"])
def test_alerts_under_each_undocumented_behaviour(inventory, switches):
    """The same verdict whether the service names an alert's share by name or by IndexId, lists the events
    plainly or wrapped, with or without TotalCount."""
    listing, process = inventory("health_alerts", **switches)
    assert process.returncode == 0, process.stderr
    assert dump(listing) == dump(golden_listing("health_alerts"))


def test_an_unreadable_signal_gives_unknown_never_ok(inventory):
    listing, process = inventory("health_unreadable")
    assert process.returncode == 0, process.stderr
    every = set(listing["_meta"]["hostvars"])
    assert not hosts(listing, "sgw_condition_ok")
    assert hosts(listing, "sgw_reason_alerts_unreadable") == every
    assert hosts(listing, "sgw_condition_unknown") | hosts(listing, "sgw_condition_failed") == every
    assert members_of(BUILD01) <= hosts(listing, "sgw_reason_gateway_unreadable")
    assert members_of(BUILD01) <= hosts(listing, "sgw_reason_file_share_unreadable")
    assert shown("ListAlertEvents of region cn-hangzhou could not be read", process.stderr)
    assert "Forbidden.RAM" in process.stderr and "Traceback" not in process.stderr


def test_by_default_the_verdict_of_the_express_sync_state_at_no_extra_call(simulator, tmp_path):
    """Left out, health_signals is [express_sync]: the same inventory, from the same calls (CALLS)."""
    path = tmp_path / "default.sgw.yml"
    path.write_text("plugin: alibabacloud.sgw.sgw\n")
    prepare(simulator, "health_express_sync")
    simulator.reset()
    try:
        process = run_ansible("ansible-inventory", "-i", path, "--list",
                              env=inventory_env(simulator, ANSIBLE_INVENTORY_CACHE_CONNECTION=tmp_path))
        assert process.returncode == 0, process.stderr
        assert simulator.stats()["actions"] == CALLS["health_express_sync"]
    finally:
        restore(simulator)
    listing = normalise(json.loads(process.stdout))
    assert listing == golden_listing("health_express_sync")
    every = set(listing["_meta"]["hostvars"])
    assert hosts(listing, "sgw_condition_ok") | hosts(listing, "sgw_condition_degraded") | hosts(
        listing, "sgw_condition_failed") == every
    assert hosts(listing, "sgw_health_failed") == hosts(listing, "sgw_condition_failed") == hosts(
        listing, "sgw_reason_sync_failed") != set()
    assert {"sgw_condition_%s" % c for c in ("ok", "degraded", "failed", "unknown")} <= set(
        listing["all"]["children"])


@pytest.mark.parametrize("config, message", [
    ("health_signals: [gateway]\ngateway_details: false\n", "the gateway health signal comes with the calls of "
     "gateway_details"),
    ("health_signals: [alerts]\nupload_lag_seconds: 60\n", "upload_lag_seconds is a threshold of the file_share "
     "health signal"),
    ("upload_queue_max: 10\n", "upload_queue_max is a threshold of the file_share health signal"),
    ("health_signals: [file_share]\nupload_queue_max: -1\n", "upload_queue_max must be a whole number, 0 or more"),
    ("health_signals: [alert]\n", "health_signals"),
    ("health_signals: []\n", "health_signals must name at least one of"),
])
def test_options_that_would_be_ignored_are_errors(simulator, tmp_path, config, message):
    path = tmp_path / "bad.sgw.yml"
    path.write_text("plugin: alibabacloud.sgw.sgw\n" + config)
    simulator.reset()
    process = run_ansible("ansible-inventory", "-i", path, "--list",
                          env=inventory_env(simulator, ANSIBLE_INVENTORY_CACHE_CONNECTION=tmp_path))
    assert process.returncode != 0
    assert shown(message, process.stderr), process.stderr
    assert simulator.stats()["total"] == 0


def test_a_cache_without_the_signals_is_not_served(simulator, tmp_path):
    """An estate cached by a configuration without signals is fetched again for one with signals; one with
    a signal error is never cached."""
    base = "plugin: alibabacloud.sgw.sgw\nregions: [cn-hangzhou]\ncache: true\ncache_plugin: ansible.builtin.jsonfile\n"
    plain, judged = tmp_path / "a.sgw.yml", tmp_path / "b.sgw.yml"
    plain.write_text(base)
    judged.write_text(base + "health_signals: [alerts]\n")
    env = inventory_env(simulator, ANSIBLE_INVENTORY_CACHE_CONNECTION=tmp_path / "cache")
    prepare(simulator, "health_alerts")
    try:
        first = run_ansible("ansible-inventory", "-i", plain, "--list", env=env)
        assert first.returncode == 0, first.stderr
        # the same cache key for the same file: the file is rewritten with signals
        plain.write_text(judged.read_text())
        simulator.reset()
        second = run_ansible("ansible-inventory", "-i", plain, "--list", env=env)
        assert second.returncode == 0, second.stderr
        assert simulator.stats()["actions"].get("ListAlertEvents") == 1
        listing = json.loads(second.stdout)
        assert "media-nfs@" + EDIT01 in listing["sgw_reason_alert_upload_queue_full"]["hosts"]
    finally:
        restore(simulator)


def test_the_report_playbook_shows_the_reasons(simulator, tmp_path):
    prepare(simulator, "health_all")
    try:
        process = run_ansible("ansible-playbook", "-i", CONFIGS / "health_all.sgw.yml",
                              "alibabacloud.sgw.report_failed_shares", "-e", "sgw_report_hosts=sgw_condition_failed",
                              env=inventory_env(simulator, ANSIBLE_INVENTORY_CACHE_CONNECTION=tmp_path), cwd=tmp_path)
    finally:
        restore(simulator)
    assert process.returncode == 0, process.stderr
    recap = process.stdout.split("PLAY RECAP", 1)[1].splitlines()[1:]
    assert members_of(RENDER01) <= {line.split()[0] for line in recap if line.strip()}
    assert ('"msg": "renders@%s: group apac-renders (sync-0002p9t4hz6c3yxe), state MNSHealthy (healthy), progress '
            '100%%; condition failed: gateway_not_running, alert_low_meta_space"' % RENDER01) in process.stdout
