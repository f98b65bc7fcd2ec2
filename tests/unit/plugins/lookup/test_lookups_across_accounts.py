"""The lookups across the accounts of a resource directory (or of ``accounts``): the real lookups and the real
client against the in-process simulator, whose sample account manages the members of tests/simulator/data."""

from __future__ import annotations

import pathlib

import pytest

from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.plugins.loader import lookup_loader

from tests.support.sim_process import KEY_ID, KEY_SECRET
from tests.unit.plugins.lookup.conftest import Recorder

DATA = pathlib.Path(__file__).resolve().parents[3] / "simulator" / "data"
MEMBERS = (DATA / "member_media.yml", DATA / "member_finance.yml")
CLOSED = DATA / "member_closed.yml"
MANAGEMENT, MEDIA, FINANCE, CLOSED_ID = "1638094425718837", "1855000000000001", "1855000000000002", "1855000000000003"
MANAGEMENT_NAME = "account-" + MANAGEMENT  # the sample account's display name in the directory
MEDIA_SYNC, FINANCE_SYNC, CLOSED_SYNC = "sync-0005m3diasync01", "sync-0006financesyn", "sync-0007closedsync1"
MANAGEMENT_SYNC = "sync-0001xv7je357xn8t"  # a group of the sample account in cn-hangzhou


def role(account_id, name="ResourceDirectoryAccountAccessRole"):
    return "acs:ram::%s:role/%s" % (account_id, name)


@pytest.fixture
def directory(in_process, clean_env):
    def start(members=MEMBERS, **faults):
        return in_process(members=members, faults=faults)
    return start


def run(simulator, name, terms=(), **options):
    """``(rows, warnings)`` of the real lookup ``name`` against ``simulator``."""
    plugin = lookup_loader.get("alibabacloud.sgw.%s" % name)
    display = Recorder()
    plugin._display = display
    given = dict(endpoint=simulator.url, sts_endpoint=simulator.url, resource_manager_endpoint=simulator.url,
                 access_key_id=KEY_ID, access_key_secret=KEY_SECRET, region="cn-hangzhou", max_retries=0)
    given.update(options)
    rows = plugin.run(list(terms), variables={}, **given)
    return [dict(row) for row in rows], [" ".join(w.split()) for w in display.warnings]


def accounts_of(rows):
    return {(row["account_id"], row["account_name"]) for row in rows}


@pytest.mark.parametrize("options, listed", [
    ({"resource_directory": True}, 1),
    ({"accounts": [{"role_arn": role(MANAGEMENT, "any")}, {"role_arn": role(MEDIA), "name": "media"},
                   {"role_arn": role(FINANCE), "name": "finance"}]}, 0),
], ids=["resource_directory", "accounts"])
def test_express_syncs_of_every_account(directory, options, listed):
    simulator = directory()
    rows, warnings = run(simulator, "express_syncs", **options)
    assert warnings == []
    by_account = {}
    for row in rows:
        by_account.setdefault(row["account_id"], set()).add(row["express_sync_id"])
    # finance's group is of cn-shanghai: that account was read (its call is counted below), and has no row
    assert by_account[MEDIA] == {MEDIA_SYNC} and FINANCE not in by_account
    assert MANAGEMENT_SYNC in by_account[MANAGEMENT]
    names = {MANAGEMENT: MANAGEMENT_NAME if listed else MANAGEMENT}
    assert accounts_of(rows) == {(MANAGEMENT, names[MANAGEMENT]), (MEDIA, "media")}
    shanghai, dummy = run(simulator, "express_syncs", region="cn-shanghai", **options)
    assert {row["express_sync_id"] for row in shanghai if row["account_id"] == FINANCE} == {FINANCE_SYNC}
    assert {(row["account_id"], row["account_name"]) for row in shanghai if row["account_id"] == FINANCE} == {
        (FINANCE, "finance")}
    simulator.reset()
    run(simulator, "express_syncs", **options)
    # The ideal: one AssumeRole per member (the caller's account is read with its own credentials), one
    # GetCallerIdentity, ListAccounts only for the directory, and the one call of one account, per account.
    assert simulator.stats()["actions"] == dict({"GetCallerIdentity": 1, "AssumeRole": 2, "DescribeExpressSyncs": 3},
                                                **({"ListAccounts": 1} if listed else {}))
    assert set(simulator.stats()["accounts"]) == {MANAGEMENT, MEDIA, FINANCE}


def test_express_sync_shares_of_groups_of_several_accounts(directory):
    simulator = directory()
    rows, warnings = run(simulator, "express_sync_shares", [MANAGEMENT_SYNC, MEDIA_SYNC, FINANCE_SYNC],
                         resource_directory=True, on_missing="skip")
    assert warnings == []
    got = {(row["account_id"], row["express_sync_id"]) for row in rows}
    # each group in its own account (the other accounts do not have it: skipped there); finance's group is
    # of cn-shanghai, not asked here
    assert {(MEDIA, MEDIA_SYNC), (MANAGEMENT, MANAGEMENT_SYNC)} == got
    failed = {(row["account_name"], row["share_name"]) for row in rows if row["sgw_health"] == "failed"}
    assert ("media", "proxies") in failed
    assert all(row["sgw_condition"] for row in rows)  # the verdict, as for one account
    actions = simulator.stats()["actions"]
    assert (actions["AssumeRole"], actions["GetCallerIdentity"], actions["ListAccounts"]) == (2, 1, 1)
    # One DescribeExpressSyncs per account tells which ids it has; DescribeExpressSyncShares only in the two
    # accounts that have some (their ids only, in one call each).
    assert (actions["DescribeExpressSyncs"], actions["DescribeExpressSyncShares"]) == (3, 2)


