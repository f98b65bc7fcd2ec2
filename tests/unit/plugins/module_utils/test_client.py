"""The client's pure helpers as tables, and its wire behaviour against a scripted loopback server."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import endpoints
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import schema
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import transport as sgw_client
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import outcomes
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import (
    SgwApiError,
    SgwConfigError,
    SgwTransportError,
)

SECRET = "client-test-secret-value"
TOKEN = "client-test-sts-token"


@pytest.mark.parametrize("region, endpoint, expected", [
    ("cn-hangzhou", None, "https://sgw.cn-shanghai.aliyuncs.com"),
    ("cn-beijing", None, "https://sgw.cn-shanghai.aliyuncs.com"),
    ("cn-hongkong", None, "https://sgw.cn-shanghai.aliyuncs.com"),
    ("us-east-1", None, "https://sgw.us-west-1.aliyuncs.com"),
    ("us-west-1", None, "https://sgw.us-west-1.aliyuncs.com"),
    ("ap-southeast-1", None, "https://sgw.ap-southeast-1.aliyuncs.com"),
    ("eu-central-1", None, "https://sgw.eu-central-1.aliyuncs.com"),
    ("cn-shanghai-finance-1", None, "https://sgw.cn-shanghai-finance-1.aliyuncs.com"),
    ("cn-hangzhou", "http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("ap-southeast-1", "http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    ("cn-hangzhou", "sgw-vpc.cn-hangzhou.aliyuncs.com", "https://sgw-vpc.cn-hangzhou.aliyuncs.com"),
])
def test_endpoint_url(region, endpoint, expected):
    assert endpoints.endpoint_url(region, endpoint) == expected


@pytest.mark.parametrize("region, endpoint", [("", None), ("CN-HANGZHOU", None), ("cn hangzhou", None),
                                              ("cn-hangzhou", "ftp://host"), ("cn-hangzhou", "http://")])
def test_endpoint_url_rejects_bad_input(region, endpoint):
    with pytest.raises(SgwConfigError):
        endpoints.endpoint_url(region, endpoint)


@pytest.mark.parametrize("error, expected", [
    (SgwApiError("Throttling.User", "m", status=400), True),
    (SgwApiError("Throttling", "m", status=400), True),
    (SgwApiError("Throttling.Api", "m", status=400), True),
    (SgwApiError("ServiceUnavailable", "m", status=503), True),
    (SgwApiError("InternalError", "m", status=500), True),
    (SgwApiError("Whatever", "m", status=502), True),
    (SgwApiError("InvalidResponse.Server", "m", status=502), True),
    (SgwTransportError("timeout"), True),
    (SgwApiError("SignatureDoesNotMatch", "m", status=400), False),
    (SgwApiError("InvalidAccessKeyId.NotFound", "m", status=404), False),
    (SgwApiError("InvalidTimeStamp.Expired", "m", status=400), False),
    (SgwApiError("Forbidden.RAM", "m", status=403), False),
    (SgwApiError("ExpressSyncNotExist", "m", status=400), False),
    (SgwApiError("ExpressSyncInOperation", "m", status=400), False),
    (SgwApiError("InvalidResponse", "m", status=200), False),
    (SgwConfigError("x"), False),
])
def test_is_retryable(error, expected):
    assert sgw_client.is_retryable(error) is expected


@pytest.mark.parametrize("attempt, retry_after, rand, expected", [
    (1, None, 1.0, 0.2), (2, None, 1.0, 0.4), (3, None, 0.5, 0.4), (10, None, 1.0, 20.0), (1, None, 0.0, 0.0),
    (1, 1500, 0.3, 1.5), (4, 90000, 0.3, 20.0),
])
def test_retry_policy_delay(attempt, retry_after, rand, expected):
    backoff = sgw_client.RetryPolicy(max_retries=10, base_delay=0.2, max_delay=20.0, rand=lambda: rand).backoff()
    for dummy in range(attempt - 1):
        next(backoff)
    backoff.retry_after(sgw_client.retry_after_seconds({"x-acs-retry-after": retry_after}))
    assert next(backoff) == pytest.approx(expected)


@pytest.mark.parametrize("body, wrapper, item, ok", [
    ({"Shares": {"Share": []}}, "Shares", "Share", True),
    ({"Shares": {"Share": [{"ShareName": "a", "GatewayId": "gw-1"}]}}, "Shares", "Share", True),
    ({"Shares": {"Share": [{"ShareName": "a"}]}}, "Shares", "Share", False),
    ({"Shares": {"Share": [{"ShareName": ["a"], "GatewayId": "gw-1"}]}}, "Shares", "Share", False),
    ({}, "Shares", "Share", False),
    ({"Shares": None}, "Shares", "Share", False),
    ({"Shares": {"Share": "oops"}}, "Shares", "Share", False),
    ({"Shares": {"Share": ["oops"]}}, "Shares", "Share", False),
    ({"Shares": []}, "Shares", "Share", False),
])
def test_extract_list(body, wrapper, item, ok):
    if ok:
        assert schema.extract_list(body, wrapper, item) == body[wrapper][item]
    else:
        with pytest.raises(SgwApiError, match="InvalidResponse"):
            schema.extract_list(body, wrapper, item, "DescribeExpressSyncShares", "cn-hangzhou")


class _Scripted(BaseHTTPRequestHandler):
    """Answers with the server's queued ``(status, headers, body)`` replies and records each request."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append({"path": self.path, "query": dict(parse_qsl(urlsplit(self.path).query,
                                                                                keep_blank_values=True)),
                                     "headers": dict(self.headers.items()), "body": body})
        status, headers, body = self.server.replies.pop(0) if self.server.replies else (200, {}, {"Success": True})
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for name, value in dict({"Content-Type": "application/json"}, **headers).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    httpd.requests, httpd.replies = [], []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    httpd.url = "http://127.0.0.1:%d" % httpd.server_address[1]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def make_client(server, version="v3", token=None, max_retries=3, sleeps=None):
    creds = Credentials("LTAI5tTESTKEY0001", SECRET, token, "options")
    retry = sgw_client.RetryPolicy(max_retries=max_retries, base_delay=0.01, rand=lambda: 1.0)
    return sgw_client.SgwClient(creds, endpoint=server.url, signature_version=version, timeout=2, retry=retry,
                                sleep=(sleeps.append if sleeps is not None else (lambda s: None)))


