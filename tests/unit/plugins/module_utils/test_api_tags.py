"""ListTagResources: every page by NextToken, the tags as one dict per gateway, no endless loop."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError


class _Pages:
    """Answers the calls with the given bodies in turn and records the parameters."""

    def __init__(self, *bodies):
        self.bodies = list(bodies)
        self.calls = []

    def call(self, action, region, params):
        self.calls.append((action, region, dict(params)))
        return self.bodies.pop(0)


def page(entries, token=""):
    return {"RequestId": "r", "NextToken": token, "TagResources": {"TagResource": [
        {"ResourceId": gw, "ResourceType": "GATEWAY", "TagKey": k, "TagValue": v} for gw, k, v in entries]}}


@pytest.mark.parametrize("bodies, expected, calls", [
    ([page([])], {"gw-a": {}, "gw-b": {}}, 1),
    ([page([("gw-a", "env", "prod"), ("gw-a", "team", "media")])],
     {"gw-a": {"env": "prod", "team": "media"}, "gw-b": {}}, 1),
    ([page([("gw-a", "env", "prod")], "t1"), page([("gw-b", "env", "ci")], "t2"), page([("gw-b", "team", "x")])],
     {"gw-a": {"env": "prod"}, "gw-b": {"env": "ci", "team": "x"}}, 3),
    # A token that comes back again ends the listing instead of looping.
    ([page([("gw-a", "env", "prod")], "t1"), page([], "t1")], {"gw-a": {"env": "prod"}, "gw-b": {}}, 2),
])
def test_list_gateway_tags(bodies, expected, calls):
    client = _Pages(*bodies)
    assert api.list_gateway_tags(client, "cn-hangzhou", ["gw-a", "gw-b"]) == expected
    assert len(client.calls) == calls
    first = client.calls[0][2]
    assert (first["ResourceType"], first["ResourceId.1"], first["ResourceId.2"], first["NextToken"]) == (
        "GATEWAY", "gw-a", "gw-b", None)
    assert [c[2]["NextToken"] for c in client.calls[1:]] == [b["NextToken"] for b in bodies[:calls - 1]]


def test_a_broken_tag_listing_is_an_error():
    client = _Pages({"RequestId": "r", "TagResources": {"TagResource": [{"TagKey": "env"}]}})
    with pytest.raises(SgwApiError, match="TagResource\\[0\\] has no ResourceId"):
        api.list_gateway_tags(client, "cn-hangzhou", ["gw-a"])
