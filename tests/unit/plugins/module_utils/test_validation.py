"""Id checks refuse what would break or change a request, and nothing else: tables."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.validation import (
    invalid_express_sync_ids,
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