OK = (200, {}, {"RequestId": "R-OK", "Code": "200", "Message": "successful", "Success": True, "Value": 1})


@pytest.mark.parametrize("version", ["v3", "v1"])
@pytest.mark.parametrize("ids, in_body", [(1, False), (60, False), (120, True), (1000, True)])
def test_long_parameters_go_in_a_form_body(server, version, ids, in_body):
    server.replies.append(OK)
    sync_ids = ",".join("sync-%016d" % n for n in range(ids))
    make_client(server, version, token=TOKEN).call("DescribeExpressSyncShares", "cn-hangzhou",
                                                   {"ExpressSyncIds": sync_ids})
    request = server.requests[0]
    form = dict(parse_qsl(request["body"].decode("ascii"), keep_blank_values=True))
    where = form if in_body else request["query"]
    assert where["ExpressSyncIds"] == sync_ids and where["RegionId"] == "cn-hangzhou"
    assert ("ExpressSyncIds" in request["query"]) is not in_body
    assert (request["headers"].get("Content-Type") == "application/x-www-form-urlencoded") is in_body
    assert len(request["path"]) < 2048 + 1024
    if version == "v3":
        assert request["headers"]["x-acs-content-sha256"] == hashlib.sha256(request["body"]).hexdigest()
    else:  # the signature and the token stay in the query string
        assert request["query"]["Signature"] and request["query"]["SecurityToken"] == TOKEN


@pytest.mark.parametrize("version", ["v3", "v1"])
def test_request_shape(server, version):
    server.replies.append(OK)
    body = make_client(server, version, token=TOKEN).call("DescribeExpressSyncs", "cn-hangzhou",
                                                          {"BucketName": "b", "IsExternal": True, "Skip": None})
    assert body["Value"] == 1
    request = server.requests[0]
    assert request["query"]["RegionId"] == "cn-hangzhou"
    assert request["query"]["BucketName"] == "b"
    assert request["query"]["IsExternal"] == "true"
    assert "Skip" not in request["query"]
    assert request["headers"]["User-Agent"].startswith("alibabacloud.sgw/")
    if version == "v3":
        assert request["headers"]["Authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI5tTESTKEY0001,")
        assert request["headers"]["x-acs-action"] == "DescribeExpressSyncs"
        assert request["headers"]["x-acs-version"] == "2018-05-11"
        assert request["headers"]["x-acs-security-token"] == TOKEN
        assert request["headers"]["host"] == server.url.split("//")[1]
    else:
        assert request["query"]["Action"] == "DescribeExpressSyncs"
        assert request["query"]["SignatureMethod"] == "HMAC-SHA1"
        assert request["query"]["SecurityToken"] == TOKEN
        assert request["query"]["Signature"]


def test_retries_throttling_with_fresh_nonce_each_attempt(server):
    throttled = (400, {}, {"Code": "Throttling.User", "Message": "flow control", "RequestId": "R-T"})
    server.replies.extend([throttled, throttled, OK])
    sleeps = []
    body = make_client(server, sleeps=sleeps).call("DescribeRegions", "cn-hangzhou")
    assert body["RequestId"] == "R-OK"
    nonces = {r["headers"]["x-acs-signature-nonce"] for r in server.requests}
    assert len(server.requests) == 3 and len(nonces) == 3
    assert sleeps == [pytest.approx(0.01), pytest.approx(0.02)]


