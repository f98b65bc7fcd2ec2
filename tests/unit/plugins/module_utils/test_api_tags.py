"""ListTagResources: every page by NextToken, the tags as one dict per gateway, no endless loop.

The listings are the simulator's (the API in process, pages of 50 tags). A page token that comes
back and a tag without its gateway are what no service should send, so no simulator plays them:
they are answered at the HTTP boundary to the real client (:mod:`tests.support.http_replies`).
"""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError
from tests.support.fake_api import FakeApi
from tests.support.http_replies import client_answered_by

GW_A, GW_B = "gw-0001b2odzvl3b1mhi", "gw-0002c8pz1kq7y4rtd"
MANY = {"key-%03d" % number: "value-%d" % number for number in range(60)}


@pytest.mark.parametrize("tags, tokens", [
    ({}, []),
    ({GW_A: {"env": "prod", "team": "media"}}, []),
    # 110 tags: three pages of 50
    ({GW_A: MANY, GW_B: dict(list(MANY.items())[:50])}, ["50", "100"]),
])
def test_list_gateway_tags(tags, tokens):
    sgw = FakeApi()
    sgw.service.account.gateway_tags = tags
    expected = {GW_A: tags.get(GW_A, {}), GW_B: tags.get(GW_B, {})}
    assert api.list_gateway_tags(sgw, "cn-hangzhou", [GW_A, GW_B]) == expected
    params = [given for dummy, dummy, given in sgw.calls]
    assert [p.get("NextToken") for p in params] == [None] + tokens
    assert (params[0]["ResourceType"], params[0]["ResourceId.1"], params[0]["ResourceId.2"]) == ("GATEWAY", GW_A, GW_B)


def page(entries, token=""):
    return {"RequestId": "r", "NextToken": token, "TagResources": {"TagResource": [
        {"ResourceId": gw, "ResourceType": "GATEWAY", "TagKey": k, "TagValue": v} for gw, k, v in entries]}}


def test_a_token_that_comes_back_ends_the_listing_instead_of_looping():
    client, answers = client_answered_by(page([("gw-a", "env", "prod")], "t1"), page([], "t1"))
    assert api.list_gateway_tags(client, "cn-hangzhou", ["gw-a", "gw-b"]) == {"gw-a": {"env": "prod"}, "gw-b": {}}
    assert len(answers.requests) == 2


def test_a_broken_tag_listing_is_an_error():
    client, dummy = client_answered_by({"RequestId": "r", "TagResources": {"TagResource": [{"TagKey": "env"}]}})
    with pytest.raises(SgwApiError, match="TagResource\\[0\\] has no ResourceId"):
        api.list_gateway_tags(client, "cn-hangzhou", ["gw-a"])
