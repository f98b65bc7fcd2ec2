"""The lookups and express_sync_info across the accounts of a resource directory, through the real
``ansible-playbook`` against the simulator process: the sample account manages media and finance, and
closed, whose role refuses it (tests/simulator/data/member_*.yml)."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.support.sim_process import KEY_ID, KEY_SECRET, REPO_ROOT, SECRETS, Simulator, ansible_env, run_ansible

DATA = REPO_ROOT / "tests" / "simulator" / "data"
MANAGEMENT, MEDIA, FINANCE, CLOSED = "1638094425718837", "1855000000000001", "1855000000000002", "1855000000000003"
IDS = ["sync-0001xv7je357xn8t", "sync-0005m3diasync01", "sync-0007closedsync1"]
_WARNING = re.compile(r"^\[WARNING\]: (.*(?:\n(?!\[|\S).*)*)", re.MULTILINE)

PLAYBOOK = [{
    "name": "Every account of the resource directory",
    "hosts": "localhost",
    "connection": "local",
    "gather_facts": False,
    "tasks": [
        {"name": "The shares of the groups, in whichever account has them",
         "ansible.builtin.set_fact": {"rows": "{{ query('alibabacloud.sgw.express_sync_shares', ids, "
                                              "resource_directory=true, on_account_error=mode) }}"}},
        {"name": "The groups of every account with their shares",
         "alibabacloud.sgw.express_sync_info": {"resource_directory": True, "on_account_error": "{{ mode }}",
                                                "shares": True},
         "register": "estate"},
        {"name": "Report",
         "ansible.builtin.copy": {"content": "{{ {'rows': rows, 'groups': estate.express_syncs} | to_json }}",
                                  "dest": "{{ report }}"}},
    ],
}]


@pytest.fixture(scope="module")
def directory():
    members = []
    for name in ("media", "finance", "closed"):
        members += ["--member-account", str(DATA / ("member_%s.yml" % name))]
    with Simulator(*members) as sim:
        yield sim


def play(simulator, tmp_path, mode):
    playbook = tmp_path / "accounts.yml"
    playbook.write_text(yaml.safe_dump(PLAYBOOK, sort_keys=False))
    report = tmp_path / "report.json"
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"ids": IDS, "mode": mode, "report": str(report)}))
    env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
                      ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET, ALIBABA_CLOUD_REGION_ID="cn-hangzhou",
                      ALIBABA_CLOUD_STS_ENDPOINT=simulator.url, ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT=simulator.url,
                      ALIBABA_CLOUD_SGW_MAX_RETRIES="0")
    simulator.reset()
    process = run_ansible("ansible-playbook", "-i", "localhost,", "-e", "@%s" % extra, playbook, env=env)
    output = process.stdout + process.stderr
    assert "Traceback" not in output and not any(secret in output for secret in SECRETS)
    return process, json.loads(report.read_text()) if report.exists() else None


def test_a_refusing_member_is_named_and_the_others_returned(directory, tmp_path):
    process, report = play(directory, tmp_path, "warn")
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    rows = {(row["account_id"], row["account_name"], row["express_sync_id"]) for row in report["rows"]}
    assert rows == {(MANAGEMENT, "account-" + MANAGEMENT, IDS[0]), (MEDIA, "media", IDS[1])}
    groups = {(group["account_id"], group["account_name"]) for group in report["groups"]}
    assert groups == {(MANAGEMENT, "account-" + MANAGEMENT), (MEDIA, "media")}  # finance's group: cn-shanghai
    warnings = [" ".join(w.split()) for w in _WARNING.findall(process.stdout + process.stderr)]
    for who in ("express_sync_shares", "express_sync_info"):
        assert [w for w in warnings if w.startswith("alibabacloud.sgw.%s: account closed (%s) skipped:" % (who, CLOSED))
                and "NoPermission" in w and "RequestId" in w], warnings
    # closed's group is not said to be missing: closed could not be read
    assert [w for w in warnings if IDS[2] in w and w.endswith("an account that could not be read may have it")]
    stats = directory.stats()
    assert stats["actions"]["AssumeRole"] == 6  # media, finance and closed (refused), per task
    assert set(stats["accounts"]) == {MANAGEMENT, MEDIA, FINANCE}


def test_a_refusing_member_fails_the_task(directory, tmp_path):
    process, report = play(directory, tmp_path, "fail")
    assert process.returncode != 0 and report is None
    said = " ".join((process.stdout + process.stderr).split())
    assert "alibabacloud.sgw.express_sync_shares: account closed (%s) failed:" % CLOSED in said
    assert "NoPermission" in said and "RequestId" in said
    assert "Set on_account_error: warn to keep the other accounts." in said