def test_retry_after_header_is_honoured(server):
    server.replies.extend([(400, {"x-acs-retry-after": "750"}, {"Code": "Throttling", "Message": "m"}), OK])
    sleeps = []
    make_client(server, sleeps=sleeps).call("DescribeRegions", "cn-hangzhou")
    assert sleeps == [pytest.approx(0.75)]


def test_gives_up_after_max_retries(server):
    server.replies.extend([(503, {}, {"Code": "ServiceUnavailable", "Message": "down", "RequestId": "R-503"})] * 5)
    with pytest.raises(SgwApiError) as info:
        make_client(server, max_retries=2).call("DescribeRegions", "cn-hangzhou")
    assert len(server.requests) == 3
    assert info.value.code == "ServiceUnavailable" and info.value.request_id == "R-503"


@pytest.mark.parametrize("reply, code, fragment", [
    ((400, {}, {"Code": "SignatureDoesNotMatch", "RequestId": "R-1",
                "Message": "Specified signature is not matched with our calculation. server string to sign is:"
                           "POST&%2F&SecurityToken%3D" + TOKEN}), "SignatureDoesNotMatch", "secret is most likely"),
    ((403, {}, {"Code": "Forbidden.RAM", "Message": "denied", "RequestId": "R-2"}), "Forbidden.RAM",
     "hcs-sgw:DescribeExpressSyncShares"),
    ((200, {}, {"Code": "Oops", "Message": "soft failure", "Success": False, "RequestId": "R-3"}), "Oops",
     "soft failure"),
    ((400, {}, {"Code": "InvalidTimeStamp.Expired", "Message": "expired", "RequestId": "R-4"}),
     "InvalidTimeStamp.Expired", "clock"),
])
def test_api_errors_are_not_retried_and_read_well(server, reply, code, fragment):
    server.replies.append(reply)
    with pytest.raises(SgwApiError) as info:
        make_client(server, token=TOKEN).call("DescribeExpressSyncShares", "cn-hangzhou", {"ExpressSyncIds": "sync-1"})
    message = str(info.value)
    assert len(server.requests) == 1
    assert info.value.code == code
    assert fragment in message
    assert "DescribeExpressSyncShares in region cn-hangzhou" in message
    assert "RequestId R-" in message
    assert "credentials from options" in message
    assert SECRET not in message and TOKEN not in message


def test_html_error_page_is_a_clear_error_then_retried(server):
    page = (502, {"Content-Type": "text/html"}, b"<html><body><h1>502 Bad Gateway</h1></body></html>")
    server.replies.extend([page] * 4)
    with pytest.raises(SgwApiError) as info:
        make_client(server, max_retries=1).call("DescribeRegions", "cn-hangzhou")
    assert len(server.requests) == 2
    assert "HTTP 502 with a non-JSON body (text/html): '502 Bad Gateway'" in str(info.value)


def test_truncated_json_on_200_is_not_retried(server):
    server.replies.append((200, {}, b'{"Shares": {"Share": [{"ShareName": "a"'))
    with pytest.raises(SgwApiError, match="non-JSON body"):
        make_client(server).call("DescribeExpressSyncShares", "cn-hangzhou")
    assert len(server.requests) == 1


def test_unreachable_endpoint_is_a_transport_error_after_retries():
    creds = Credentials("LTAI5tTESTKEY0001", SECRET, None, "options")
    retry = sgw_client.RetryPolicy(max_retries=2, base_delay=0.0)
    client = sgw_client.SgwClient(creds, endpoint="http://127.0.0.1:9", timeout=1, retry=retry, sleep=lambda s: None)
    with pytest.raises(SgwTransportError) as info:
        client.call("DescribeRegions", "cn-hangzhou")
    assert info.value.attempts == 3
    assert "after 3 attempts" in str(info.value) and "127.0.0.1:9" in str(info.value)
    assert "Signature" not in str(info.value)


def test_paginate_walks_pages_until_total_count(server):
    def page(names, total):
        return (200, {}, {"TotalCount": total, "Success": True,
                          "Gateways": {"Gateway": [{"GatewayId": n} for n in names]}})
    server.replies.extend([page(["a", "b"], 5), page(["c", "d"], 5), page(["e"], 5)])
    items = api.paginate(make_client(server), "DescribeGateways", "cn-hangzhou", {"StorageBundleId": "sb-1"},
                         "Gateways", "Gateway", page_size=2)
    assert [i["GatewayId"] for i in items] == ["a", "b", "c", "d", "e"]
    assert [r["query"]["PageNumber"] for r in server.requests] == ["1", "2", "3"]
    assert {r["query"]["PageSize"] for r in server.requests} == {"2"}


