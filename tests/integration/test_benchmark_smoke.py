"""The performance benchmark (tests/perf/bench_inventory.py) runs end to end on a tiny account.

Only its structure is checked, never a timing: the table is printed, the cold run makes exactly
the ideal calls, the cached run none, and every figure is there.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.sim_process import REPO_ROOT

BENCHMARK = REPO_ROOT / "tests" / "perf" / "bench_inventory.py"


def test_quick_benchmark_prints_the_table_with_ideal_calls(tmp_path):
    figures = tmp_path / "figures.json"
    process = subprocess.run([sys.executable, str(BENCHMARK), "--quick", "--json", str(figures)], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=240, check=False)
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    assert lines[0].startswith("alibabacloud.sgw.sgw inventory benchmark")
    header = next(line for line in lines if line.startswith("| shares | run |"))
    rows = [line for line in lines if line.startswith("| 24 |")]
    assert [row.split("|")[2].strip() for row in rows] == [
        "cold --list --flush-cache", "cached --list", "floor: script, same data", "floor: script, markers stripped"]
    assert all(row.count("|") == header.count("|") for row in rows)
    assert "cold / (floor + 3 x 10 ms)" in rows[0] and "cached / floor" in rows[1]
    assert any("host building" in line for line in lines)

    data = json.loads(figures.read_text())
    (scale,) = data["scales"]
    calls = scale["api_calls"]
    assert scale["shares"] == 2 * 3 * 4
    assert calls["ideal_actions"] == {"DescribeExpressSyncs": 2, "DescribeExpressSyncShares": 2,
                                      "DescribeGateways": 2}
    assert calls["total"] == [calls["ideal"]] == [6]
    assert calls["actions"] == calls["ideal_actions"]
    assert calls["cached"] == [0]
    assert 1 <= calls["peak_concurrency"] <= data["max_concurrency"]
    for kind in ("cold", "cached", "floor", "floor_stripped"):
        assert scale["medians"][kind]["wall"] > 0 and scale["medians"][kind]["rss_kb"] > 0
    assert set(scale["ratios"]) == {"cold_vs_floor_plus_3_latency", "cached_vs_floor", "cold_rss_vs_floor",
                                    "cached_rss_vs_floor"}
    assert set(scale["probe"]) == {"cold", "cached", "floor"}


def test_quick_benchmark_with_every_health_signal_makes_the_calls_of_each(tmp_path):
    figures = tmp_path / "figures.json"
    process = subprocess.run([sys.executable, str(BENCHMARK), "--quick", "--no-probe", "--no-stripped-floor",
                              "--health-signals", "express_sync,gateway,file_share,alerts", "--json", str(figures)],
                             cwd=REPO_ROOT, capture_output=True, text=True, timeout=240, check=False)
    assert process.returncode == 0, process.stderr
    assert "health_signals express_sync,gateway,file_share,alerts" in process.stdout.splitlines()[0]
    (scale,) = json.loads(figures.read_text())["scales"]
    calls = scale["api_calls"]
    # express_sync and gateway: no call more; file_share: one per gateway with members; alerts: one per region
    assert calls["ideal_actions"] == {"DescribeExpressSyncs": 2, "DescribeExpressSyncShares": 2,
                                      "DescribeGateways": 2, "DescribeGatewayFileShares": 4, "ListAlertEvents": 2}
    assert calls["actions"] == calls["ideal_actions"] and calls["cached"] == [0]


HEAL_BENCHMARK = REPO_ROOT / "tests" / "perf" / "bench_heal.py"


def test_quick_heal_benchmark_prints_both_heals_and_their_calls(tmp_path):
    figures = tmp_path / "heal.json"
    process = subprocess.run([sys.executable, str(HEAL_BENCHMARK), "--quick", "--json", str(figures)], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    assert lines[0].startswith("alibabacloud.sgw heal benchmark")
    assert [line.split("|")[1:3] for line in lines if line.startswith("| 1 |") or line.startswith("| 2 |")] == [
        [" 1 ", " 1.0.0 playbook (express_sync loops) "], [" 1 ", " express_sync_resync "],
        [" 2 ", " 1.0.0 playbook (express_sync loops) "], [" 2 ", " express_sync_resync "]]
    assert any(line.startswith("express_sync_resync: 2 groups / 1 groups = ") for line in lines)
    results = json.loads(figures.read_text())["results"]
    for row in results:
        # whatever the timing: one Remove and one Add per group, and every share healthy at the end
        assert row["actions"]["RemoveSharesFromExpressSync"] == row["groups"]
        assert row["actions"]["AddSharesToExpressSync"] == row["groups"]
        assert row["all_healthy"] is True and row["seconds"] > 0


def test_quick_benchmark_counts_the_optional_per_gateway_calls(tmp_path):
    figures = tmp_path / "figures.json"
    process = subprocess.run([sys.executable, str(BENCHMARK), "--quick", "--share-details", "--gateway-tags",
                              "--no-probe", "--no-stripped-floor", "--json", str(figures)], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=240, check=False)
    assert process.returncode == 0, process.stderr
    calls = json.loads(figures.read_text())["scales"][0]["api_calls"]
    assert calls["ideal_actions"] == {"DescribeExpressSyncs": 2, "DescribeExpressSyncShares": 2,
                                      "DescribeGateways": 2, "DescribeGatewayFileShares": 4, "ListTagResources": 2}
    assert calls["actions"] == calls["ideal_actions"]
    assert "DescribeGatewayFileShares 4" in process.stdout


def test_quick_accounts_benchmark_makes_the_ideal_calls(tmp_path):
    figures = tmp_path / "accounts.json"
    process = subprocess.run([sys.executable, str(BENCHMARK), "--quick", "--accounts", "3", "--json", str(figures)],
                             cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stderr
    assert any(line.startswith("several accounts / one account: ") for line in process.stdout.splitlines())
    data = json.loads(figures.read_text())
    assert data["shares"] == data["single_shares"] == 3 * 2 * 3 * 4
    calls = data["many_calls"][0]["actions"]
    overhead = {action: calls.pop(action) for action in data["overhead_ideal"]}
    # one AssumeRole per member, and each account's own ideal calls: nothing more
    assert calls == data["ideal_actions"] and calls["AssumeRole"] == 2
    assert overhead == {"GetCallerIdentity": 1, "ListAccounts": 1}
    assert data["one_calls"][0]["total"] == data["one_ideal"]
    assert data["many_calls"][0]["peak_concurrency"] <= data["max_concurrency"]


LOOKUPS_BENCHMARK = REPO_ROOT / "tests" / "perf" / "bench_lookups_accounts.py"


def test_lookups_across_accounts_benchmark_prints_calls_against_the_ideal():
    process = subprocess.run([sys.executable, str(LOOKUPS_BENCHMARK), "--accounts", "2", "--regions", "1",
                              "--groups-per-region", "1", "--shares-per-group", "2", "--latency-ms", "0", "--runs", "1"],
                             cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stderr
    rows = [line.split("|")[1:-1] for line in process.stdout.splitlines() if line.startswith("| express_sync")]
    assert [(row[0].strip(), row[1].strip(), row[2].strip()) for row in rows] == [
        ("express_syncs", "2", "2"), ("express_syncs", "1", "2"),
        ("express_sync_shares", "2", "4"), ("express_sync_shares", "1", "4")]
    many_syncs, many_shares = json.loads(rows[0][3]), json.loads(rows[2][3])
    assert many_syncs == {"AssumeRole": 1, "DescribeExpressSyncs": 2, "GetCallerIdentity": 1, "ListAccounts": 1}
    # the ideal, and one DescribeExpressSyncs per account to learn which ids it has
    assert many_shares == {"AssumeRole": 1, "DescribeExpressSyncShares": 2, "DescribeExpressSyncs": 2,
                           "GetCallerIdentity": 1, "ListAccounts": 1}
