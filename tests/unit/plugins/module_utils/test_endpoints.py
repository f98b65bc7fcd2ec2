"""Endpoints: the product's map (not the SDK's), VPC endpoints, per-region mappings, early checks: tables."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import endpoints
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import transport
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError

MAPPING = {"cn-hangzhou": "https://sgw-vpc.cn-hangzhou.aliyuncs.com", "ap-southeast-1": "http://127.0.0.1:9001/x"}


@pytest.mark.parametrize("region, expected", [
    # The product's endpoint page: where the SDK's map would send these four to sgw.<region>.aliyuncs.com.
    ("cn-shanghai", "https://sgw.cn-shanghai.aliyuncs.com"),
    ("cn-wulanchabu", "https://sgw.cn-shanghai.aliyuncs.com"),
    ("cn-heyuan", "https://sgw.cn-shanghai.aliyuncs.com"),
    ("cn-guangzhou", "https://sgw.cn-shanghai.aliyuncs.com"),
])
def test_the_map_is_the_products_not_the_sdks(region, expected):
    assert endpoints.endpoint_url(region) == expected


@pytest.mark.parametrize("region, endpoint, endpoint_type, mapping, expected", [
    ("cn-hangzhou", None, "vpc", None, "https://sgw-vpc.cn-hangzhou.aliyuncs.com"),
    ("cn-shanghai", None, "vpc", None, "https://sgw-vpc.cn-shanghai.aliyuncs.com"),
    ("ap-southeast-1", None, "vpc", None, "https://sgw-vpc.ap-southeast-1.aliyuncs.com"),
    ("cn-hangzhou", None, "public", MAPPING, "https://sgw-vpc.cn-hangzhou.aliyuncs.com"),
    ("ap-southeast-1", None, "public", MAPPING, "http://127.0.0.1:9001"),
    ("cn-beijing", None, "public", MAPPING, "https://sgw.cn-shanghai.aliyuncs.com"),
    ("cn-beijing", None, "vpc", MAPPING, "https://sgw-vpc.cn-beijing.aliyuncs.com"),
    ("cn-beijing", "http://127.0.0.1:8080", "vpc", MAPPING, "http://127.0.0.1:8080"),
    ("cn-hangzhou", "http://127.0.0.1:8080", "public", MAPPING, "https://sgw-vpc.cn-hangzhou.aliyuncs.com"),
])
def test_endpoint_type_and_per_region_endpoints(region, endpoint, endpoint_type, mapping, expected):
    assert endpoints.endpoint_url(region, endpoint, endpoint_type, mapping) == expected
    client = transport.SgwClient(Credentials("id", "secret"), endpoint=endpoint, endpoint_type=endpoint_type,
                                 endpoints=mapping)
    assert client.base_url(region) == expected


@pytest.mark.parametrize("kwargs, message", [
    ({"endpoint_type": "private"}, "endpoint_type must be one of public, vpc"),
    ({"endpoints": ["https://x"]}, "endpoints must be a mapping"),
    ({"endpoints": {"Hangzhou": "https://x"}}, "'Hangzhou' is not a region id"),
    ({"endpoints": {"cn-hangzhou": ""}}, "the endpoint of cn-hangzhou must be a URL"),
    ({"endpoints": {"cn-hangzhou": "ftp://x"}}, "'ftp://x' is not a valid http(s) URL"),
    ({"endpoint": "ftp://x"}, "'ftp://x' is not a valid http(s) URL"),
])
def test_bad_endpoint_settings_fail_before_any_call(kwargs, message):
    with pytest.raises(SgwConfigError) as info:
        transport.SgwClient(Credentials("id", "secret"), **kwargs)
    assert message in str(info.value)