@pytest.mark.parametrize("pages, asked", [
    ([["a", "b"], ["c", "d"], ["e"]], 3),          # ends at a short page
    ([["a", "b"], ["c", "d"], []], 3),             # ends at an empty page
    ([["a", "b"], ["a", "b"]], 2),                 # a page that repeats the previous one: PageNumber ignored
    ([["a"]], 1),                                  # a short first page is everything
])
def test_paginate_without_total_count_stops_on_a_short_or_repeated_page(server, pages, asked):
    server.replies.extend((200, {}, {"Success": True, "Gateways": {"Gateway": [{"GatewayId": n} for n in names]}})
                          for names in pages)
    items = api.paginate(make_client(server), "DescribeGateways", "cn-hangzhou", {"StorageBundleId": "sb-1"},
                         "Gateways", "Gateway", page_size=2)
    expected = [n for names in pages for n in names]
    if len(pages) > 1 and pages[-1] == pages[-2]:
        expected = expected[:-len(pages[-1])]
    assert [i["GatewayId"] for i in items] == expected
    assert [r["query"]["PageNumber"] for r in server.requests] == [str(n) for n in range(1, asked + 1)]


def test_a_listing_without_total_count_that_never_ends_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(api, "MAX_PAGES", 4)
    asked = []

    def fetch(number):
        asked.append(number)
        return [{"GatewayId": "gw-%d-%d" % (number, n)} for n in range(2)]

    with pytest.raises(SgwApiError) as info:
        api.pages_without_total(fetch, [{"GatewayId": "first"}, {"GatewayId": "second"}], 2, "DescribeGateways",
                                "cn-hangzhou")
    assert asked == [2, 3, 4]
    assert info.value.code == "InvalidResponse"
    assert "more than 4 full pages of 2 items came without a TotalCount" in str(info.value)


def test_repr_hides_secrets(server):
    text = repr(make_client(server, token=TOKEN))
    assert SECRET not in text and TOKEN not in text


@pytest.mark.parametrize("kwargs", [{"signature_version": "v2"}, {"endpoint": "ftp://x"}])
def test_bad_settings_fail_before_any_call(kwargs):
    with pytest.raises(SgwConfigError):
        sgw_client.SgwClient(Credentials("id", SECRET), **kwargs)


@pytest.mark.parametrize("first, total, page_size, expected", [
    (50, 120, 50, [2, 3]),
    (50, 100, 50, [2]),
    (50, 50, 50, []),
    (30, 120, 50, []),  # a short first page is the whole listing, whatever TotalCount claims
    (0, 0, 50, []),
    (2, 5, 2, [2, 3]),
])
def test_further_pages(first, total, page_size, expected):
    assert list(api.further_pages(first, total, page_size)) == expected


BAD_GATEWAY = (502, {"Content-Type": "text/html"}, b"<html><body><h1>502 Bad Gateway</h1></body></html>")
THROTTLED = (400, {}, {"Code": "Throttling.User", "Message": "flow control", "RequestId": "R-T"})
FAILED = (500, {}, {"Code": "InternalError", "Message": "boom", "RequestId": "R-500"})


@pytest.mark.parametrize("replies, attempts, outcome", [
    ([BAD_GATEWAY, OK], 1, "unknown"),            # may have been applied: never sent again
    ([FAILED, OK], 1, "unknown"),
    ([(200, {}, b'{"TaskId": "t-'), OK], 1, "unknown"),
    ([THROTTLED, THROTTLED, OK], 3, "done"),      # a refusal proves nothing was applied: sent again
    ([THROTTLED, BAD_GATEWAY, OK], 2, "unknown"),
    ([(403, {}, {"Code": "Forbidden.RAM", "Message": "denied"})], 1, "refused"),
])
def test_a_write_is_sent_again_only_after_an_answer_that_proves_it_was_not_applied(server, replies, attempts,
                                                                                   outcome):
    server.replies.extend(replies)
    client = make_client(server)
    result = outcomes.write(lambda: api.remove_shares_from_express_sync(
        client, "cn-hangzhou", "sync-1", [("gw-1", "a")]) or "t-1")
    assert len(server.requests) == attempts
    assert result.state == outcome


def test_a_write_to_an_endpoint_that_refuses_connections_is_sent_again_and_refused():
    creds = Credentials("LTAI5tTESTKEY0001", SECRET, None, "options")
    retry = sgw_client.RetryPolicy(max_retries=2, base_delay=0.0)
    client = sgw_client.SgwClient(creds, endpoint="http://127.0.0.1:9", timeout=1, retry=retry, sleep=lambda s: None)
    result = outcomes.write(lambda: api.add_shares_to_express_sync(client, "cn-hangzhou", "sync-1", [("gw-1", "a")]))
    assert result.state == "refused" and result.error.attempts == 3 and not result.error.sent
