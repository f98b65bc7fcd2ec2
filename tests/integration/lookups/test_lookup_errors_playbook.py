"""on_missing and on_denied in a real ansible-playbook run against the simulator."""

from __future__ import annotations

import re

import pytest

from tests.integration.lookups.conftest import assert_no_secret

REQUEST_ID = re.compile(r"RequestId [0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")


@pytest.fixture(scope="module")
def run(play):
    result = play("errors")
    assert result.rc == 0, result.explain()
    assert result.report is not None, result.explain()
    return result


@pytest.fixture(scope="module")
def errors(run):
    return run.report["errors"]


def warnings_about(run, text):
    return [w for w in run.warnings() if text in w]


def test_several_ids_in_one_call_and_in_batches(run):
    assert run.report["happy"] == ["media-nfs", "media-smb", "media-proxy", "daily"]
    assert run.report["happy_batches"] == run.report["happy"]


def test_on_missing_error_names_only_the_missing_ids(errors):
    message = errors["missing_several"]
    assert ("express sync groups sync-0001gone, sync-0001lost do not exist in region cn-hangzhou "
            "(ExpressSyncNotExist from DescribeExpressSyncShares, RequestId") in message
    assert REQUEST_ID.search(message)
    assert "sync-0001lookupmedia" not in message and "sync-0001lookupdaily" not in message
    assert "(on_missing=error)" in message


def test_on_missing_error_for_a_single_id(errors):
    assert "express sync group sync-0001gone does not exist in region cn-hangzhou" in errors["missing_one"]
    assert REQUEST_ID.search(errors["missing_one"])


def test_on_missing_warn_returns_the_others_and_warns(run):
    assert run.report["warned"] == ["media-nfs", "media-smb", "media-proxy"]
    warned = warnings_about(run, "sync-0001warned")
    assert len(warned) == 1
    assert warned[0].startswith("alibabacloud.sgw.express_sync_shares: express sync group sync-0001warned does not "
                                "exist in region cn-hangzhou (ExpressSyncNotExist")
    assert "(on_missing=warn)" in warned[0]


def test_on_missing_skip_returns_the_others_silently(run):
    assert run.report["skipped"] == ["daily"]
    assert run.report["all_skipped"] == []
    assert warnings_about(run, "skipped") == []


def test_express_syncs_on_missing(run, errors):
    assert run.report["groups_warned"] == ["media"]
    assert len(warnings_about(run, "sync-0001groupwarned is not listed by DescribeExpressSyncs")) == 1
    assert run.report["groups_skipped"] == []
    assert warnings_about(run, "sync-0001groupskipped") == []
    assert errors["groups_missing"].endswith(
        "express sync group sync-0001groupgone is not listed by DescribeExpressSyncs in region cn-hangzhou for bucket "
        "media-bucket (on_missing=error)")


def test_on_denied_warn_and_skip_return_nothing(run):
    assert run.report["denied_warned"] == []
    assert run.report["denied_skipped"] == []
    assert run.report["groups_denied_skipped"] == []
    denied = warnings_about(run, "Forbidden.RAM")
    assert len(denied) == 1
    assert denied[0].startswith("alibabacloud.sgw.express_sync_shares: DescribeExpressSyncShares in region cn-hangzhou "
                                "failed: Forbidden.RAM (HTTP 403)")
    assert "(on_denied=warn)" in denied[0]


@pytest.mark.parametrize("key, action", [("denied", "DescribeExpressSyncShares"),
                                         ("groups_denied", "DescribeExpressSyncs")])
def test_on_denied_error_names_code_request_id_and_the_fix(errors, key, action):
    message = errors[key]
    assert "%s in region cn-hangzhou failed: Forbidden.RAM (HTTP 403)" % action in message
    assert REQUEST_ID.search(message)
    assert "hint: grant the RAM action hcs-sgw:%s" % action in message
    assert "credentials from" in message


def test_errors_have_no_traceback_and_no_secret(run):
    assert "Traceback" not in run.output
    assert_no_secret(run.output)


def test_calls(run):
    # Happy: 1 + 2 share calls, and 1 listing each (weekly has no share: the listing tells that it is an
    # empty group, not a missing one). Several missing, error: 1 share call + 1 listing. One missing: 1.
    # warn and skip among others: 2 share calls + 1 listing each. One missing, skip: 1.
    # express_syncs: 3 listings. Denied: 3 share calls and 2 listings.
    assert run.stats["actions"] == {"DescribeExpressSyncShares": 3 + 1 + 1 + 2 * 2 + 1 + 3,
                                    "DescribeExpressSyncs": 2 + 1 + 2 + 3 + 2}
    assert run.stats["errors"] == {"ExpressSyncNotExist": 5, "Forbidden.RAM": 5}
