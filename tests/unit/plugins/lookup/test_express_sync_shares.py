"""The express_sync_shares lookup against a scripted SGW: calls made, results, on_missing / on_denied."""

from __future__ import annotations

import copy

import pytest

from ansible.errors import AnsibleLookupError, AnsibleOptionsError
try:
    from ansible.template import is_trusted_as_template, trust_as_template
except ImportError:  # before ansible-core 2.19 (no data tagging); the core-2.NN sessions collect this module too
    pytest.skip("data tagging: ansible-core 2.19 and later", allow_module_level=True)

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwTransportError
from tests.simulator.account import Account
from tests.unit.plugins.lookup.conftest import ACCOUNT, share

REGION = {"region": "cn-hangzhou"}
SHARE_KEYS = {"express_sync_id", "express_sync_state", "sync_progress", "share_name", "gateway_id", "gateway_name",
              "gateway_region", "storage_bundle_id", "mns_queue", "sgw_health", "sgw_condition",
              "sgw_condition_reasons"}


def names(shares):
    return [s["share_name"] for s in shares]


def test_members_of_one_group_have_the_inventory_keys(make_lookup, sgw):
    result = make_lookup("express_sync_shares").run(["sync-a"], **REGION)
    assert names(result) == ["media-nfs", "media-smb"]
    assert set(result[0]) == SHARE_KEYS
    assert [s["sgw_health"] for s in result] == ["healthy", "failed"]
    assert result[1]["sync_progress"] == 40
    assert sgw.calls == [("DescribeExpressSyncShares", "cn-hangzhou",
                          {"ExpressSyncIds": "sync-a", "IsExternal": False})]
    assert sgw.closed


def test_result_strings_are_never_templated(make_lookup, sgw):
    share = sgw.service.account.shares[("gw-1", "media-nfs")]
    share["ShareName"] = trust_as_template("{{ lookup('pipe', 'id') }}")
    assert is_trusted_as_template(share["ShareName"])
    result = make_lookup("express_sync_shares").run(["sync-a"], **REGION)
    assert result[0]["share_name"] == "{{ lookup('pipe', 'id') }}"
    assert not is_trusted_as_template(result[0]["share_name"])


def test_candidates(make_lookup, sgw):
    result = make_lookup("express_sync_shares").run(["sync-a"], is_external=True, **REGION)
    assert names(result) == ["scratch"]
    assert result[0]["sgw_health"] == "disabled"
    assert sgw.calls[0][2]["IsExternal"] is True


@pytest.mark.parametrize("terms, sent", [
    (["sync-a,sync-b"], "sync-a,sync-b"),
    (["sync-a", "sync-b"], "sync-a,sync-b"),
    ([["sync-b", "sync-a"]], "sync-b,sync-a"),
    ([" sync-a , sync-b ,", "sync-a"], "sync-a,sync-b"),
])
def test_all_ids_in_one_call(make_lookup, sgw, terms, sent):
    result = make_lookup("express_sync_shares").run(terms, **REGION)
    assert sgw.actions() == ["DescribeExpressSyncShares"]
    assert sgw.calls[0][2]["ExpressSyncIds"] == sent
    assert sorted(names(result)) == ["daily", "media-nfs", "media-smb"]


@pytest.mark.parametrize("limit, batches", [
    (0, ["sync-a,sync-b,sync-c"]),
    (3, ["sync-a,sync-b,sync-c"]),
    (2, ["sync-a,sync-b", "sync-c"]),
    (1, ["sync-a", "sync-b", "sync-c"]),
])
def test_max_ids_per_call(make_lookup, sgw, limit, batches):
    result = make_lookup("express_sync_shares").run(["sync-a,sync-b,sync-c"], max_ids_per_call=limit, **REGION)
    assert [params["ExpressSyncIds"] for action, dummy, params in sgw.calls
            if action == "DescribeExpressSyncShares"] == batches
    assert names(result) == ["media-nfs", "media-smb", "daily"]
    # sync-c has no share: one listing of the groups (per lookup) tells that it is an empty group, not a missing one
    assert sgw.actions().count("DescribeExpressSyncs") == 1


