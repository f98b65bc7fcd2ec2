# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several accounts: ListAccounts, the accounts' credentials and the estate of every account, read
side by side under one bound, against the in-process simulator with a resource directory."""

from __future__ import annotations

import pathlib
import time

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials import accounts as accounts_module
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.accounts import (
    AccountCredentials,
    AccountTarget,
    account_option_problems,
    role_account_id,
    targets_from_directory,
    targets_from_options,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.sts import StsCaller, StsClient
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.accounts import AccountFailure, AccountsFetcher
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.fetch import EstateFetcher
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.signals import SignalFetcher
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwCredentialError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.resource_manager import (
    ResourceManagerClient,
    list_accounts,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import RetryPolicy, SgwClient
from tests.support.in_process import record_callers
from tests.support.sim_process import KEY_ID, KEY_SECRET, Simulator

DATA = pathlib.Path(__file__).resolve().parents[3] / "simulator" / "data"
MEMBERS = (DATA / "member_media.yml", DATA / "member_finance.yml")
CLOSED = DATA / "member_closed.yml"
MANAGEMENT, MEDIA, FINANCE, CLOSED_ID = "1638094425718837", "1855000000000001", "1855000000000002", "1855000000000003"
REGIONS = ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]
NO_RETRY = RetryPolicy(max_retries=0)


def rd_role(account_id):
    return "acs:ram::%s:role/ResourceDirectoryAccountAccessRole" % account_id


@pytest.fixture
def directory(in_process):
    def start(members=MEMBERS, **faults):
        return in_process(members=members, faults=faults)
    return start


def base():
    return Credentials(KEY_ID, KEY_SECRET)


def sts_of(simulator):
    return StsCaller(lambda creds, endpoint: StsClient(creds, endpoint=endpoint, retry=NO_RETRY), simulator.url)


def account_credentials(simulator):
    sts = sts_of(simulator)
    return AccountCredentials(base(), sts, sts.caller_account_id(base()), "sgw-test", 3600)


def fetch(simulator, targets, max_concurrency=4, fail_fast=True, fail_fast_regions=True, cached=None):
    fetcher = AccountsFetcher(account_credentials(simulator),
                              lambda creds: SgwClient(creds, endpoint=simulator.url, retry=NO_RETRY),
                              lambda client, target: EstateFetcher(client, max_concurrency=max_concurrency,
                                                                   fail_fast=fail_fast_regions),
                              max_concurrency=max_concurrency, fail_fast=fail_fast, cached=cached)
    return fetcher.fetch(targets, REGIONS)


def groups(entry):
    return sorted(g["ExpressSyncId"] for data in entry["regions"].values() for g in data["express_syncs"])


def test_list_accounts_pages_the_directory(directory):
    simulator = directory(members=MEMBERS + (CLOSED,))
    client = ResourceManagerClient(base(), endpoint=simulator.url, retry=NO_RETRY)
    accounts_module_pages = list_accounts(client)
    assert [(a["account_id"], a["name"]) for a in accounts_module_pages] == [
        (MANAGEMENT, "account-" + MANAGEMENT), (MEDIA, "media"), (FINANCE, "finance"), (CLOSED_ID, "closed")]
    assert simulator.stats()["actions"] == {"ListAccounts": 1}


@pytest.mark.parametrize("total_count", ["present", "absent"])
def test_list_accounts_reads_every_page(directory, monkeypatch, total_count):
    monkeypatch.setattr("ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.resource_manager."
                        "ACCOUNTS_PAGE_SIZE", 1)
    simulator = directory(members=MEMBERS + (CLOSED,), total_count=total_count)
    client = ResourceManagerClient(base(), endpoint=simulator.url, retry=NO_RETRY)
    assert [a["account_id"] for a in list_accounts(client)] == [MANAGEMENT, MEDIA, FINANCE, CLOSED_ID]


def test_list_accounts_refused_says_what_to_check(directory):
    simulator = directory()
    sts = sts_of(simulator)
    media, dummy = sts.assume_role(base(), rd_role(MEDIA), "sgw-test", 3600)
    client = ResourceManagerClient(media, endpoint=simulator.url, retry=NO_RETRY)
    with pytest.raises(SgwApiError) as caught:
        list_accounts(client)
    assert caught.value.code == "NoPermission"
    assert "resourcemanager:ListAccounts" in str(caught.value) and "hcs-sgw" not in str(caught.value)


def test_three_accounts_each_with_its_own_estate_and_one_assume_role_per_member(directory):
    simulator = directory()
    listed = list_accounts(ResourceManagerClient(base(), endpoint=simulator.url, retry=NO_RETRY))
    simulator.reset()
    result = fetch(simulator, targets_from_directory(listed))["accounts"]
    assert [(e["account_id"], e["caller"], e["error"]) for e in result] == [
        (MANAGEMENT, True, None), (MEDIA, False, None), (FINANCE, False, None)]
    assert groups(result[1]) == ["sync-0005m3diasync01"]
    assert groups(result[2]) == ["sync-0006financesyn"]
    assert "sync-0005m3diasync01" not in groups(result[0]) and groups(result[0])
    stats = simulator.stats()
    assert stats["actions"]["AssumeRole"] == 2  # the caller's own account is read with its own credentials
    assert stats["peak_concurrency"] <= 4
    # Each account's SGW calls were signed by its own credentials: each member answered for itself.
    assert set(stats["accounts"]) == {MANAGEMENT, MEDIA, FINANCE}


def test_one_bound_for_every_account(directory):
    simulator = directory()
    targets = targets_from_directory(list_accounts(ResourceManagerClient(base(), endpoint=simulator.url,
                                                                         retry=NO_RETRY)))
    simulator.reset()
    fetch(simulator, targets, max_concurrency=1)
    assert simulator.stats()["peak_concurrency"] == 1


def test_a_refused_member_fails_the_read(directory):
    simulator = directory(members=MEMBERS + (CLOSED,))
    targets = targets_from_directory(list_accounts(ResourceManagerClient(base(), endpoint=simulator.url,
                                                                         retry=NO_RETRY)))
    with pytest.raises(AccountFailure) as caught:
        fetch(simulator, targets)
    assert caught.value.target.account_id == CLOSED_ID
    assert isinstance(caught.value.error, SgwCredentialError) and caught.value.error.code == "NoPermission"
    assert "closed (1855000000000003)" in str(caught.value)


def test_a_refused_member_is_skipped_and_named_the_others_whole(directory):
    simulator = directory(members=MEMBERS + (CLOSED,))
    targets = targets_from_directory(list_accounts(ResourceManagerClient(base(), endpoint=simulator.url,
                                                                         retry=NO_RETRY)))
    result = fetch(simulator, targets, fail_fast=False)["accounts"]
    closed = result[3]
    assert closed["regions"] is None and closed["error"]["code"] == "NoPermission"
    assert all(e["error"] is None for e in result[:3])
    assert groups(result[1]) == ["sync-0005m3diasync01"]


def test_a_failed_region_fails_its_account_only_when_regions_fail_fast(directory):
    simulator = directory(unavailable_regions=["ap-southeast-1"])
    targets = [AccountTarget(MEDIA, "media", rd_role(MEDIA))]
    result = fetch(simulator, targets, fail_fast=False)["accounts"]
    assert result[0]["error"]["region"] == "ap-southeast-1"
    result = fetch(simulator, targets, fail_fast=False, fail_fast_regions=False)["accounts"]
    assert result[0]["error"] is None and result[0]["regions"]["ap-southeast-1"]["error"]["code"] == \
        "ServiceUnavailable"


def test_a_cached_account_is_neither_assumed_nor_read(directory):
    simulator = directory()
    targets = [AccountTarget(MEDIA, "media", rd_role(MEDIA)), AccountTarget(FINANCE, "finance", rd_role(FINANCE))]
    cached = {MEDIA: {"cn-hangzhou": {"express_syncs": []}}}
    simulator.reset()
    result = fetch(simulator, targets, cached=lambda target: cached.get(target.account_id))["accounts"]
    assert result[0]["regions"] == cached[MEDIA]
    stats = simulator.stats()
    assert stats["actions"]["AssumeRole"] == 1 and set(stats["accounts"]) == {FINANCE}


def test_accounts_option_names_roles_and_external_ids():
    entries = [{"role_arn": rd_role(MEDIA), "name": "media"}, {"role_arn": "acs:ram::42:role/x", "external_id": "e"}]
    assert targets_from_options(entries) == [AccountTarget(MEDIA, "media", rd_role(MEDIA)),
                                             AccountTarget("42", "42", "acs:ram::42:role/x", "e")]


@pytest.mark.parametrize("accounts, role_name, account_ids, problem", [
    ([{"role_arn": "arn:aws:iam::1:role/x"}], None, None, "is not a role ARN"),
    ([{"role_arn": rd_role(MEDIA), "region": "x"}], None, None, "unknown key(s) region"),
    (["acs:ram::1:role/x"], None, None, "must be a mapping"),
    ([{"role_arn": rd_role(MEDIA)}, {"role_arn": rd_role(MEDIA)}], None, None, "named twice"),
    ([{"role_arn": rd_role(MEDIA), "name": 3}], None, None, "name must be a string"),
    (None, "bad role/name", None, "is not a RAM role name"),
    (None, None, ["12a"], "is not an account id"),
])
def test_account_option_problems(accounts, role_name, account_ids, problem):
    problems = account_option_problems(accounts, role_name, account_ids)
    assert len(problems) == 1 and problem in problems[0]


def test_directory_targets_keep_the_account_ids_asked_for():
    listed = [{"account_id": MEDIA, "name": "media"}, {"account_id": FINANCE, "name": "finance"}]
    assert targets_from_directory(listed, "Reader", [FINANCE]) == [
        AccountTarget(FINANCE, "finance", "acs:ram::%s:role/Reader" % FINANCE)]
    assert role_account_id("acs:ram::%s:role/Reader" % FINANCE) == FINANCE


def test_member_credentials_are_assumed_once_and_renewed(directory):
    simulator = directory()
    credentials = account_credentials(simulator)
    target = AccountTarget(MEDIA, "media", rd_role(MEDIA))
    first = credentials.of(target)
    assert credentials.of(target) is first
    assert isinstance(first, accounts_module.RefreshingCredentials)
    assert credentials.of(AccountTarget(MANAGEMENT, "m", rd_role(MANAGEMENT))) is credentials.base


def test_member_credentials_are_renewed_before_they_expire(directory):
    simulator = directory()
    now = [time.time()]
    sts = sts_of(simulator)
    credentials = AccountCredentials(base(), sts, MANAGEMENT, "sgw-test", 900, clock=lambda: now[0])
    target = AccountTarget(MEDIA, "media", rd_role(MEDIA))
    first = credentials.of(target).current()
    assert credentials.of(target).current() is first and sts.calls == 1
    now[0] += 900 - 60  # within the last quarter of the lifetime: renewed before the next call
    renewed = credentials.of(target).current()
    assert renewed is not first and renewed.access_key_id != first.access_key_id and sts.calls == 2
    client = SgwClient(credentials.of(target), endpoint=simulator.url, retry=NO_RETRY)
    assert client.call("DescribeExpressSyncs", "cn-hangzhou")["ExpressSyncs"]["ExpressSync"]


@pytest.mark.parametrize("bound", [1, 2])
def test_one_bound_for_every_call_of_every_account_health_signals_included(directory, bound):
    simulator = directory()
    targets = targets_from_directory(list_accounts(ResourceManagerClient(base(), endpoint=simulator.url,
                                                                         retry=NO_RETRY)))
    credentials = account_credentials(simulator)
    simulator.reset()
    made = record_callers(simulator)
    fetcher = AccountsFetcher(credentials,
                              lambda creds: SgwClient(creds, endpoint=simulator.url, retry=NO_RETRY),
                              lambda client, target: SignalFetcher(EstateFetcher(client, max_concurrency=bound), client,
                                                                   ["express_sync", "file_share", "alerts"]),
                              max_concurrency=bound)
    result = fetcher.fetch(targets, REGIONS)["accounts"]
    assert all(entry["error"] is None for entry in result)
    signal_calls = [thread for action, thread in made if action in ("DescribeGatewayFileShares", "ListAlertEvents")]
    assert len(signal_calls) >= 2 * len(targets)  # every account read its signals (alerts: one per region)
    # Every call, the signal reads of every account included, was made by one of the ``bound`` threads of the one
    # pool: never more than ``bound`` calls in flight, whatever the timing.
    assert len({id(thread) for dummy, thread in made}) <= bound
    assert simulator.stats()["peak_concurrency"] <= bound


def test_every_account_sends_through_the_callers_connections():
    with Simulator("--member-account=%s" % MEMBERS[0], "--member-account=%s" % MEMBERS[1]) as simulator:
        caller = SgwClient(base(), endpoint=simulator.url, retry=NO_RETRY, pool_size=4)
        sts = StsCaller(lambda creds, endpoint: caller.with_credentials(creds, StsClient, endpoint), simulator.url)
        manager = caller.with_credentials(base(), ResourceManagerClient, simulator.url)
        targets = targets_from_directory(list_accounts(manager))
        manager.close()  # a client made from the caller's leaves its connections open
        credentials = AccountCredentials(base(), sts, sts.caller_account_id(base()), "sgw-test", 3600)
        fetcher = AccountsFetcher(credentials, caller.with_credentials,
                                  lambda client, target: EstateFetcher(client, max_concurrency=4), max_concurrency=4)
        result = fetcher.fetch(targets, REGIONS)["accounts"]
        assert [entry["error"] for entry in result] == [None] * 3
        made = simulator.stats()["total"]
        pools = list(caller._connections.poolmanager.pools._container.values())  # pylint: disable=protected-access
        # Every call of every account (STS and Resource Manager too) went through the caller's connection pool,
        # on at most as many connections as calls in flight, not a pool (and handshakes) of each account's own.
        assert sum(pool.num_requests for pool in pools) == made
        assert sum(pool.num_connections for pool in pools) <= 4
        caller.close()
