"""Faults of the API and of the network, injected live into the simulator, under ansible-inventory.

Healed faults (throttling, a slow answer) must give exactly the fault-free inventory. The others
(a region answering 503 or an HTML 502, a hung region, malformed bodies) must fail with one
message naming the region, the action, the Code and the RequestId (``on_region_error: error``),
or warn and keep every other region (``on_region_error: warn``); the cache is never written then.
"""

from __future__ import annotations

import re

import pytest

from tests.integration.reliability.conftest import (
    STARTUP_SLACK,
    assert_clean,
    credentials,
    golden,
    inventory,
    unsafe,
    without_region,
)
from tests.integration.reliability.hostile_proxy import HostileProxy
from tests.support.sim_process import Simulator

FAILING = "cn-shanghai"
RETRY_LINE = re.compile(r"SGW (\w+) in ([\w-]+): ([\w.]+), retry (\d+) of (\d+) in ([\d.]+)s( \(x-acs-retry-after\))?")


def cache_options(tmp_path):
    return {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache")}


def test_fault_free_run_is_the_golden_inventory(sim, tmp_path):
    run = inventory(sim.url, tmp_path)
    assert run.rc == 0, run.explain()
    assert run.listing == golden()
    assert_clean(run)
    assert sim.stats()["errors"] == {}


def test_throttling_at_10_percent_heals_with_jittered_backoff(sim, tmp_path):
    # One call at a time: with the simulator's seed, the same calls are throttled every run.
    sim.faults(throttle_rate=0.1)
    run = inventory(sim.url, tmp_path, "-vvvv", max_concurrency=1, max_retries=8, files=[tmp_path / "cache"],
                    **cache_options(tmp_path))
    assert run.rc == 0, run.explain()
    assert run.listing == golden()
    stats = sim.stats()
    assert stats["errors"].get("Throttling.User", 0) >= 1, stats
    retries = RETRY_LINE.findall(run.stdout)
    assert len(retries) == stats["errors"]["Throttling.User"]
    for action, region, code, attempt, most, delay, retry_after in retries:
        assert code == "Throttling.User" and most == "8" and not retry_after
        # Full jitter: a random wait from 0 up to 0.2 s doubled per attempt.
        assert 0 <= float(delay) <= 0.2 * 2 ** (int(attempt) - 1) + 0.005
    assert list((tmp_path / "cache").iterdir()), "the healed inventory is cached"
    assert_clean(run)


def test_throttling_at_50_percent_heals_waiting_as_told_by_x_acs_retry_after(sim, tmp_path):
    # V1 signing with an STS token puts the signature and the token in every URL: -vvvv must
    # still not show them.
    sim.faults(throttle_rate=0.5, retry_after_ms=20)
    env = credentials("sts", ALIBABA_CLOUD_SGW_SIGNATURE_VERSION="v1")
    run = inventory(sim.url, tmp_path, "-vvvv", env=env, max_retries=16, max_retry_time=30)
    assert run.rc == 0, run.explain()
    assert run.listing == golden()
    stats = sim.stats()
    assert stats["errors"].get("Throttling.User", 0) >= 2, stats
    retries = RETRY_LINE.findall(run.stdout)
    assert len(retries) == stats["errors"]["Throttling.User"]
    assert {retry[-2:] for retry in retries} == {("0.02", " (x-acs-retry-after)")}
    assert "SGW DescribeExpressSyncs in cn-hangzhou -> %s" % sim.url in run.stdout
    assert_clean(run)


@pytest.mark.parametrize("mode", ["error", "warn"])
@pytest.mark.parametrize("fault, expected", [
    ({"unavailable_regions": [FAILING]}, "failed: ServiceUnavailable (HTTP 503) after 3 attempts. The request has "
                                         "failed due to a temporary failure of the server. RequestId "),
    ({"html_regions": [FAILING]}, "failed: InvalidResponse.Server (HTTP 502) after 3 attempts. HTTP 502 with a "
                                  "non-JSON body (text/html): '502 Bad Gateway 502 Bad Gateway Tengine'. RequestId "),
], ids=["503", "html-502"])
def test_a_failing_region_is_retried_then_fails_or_is_skipped(sim, tmp_path, mode, fault, expected):
    sim.faults(**fault)
    run = inventory(sim.url, tmp_path, on_region_error=mode, files=[tmp_path / "cache"], **cache_options(tmp_path))
    message = "DescribeExpressSyncs in region %s %s" % (FAILING, expected)
    if mode == "error":
        assert run.rc != 0 and run.listing is None
        line = run.error_line()
        assert line.startswith("alibabacloud.sgw.sgw: region %s failed: %s" % (FAILING, message)), line
        assert "credentials from environment ALIBABA_CLOUD_ACCESS_KEY_ID (AccessKey ID LTAI****on01)" in line
        assert line.endswith("Set on_region_error: warn to keep the other regions.")
    else:
        assert run.rc == 0, run.explain()
        assert run.listing == without_region(golden(), FAILING)
        warned = [w for w in run.warnings() if "region %s skipped" % FAILING in w]
        assert len(warned) == 1 and message in warned[0], run.warnings()
    stats = sim.stats()
    assert sum(stats["errors"].values()) == 3, stats  # the first attempt and max_retries (2) retries
    assert FAILING not in stats["regions"]  # the region's later calls were never made
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir()), "nothing half-built cached"
    assert_clean(run)


