"""Property: no answer body, however broken, makes the client or the inventory model raise anything
but ``SgwApiError``; what they accept builds hosts with names and safe groups.

Bodies are arbitrary JSON values, and also bodies shaped like the real answers whose fields hold
arbitrary JSON values (so that the model is reached, not only the first check). They are answered at
the HTTP boundary (:class:`tests.support.http_replies.Replies`) to the real client, which reads and
decodes them as any answer: generated bodies are what no simulator plays, since no service should
send them; the bytes on the wire are all that is made up.
"""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ansible_collections.alibabacloud.sgw.plugins.inventory.sgw import InventoryModule
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.api import MAX_TOTAL_COUNT, total_count
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.health import HEALTH_ORDER
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import RECORDS, extract_list
from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.inventory import (
    EstateIndex,
    default_hostname,
)
from tests.support.http_replies import client_answered_by

SECRET = "parsing-property-secret-7Hq"
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-10 ** 20, max_value=10 ** 20)
           | st.floats(allow_nan=False, allow_infinity=False) | TEXT)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                    max_leaves=12)
SETTINGS = settings(max_examples=200, deadline=None)

SHARE_FIELDS, GROUP_FIELDS, GATEWAY_FIELDS = (tuple(f.api for f in RECORDS[item])
                                              for item in ("Share", "ExpressSync", "Gateway"))


PLAUSIBLE = st.sampled_from(["gw-1", "gw-2", "s1", "s2", "sync-1", "sync-2", "MNSHealthy", "QueueFailure", "sb-1",
                             "Weird{{ state }}", "x y\n", "", "10.0.0.1"])


def clean_value(name):
    """A value of the documented type: short strings that repeat (so that records collide)."""
    if name == "SyncProgress":
        return st.integers(-2, 100)
    return PLAUSIBLE


def often(draw, percent=90):
    """True ``percent`` out of 100 times (Hypothesis favours the ends of a range, so not ``randint == 0``)."""
    return draw(st.integers(1, 1000)) % 100 < percent


@st.composite
def records(draw, fields):
    """A record of the documented types, its identity (first two fields) mostly there; sometimes one
    field, or the identity, is damaged."""
    record = {}
    for position, name in enumerate(fields):
        if often(draw, 95 if position < 2 else 50):
            record[name] = draw(clean_value(name))
    damage = draw(st.integers(1, 1000)) % 20
    if damage == 1:  # the identity fields, or any
        record[draw(st.sampled_from(fields[:2] if often(draw, 50) else fields))] = draw(JSON)
    elif damage == 2:
        record[draw(st.sampled_from(fields))] = draw(TEXT)
    elif damage == 3:
        record.pop(fields[draw(st.integers(0, min(1, len(fields) - 1)))], None)
    return record


@st.composite
def listing(draw, wrapper, item, fields):
    """A body shaped like a list answer, now and then damaged at the wrapper or item level."""
    items = [draw(records(fields)) if often(draw, 95) else draw(JSON) for dummy in range(draw(st.integers(0, 5)))]
    body = {wrapper: {item: items} if often(draw, 85) else draw(JSON)}
    for name in ("RequestId", "TotalCount"):
        if often(draw, 50):
            body[name] = draw(JSON)
    return body


BODIES = {
    "shares": listing("Shares", "Share", SHARE_FIELDS),
    "groups": listing("ExpressSyncs", "ExpressSync", GROUP_FIELDS),
    "gateways": listing("Gateways", "Gateway", GATEWAY_FIELDS),
    "regions": listing("Regions", "Region", ("RegionId",)),
}


CREDENTIALS = Credentials("LTAI5tParsingKey01", SECRET)


def answered(*replies):
    return client_answered_by(*replies, credentials=CREDENTIALS)[0]


@SETTINGS
@given(status=st.sampled_from([200, 200, 200, 400, 403, 404, 500, 502, 503]),
       body=JSON | st.binary(max_size=60), content_type=st.sampled_from(["application/json", "text/html", ""]))
def test_decode_returns_a_dict_or_raises_an_api_error(status, body, content_type):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    try:
        decoded = answered((status, content, content_type)).call("DescribeGateways", "cn-hangzhou")
    except SgwApiError as error:
        text = str(error)
        assert "DescribeGateways in region cn-hangzhou failed: " in text
        assert SECRET not in text
        assert isinstance(error.code, str) and error.code
    else:
        assert isinstance(decoded, dict) and status < 400


@SETTINGS
@given(value=st.sampled_from(["NaN", "Infinity", "-Infinity"]))
def test_non_json_numbers_are_refused(value):
    content = ('{"Success": true, "TotalCount": %s, "Gateways": {"Gateway": []}}' % value).encode()
    try:
        answered((200, content, "application/json")).call("DescribeGateways", "cn-hangzhou")
    except SgwApiError as error:
        assert error.code == "InvalidResponse"
    else:
        raise AssertionError("%s was read as a number" % value)


