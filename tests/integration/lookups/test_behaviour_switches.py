"""The lookups and express_sync_info against each undocumented behaviour the simulator can play: the same
results as under its defaults (a table of switches)."""

from __future__ import annotations

import json

import pytest

from tests.integration.lookups.conftest import ACCOUNT, PLAYBOOKS, REGION
from tests.support.sim_process import KEY_ID, KEY_SECRET, Simulator, ansible_env, run_ansible

# The whole lookup suite runs under each region scope already (see conftest.py); here the other switches,
# alone and all together.
SWITCHES = [
    {"candidate_sync_id": "empty"},
    {"unknown_ids": "omit"},
    {"region_scope": "account", "candidate_sync_id": "empty", "unknown_ids": "omit", "total_count": "absent"},
]


@pytest.fixture(scope="module")
def simulator():
    with Simulator(data=ACCOUNT, scope="region") as sim:
        yield sim


def read(simulator, tmp_path, switches):
    simulator.faults(**switches)
    report = tmp_path / "report.json"
    env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
                      ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET, ALIBABA_CLOUD_REGION_ID=REGION)
    try:
        process = run_ansible("ansible-playbook", "-i", "localhost,", "-e", "report_path=%s" % report,
                              PLAYBOOKS / "behaviours.yml", env=env)
    finally:
        simulator.faults()
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-2000:]
    assert "Traceback" not in process.stdout + process.stderr
    return json.loads(report.read_text()), " ".join(process.stderr.split())


@pytest.fixture(scope="module")
def expected(simulator, tmp_path_factory):
    return read(simulator, tmp_path_factory.mktemp("defaults"), {})


@pytest.mark.parametrize("switches", SWITCHES, ids=lambda s: ",".join("%s=%s" % i for i in s.items()) or "defaults")
def test_same_results_under_every_behaviour(simulator, expected, tmp_path, switches):
    report, warnings = read(simulator, tmp_path, switches)
    error = report.pop("missing_error")  # its RequestId differs; its message is checked below
    assert report == {k: v for k, v in expected[0].items() if k != "missing_error"}
    assert report["groups"] == ["sync-0001lookupmedia", "sync-0001lookupdaily", "sync-0001lookupweekly"]
    assert report["other_region"] == ["sync-0001lookuparchive"]
    assert sorted(map(tuple, report["candidates"])) == [
        ("backup-spare", "sync-0001lookupdaily"), ("backup-spare", "sync-0001lookupweekly"),
        ("media-new", "sync-0001lookupmedia")]
    assert report["warned"] == ["media-nfs", "media-smb", "media-proxy"]
    assert "express sync group sync-0001gone does not exist in region cn-hangzhou" in warnings
    assert "express sync group sync-0001lost does not exist in region cn-hangzhou" in error
    assert all(group["candidates"] is not None for group in report["info"])
