# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the SGW API of a region answers: a per-region mapping, an override, or the product's map.

The map is the one of the SGW endpoint page of the product's documentation
(https://www.alibabacloud.com/help/en/csg/developer-reference/api-sgw-2018-05-11-endpoint), not the
official SDK's: the SDK's map lacks cn-shanghai, cn-wulanchabu, cn-heyuan and cn-guangzhou, which it
would send to ``sgw.<region>.aliyuncs.com``, while the page serves every mainland region and Hong
Kong from ``sgw.cn-shanghai.aliyuncs.com``. VPC endpoints are per region: ``sgw-vpc.<region>.aliyuncs.com``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.redaction import hide_userinfo
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import is_region_id

API_VERSION = "2018-05-11"
PRODUCT = "sgw"
PUBLIC = "public"
VPC = "vpc"
ENDPOINT_TYPES = (PUBLIC, VPC)

# The public endpoints of the product's endpoint page; every other region uses sgw.<region>.aliyuncs.com.
ENDPOINT_MAP = {
    region: "sgw.cn-shanghai.aliyuncs.com"
    for region in ("cn-hangzhou", "cn-shanghai", "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote",
                   "cn-wulanchabu", "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu", "cn-hongkong")
}
ENDPOINT_MAP["us-east-1"] = "sgw.us-west-1.aliyuncs.com"


def base_url(endpoint: str) -> str:
    """``scheme://host[:port]`` of an endpoint given as a URL or a host name (https then)."""
    url = endpoint if "://" in endpoint else "https://" + endpoint
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SgwConfigError("The endpoint %r is not a valid http(s) URL." % hide_userinfo(endpoint))
    return "%s://%s" % (parts.scheme, parts.netloc)


def endpoint_url(region: str, endpoint: str | None = None, endpoint_type: str = PUBLIC, endpoints=None) -> str:
    """The base URL for ``region``: its entry of ``endpoints``, else the ``endpoint`` override, else the
    product's map for ``endpoint_type``."""
    override = (endpoints or {}).get(region) or endpoint
    if override:
        return base_url(override)
    if not is_region_id(region):
        raise SgwConfigError("%r is not a valid region id (for example cn-hangzhou)." % (region,))
    if endpoint_type == VPC:
        return "https://%s-vpc.%s.aliyuncs.com" % (PRODUCT, region)
    return "https://" + ENDPOINT_MAP.get(region, "%s.%s.aliyuncs.com" % (PRODUCT, region))


def endpoint_problems(endpoint=None, endpoint_type=PUBLIC, endpoints=None) -> list:
    """What is wrong with the endpoint settings, before any call."""
    problems = []
    if endpoint_type not in ENDPOINT_TYPES:
        problems.append("endpoint_type must be one of %s, not %r" % (", ".join(ENDPOINT_TYPES), endpoint_type))
    if endpoints is not None and not isinstance(endpoints, dict):
        problems.append("endpoints must be a mapping of region ids to endpoint URLs")
        endpoints = {}
    for region, url in sorted((endpoints or {}).items(), key=lambda item: str(item[0])):
        if not is_region_id(region):
            problems.append("endpoints: %r is not a region id (for example cn-hangzhou)" % (region,))
        if not isinstance(url, str) or not url:
            problems.append("endpoints: the endpoint of %s must be a URL, not %r" % (region, hide_userinfo(url)))
    for url in [endpoint] + [u for u in (endpoints or {}).values() if isinstance(u, str) and u]:
        if url:
            try:
                base_url(url)
            except SgwConfigError as error:
                problems.append(str(error).rstrip("."))
    return problems
