"""The signing functions against signature vectors.

The vectors are those published in the signature documents, verbatim (V1:
https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism, V3:
https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature), and SGW requests signed
with the official SDK's signer.
"""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import signing

ECS_DESCRIBE_REGIONS = {
    "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
    "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
}
ECS_DEDICATED_HOSTS = {
    "AccessKeyId": "testid", "Action": "DescribeDedicatedHosts", "Format": "JSON", "RegionId": "cn-beijing",
    "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "edb2b34af0af9a6d14deaf7c1a5315eb", "SignatureVersion": "1.0",
    "Timestamp": "2023-03-13T08:34:30Z", "Version": "2014-05-26",
}
SMS_SEND = {
    "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
SGW_DESCRIBE_SYNCS = {
    "AccessKeyId": "testid", "Action": "DescribeExpressSyncs", "Format": "JSON", "RegionId": "cn-hangzhou",
    "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "e5b5a1f6b7b84c4b9c1e1b2f3a4d5e6f", "SignatureVersion": "1.0",
    "Timestamp": "2024-01-01T00:00:00Z", "Version": "2018-05-11",
}
SGW_ADD_SHARES = {
    "AccessKeyId": "testid", "Action": "AddSharesToExpressSync", "ExpressSyncId": "sync-0001xv7je357xn8tr***",
    "Format": "JSON", "GatewayShares": '{"gw-000gwgp0j3jp8cb3t***":"share1,share2"}', "RegionId": "cn-hangzhou",
    "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "SignatureVersion": "1.0",
    "Timestamp": "2024-01-01T00:00:00Z", "Version": "2018-05-11",
}


@pytest.mark.parametrize("method, params, secret, expected", [
    ("GET", ECS_DESCRIBE_REGIONS, "testsecret", "OLeaidS1JvxuMvnyHOwuJ+uX5qY="),
    ("GET", ECS_DEDICATED_HOSTS, "testsecret", "9NaGiOspFP5UPcwX8Iwt2YJXXuk="),
    ("POST", ECS_DEDICATED_HOSTS, "testsecret", "ZvQ9xGiFnquSJRvj+WE6kdSpTwU="),
    ("GET", SMS_SEND, "testSecret", "zJDF+Lrzhj/ThnlvIToysFRq6t4="),
    ("POST", SGW_DESCRIBE_SYNCS, "testsecret", "YeiPQhlBnfEVXUFnZMcaEFAS0Ec="),
    ("GET", SGW_DESCRIBE_SYNCS, "testsecret", "C7X6mDoR1WFZ1dhp1Vz8+Bpj1T8="),
    ("POST", SGW_ADD_SHARES, "testsecret", "m/UAzvmO3BzdeqklXQ476gvYSJ4="),
])
def test_v1_vectors(method, params, secret, expected):
    assert signing.v1_signature(method, params, secret) == expected


def test_v1_signature_ignores_an_existing_signature_parameter():
    params = dict(ECS_DESCRIBE_REGIONS, Signature="stale")
    assert signing.v1_signature("GET", params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_v1_string_to_sign_vector():
    assert signing.v1_string_to_sign("GET", ECS_DESCRIBE_REGIONS) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")


def test_v1_signed_params_adds_common_parameters_and_token():
    signed = signing.v1_signed_params("POST", "DescribeExpressSyncs", "2018-05-11", {"RegionId": "cn-hangzhou"},
                                      "testid", "testsecret", security_token="STS.tok",
                                      nonce="e5b5a1f6b7b84c4b9c1e1b2f3a4d5e6f", timestamp="2024-01-01T00:00:00Z")
    assert signed["SecurityToken"] == "STS.tok"
    without_token = {k: v for k, v in signed.items() if k not in ("SecurityToken", "Signature")}
    assert without_token == SGW_DESCRIBE_SYNCS
    assert signed["Signature"] == signing.v1_signature("POST", signed, "testsecret")


@pytest.mark.parametrize("value, expected", [
    ("a b", "a%20b"), ("a*b", "a%2Ab"), ("a~b", "a~b"), ("a+b", "a%2Bb"),
    ("2016-02-23T12:46:24Z", "2016-02-23T12%3A46%3A24Z"),
    ("阿", "%E9%98%BF"), ("", ""), ("-_.", "-_."), ("/", "%2F"),
])
def test_percent_encode(value, expected):
    assert signing.percent_encode(value) == expected


def test_canonical_query_keeps_empty_values():
    assert signing.canonical_query_string({"b": "", "a": "1", "SignatureType": ""}) == "SignatureType=&a=1&b="


V3_CASES = [
    # The official V3 vector (RunInstances).
    dict(host="ecs.cn-shanghai.aliyuncs.com", action="RunInstances", version="2014-05-26",
         query={"ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"},
         key_id="YourAccessKeyId", secret="YourAccessKeySecret", token=None,
         nonce="3156853299f313e23d1673dc12e1703d", date="2023-10-26T10:22:32Z",
         expected="ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;"
                  "x-acs-date;x-acs-signature-nonce;x-acs-version,"
                  "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"),
    # SGW DescribeGateways (S3).
    dict(host="sgw.cn-shanghai.aliyuncs.com", action="DescribeGateways", version="2018-05-11",
         query={"StorageBundleId": "sb-0001b2otnkdxrigeq***", "PageNumber": "1", "PageSize": "50"},
         key_id="testid", secret="testsecret", token=None,
         nonce="3156853299f313e23d1673dc12e1703d", date="2024-01-01T00:00:00Z",
         expected="ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;"
                  "x-acs-date;x-acs-signature-nonce;x-acs-version,"
                  "Signature=bda3da7f6b13d10964dfc62e5c385a71a49012dee8cbf5c672352ad460eab819"),
    # SGW DescribeGateways with an STS token (S4).
    dict(host="sgw.cn-shanghai.aliyuncs.com", action="DescribeGateways", version="2018-05-11",
         query={"StorageBundleId": "sb-0001b2otnkdxrigeq***", "PageNumber": "1", "PageSize": "50"},
         key_id="STS.testid", secret="testsecret", token="STS.testtoken",
         nonce="3156853299f313e23d1673dc12e1703d", date="2024-01-01T00:00:00Z",
         expected="ACS3-HMAC-SHA256 Credential=STS.testid,SignedHeaders=host;x-acs-accesskey-id;x-acs-action;"
                  "x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,"
                  "Signature=d8ef2f7ff47fc81900af13814516cac2bfee62710fc1ffcdb87ecdd17a2a217c"),
]


@pytest.mark.parametrize("case", V3_CASES, ids=["official", "sgw-s3", "sgw-s4-sts"])
def test_v3_vectors(case):
    headers = signing.v3_signed_headers("POST", case["host"], case["action"], case["version"], case["query"],
                                        case["key_id"], case["secret"], case["token"], case["nonce"], case["date"])
    assert headers["Authorization"] == case["expected"]
    assert headers["x-acs-content-sha256"] == signing.EMPTY_SHA256


def test_v3_official_canonical_request_and_string_to_sign():
    case = V3_CASES[0]
    headers = {"host": case["host"], "x-acs-action": case["action"], "x-acs-version": case["version"],
               "x-acs-date": case["date"], "x-acs-signature-nonce": case["nonce"],
               "x-acs-content-sha256": signing.EMPTY_SHA256}
    canonical, signed = signing.v3_canonical_request("POST", case["query"], headers, signing.EMPTY_SHA256)
    assert signed == "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
    assert signing.v3_string_to_sign(canonical) == (
        "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259")


def test_s3_hashed_canonical_request():
    case = V3_CASES[1]
    headers = {"host": case["host"], "x-acs-action": case["action"], "x-acs-version": case["version"],
               "x-acs-date": case["date"], "x-acs-signature-nonce": case["nonce"],
               "x-acs-content-sha256": signing.EMPTY_SHA256}
    canonical, dummy = signing.v3_canonical_request("POST", case["query"], headers, signing.EMPTY_SHA256)
    assert signing.v3_string_to_sign(canonical).endswith(
        "d43399262ad32bd22cb713201aa0a4c6d3362d09446b88fa42fd7c08e4638c82")


def test_fresh_nonce_and_timestamp_each_time():
    first = signing.v3_signed_headers("POST", "h", "A", "v", {}, "id", "s")
    second = signing.v3_signed_headers("POST", "h", "A", "v", {}, "id", "s")
    assert first["x-acs-signature-nonce"] != second["x-acs-signature-nonce"]
    assert signing.utc_timestamp().endswith("Z")


@pytest.mark.parametrize("name", sorted(signing.SIGNATURE_PARAMS))
def test_v1_refuses_an_api_parameter_that_is_one_of_the_signature(name):
    with pytest.raises(ValueError, match="parameters of the signature given as API parameters: %s$" % name):
        signing.v1_signed_params("POST", "DescribeExpressSyncs", "2018-05-11", {name: "x", "RegionId": "cn-hangzhou"},
                                 "testid", "testsecret")
