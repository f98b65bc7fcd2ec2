# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the SGW API of a region answers: the SDK's regional endpoint map, or an override."""

from __future__ import annotations

from urllib.parse import urlsplit

from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.validation import is_region_id

API_VERSION = "2018-05-11"
PRODUCT = "sgw"

# The SDK's regional endpoint map; every other region uses sgw.<region>.aliyuncs.com.
ENDPOINT_MAP = {
    region: "sgw.cn-shanghai.aliyuncs.com"
    for region in ("cn-hangzhou", "cn-shanghai", "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote",
                   "cn-wulanchabu", "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu", "cn-hongkong")
}
ENDPOINT_MAP["us-east-1"] = "sgw.us-west-1.aliyuncs.com"


def endpoint_url(region: str, endpoint: str | None = None) -> str:
    """The base URL for ``region``: the ``endpoint`` override, else the SDK's regional map."""
    if endpoint:
        url = endpoint if "://" in endpoint else "https://" + endpoint
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SgwConfigError("The endpoint %r is not a valid http(s) URL." % endpoint)
        return "%s://%s" % (parts.scheme, parts.netloc)
    if not is_region_id(region):
        raise SgwConfigError("%r is not a valid region id (for example cn-hangzhou)." % (region,))
    return "https://" + ENDPOINT_MAP.get(region, "%s.%s.aliyuncs.com" % (PRODUCT, region))
