"""Several accounts in one inventory: the real ``ansible-inventory`` against a simulator serving a
resource directory (the sample account manages the members of tests/simulator/data/member_*.yml).

Regenerate the goldens of this file with ``SGW_REGENERATE_GOLDENS=1`` set while running it.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.integration.inventory_plugin.scenarios import CONFIGS, dump, golden_listing, golden_path, inventory_env, list_inventory
from tests.support.sim_process import REPO_ROOT, SECRETS, Simulator, run_ansible

DATA = REPO_ROOT / "tests" / "simulator" / "data"
MANAGEMENT, MEDIA, FINANCE, CLOSED = "1638094425718837", "1855000000000001", "1855000000000002", "1855000000000003"
FAILED_EVERYWHERE = {"render-frames@gw-0004xq2m7bd1v9hke", "artifacts-cache@gw-0003f6ht0wz8n2lqa",
                     "exports-smb@gw-0002w5nb8dj3u6qcx", "proxies@gw-0005m3dia0gatew1", "ledgers@gw-0006f1nance0gw01"}


def members(*names):
    args = []
    for name in names:
        args += ["--member-account", str(DATA / ("member_%s.yml" % name))]
    return args


@pytest.fixture(scope="module")
def directory():
    with Simulator(*members("media", "finance")) as sim:
        yield sim


@pytest.fixture(scope="module")
def with_closed():
    with Simulator(*members("media", "finance", "closed")) as sim:
        yield sim


def env_of(simulator, tmp_path):
    return inventory_env(simulator, ALIBABA_CLOUD_STS_ENDPOINT=simulator.url,
                         ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT=simulator.url,
                         ANSIBLE_INVENTORY_CACHE_CONNECTION=tmp_path / "cache")


def assert_clean(process):
    for stream in (process.stdout, process.stderr):
        assert "Traceback" not in stream
        assert not any(secret in stream for secret in SECRETS)


def assert_golden(name, listing):
    if os.environ.get("SGW_REGENERATE_GOLDENS"):
        golden_path(name).write_text(dump(listing))
    assert dump(listing) == dump(golden_listing(name)), "output differs from %s" % golden_path(name)


def failed_hosts(listing):
    return set(listing["sgw_health_failed"]["hosts"])


@pytest.mark.parametrize("name", ["accounts_directory", "accounts_roles"])
def test_three_accounts_in_one_inventory(directory, tmp_path, name):
    directory.reset()
    listing, process = list_inventory(name, env_of(directory, tmp_path))
    assert process.returncode == 0, process.stderr
    assert_clean(process)
    assert_golden(name, listing)
    assert failed_hosts(listing) == FAILED_EVERYWHERE
    for account in (MANAGEMENT, MEDIA, FINANCE):
        assert listing["sgw_account_%s" % account]["hosts"]
    stats = directory.stats()
    # One AssumeRole per member; the calling account is read with its own credentials.
    assert stats["actions"]["AssumeRole"] == 2
    assert stats["actions"].get("ListAccounts", 0) == (1 if name == "accounts_directory" else 0)
    assert set(stats["accounts"]) == {MANAGEMENT, MEDIA, FINANCE}


@pytest.mark.parametrize("mode", [None, "fail", "error"], ids=["default", "fail", "error-of-1.1.0"])
def test_a_member_whose_role_refuses_fails_the_inventory(with_closed, tmp_path, mode):
    if mode is None:
        listing, process = list_inventory("accounts_error", env_of(with_closed, tmp_path))
    else:  # the same file, with on_account_error written
        config = tmp_path / "error.sgw.yml"
        config.write_text(CONFIGS.joinpath("accounts_error.sgw.yml").read_text() + "on_account_error: %s\n" % mode)
        process = run_ansible("ansible-inventory", "-i", config, "--list", env=env_of(with_closed, tmp_path))
        listing = json.loads(process.stdout) if process.returncode == 0 else None
    assert process.returncode != 0 and listing is None
    assert_clean(process)
    said = " ".join(process.stderr.split())  # ansible-core before 2.17 wraps warnings at 80 columns
    assert "account closed (1855000000000003) failed" in said
    assert "NoPermission" in said and "RequestId" in said
    assert "on_account_error: warn" in said


def test_a_member_whose_role_refuses_is_skipped_and_named_the_others_cached(with_closed, tmp_path):
    env = env_of(with_closed, tmp_path)
    with_closed.reset()
    listing, process = list_inventory("accounts_warn", env)
    assert process.returncode == 0, process.stderr
    assert_clean(process)
    assert "account closed (1855000000000003) skipped" in process.stderr and "NoPermission" in process.stderr
    assert failed_hosts(listing) == FAILED_EVERYWHERE
    assert "sgw_account_%s" % CLOSED not in listing
    # Again: the accounts read are served from their cache; only the failed one is tried again.
    with_closed.reset()
    again, process = list_inventory("accounts_warn", env)
    assert process.returncode == 0, process.stderr
    assert again == listing
    stats = with_closed.stats()
    assert stats["actions"] == {"AssumeRole": 1}
    assert stats["errors"] == {"NoPermission": 1}


def test_the_account_options_are_checked_before_any_call(directory, tmp_path):
    config = tmp_path / "bad.sgw.yml"
    config.write_text(json.dumps({"plugin": "alibabacloud.sgw.sgw", "resource_directory": True,
                                  "accounts": [{"role_arn": "acs:ram::1:role/r", "region": "x"}]}))
    directory.reset()
    process = run_ansible("ansible-inventory", "-i", config, "--list", env=env_of(directory, tmp_path))
    assert process.returncode != 0
    said = " ".join(process.stderr.split())  # ansible-core before 2.17 wraps warnings at 80 columns
    assert "accounts and resource_directory: true exclude each other" in said
    assert "accounts[0]: unknown key(s) region" in said
    assert directory.stats()["total"] == 0


def doc_blocks(language):
    """The fenced code blocks of docs/accounts.md in ``language``."""
    text = (REPO_ROOT / "docs" / "accounts.md").read_text()
    return [block.split("\n```", 1)[0] for block in text.split("```%s\n" % language)[1:]]


def test_the_inventories_and_the_task_of_the_accounts_guide_run(directory, tmp_path):
    env = env_of(directory, tmp_path)
    inventories = [b for b in doc_blocks("yaml") if b.startswith("# ") and ".sgw.yml" in b.splitlines()[0]]
    assert len(inventories) == 2
    for block in inventories:
        path = tmp_path / block.splitlines()[0].split()[1].rstrip(":")
        path.write_text(block)
        process = run_ansible("ansible-inventory", "-i", path, "--list", env=env)
        assert process.returncode == 0, process.stderr
        listing = json.loads(process.stdout)
        for account in (MANAGEMENT, MEDIA, FINANCE):
            assert listing["sgw_account_%s" % account]["hosts"], (path.name, account)
    (task,) = [b for b in doc_blocks("yaml") if b.startswith("- name: Describe")]
    playbook = tmp_path / "play.yml"
    playbook.write_text("- hosts: sgw_account_%s:sgw_account_%s\n  gather_facts: false\n  tasks:\n%s\n" % (
        MEDIA, MANAGEMENT, "\n".join("    " + line for line in task.splitlines())) +
        "    - ansible.builtin.assert:\n        that: sgw_account_role_arn is none or sgw_account_role_arn is string\n")
    process = run_ansible("ansible-playbook", "-i", tmp_path / "estate.sgw.yml", playbook, env=env)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "failed=0" in process.stdout


def test_health_signals_in_every_account(directory, tmp_path):
    """The verdict is made per account from that account's own calls; each account's signals are cached with
    its estate, and served again without a call."""
    config = tmp_path / "health.sgw.yml"
    config.write_text((REPO_ROOT / "tests" / "integration" / "inventory_plugin" / "configs" /
                       "accounts_directory.sgw.yml").read_text()
                      + "health_signals: [express_sync, gateway, alerts]\ncache: true\n"
                        "cache_plugin: ansible.builtin.jsonfile\n")
    env = env_of(directory, tmp_path)
    directory.reset()
    process = run_ansible("ansible-inventory", "-i", config, "--list", env=env)
    assert process.returncode == 0, process.stderr
    assert_clean(process)
    listing = json.loads(process.stdout)
    hostvars = listing["_meta"]["hostvars"]
    assert all("sgw_condition" in variables for variables in hostvars.values())
    # the stopped gateway of the sample (managing) account fails its share
    assert "exports-smb@gw-0002w5nb8dj3u6qcx" in listing["sgw_reason_gateway_not_running"]["hosts"]
    assert set(listing["sgw_reason_sync_failed"]["hosts"]) == FAILED_EVERYWHERE
    assert directory.stats()["actions"]["ListAlertEvents"] >= 3  # per account and region with shares
    directory.reset()
    cached = run_ansible("ansible-inventory", "-i", config, "--list", env=env)
    assert cached.returncode == 0, cached.stderr
    assert json.loads(cached.stdout) == listing
    assert "ListAlertEvents" not in directory.stats()["actions"]
