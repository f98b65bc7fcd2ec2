# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API records turned into the snake_case dictionaries that every plugin and module returns.

A share looks the same whichever way a playbook reads it: inventory host variables, lookup
results and module returns all come from these functions.
"""

from __future__ import annotations

import re

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.health import full_sync_supported, health_of
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import (
    EXPRESS_SYNC_STATE,
    GATEWAY_ID,
    INNER_IP,
    IP,
    RECORDS,
    SHARE_NAME,
    SYNC_PROGRESS,
)

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# The computed health of a share, added to its record.
HEALTH_KEY = "sgw_health"

# The keys of each share that a gateway host lists in ``sgw_shares``.
SHARE_LIST_KEYS = tuple(f.variable for item in ("Share", "ExpressSync") for f in RECORDS[item] if f.listed) + (
    HEALTH_KEY,)


def snake_case(name: str) -> str:
    """``ExpressSyncId`` → ``express_sync_id``, ``InnerIp`` → ``inner_ip``, ``VSwitchId`` → ``v_switch_id``."""
    return _WORD_BOUNDARY.sub("_", name).lower()


def _record(item, entry: dict) -> dict:
    """An API record as snake_case keys: every field of the schema (None when missing), and the
    fields the API may add later, kept rather than dropped."""
    record = {field.name: entry.get(field.api) for field in RECORDS[item]}
    for field, value in entry.items():
        record.setdefault(snake_case(field), value)
    return record


def file_share_vars(file_share: dict) -> dict:
    """A ``DescribeGatewayFileShares`` share as the ``share_*`` variables of its host (share_details)."""
    return _variables("FileShare", file_share)


def member_vars(share: dict) -> dict:
    """What a member share (not a candidate) adds: whether its gateway supports full sync."""
    return {"sgw_full_sync_supported": full_sync_supported(share.get(SYNC_PROGRESS))}


def share_record(share: dict) -> dict:
    """One share of ``DescribeExpressSyncShares`` as snake_case keys plus ``sgw_health``."""
    record = _record("Share", share)
    record[HEALTH_KEY] = health_of(share.get(EXPRESS_SYNC_STATE))
    return record


def express_sync_record(express_sync: dict) -> dict:
    """One express sync group of ``DescribeExpressSyncs`` as snake_case keys."""
    return _record("ExpressSync", express_sync)


def _variables(item, entry: dict) -> dict:
    return {field.variable: entry.get(field.api) for field in RECORDS[item] if field.variable}


def express_sync_vars(express_sync: dict) -> dict:
    """A group's fields as the ``express_sync_*`` variables of its member shares."""
    return _variables("ExpressSync", express_sync)


def gateway_vars(gateway: dict) -> dict:
    """A gateway's details as the ``gateway_*`` variables of its shares."""
    return _variables("Gateway", gateway)


def gateway_address(gateway: dict):
    """The address to reach a gateway at: its ``InnerIp``, else its ``Ip``, else None."""
    return gateway.get(INNER_IP) or gateway.get(IP) or None


def share_label(key) -> str:
    """A share's ``(gateway_id, share_name)`` as the inventory names its host: ``<share_name>@<gateway_id>``."""
    return "%s@%s" % (key[1], key[0])


def share_key(share: dict) -> tuple:
    """What identifies a share across calls and regions: (GatewayId, ShareName)."""
    return share.get(GATEWAY_ID), share.get(SHARE_NAME)
