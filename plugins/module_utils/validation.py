# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of user input, made before any API call; each returns a list of readable problems."""

from __future__ import annotations

import re

REGION_ID_PATTERN = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")
EXPRESS_SYNC_ID = re.compile(r"^sync-[A-Za-z0-9*]+$")
GATEWAY_ID = re.compile(r"^gw-[A-Za-z0-9*]+$")
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


def invalid_express_sync_ids(ids) -> list:
    bad = [i for i in ids or () if not isinstance(i, str) or not EXPRESS_SYNC_ID.match(i)]
    return ["%r is not an express sync group id (sync-...)" % i for i in bad]


def invalid_gateway_ids(ids) -> list:
    bad = [i for i in ids or () if not isinstance(i, str) or not GATEWAY_ID.match(i)]
    return ["%r is not a gateway id (gw-...)" % i for i in bad]


def invalid_express_sync_name(name) -> list:
    if isinstance(name, str) and EXPRESS_SYNC_NAME.match(name):
        return []
    return ["%r is not a valid express sync group name: 1 to 128 letters, CJK characters, digits, '.', '_' or '-', "
            "starting with a letter or a CJK character" % (name,)]