@pytest.mark.parametrize("kwargs, message", [
    ({}, "No express sync group id given"),
    ({"max_ids_per_call": -1}, "max_ids_per_call must be 0"),
    ({"query": "[?"}, "is not a valid JMESPath expression"),
    ({"region": "Hangzhou"}, "Invalid region"),
])
def test_bad_input_fails_before_any_call(make_lookup, sgw, kwargs, message):
    terms = [] if not kwargs else ["sync-a"]
    options = dict(REGION, **kwargs)
    with pytest.raises(AnsibleLookupError, match=message):
        make_lookup("express_sync_shares").run(terms, **options)
    assert sgw.calls == []


@pytest.mark.parametrize("kwargs, message", [
    ({"regoin": "cn-hangzhou"}, "unknown option 'regoin' (did you mean 'region'?)"),
    ({"on_mising": "skip"}, "unknown option 'on_mising' (did you mean 'on_missing'?)"),
    ({"bucket_name": "b"}, "unknown option 'bucket_name'"),
])
def test_unknown_options_fail_before_any_call(make_lookup, sgw, kwargs, message):
    with pytest.raises(AnsibleLookupError) as caught:
        make_lookup("express_sync_shares").run(["sync-a"], **dict(REGION, **kwargs))
    assert message in str(caught.value)
    assert sgw.calls == []


def test_region_is_required(make_lookup, sgw):
    with pytest.raises(AnsibleLookupError, match="region is required.*ALIBABA_CLOUD_REGION_ID"):
        make_lookup("express_sync_shares").run(["sync-a"])
    assert sgw.calls == []


def test_region_from_environment(make_lookup, sgw, monkeypatch):
    monkeypatch.setenv("ALICLOUD_REGION", "cn-shanghai")
    make_lookup("express_sync_shares").run(["sync-a"])
    assert sgw.calls[0][1] == "cn-shanghai"


def test_region_alias(make_lookup, sgw):
    make_lookup("express_sync_shares").run(["sync-a"], region_id="cn-beijing")
    assert sgw.calls[0][1] == "cn-beijing"


def test_bad_id_is_named(make_lookup, sgw):
    with pytest.raises(AnsibleLookupError, match=r"'gw-1' is not an express sync group id"):
        make_lookup("express_sync_shares").run(["sync-a,gw-1"], **REGION)
    assert sgw.calls == []


@pytest.mark.parametrize("query, expected", [
    ("[?sgw_health=='failed'].share_name", ["media-smb"]),
    ("[].gateway_id", ["gw-1", "gw-2", "gw-1"]),
    ("length(@)", [3]),
    ("[?sgw_health=='disabled'] | [0]", [None]),
    ("[?sync_progress < `50`].{name: share_name, progress: sync_progress}",
     [{"name": "media-smb", "progress": 40}, {"name": "daily", "progress": 10}]),
])
def test_query(make_lookup, query, expected):
    assert make_lookup("express_sync_shares").run(["sync-a,sync-b"], query=query, **REGION) == expected


def test_query_that_fails_on_the_data_is_a_clear_error(make_lookup):
    with pytest.raises(AnsibleLookupError, match="failed on the result"):
        make_lookup("express_sync_shares").run(["sync-a"], query="abs(@)", **REGION)


# ------------------------------------------------------------------------------- on_missing

def test_missing_single_id_costs_no_extra_call(make_lookup, sgw):
    with pytest.raises(AnsibleLookupError) as caught:
        make_lookup("express_sync_shares").run(["sync-gone"], **REGION)
    message = str(caught.value)
    assert "express sync group sync-gone does not exist in region cn-hangzhou" in message
    assert "ExpressSyncNotExist" in message and "RequestId REQ-1" in message
    assert sgw.actions() == ["DescribeExpressSyncShares"]


def test_missing_among_several_error_names_only_the_missing(make_lookup, sgw):
    with pytest.raises(AnsibleLookupError) as caught:
        make_lookup("express_sync_shares").run(["sync-a,sync-gone,sync-b,sync-lost"], **REGION)
    message = str(caught.value)
    assert "express sync groups sync-gone, sync-lost do not exist" in message
    assert "sync-a" not in message and "sync-b" not in message
    assert "RequestId REQ-1" in message
    assert sgw.actions() == ["DescribeExpressSyncShares", "DescribeExpressSyncs"]


