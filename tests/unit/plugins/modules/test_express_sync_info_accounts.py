"""express_sync_info across the accounts of a resource directory (or of ``accounts``): the real module and the
real client against the in-process simulator, whose sample account manages the members of tests/simulator/data."""

from __future__ import annotations

import json
import pathlib

import pytest
import yaml
from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alibabacloud.sgw.plugins.modules import express_sync_info
from tests.support.sim_process import KEY_ID, KEY_SECRET
from tests.unit.plugins.conftest import patch_module_args

pytestmark = pytest.mark.skipif(patch_module_args is None, reason="ansible-core 2.19+ runs the module unit tests")

DATA = pathlib.Path(__file__).resolve().parents[3] / "simulator" / "data"
MEMBERS = (DATA / "member_media.yml", DATA / "member_finance.yml")
CLOSED = DATA / "member_closed.yml"
MANAGEMENT, MEDIA, FINANCE, CLOSED_ID = "1638094425718837", "1855000000000001", "1855000000000002", "1855000000000003"
MEDIA_SYNC, FINANCE_SYNC = "sync-0005m3diasync01", "sync-0006financesyn"
ENV = ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "ALIBABA_CLOUD_SGW_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_ID",
       "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_STS_ENDPOINT",
       "ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT")


@pytest.fixture
def module(in_process, monkeypatch, capsys):
    """``module(members, **args)``: ``(simulator, result)`` of express_sync_info run against a new simulator."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    warned = []  # in this (controller) process, AnsibleModule.warn goes to the Display, not into the result
    monkeypatch.setattr(AnsibleModule, "warn", lambda self, message, **kwargs: warned.append(message))

    def run(members=MEMBERS, faults=None, **args):
        simulator = in_process(members=members, faults=faults)
        given = dict(endpoint=simulator.url, sts_endpoint=simulator.url, resource_manager_endpoint=simulator.url,
                     access_key_id=KEY_ID, access_key_secret=KEY_SECRET, region="cn-shanghai", max_retries=0)
        given.update(args)
        with patch_module_args(given):
            with pytest.raises(SystemExit):
                express_sync_info.main()
        result = json.loads(capsys.readouterr().out)
        result["warned"] = list(warned)
        return simulator, result

    return run


def by_account(groups):
    found = {}
    for group in groups:
        found.setdefault((group["account_id"], group["account_name"]), set()).add(group["express_sync_id"])
    return found


def documented():
    return yaml.safe_load(express_sync_info.RETURN)["express_syncs"]["contains"]


@pytest.mark.parametrize("options, listed", [
    ({"resource_directory": True}, 1),
    ({"accounts": [{"role_arn": "acs:ram::%s:role/ResourceDirectoryAccountAccessRole" % MEDIA, "name": "media"},
                   {"role_arn": "acs:ram::%s:role/ResourceDirectoryAccountAccessRole" % FINANCE, "name": "finance"}]},
     0),
], ids=["resource_directory", "accounts"])
def test_the_groups_of_every_account_with_their_shares(module, options, listed):
    simulator, result = module(shares=True, candidates=True, **options)
    assert not result.get("failed"), result
    groups = result["express_syncs"]
    found = by_account(groups)
    assert found[(FINANCE, "finance")] == {FINANCE_SYNC}
    assert (MEDIA, "media") not in found  # media's group is of cn-hangzhou
    assert any(account == MANAGEMENT for account, dummy in found) == bool(listed)
    # every group and every share names its account; the keys are those documented
    for group in groups:
        assert set(group) == set(documented())
        assert all((share["account_id"], share["account_name"]) == (group["account_id"], group["account_name"])
                   for share in group["shares"])
    ledgers = [s for g in groups for s in g["shares"] if s["share_name"] == "ledgers"]
    assert [(s["account_name"], s["sgw_health"]) for s in ledgers] == [("finance", "failed")]
    actions = simulator.stats()["actions"]
    accounts = 2 + listed
    assert actions["GetCallerIdentity"] == 1 and actions["AssumeRole"] == 2
    assert actions.get("ListAccounts", 0) == listed
    assert actions["DescribeExpressSyncs"] == accounts
    # each account's SGW calls signed by its own credentials (the caller's own account only when listed)
    assert set(simulator.stats()["accounts"]) == {MEDIA, FINANCE} | ({MANAGEMENT} if listed else set())


@pytest.mark.parametrize("mode", [None, "fail", "error"], ids=["default", "fail", "error-of-1.1.0"])
def test_a_member_whose_role_refuses_fails_the_task(module, mode):
    options = {"on_account_error": mode} if mode else {}
    dummy, result = module(members=MEMBERS + (CLOSED,), resource_directory=True, **options)
    assert result["failed"]
    message = " ".join(result["msg"].split())
    assert message.startswith("alibabacloud.sgw.express_sync_info: account closed (%s) failed: " % CLOSED_ID)
    assert message.endswith("Set on_account_error: warn to keep the other accounts.")
    assert result["error_code"] == "NoPermission" and result["request_id"]
    assert KEY_SECRET not in result["msg"]


def test_a_member_whose_role_refuses_is_named_and_skipped(module):
    dummy, result = module(members=MEMBERS + (CLOSED,), resource_directory=True, on_account_error="warn",
                           shares=True)
    assert not result.get("failed"), result
    assert (FINANCE, "finance") in by_account(result["express_syncs"])
    assert CLOSED_ID not in {group["account_id"] for group in result["express_syncs"]}
    warnings = [" ".join(w.split()) for w in result["warned"]]
    assert len(warnings) == 1
    assert warnings[0].startswith("alibabacloud.sgw.express_sync_info: account closed (%s) skipped: " % CLOSED_ID)
    assert "NoPermission" in warnings[0] and "RequestId" in warnings[0]


def test_without_account_options_one_account_as_before(module):
    simulator, result = module(shares=True)
    assert result["express_syncs"]
    assert not any("account_id" in group for group in result["express_syncs"])
    assert "GetCallerIdentity" not in simulator.stats()["actions"]
    assert set(simulator.stats()["accounts"]) == {MANAGEMENT}


@pytest.mark.parametrize("max_concurrency, side_by_side", [(1, False), (2, True), (8, True)])
def test_one_bound_for_every_account(module, max_concurrency, side_by_side):
    """Every call (each held a little by the simulator, so that calls can overlap) under the one bound; above
    one, the accounts are read side by side."""
    simulator, result = module(resource_directory=True, shares=True, candidates=True, max_concurrency=max_concurrency,
                               health_signals=["express_sync", "gateway", "file_share", "alerts"],
                               faults={"latency_ms": 50})
    assert not result.get("failed"), result
    peak = simulator.stats()["peak_concurrency"]
    assert peak <= max_concurrency
    assert (peak >= 2) is side_by_side


@pytest.mark.parametrize("options, said", [
    ({"resource_directory": True, "accounts": [{"role_arn": "acs:ram::1:role/r"}]},
     "accounts and resource_directory: true exclude each other"),
    ({"account_ids": ["1"]}, "account_ids needs resource_directory: true"),
    ({"resource_directory": True, "max_concurrency": 0}, "max_concurrency must be 1 or more"),
    ({"resource_directory": True, "on_account_error": "ignore"}, "on_account_error must be one of: fail, warn, error"),
])
def test_the_account_options_are_checked_before_any_call(module, options, said):
    simulator, result = module(**options)
    assert result["failed"] and said in result["msg"]
    assert simulator.stats()["total"] == 0
