"""The module express_sync_resync across several accounts, against the in-process simulator with a
resource directory and the real client: one task heals the shares of several accounts, each account's
writes signed by its own credentials (a role assumed from the module's, with the external id that the
option accounts gives it); the journal records each entry's account; an interrupted heal is completed
from the journal or from the resume token alone, each entry in its own account; an account whose role
cannot be assumed keeps its entries, is named, and the others go on."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import RetryPolicy, SgwClient
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.modules import express_sync_resync
from tests.support.heal_accounts import (
    ACCOUNTS,
    EXTERNAL_ID,
    FINANCE,
    FINANCE_ROLE,
    MANAGEMENT,
    MEDIA,
    MEDIA_ROLE,
    member_files,
)
from tests.support.sim_process import KEY_ID, KEY_SECRET

FAILED = {MEDIA: {("gw-0005m3dia0gatew1", "proxies"), ("gw-0005m3dia0gatew1", "masters")},
          FINANCE: {("gw-0006f1nance0gw01", "ledgers")},
          MANAGEMENT: {("gw-0004xq2m7bd1v9hke", "render-frames")}}
WRITES = ("RemoveSharesFromExpressSync", "AddSharesToExpressSync")


@pytest.fixture
def estate(tmp_path, in_process):
    """The sample account (management) and two members: media, whose two shares are both failed, and
    finance, whose role sgw-healer trusts the management account only with an external id."""
    return in_process(members=member_files(tmp_path), task_seconds=0.05, full_sync_seconds=0.1)


def client_of(simulator):
    return SgwClient(Credentials(KEY_ID, KEY_SECRET), endpoint=simulator.url, retry=RetryPolicy(max_retries=0))


def memberships(simulator):
    """``{account: {(gateway, share): group}}`` of every member share of every account."""
    return {account: {(s["GatewayId"], s["ShareName"]): s["ExpressSyncId"] for s in document["shares"]
                      if s["ExpressSyncId"]}
            for account, document in simulator.control("/_sim/accounts").items()}


def shares_of(simulator, accounts=(MANAGEMENT, MEDIA, FINANCE)):
    """The failed shares as the inventory gives them (its host variables), of ``accounts``."""
    roles = {MANAGEMENT: None, MEDIA: MEDIA_ROLE, FINANCE: FINANCE_ROLE}
    found = []
    for account, document in simulator.control("/_sim/accounts").items():
        groups = {g["ExpressSyncId"]: g["BucketRegion"] for g in document["express_syncs"]}
        for share in document["shares"]:
            if account in accounts and (share["GatewayId"], share["ShareName"]) in FAILED[account]:
                found.append({"express_sync_id": share["ExpressSyncId"], "gateway_id": share["GatewayId"],
                              "share_name": share["ShareName"], "sgw_region": groups[share["ExpressSyncId"]],
                              "sgw_account_id": account, "sgw_account_role_arn": roles[account]})
    return found


def writes_by_account(simulator):
    return {account: {a: n for a, n in actions.items() if a in WRITES}
            for account, actions in simulator.stats()["account_actions"].items()}


def run(run_module, simulator, tmp_path, **args):
    args = dict({"journal": str(tmp_path / "journal.json"), "sts_endpoint": simulator.url, "healthy_timeout": 30,
                 "wait_timeout": 30, "max_concurrency": 4}, **args)
    return run_module(express_sync_resync.main, client_of(simulator), **args)


def test_one_task_heals_the_shares_of_several_accounts_each_with_its_own_credentials(estate, run_module, tmp_path):
    before = memberships(estate)
    result = run(run_module, estate, tmp_path, shares=shares_of(estate), accounts=ACCOUNTS)
    assert result["rc"] == 0, result["msg"]
    assert sorted(result["recovered"]) == sorted("%s@%s" % (s, g) for keys in FAILED.values() for g, s in keys)
    assert {r["account_id"] for r in result["shares"]} == {MANAGEMENT, MEDIA, FINANCE}
    assert memberships(estate) == before
    # one Remove and one Add per group, each made in its own account (with that account's credentials)
    assert writes_by_account(estate) == {account: {"RemoveSharesFromExpressSync": 1, "AddSharesToExpressSync": 1}
                                         for account in (MANAGEMENT, MEDIA, FINANCE)}
    assert estate.stats()["actions"]["AssumeRole"] == 2
    assert result["failed_accounts"] == [] and result["pending"] == [] and result["resume_token"] == ""


def test_a_role_that_cannot_be_assumed_leaves_its_account_alone_and_the_others_go_on(estate, run_module, tmp_path):
    before = memberships(estate)
    # finance's external id is not given: its role refuses the module's credentials
    result = run(run_module, estate, tmp_path, shares=shares_of(estate), accounts=ACCOUNTS[:1])
    assert result["rc"] == 1
    assert [(f["account_id"], f["role_arn"]) for f in result["failed_accounts"]] == [(FINANCE, FINANCE_ROLE)]
    assert "NoPermission" in result["failed_accounts"][0]["error"]
    assert "account %s" % FINANCE in result["msg"] and "could not be assumed" in result["msg"]
    assert FINANCE not in writes_by_account(estate)  # its shares were not touched
    assert {a: set(w) for a, w in writes_by_account(estate).items()} == {a: set(WRITES) for a in (MANAGEMENT, MEDIA)}
    assert memberships(estate) == before
    assert EXTERNAL_ID not in result["raw"] and KEY_SECRET not in result["raw"]


@pytest.mark.parametrize("resume_from", ["journal", "token"])
def test_an_interrupted_heal_is_completed_in_each_account_whatever_the_next_run_is_given(
        estate, run_module, tmp_path, resume_from):
    before = memberships(estate)
    estate.faults(deny=["AddSharesToExpressSync"])
    first = run(run_module, estate, tmp_path, shares=shares_of(estate), accounts=ACCOUNTS)
    assert first["rc"] == 1
    out = memberships(estate)
    for account, keys in FAILED.items():
        assert not keys & set(out[account])  # out of their group, members of nothing
    # every entry names its account and the role its writes were signed through; never a secret
    journal = json.loads((tmp_path / "journal.json").read_text())
    accounts = sorted((e["account"]["account_id"], e["account"]["role_arn"]) for e in journal["entries"])
    assert accounts == sorted([(MANAGEMENT, None), (MEDIA, MEDIA_ROLE), (FINANCE, FINANCE_ROLE)])
    assert all(e["account"]["key_id"] == "LTAI****on01" for e in journal["entries"])
    text = (tmp_path / "journal.json").read_text()
    assert EXTERNAL_ID not in text and KEY_SECRET not in text and "external_id" not in text
    assert journals.decode_token(first["resume_token"]) == first["pending"]
    assert len(first["pending"]) == 3

    estate.faults()
    estate.reset()
    if resume_from == "token":  # a fresh controller: no journal, only the token
        (tmp_path / "journal.json").unlink()
        given = {"resume_token": first["resume_token"]}
    else:
        given = {}
    # the next run is given no share at all (media has none left to find), only the accounts' role options
    second = run(run_module, estate, tmp_path, resume_only=True, accounts=ACCOUNTS, **given)
    assert second["rc"] == 0, second["msg"]
    assert memberships(estate) == before  # nothing lost
    assert sorted((r["account_id"], r["express_sync_id"]) for r in second["resumed"]) == sorted(
        (account, before[account][next(iter(keys))]) for account, keys in FAILED.items())
    assert writes_by_account(estate) == {account: {"AddSharesToExpressSync": 1}
                                         for account in (MANAGEMENT, MEDIA, FINANCE)}
    assert second["pending"] == [] and not (tmp_path / "journal.json").exists()


def test_entries_of_an_account_whose_role_cannot_be_assumed_stay_until_it_can(estate, run_module, tmp_path):
    before = memberships(estate)
    estate.faults(deny=["AddSharesToExpressSync"])
    first = run(run_module, estate, tmp_path, shares=shares_of(estate), accounts=ACCOUNTS)
    estate.faults()
    # resumed without finance's external id: the other accounts come back, finance's entry stays pending
    second = run(run_module, estate, tmp_path, resume_only=True, resume_token=first["resume_token"])
    assert second["rc"] == 1
    assert [e["account"]["account_id"] for e in second["pending"]] == [FINANCE]
    assert journals.decode_token(second["resume_token"]) == second["pending"]
    now = memberships(estate)
    assert {a: now[a] for a in (MANAGEMENT, MEDIA)} == {a: before[a] for a in (MANAGEMENT, MEDIA)}
    assert not FAILED[FINANCE] & set(now[FINANCE])
    # once the role can be assumed, its entry is completed: nothing lost
    third = run(run_module, estate, tmp_path, resume_only=True, accounts=ACCOUNTS)
    assert third["rc"] == 0, third["msg"]
    assert memberships(estate) == before and third["pending"] == []


@pytest.mark.parametrize("share, problem", [
    ({"sgw_account_role_arn": "arn:aws:iam::1:role/x"}, "is not a role ARN"),
    ({"sgw_account_id": MEDIA, "sgw_account_role_arn": FINANCE_ROLE}, "is not a role of the account %s" % MEDIA),
    ({"sgw_account_id": "media"}, "is not an account id"),
])
def test_a_share_whose_account_does_not_add_up_is_refused_before_any_call(
        estate, run_module, tmp_path, share, problem):
    shares = [dict(shares_of(estate, (MANAGEMENT,))[0], **share)]
    result = run(run_module, estate, tmp_path, shares=shares)
    assert result["rc"] == 1 and problem in result["msg"]
    assert estate.stats()["total"] == 0


def test_shares_of_two_accounts_without_a_role_are_refused(estate, run_module, tmp_path):
    shares = shares_of(estate, (MANAGEMENT, MEDIA))
    for share in shares:
        share["sgw_account_role_arn"] = None
    result = run(run_module, estate, tmp_path, shares=shares)
    assert result["rc"] == 1 and "name no role_arn" in result["msg"]
