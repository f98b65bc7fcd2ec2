# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's verifier against signature vectors, and tampered copies of them.

The vectors are those published in the signature documents (V1:
https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism, V3:
https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature), and SGW requests signed
with the official SDK's signer.
"""

from __future__ import annotations

import calendar
import dataclasses
import time

import pytest

from tests.simulator.errors import ApiError
from tests.simulator.signature import AccessKey, SignedRequest, Verifier, v1_string_to_sign

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _epoch(timestamp: str) -> float:
    return calendar.timegm(time.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ"))


@dataclasses.dataclass
class Vector:
    name: str
    request: SignedRequest
    key: AccessKey
    timestamp: str


def v1_vector(name, method, secret, signature, **params) -> Vector:
    query = tuple(params.items()) + (("Signature", signature),)
    return Vector(name, SignedRequest(method, "/", query, {}), AccessKey(params["AccessKeyId"], secret),
                  params["Timestamp"])


def v3_vector(name, key, query, action, version, host, date, nonce, authorization, **extra_headers) -> Vector:
    headers = {"host": host, "x-acs-action": action, "x-acs-version": version, "x-acs-date": date,
               "x-acs-signature-nonce": nonce, "x-acs-content-sha256": EMPTY_SHA256,
               "authorization": authorization, **extra_headers}
    return Vector(name, SignedRequest("POST", "/", tuple(query.items()), {k: [v] for k, v in headers.items()}), key,
                  date)


V1_COMMON = {"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0"}
SGW_V1 = dict(V1_COMMON, AccessKeyId="testid", Format="JSON", RegionId="cn-hangzhou", Version="2018-05-11",
              Timestamp="2024-01-01T00:00:00Z")
S3_AUTH = ("ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;"
           "x-acs-signature-nonce;x-acs-version,Signature=bda3da7f6b13d10964dfc62e5c385a71a49012dee8cbf5c672352ad460eab819")
S4_AUTH = ("ACS3-HMAC-SHA256 Credential=STS.testid,SignedHeaders=host;x-acs-accesskey-id;x-acs-action;"
           "x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,"
           "Signature=d8ef2f7ff47fc81900af13814516cac2bfee62710fc1ffcdb87ecdd17a2a217c")
S3_QUERY = {"StorageBundleId": "sb-0001b2otnkdxrigeq***", "PageNumber": "1", "PageSize": "50"}
S3_ARGS = (S3_QUERY, "DescribeGateways", "2018-05-11", "sgw.cn-shanghai.aliyuncs.com", "2024-01-01T00:00:00Z",
           "3156853299f313e23d1673dc12e1703d")

VECTORS = [
    v1_vector("A ECS DescribeRegions", "GET", "testsecret", "OLeaidS1JvxuMvnyHOwuJ+uX5qY=", **V1_COMMON,
              AccessKeyId="testid", Action="DescribeRegions", Format="XML",
              SignatureNonce="3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", Timestamp="2016-02-23T12:46:24Z",
              Version="2014-05-26"),
    v1_vector("B ECS DescribeDedicatedHosts", "GET", "testsecret", "9NaGiOspFP5UPcwX8Iwt2YJXXuk=", **V1_COMMON,
              AccessKeyId="testid", Action="DescribeDedicatedHosts", Format="JSON", RegionId="cn-beijing",
              SignatureNonce="edb2b34af0af9a6d14deaf7c1a5315eb", Timestamp="2023-03-13T08:34:30Z",
              Version="2014-05-26"),
    v1_vector("B with POST", "POST", "testsecret", "ZvQ9xGiFnquSJRvj+WE6kdSpTwU=", **V1_COMMON,
              AccessKeyId="testid", Action="DescribeDedicatedHosts", Format="JSON", RegionId="cn-beijing",
              SignatureNonce="edb2b34af0af9a6d14deaf7c1a5315eb", Timestamp="2023-03-13T08:34:30Z",
              Version="2014-05-26"),
    v1_vector("C SendSms UTF-8 and JSON", "GET", "testSecret", "zJDF+Lrzhj/ThnlvIToysFRq6t4=", **V1_COMMON,
              AccessKeyId="testId", Action="SendSms", Format="XML", OutId="123", PhoneNumbers="15300000001",
              RegionId="cn-hangzhou", SignName="阿里云短信测试专用",
              SignatureNonce="45e25e9b-0a6f-4070-8c85-2956eda1b466", TemplateCode="SMS_71390007",
              TemplateParam='{"customer":"test"}', Timestamp="2017-07-12T02:42:19Z", Version="2017-05-25"),
    v1_vector("S1 DescribeExpressSyncs POST", "POST", "testsecret", "YeiPQhlBnfEVXUFnZMcaEFAS0Ec=", **SGW_V1,
              Action="DescribeExpressSyncs", SignatureNonce="e5b5a1f6b7b84c4b9c1e1b2f3a4d5e6f"),
    v1_vector("S1 DescribeExpressSyncs GET", "GET", "testsecret", "C7X6mDoR1WFZ1dhp1Vz8+Bpj1T8=", **SGW_V1,
              Action="DescribeExpressSyncs", SignatureNonce="e5b5a1f6b7b84c4b9c1e1b2f3a4d5e6f"),
    v1_vector("S2 AddSharesToExpressSync", "POST", "testsecret", "m/UAzvmO3BzdeqklXQ476gvYSJ4=", **SGW_V1,
              Action="AddSharesToExpressSync", ExpressSyncId="sync-0001xv7je357xn8tr***",
              GatewayShares='{"gw-000gwgp0j3jp8cb3t***":"share1,share2"}',
              SignatureNonce="0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
    v3_vector("V3 doc RunInstances", AccessKey("YourAccessKeyId", "YourAccessKeySecret"),
              {"ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"},
              "RunInstances", "2014-05-26", "ecs.cn-shanghai.aliyuncs.com", "2023-10-26T10:22:32Z",
              "3156853299f313e23d1673dc12e1703d",
              "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;"
              "x-acs-date;x-acs-signature-nonce;x-acs-version,"
              "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"),
    v3_vector("S3 DescribeGateways", AccessKey("testid", "testsecret"), *S3_ARGS, S3_AUTH),
    v3_vector("S4 DescribeGateways with STS", AccessKey("STS.testid", "testsecret", "STS.testtoken"), *S3_ARGS,
              S4_AUTH, **{"x-acs-security-token": "STS.testtoken", "x-acs-accesskey-id": "STS.testid"}),
]
V1_VECTORS = [vector for vector in VECTORS if not vector.request.headers]
V3_VECTORS = [vector for vector in VECTORS if vector.request.headers]


def verifier(vector: Vector, key: AccessKey | None = None, skew: float = 0) -> Verifier:
    return Verifier([key or vector.key], clock=lambda: _epoch(vector.timestamp) + skew)


def assert_fails(verify, request, code: str) -> ApiError:
    with pytest.raises(ApiError) as raised:
        verify.verify(request)
    assert raised.value.code == code, raised.value.message
    return raised.value


def with_query(request: SignedRequest, **changes) -> SignedRequest:
    return dataclasses.replace(request, query=tuple((k, changes.get(k, v)) for k, v in request.query))


def with_header(request: SignedRequest, name: str, value: str | None) -> SignedRequest:
    headers = {k: v for k, v in request.headers.items() if k != name}
    if value is not None:
        headers[name] = [value]
    return dataclasses.replace(request, headers=headers)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda vector: vector.name)
def test_published_vectors_verify(vector):
    identity = verifier(vector).verify(vector.request)
    assert identity.key_id == vector.key.key_id
    assert identity.scheme == ("v3" if vector.request.headers else "v1")


def test_v1_string_to_sign_of_vector_a():
    assert v1_string_to_sign("GET", V1_VECTORS[0].request.query) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")


@pytest.mark.parametrize("vector", V1_VECTORS, ids=lambda vector: vector.name)
@pytest.mark.parametrize("tamper", [
    lambda request: with_query(request, Action="DescribeInstances"),
    lambda request: with_query(request, SignatureNonce="another-nonce"),
    lambda request: dataclasses.replace(request, method="PUT" if request.method == "GET" else "GET"),
    lambda request: dataclasses.replace(request, query=request.query + (("Extra", ""),)),
    lambda request: dataclasses.replace(request, form=(("PageSize", "50"),)),
], ids=["action", "nonce", "method", "extra-empty-param", "form-body-param"])
def test_tampered_v1_fails(vector, tamper):
    error = assert_fails(verifier(vector), tamper(vector.request), "SignatureDoesNotMatch")
    assert "server string to sign is:" in error.message


@pytest.mark.parametrize("vector", V3_VECTORS, ids=lambda vector: vector.name)
@pytest.mark.parametrize("tamper, code", [
    (lambda request: with_header(request, "x-acs-action", "DeleteExpressSync"), "SignatureDoesNotMatch"),
    (lambda request: with_header(request, "host", "sgw.example.com"), "SignatureDoesNotMatch"),
    (lambda request: with_query(request, RegionId="cn-beijing", PageSize="10"), "SignatureDoesNotMatch"),
    (lambda request: dataclasses.replace(request, method="GET"), "SignatureDoesNotMatch"),
    (lambda request: dataclasses.replace(request, body=b"PageSize=1"), "SignatureDoesNotMatch"),
    (lambda request: with_header(request, "x-acs-date", None), "IncompleteSignature"),
    (lambda request: with_header(request, "authorization",
                                 request.header("authorization").replace("host;", "")), "IncompleteSignature"),
    (lambda request: with_header(request, "authorization",
                                 request.header("authorization").replace("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3")),
     "IncompleteSignature"),
], ids=["action-header", "host", "query", "method", "body", "missing-date", "host-not-signed", "algorithm"])
def test_tampered_v3_fails(vector, tamper, code):
    assert_fails(verifier(vector), tamper(vector.request), code)


@pytest.mark.parametrize("vector", [V1_VECTORS[0], V3_VECTORS[0]], ids=["v1", "v3"])
@pytest.mark.parametrize("skew, ok", [(14 * 60, True), (-14 * 60, True), (16 * 60, False), (-16 * 60, False)])
def test_timestamp_window_is_15_minutes(vector, skew, ok):
    verify = verifier(vector, skew=skew)
    if ok:
        verify.verify(vector.request)
    else:
        assert_fails(verify, vector.request, "InvalidTimeStamp.Expired")


def test_badly_formatted_timestamp():
    vector = V1_VECTORS[0]
    assert_fails(verifier(vector), with_query(vector.request, Timestamp="2016-02-23 12:46:24"),
                 "InvalidTimeStamp.Format")


@pytest.mark.parametrize("vector", [V1_VECTORS[0], V3_VECTORS[0]], ids=["v1", "v3"])
def test_nonce_is_single_use(vector):
    verify = verifier(vector)
    verify.verify(vector.request)
    assert_fails(verify, vector.request, "SignatureNonceUsed")


@pytest.mark.parametrize("vector", [V1_VECTORS[0], V3_VECTORS[0]], ids=["v1", "v3"])
def test_unknown_access_key(vector):
    assert_fails(verifier(vector, AccessKey("someone-else", "secret")), vector.request, "InvalidAccessKeyId.NotFound")


def test_sts_key_needs_its_token():
    vector = V3_VECTORS[-1]
    assert_fails(verifier(vector, AccessKey("STS.testid", "testsecret", "STS.othertoken")), vector.request,
                 "InvalidSecurityToken.Mismatch")
    plain = V3_VECTORS[1]
    assert_fails(verifier(plain, AccessKey("testid", "testsecret", "STS.testtoken")), plain.request,
                 "MissingSecurityToken")
    assert_fails(verifier(vector, AccessKey("STS.testid", "testsecret")), vector.request,
                 "InvalidSecurityToken.Mismatch")


def test_unsigned_request_is_incomplete():
    assert_fails(Verifier([AccessKey("testid", "testsecret")]), SignedRequest("POST", "/", (), {}),
                 "IncompleteSignature")


@pytest.mark.parametrize("text, expected", [
    ("id:secret", AccessKey("id", "secret")),
    ("STS.id:secret:token", AccessKey("STS.id", "secret", "token")),
    ("STS.id:secret:token:with:colons", AccessKey("STS.id", "secret", "token:with:colons")),
])
def test_access_key_parsing(text, expected):
    assert AccessKey.parse(text) == expected


@pytest.mark.parametrize("text", ["id", "id:", ":secret", ""])
def test_bad_access_keys(text):
    with pytest.raises(ValueError):
        AccessKey.parse(text)