@pytest.mark.parametrize("mode", ["error", "warn"])
def test_a_hung_endpoint_ends_the_run_within_the_timeout_bound(sim, tmp_path, mode):
    timeout, max_retries = 1, 1
    sim.faults(hang_regions=[FAILING])
    # timeout x (max_retries + 1), plus the backoff (at most 0.2 s here), plus starting Ansible.
    bound = timeout * (max_retries + 1) + 0.2 + STARTUP_SLACK
    run = inventory(sim.url, tmp_path, run_timeout=bound, on_region_error=mode, max_retries=max_retries,
                    timeout=timeout)
    message = ("DescribeExpressSyncs in region %s failed: could not reach %s (no answer within 1s, the timeout) "
               "after 2 attempts. hint: check endpoint, network access and timeout." % (FAILING, sim.url))
    if mode == "error":
        assert run.rc != 0
        assert run.error_line() == "alibabacloud.sgw.sgw: region %s failed: %s Set on_region_error: warn to keep " \
                                   "the other regions." % (FAILING, message)
    else:
        assert run.rc == 0, run.explain()
        assert run.listing == without_region(golden(), FAILING)
        assert "alibabacloud.sgw.sgw: region %s skipped: %s" % (FAILING, message) in run.warnings()
    assert sim.stats()["requests"] - sim.stats()["total"] == 2  # two attempts went unanswered
    assert_clean(run)


def test_a_slow_endpoint_within_the_timeout_is_the_golden_inventory(sim, tmp_path):
    sim.faults(latency_ms=800)
    run = inventory(sim.url, tmp_path, timeout=2)
    assert run.rc == 0, run.explain()
    assert run.listing == golden()
    stats = sim.stats()
    assert stats["errors"] == {} and stats["requests"] == stats["total"], "no call had to be retried"
    assert_clean(run)


def test_a_slow_endpoint_past_the_timeout_fails_clearly(tmp_path):
    # A simulator of its own: it answers the abandoned calls after the test, which would count
    # in the statistics of the next test of a shared one.
    with Simulator("--latency", "1500") as slow:
        run = inventory(slow.url, tmp_path, max_retries=1, timeout=1)
        url = slow.url
    assert run.rc != 0
    assert "failed: could not reach %s (no answer within 1s, the timeout) after 2 attempts." % url in run.error_line()
    assert_clean(run)


@pytest.mark.parametrize("kind, problem", [
    ("truncated", "InvalidResponse (HTTP 200). HTTP 200 with a non-JSON body (application/json;charset=utf-8): "),
    ("null-wrapper", "InvalidResponse. ExpressSyncs is null, not an object with the list ExpressSync. RequestId "),
    ("missing-wrapper", "InvalidResponse. the answer has no ExpressSyncs. RequestId "),
    ("wrong-type", "InvalidResponse. ExpressSyncs.ExpressSync is string, not a list. RequestId "),
])
def test_a_malformed_body_is_a_clear_error_never_an_empty_region(sim, tmp_path, kind, problem):
    sim.faults(malformed={FAILING: kind})
    run = inventory(sim.url, tmp_path)
    assert run.rc != 0 and run.listing is None
    line = run.error_line()
    assert ("alibabacloud.sgw.sgw: region %s failed: DescribeExpressSyncs in region %s failed: %s" % (
        FAILING, FAILING, problem)) in line, line
    assert "RequestId" in line and "hint: the endpoint did not answer like the SGW API" in line
    assert sim.stats()["regions"][FAILING] == 1, sim.stats()  # not retried: the same answer would come again
    assert_clean(run)


def test_a_malformed_region_is_skipped_with_warn(sim, tmp_path):
    sim.faults(malformed={FAILING: "null-wrapper"})
    run = inventory(sim.url, tmp_path, on_region_error="warn")
    assert run.rc == 0, run.explain()
    assert run.listing == without_region(golden(), FAILING)
    assert any("region %s skipped" % FAILING in w and "ExpressSyncs is null" in w for w in run.warnings())
    assert_clean(run)


def test_an_unknown_express_sync_state_is_kept_as_unknown_health(sim, tmp_path):
    new_state = b"MNSSomethingNew"
    with HostileProxy(sim.url, rewrite=lambda body: body.replace(b'"MNSHealthy"', b'"%s"' % new_state)) as proxy:
        run = inventory(proxy.url, tmp_path)
    assert run.rc == 0, run.explain()
    expected = golden()
    listing = run.listing
    assert set(listing["_meta"]["hostvars"]) == set(expected["_meta"]["hostvars"]), "no host is lost"
    healthy = set(expected["sgw_health_healthy"]["hosts"])
    assert healthy
    for host in healthy:
        variables = listing["_meta"]["hostvars"][host]
        assert unsafe(variables["express_sync_state"]) == new_state.decode()
        assert unsafe(variables["sgw_health"]) == "unknown"
    assert set(listing["sgw_health_unknown"]["hosts"]) == healthy
    assert set(listing["sgw_state_MNSSomethingNew"]["hosts"]) == healthy
    assert "sgw_health_healthy" not in listing and "sgw_state_MNSHealthy" not in listing
    for group in ("sgw_health_failed", "sgw_health_syncing", "sgw_health_disabled"):
        assert listing[group] == expected[group]
    assert_clean(run)
