# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's resource directory: --member-account, ListAccounts, the members' access role,
and SGW calls that see the estate of the caller's account only."""

from __future__ import annotations

import pytest
from tests.support.simlib import REPO_ROOT, Client, run_simulator

DATA = REPO_ROOT / "tests" / "simulator" / "data"
MANAGEMENT = "1638094425718837"
MEDIA, FINANCE, CLOSED = "1855000000000001", "1855000000000002", "1855000000000003"
MEMBERS = ("--member-account", str(DATA / "member_media.yml"), "--member-account", str(DATA / "member_finance.yml"),
           "--member-account", str(DATA / "member_closed.yml"))
RD_VERSION = "2020-03-31"
STS_VERSION = "2015-04-01"


def access_role(account_id):
    return f"acs:ram::{account_id}:role/ResourceDirectoryAccountAccessRole"


@pytest.fixture(scope="module")
def directory(start_simulator):
    return start_simulator(*MEMBERS)


def list_accounts(client, **params):
    response = client.call("ListAccounts", {k: str(v) for k, v in params.items()}, version=RD_VERSION)
    return response.status_code, response.json()


def assume(client, role_arn):
    response = client.call("AssumeRole", {"RoleArn": role_arn, "RoleSessionName": "directory-test"},
                           version=STS_VERSION)
    return response.status_code, response.json()


def member_client(simulator, management, account_id):
    status, body = assume(management, access_role(account_id))
    assert status == 200, body
    creds = body["Credentials"]
    return Client(simulator.url, creds["AccessKeyId"], creds["AccessKeySecret"], creds["SecurityToken"])


def group_ids(client, region):
    client.region = region
    return sorted(g["ExpressSyncId"] for g in client.ok("DescribeExpressSyncs")["ExpressSyncs"]["ExpressSync"])


def test_list_accounts_pages_the_management_account_first_then_the_members(directory):
    management = directory.client()
    first = list_accounts(management, PageSize=2)[1]
    second = list_accounts(management, PageSize=2, PageNumber=2)[1]
    assert (first["TotalCount"], first["PageNumber"], first["PageSize"]) == (4, 1, 2)
    ids = [a["AccountId"] for page in (first, second) for a in page["Accounts"]["Account"]]
    assert ids == [MANAGEMENT, MEDIA, FINANCE, CLOSED]
    media = first["Accounts"]["Account"][1]
    assert (media["DisplayName"], media["Type"], media["Status"]) == ("media", "ResourceAccount", "CreateSuccess")
    assert media["ResourceDirectoryPath"].endswith("/" + MEDIA)


@pytest.mark.parametrize("params, code", [({"PageSize": 101}, "InvalidParameter"),
                                          ({"PageNumber": 0}, "InvalidParameter")])
def test_list_accounts_checks_its_paging(directory, params, code):
    status, body = list_accounts(directory.client(), **params)
    assert (status, body["Code"]) == (400, code)


def test_only_the_management_account_may_list_the_accounts(directory):
    media = member_client(directory, directory.client(), MEDIA)
    status, body = list_accounts(media)
    assert (status, body["Code"]) == (403, "NoPermission")


def test_without_members_there_is_no_directory(start_simulator):
    status, body = list_accounts(start_simulator().client())
    assert (status, body["Code"]) == (404, "EntityNotExists.ResourceDirectory")


def test_a_member_call_sees_that_member_estate_only(directory):
    management = directory.client()
    media = member_client(directory, management, MEDIA)
    finance = member_client(directory, management, FINANCE)
    assert group_ids(media, "cn-hangzhou") == ["sync-0005m3diasync01"]
    assert group_ids(finance, "cn-shanghai") == ["sync-0006financesyn"]
    assert group_ids(finance, "cn-hangzhou") == []
    assert "sync-0005m3diasync01" not in group_ids(management, "cn-hangzhou")
    directory.control("POST", "reset")
    media.region = "cn-hangzhou"
    media.ok("DescribeExpressSyncs")
    assert directory.stats()["accounts"] == {MEDIA: 1}


def test_the_access_role_trusts_the_management_account_only(directory):
    management = directory.client()
    media = member_client(directory, management, MEDIA)
    status, body = assume(media, access_role(FINANCE))  # a member may not hop to another member
    assert (status, body["Code"]) == (403, "NoPermission")
    status, body = assume(management, access_role(CLOSED))  # this member's own role trusts nobody
    assert (status, body["Code"]) == (403, "NoPermission")


def test_the_management_account_may_be_left_out_of_the_listing(start_simulator):
    simulator = start_simulator(*MEMBERS, "--rd-management", "unlisted", "--total-count", "absent")
    body = list_accounts(simulator.client(), PageSize=100)[1]
    assert "TotalCount" not in body
    assert [a["AccountId"] for a in body["Accounts"]["Account"]] == [MEDIA, FINANCE, CLOSED]


def test_a_member_account_id_given_twice_is_refused():
    member = str(DATA / "member_media.yml")
    result = run_simulator("--access-key", "a:b", "--member-account", member, "--member-account", member)
    assert result.returncode == 2
    assert "1855000000000001 is given twice" in result.stderr


def test_get_caller_identity_names_the_account_of_the_caller(directory):
    management = directory.client()
    media = member_client(directory, management, MEDIA)
    for client, account in ((management, MANAGEMENT), (media, MEDIA)):
        response = client.call("GetCallerIdentity", version=STS_VERSION)
        assert response.status_code == 200, response.text
        assert response.json()["AccountId"] == account