@pytest.mark.parametrize("mode, warned", [("warn", True), ("skip", False)])
def test_missing_warn_and_skip_return_the_others(make_lookup, sgw, display, mode, warned):
    result = make_lookup("express_sync_shares").run(["sync-a,sync-gone,sync-b"], on_missing=mode, **REGION)
    assert names(result) == ["media-nfs", "media-smb", "daily"]
    assert sgw.actions() == ["DescribeExpressSyncShares", "DescribeExpressSyncs", "DescribeExpressSyncShares"]
    assert sgw.calls[2][2]["ExpressSyncIds"] == "sync-a,sync-b"
    if warned:
        assert len(display.warnings) == 1
        assert "sync-gone does not exist" in display.warnings[0]
        assert display.warnings[0].startswith("alibabacloud.sgw.express_sync_shares: ")
    else:
        assert display.warnings == []


def test_all_missing_skip_returns_empty_list_without_asking_again(make_lookup, sgw):
    assert make_lookup("express_sync_shares").run(["sync-x,sync-y"], on_missing="skip", **REGION) == []
    assert sgw.actions() == ["DescribeExpressSyncShares", "DescribeExpressSyncs"]


def test_groups_are_listed_once_per_lookup_across_batches(make_lookup, sgw, display):
    result = make_lookup("express_sync_shares").run(["sync-x,sync-a,sync-y,sync-b"], max_ids_per_call=2,
                                                    on_missing="warn", **REGION)
    assert names(result) == ["media-nfs", "media-smb", "daily"]
    assert sgw.actions().count("DescribeExpressSyncs") == 1
    assert len(display.warnings) == 2


def test_group_deleted_between_calls(make_lookup, sgw, display):
    sgw.after["DescribeExpressSyncs"] = lambda service: sgw.delete_express_sync("sync-b")
    result = make_lookup("express_sync_shares").run(["sync-gone,sync-b"], on_missing="warn", **REGION)
    assert result == []
    assert len(display.warnings) == 2
    assert "one of the express sync groups sync-b does not exist" in display.warnings[1]


def test_cannot_tell_which_is_missing(make_lookup, sgw, display):
    sgw.fail["DescribeExpressSyncs"] = SgwApiError("Forbidden.RAM", "denied", action="DescribeExpressSyncs",
                                                   region="cn-hangzhou", status=403, request_id="REQ-LIST")
    result = make_lookup("express_sync_shares").run(["sync-a,sync-gone"], on_missing="warn", **REGION)
    assert result == []
    assert "one of the express sync groups sync-a, sync-gone does not exist" in display.warnings[0]
    assert "REQ-LIST" in display.warnings[0]


# -------------------------------------------------------------------------------- on_denied

@pytest.mark.parametrize("mode, warned", [("warn", True), ("skip", False)])
def test_denied_warn_and_skip(make_lookup, sgw, display, mode, warned):
    sgw.denied.add("DescribeExpressSyncShares")
    assert make_lookup("express_sync_shares").run(["sync-a"], on_denied=mode, **REGION) == []
    assert len(display.warnings) == int(warned)
    if warned:
        assert "Forbidden.RAM" in display.warnings[0]


def test_denied_error_names_code_and_request_id(make_lookup, sgw):
    sgw.denied.add("DescribeExpressSyncShares")
    with pytest.raises(AnsibleLookupError) as caught:
        make_lookup("express_sync_shares").run(["sync-a"], on_missing="skip", **REGION)
    message = str(caught.value)
    assert "DescribeExpressSyncShares in region cn-hangzhou failed: Forbidden.RAM (HTTP 403)" in message
    assert "RequestId REQ-1" in message
    assert "hcs-sgw:DescribeExpressSyncShares" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("error", [
    SgwApiError("InvalidAccessKeyId.NotFound", "Specified access key is not found", action="DescribeExpressSyncShares",
                region="cn-hangzhou", status=404, request_id="REQ-AK"),
    SgwApiError("Throttling.User", "flow control", action="DescribeExpressSyncShares", region="cn-hangzhou",
                status=400, request_id="REQ-AK"),
    SgwTransportError("ConnectTimeout", action="DescribeExpressSyncShares", region="cn-hangzhou",
                      endpoint="http://127.0.0.1:9", attempts=3),
])
def test_other_errors_fail_whatever_the_modes(make_lookup, sgw, error):
    sgw.fail["DescribeExpressSyncShares"] = error
    with pytest.raises(AnsibleLookupError) as caught:
        make_lookup("express_sync_shares").run(["sync-a"], on_missing="skip", on_denied="skip", **REGION)
    assert str(caught.value) == str(error)
    assert sgw.closed


