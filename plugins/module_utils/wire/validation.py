# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of user input, made before any API call; each returns a list of readable problems."""

from __future__ import annotations

import re

# The regions where SGW is offered (the product's list of supported regions). A configured region
# outside it is checked with DescribeRegions before any other call, so that a typo is an error
# naming the valid regions rather than an empty inventory or a DNS failure.
KNOWN_REGIONS = frozenset((
    "cn-hangzhou", "cn-shanghai", "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu",
    "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu", "cn-hongkong", "ap-southeast-1", "ap-southeast-3",
    "ap-southeast-5", "ap-southeast-6", "ap-northeast-1", "ap-northeast-2", "eu-central-1", "us-west-1", "us-east-1",
    "me-central-1", "cn-shanghai-finance-1", "cn-shenzhen-finance-1", "cn-north-2-gov-1",
))
REGION_ID_PATTERN = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")
# An id is refused only for what would break or change the request: the alphabet after the prefix
# is the service's to decide (it answers ExpressSyncNotExist / GatewayNotExist for an id it does not know).
_BREAKS_A_REQUEST = re.compile(r"[\s,\x00-\x1f\x7f-\x9f]")
# CreateExpressSync: 1-128 characters, letters, CJK, digits, '.', '_', '-', starting with a letter or CJK.
EXPRESS_SYNC_NAME = re.compile(r"^[\u4e00-\u9fa5a-zA-Z][\u4e00-\u9fa5a-zA-Z0-9_.-]{0,127}$")
DESCRIPTION_MAX = 255


def is_region_id(value) -> bool:
    return isinstance(value, str) and bool(REGION_ID_PATTERN.match(value))


def region_problem(region, env_names) -> str | None:
    """What is wrong with the one region of a module or lookup (absent or malformed), or None.

    ``env_names`` are the environment variables that may set it, named in the message.
    """
    if not region:
        return "region is required: set the option region or the environment variable %s." % " or ".join(env_names)
    problems = invalid_regions([region])
    return "Invalid region: %s." % problems[0] if problems else None


def invalid_regions(regions) -> list:
    bad = [r for r in regions or () if not is_region_id(r)]
    return ["%r is not a region id (for example cn-hangzhou)" % r for r in bad]


def id_problem(value, prefix: str):
    """Why ``value`` cannot be sent as one id starting with ``prefix``, or None."""
    if not isinstance(value, str) or not value:
        return "is empty" if value in ("", None) else "is not a string"
    if _BREAKS_A_REQUEST.search(value):
        return "holds a space, a comma or a control character"
    if not value.startswith(prefix) or len(value) == len(prefix):
        return ""  # the wrong kind of id: the prefix says it all
    return None


def _invalid_ids(ids, prefix, what) -> list:
    problems = []
    for value in ids or ():
        problem = id_problem(value, prefix)
        if problem is not None:
            problems.append("%r is not %s (%s...)%s" % (value, what, prefix, ": it " + problem if problem else ""))
    return problems


def invalid_express_sync_ids(ids) -> list:
    return _invalid_ids(ids, "sync-", "an express sync group id")


def invalid_gateway_ids(ids) -> list:
    return _invalid_ids(ids, "gw-", "a gateway id")


def invalid_bucket_filter(bucket_name, bucket_prefix) -> list:
    """The groups of a prefix are listed only within one bucket: ``bucket_prefix`` needs ``bucket_name``."""
    if bucket_prefix is not None and not bucket_name:
        return ["bucket_prefix needs bucket_name (the API lists the group of a prefix only within one bucket)"]
    return []


def invalid_express_sync_name(name) -> list:
    if isinstance(name, str) and EXPRESS_SYNC_NAME.match(name):
        return []
    return ["%r is not a valid express sync group name: 1 to 128 letters, CJK characters, digits, '.', '_' or '-', "
            "starting with a letter or a CJK character" % (name,)]


def share_name_problem(name, gateway_id=None):
    """What is wrong with a share name sent in ``GatewayShares`` (the one rule for every module and the
    journal), or None: it must be a non-blank string without a comma, which separates the names."""
    whose = " of gateway %s" % gateway_id if gateway_id else ""
    if not isinstance(name, str) or not name.strip():
        return "the share name%s is empty" % whose
    if "," in name:
        return "the share name %r%s contains a comma, which GatewayShares cannot carry" % (name, whose)
    return None


def invalid_express_sync_options(params) -> list:
    """Every problem of the options of the express_sync module."""
    problems = []
    if not params.get("express_sync_id") and not params.get("name"):
        problems.append("give express_sync_id or name to identify the express sync group")
    if params.get("express_sync_id"):
        problems += invalid_express_sync_ids([params["express_sync_id"]])
    if params.get("name") is not None:
        problems += invalid_express_sync_name(params["name"])
    description = params.get("description")
    if description is not None and len(description) > DESCRIPTION_MAX:
        problems.append("description is %d characters long; at most %d are allowed" % (len(description),
                                                                                       DESCRIPTION_MAX))
    shares = params.get("shares")
    if shares is not None:
        problems += invalid_gateway_ids(sorted({s["gateway_id"] for s in shares}))
        problems += [p for p in (share_name_problem(s["share_name"], s["gateway_id"]) for s in shares) if p]
    if params.get("state") == "absent" and shares is not None:
        problems.append("shares cannot be used with state=absent, which deletes the whole group; to remove shares "
                        "and keep the group use state=present with shares_state=absent")
    if params.get("purge_shares") and params.get("shares_state") == "absent":
        problems.append("purge_shares applies to shares_state=present only")
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 0:
        problems.append("wait_timeout must be 0 or more seconds")
    return problems