@SETTINGS
@given(body=JSON | BODIES["shares"], wrapper=st.sampled_from(["Shares", "Gateways"]))
def test_extract_list_returns_records_or_raises_an_api_error(body, wrapper):
    item = wrapper[:-1]
    try:
        items = extract_list(body, wrapper, item, "DescribeX", "cn-hangzhou")
    except SgwApiError as error:
        assert error.code == "InvalidResponse"
        assert str(error).startswith("DescribeX in region cn-hangzhou failed: InvalidResponse. ")
    else:
        assert isinstance(items, list) and all(isinstance(i, dict) for i in items)


@SETTINGS
@given(body=st.dictionaries(st.just("TotalCount"), JSON) | JSON)
def test_total_count_is_a_bounded_whole_number_or_an_api_error(body):
    try:
        total = total_count(body, "DescribeGateways", "cn-hangzhou")
    except SgwApiError as error:
        assert error.code == "InvalidResponse"
    else:
        assert total is None or (isinstance(total, int) and not isinstance(total, bool) and 0 <= total <= MAX_TOTAL_COUNT)
        assert (total is None) == (not isinstance(body, dict) or body.get("TotalCount") in (None, ""))


def fetch(function, *bodies):
    """``(value, None)`` or ``(None, SgwApiError)``; any other exception fails the test."""
    try:
        return function(answered(*bodies)), None
    except SgwApiError as error:
        return None, error


def _examples():
    """Damage that once slipped through, run every time whatever Hypothesis draws."""
    empty = {"ExpressSyncs": {"ExpressSync": []}}
    no_gateways = {"Gateways": {"Gateway": []}, "TotalCount": 0}
    regions = {"Regions": {"Region": []}}
    share = {"GatewayId": "gw-1", "ShareName": "s1", "ExpressSyncState": "MNSHealthy"}
    cases = [
        ({"Shares": {"Share": [dict(share, ShareName=["s1"])]}}, no_gateways),
        ({"Shares": {"Share": [{"GatewayId": "gw-1"}]}}, no_gateways),
        ({"Shares": {"Share": [dict(share, GatewayId={"id": 1})]}}, no_gateways),
        ({"Shares": {"Share": [share]}}, {"Gateways": {"Gateway": [{"GatewayId": "gw-1", "InnerIp": {"ip": 1}}]},
                                          "TotalCount": 1}),
        ({"Shares": {"Share": [share]}}, {"Gateways": {"Gateway": [{"GatewayId": "gw-1", "Ip": ["10.0.0.1"]}]},
                                          "TotalCount": 1}),
    ]
    for shares, gateways in cases:
        for hosts_from in ("shares", "gateways"):
            yield dict(groups=empty, shares=shares, candidates={"Shares": {"Share": []}}, gateways=gateways,
                       regions=regions, hosts_from=hosts_from)


def with_examples(test):
    for kwargs in _examples():
        test = example(**kwargs)(test)
    return test


@settings(max_examples=150, deadline=None)
@with_examples
@given(groups=BODIES["groups"], shares=BODIES["shares"], candidates=BODIES["shares"], gateways=BODIES["gateways"],
       regions=BODIES["regions"],
       hosts_from=st.sampled_from(["shares", "gateways"]))
def test_the_inventory_model_builds_named_hosts_in_safe_groups_or_fails_with_an_api_error(
        groups, shares, candidates, gateways, regions, hosts_from):
    region = "cn-hangzhou"
    fetch(api.describe_regions, regions)
    found = {
        "express_syncs": fetch(lambda c: api.describe_express_syncs(c, region), groups),
        "shares": fetch(lambda c: api.describe_express_sync_shares(c, region, ["sync-1"]), shares),
        "candidates": fetch(lambda c: api.describe_express_sync_shares(c, region, ["sync-1"], True), candidates),
        "gateways": fetch(lambda c: api.paginate(c, "DescribeGateways", region, {"StorageBundleId": "sb-1"},
                                                 "Gateways", "Gateway"), gateways),
    }
    data = {kind: value if value is not None else [] for kind, (value, error) in found.items()}
    data["error"] = None
    index = EstateIndex({"format": 1, "regions": {region: data}})
    hosts = list(index.gateway_hosts(True) if hosts_from == "gateways" else index.share_hosts(True))
    names = set()
    for variables, raw_groups in hosts:
        name = default_hostname(variables, hosts_from)
        assert isinstance(name, str) and name
        names.add(name)
        assert variables["sgw_health"] in HEALTH_ORDER
        assert isinstance(variables.get("ansible_host", ""), str)
        for raw in raw_groups:
            group = InventoryModule._sanitize_group_name(raw)  # pylint: disable=protected-access
            assert group.startswith("sgw") and all(c.isalnum() or c == "_" for c in group)
    assert len(names) == len(hosts)  # hosts are de-duplicated: no two with one name