@pytest.mark.parametrize("kwargs, message", [
    ({"on_missing": "ignore"}, "Invalid value 'ignore' for config 'on_missing'"),
    ({"on_denied": "fail"}, "Invalid value 'fail' for config 'on_denied'"),
    ({"max_ids_per_call": "many"}, "max_ids_per_call"),
])
def test_bad_option_values_are_rejected_before_any_call(make_lookup, sgw, kwargs, message):
    with pytest.raises(AnsibleOptionsError, match=message):
        make_lookup("express_sync_shares").run(["sync-a"], **dict(REGION, **kwargs))
    assert sgw.calls == []


# A service that leaves unknown ids out of the answer, and candidates that name no group.

@pytest.mark.parametrize("unknown_ids", ["error", "omit"])
@pytest.mark.parametrize("terms, on_missing, outcome, warned", [
    (["sync-a,sync-gone"], "skip", ["media-nfs", "media-smb"], None),
    (["sync-a,sync-gone"], "warn", ["media-nfs", "media-smb"], "sync-gone does not exist in region cn-hangzhou"),
    (["sync-a,sync-gone"], "error", "express sync group sync-gone does not exist", None),
    (["sync-gone"], "error", "express sync group sync-gone does not exist", None),
    (["sync-gone,sync-c"], "warn", [], "sync-gone does not exist"),  # sync-c: an empty group, not missing
    (["sync-a,sync-c"], "error", ["media-nfs", "media-smb"], None),
])
def test_unknown_ids_get_on_missing_whether_refused_or_left_out(make_lookup, sgw, display, unknown_ids, terms,
                                                                on_missing, outcome, warned):
    sgw.behaviours["unknown_ids"] = unknown_ids
    lookup = make_lookup("express_sync_shares")
    if isinstance(outcome, str):
        with pytest.raises(AnsibleLookupError, match=outcome):
            lookup.run(terms, on_missing=on_missing, **REGION)
        return
    assert names(lookup.run(terms, on_missing=on_missing, **REGION)) == outcome
    if warned:
        assert any(warned in w for w in display.warnings), display.warnings
    else:
        assert display.warnings == []
    assert sgw.actions().count("DescribeExpressSyncs") <= 1


SPARES = [("spare-a", "media-bucket"), ("spare-b", "backup-bucket"), ("spare-c", "backup-bucket")]


@pytest.mark.parametrize("candidate_sync_id, terms, expected, share_calls", [
    ("group", ["sync-a,sync-b,sync-c"],
     [("spare-a", "sync-a"), ("spare-b", "sync-b"), ("spare-c", "sync-b"), ("spare-b", "sync-c"),
      ("spare-c", "sync-c")], 1),
    ("empty", ["sync-a"], [("spare-a", "sync-a")], 1),
    ("empty", ["sync-b"], [("spare-b", "sync-b"), ("spare-c", "sync-b")], 1),
    # Several groups, candidates naming none: the bucket tells spare-a's group; sync-b and sync-c share a
    # bucket, so every group is asked again one at a time, each candidate kept and named.
    ("empty", ["sync-a,sync-b,sync-c"],
     [("spare-a", "sync-a"), ("spare-b", "sync-b"), ("spare-c", "sync-b"), ("spare-b", "sync-c"),
      ("spare-c", "sync-c")], 4),
])
def test_candidates_are_attributed_to_their_group(make_lookup, sgw, candidate_sync_id, terms, expected, share_calls):
    document = copy.deepcopy(ACCOUNT)
    document["shares"] = [s for s in document["shares"] if s["ExpressSyncId"]]
    document["shares"] += [share("", name, "MNSNotEnabled", gateway="gw-3", progress=-1, bucket=bucket)
                           for name, bucket in SPARES]
    sgw.service.replace_account(Account.from_document(document))
    sgw.behaviours["candidate_sync_id"] = candidate_sync_id
    result = make_lookup("express_sync_shares").run(terms, is_external=True, **REGION)
    assert sorted((s["share_name"], s["express_sync_id"]) for s in result) == sorted(expected)
    assert sgw.actions().count("DescribeExpressSyncShares") == share_calls