GONE = "sync-0009gonegroup0001"


@pytest.mark.parametrize("name", ["express_syncs", "express_sync_shares"])
def test_a_group_of_no_account_is_missing(directory, name):
    simulator = directory()
    rows, warnings = run(simulator, name, [MEDIA_SYNC, GONE], resource_directory=True, on_missing="warn")
    assert {row["account_id"] for row in rows} == {MEDIA}
    assert len(warnings) == 1 and GONE in warnings[0] and MEDIA_SYNC not in warnings[0]
    assert "in any of the accounts" in warnings[0] and "(on_missing=warn)" in warnings[0]
    with pytest.raises(AnsibleLookupError, match="%s .*in region cn-hangzhou in any of the accounts" % GONE):
        run(simulator, name, [MEDIA_SYNC, GONE], resource_directory=True)


@pytest.mark.parametrize("mode", [None, "fail", "error"], ids=["default", "fail", "error-of-1.1.0"])
@pytest.mark.parametrize("name", ["express_syncs", "express_sync_shares"])
def test_a_member_whose_role_refuses_fails_the_lookup(directory, mode, name):
    simulator = directory(members=MEMBERS + (CLOSED,))
    options = {"on_account_error": mode} if mode else {}
    with pytest.raises(AnsibleLookupError) as caught:
        run(simulator, name, [MEDIA_SYNC] if name == "express_sync_shares" else [], resource_directory=True,
            on_missing="skip", **options)
    message = " ".join(str(caught.value).split())
    assert message.startswith("alibabacloud.sgw.%s: account closed (%s) failed: " % (name, CLOSED_ID))
    assert "NoPermission" in message and "RequestId" in message
    assert message.endswith("Set on_account_error: warn to keep the other accounts.")
    assert KEY_SECRET not in message


@pytest.mark.parametrize("name", ["express_syncs", "express_sync_shares"])
def test_a_member_whose_role_refuses_is_named_and_skipped(directory, name):
    simulator = directory(members=MEMBERS + (CLOSED,))
    terms = [MEDIA_SYNC, FINANCE_SYNC, CLOSED_SYNC] if name == "express_sync_shares" else []
    # on_missing is left at error: a group of the skipped account is not known to be missing
    rows, warnings = run(simulator, name, terms, resource_directory=True, on_account_error="warn")
    assert CLOSED_ID not in {row["account_id"] for row in rows}
    assert MEDIA in {row["account_id"] for row in rows}
    assert warnings[0].startswith("alibabacloud.sgw.%s: account closed (%s) skipped: " % (name, CLOSED_ID))
    assert "NoPermission" in warnings[0] and "RequestId" in warnings[0]
    if name == "express_sync_shares":  # the closed account's group: not said to be missing, it may be there
        assert len(warnings) == 2 and CLOSED_SYNC in warnings[1] and MEDIA_SYNC not in warnings[1]
        assert warnings[1].endswith("an account that could not be read may have it")
    else:
        assert len(warnings) == 1


def test_without_account_options_one_account_as_before(directory):
    simulator = directory()
    rows, warnings = run(simulator, "express_syncs")
    assert rows and not any("account_id" in row for row in rows)
    assert simulator.stats()["actions"] == {"DescribeExpressSyncs": 1}
    assert set(simulator.stats()["accounts"]) == {MANAGEMENT}


@pytest.mark.parametrize("max_concurrency, side_by_side", [(1, False), (2, True), (8, True)])
def test_one_bound_for_every_account(directory, max_concurrency, side_by_side):
    """Every call (each held a little by the simulator, so that calls can overlap) under the one bound; above
    one, the accounts are read side by side."""
    simulator = directory(latency_ms=50)
    run(simulator, "express_sync_shares", [MANAGEMENT_SYNC, MEDIA_SYNC, FINANCE_SYNC], resource_directory=True,
        on_missing="skip", max_concurrency=max_concurrency,
        health_signals=["express_sync", "gateway", "file_share", "alerts"])
    peak = simulator.stats()["peak_concurrency"]
    assert peak <= max_concurrency
    assert (peak >= 2) is side_by_side


@pytest.mark.parametrize("options, said", [
    ({"resource_directory": True, "accounts": [{"role_arn": role(MEDIA)}]},
     "accounts and resource_directory: true exclude each other"),
    ({"accounts": [{"role_arn": "not-a-role"}]}, "accounts[0]: role_arn 'not-a-role' is not a role ARN"),
    ({"account_ids": ["1"]}, "account_ids needs resource_directory: true"),
    ({"resource_directory": True, "max_concurrency": 0}, "max_concurrency must be 1 or more"),
    ({"resource_directory": True, "on_account_error": "ignore"}, "on_account_error"),
])
def test_the_account_options_are_checked_before_any_call(directory, options, said):
    simulator = directory()
    with pytest.raises(AnsibleError) as caught:  # a choice is checked by Ansible's configuration manager
        run(simulator, "express_syncs", **options)
    assert said in str(caught.value)
    assert simulator.stats()["total"] == 0
