"""Id checks refuse what would break or change a request, and nothing else: tables."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import (
    invalid_bucket_filter,
    invalid_express_sync_ids,
    invalid_express_sync_options,
    invalid_gateway_ids,
)


@pytest.mark.parametrize("value", ["sync-0002xetjdlxne2sd", "sync-a-b", "sync-a_b", "sync-A.b", "sync-****",
                                   "sync-ünï"])
def test_express_sync_ids_the_service_may_issue_are_accepted(value):
    assert invalid_express_sync_ids([value]) == []


@pytest.mark.parametrize("value", ["gw-0001b2odzvl3b1mhi", "gw-a-b", "gw-a_b", "gw-1"])
def test_gateway_ids_the_service_may_issue_are_accepted(value):
    assert invalid_gateway_ids([value]) == []


@pytest.mark.parametrize("value, reason", [
    ("", "it is empty"),
    (None, "it is empty"),
    (7, "it is not a string"),
    ("sync-a b", "holds a space, a comma or a control character"),
    (" sync-a", "holds a space, a comma or a control character"),
    ("sync-a\t", "holds a space, a comma or a control character"),
    ("sync-a,sync-b", "holds a space, a comma or a control character"),
    ("sync-a\n", "holds a space, a comma or a control character"),
    ("sync-a\x00", "holds a space, a comma or a control character"),
    ("sync-a\x85", "holds a space, a comma or a control character"),
    ("sync-", "(sync-...)"),
    ("gw-0001", "(sync-...)"),
    ("SYNC-a", "(sync-...)"),
])
def test_express_sync_ids_that_would_break_a_request_are_refused(value, reason):
    problems = invalid_express_sync_ids([value])
    assert len(problems) == 1 and reason in problems[0]
    assert problems[0].startswith("%r is not an express sync group id (sync-...)" % (value,))


@pytest.mark.parametrize("value", ["", "gw-", "sync-1", "gw-a b", "gw-a,b", "gw-\x1b[0m"])
def test_gateway_ids_that_would_break_a_request_are_refused(value):
    assert len(invalid_gateway_ids([value])) == 1


GOOD = {"name": "media", "state": "present", "shares_state": "present", "purge_shares": False, "wait_timeout": 300}


@pytest.mark.parametrize("options, problems", [
    ({}, []),
    ({"name": None, "express_sync_id": "sync-1"}, []),
    ({"name": "媒体同步-1"}, []),
    ({"shares": [{"gateway_id": "gw-1", "share_name": "s"}], "purge_shares": True}, []),
    ({"state": "absent"}, []),
    ({"wait_timeout": 0, "description": "d" * 255}, []),
    ({"name": None}, ["give express_sync_id or name to identify the express sync group"]),
    ({"express_sync_id": "media01"}, ["'media01' is not an express sync group id (sync-...)"]),
    ({"description": "d" * 256}, ["description is 256 characters long; at most 255 are allowed"]),
    ({"shares": [{"gateway_id": "gw-1", "share_name": " "}, {"gateway_id": "gw-1", "share_name": "a,b"}]},
     ["the share name of gateway gw-1 is empty",
      "the share name 'a,b' of gateway gw-1 contains a comma, which GatewayShares cannot carry"]),
    ({"state": "absent", "shares": []}, ["shares cannot be used with state=absent, which deletes the whole group; to "
                                         "remove shares and keep the group use state=present with shares_state=absent"]),
    ({"shares_state": "absent", "purge_shares": True}, ["purge_shares applies to shares_state=present only"]),
    ({"wait_timeout": -1}, ["wait_timeout must be 0 or more seconds"]),
    ({"name": "9lives", "wait_timeout": -1}, [
        "'9lives' is not a valid express sync group name: 1 to 128 letters, CJK characters, digits, '.', '_' or '-', "
        "starting with a letter or a CJK character", "wait_timeout must be 0 or more seconds"]),
])
def test_express_sync_options_problems_are_all_listed(options, problems):
    assert invalid_express_sync_options(dict(GOOD, **options)) == problems


@pytest.mark.parametrize("bucket_name, bucket_prefix, refused", [
    (None, None, False),
    ("media", None, False),
    ("media", "", False),
    ("media", "daily/", False),
    (None, "daily/", True),
    (None, "", True),
    ("", "daily/", True),
])
def test_bucket_prefix_needs_bucket_name(bucket_name, bucket_prefix, refused):
    problems = invalid_bucket_filter(bucket_name, bucket_prefix)
    assert problems == (["bucket_prefix needs bucket_name (the API lists the group of a prefix only within one "
                         "bucket)"] if refused else [])