# ------------------------------------------------------------------------------------ health verdict


def test_health_signals_give_the_inventory_verdict(make_lookup, sgw):
    sgw.service.account.gateways["gw-2"]["Status"] = "Stopped"
    sgw.service.account.alerts.append({"GatewayId": "gw-1", "ShareName": "media-nfs", "Type": "uploadQueueFull",
                                       "Status": "alerting", "FirstTriggerTimestamp": 0})
    result = make_lookup("express_sync_shares").run(["sync-a"], health_signals=["express_sync", "gateway", "alerts"],
                                                    **REGION)
    verdicts = {s["share_name"]: (s["sgw_condition"], s["sgw_condition_reasons"]) for s in result}
    assert verdicts == {"media-nfs": ("degraded", ["alert_upload_queue_full"]),
                        "media-smb": ("failed", ["sync_failed", "gateway_not_running"])}
    actions = [call[0] for call in sgw.calls]
    assert actions.count("DescribeGateways") == 1 and actions.count("ListAlertEvents") == 1
    assert "DescribeGatewayFileShares" not in actions


def test_health_signal_that_cannot_be_read_is_unknown_with_a_warning(make_lookup, sgw, display):
    sgw.denied.add("ListAlertEvents")
    result = make_lookup("express_sync_shares").run(["sync-a"], health_signals=["alerts"], **REGION)
    assert [(s["sgw_condition"], s["sgw_condition_reasons"]) for s in result] == [
        ("unknown", ["alerts_unreadable"])] * 2
    assert any("ListAlertEvents of region cn-hangzhou could not be read" in w and "Forbidden.RAM" in w
               for w in display.warnings)


def test_without_health_signals_the_verdict_of_the_express_sync_state_at_no_extra_call(make_lookup, sgw):
    result = make_lookup("express_sync_shares").run(["sync-a"], **REGION)
    judged = make_lookup("express_sync_shares").run(["sync-a"], health_signals=["express_sync"], **REGION)
    assert [(s["sgw_condition"], s["sgw_condition_reasons"]) for s in result] == [
        (s["sgw_condition"], s["sgw_condition_reasons"]) for s in judged]
    assert all(s["sgw_condition"] in ("ok", "degraded", "failed") for s in result)
    assert [call[0] for call in sgw.calls] == ["DescribeExpressSyncShares"] * 2


def test_candidates_have_no_verdict_by_default(make_lookup, sgw):
    result = make_lookup("express_sync_shares").run(["sync-a"], is_external=True, **REGION)
    assert not any("sgw_condition" in share for share in result)


def test_an_empty_list_of_health_signals_is_an_error(make_lookup, sgw):
    with pytest.raises(AnsibleLookupError) as raised:
        make_lookup("express_sync_shares").run(["sync-a"], health_signals=[], **REGION)
    assert "health_signals must name at least one" in str(raised.value)
    assert sgw.calls == []


@pytest.mark.parametrize("options, message", [
    ({"health_signals": ["alerts"], "is_external": True}, "not the candidates"),
    ({"upload_lag_seconds": 10}, "upload_lag_seconds is a threshold of the file_share health signal"),
])
def test_health_options_that_would_be_ignored(make_lookup, sgw, options, message):
    with pytest.raises(AnsibleLookupError) as raised:
        make_lookup("express_sync_shares").run(["sync-a"], **dict(REGION, **options))
    assert message in str(raised.value)
    assert sgw.calls == []
