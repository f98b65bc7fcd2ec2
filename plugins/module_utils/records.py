# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API records turned into the snake_case dictionaries that every plugin and module returns.

A share looks the same whichever way a playbook reads it: inventory host variables, lookup
results and module returns all come from these functions.
"""

from __future__ import annotations

import re

from ansible_collections.alibabacloud.sgw.plugins.module_utils.health import full_sync_supported, health_of

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

SHARE_FIELDS = ("ExpressSyncId", "ExpressSyncState", "GatewayId", "GatewayName", "GatewayRegion", "MnsQueue",
                "ShareName", "StorageBundleId", "SyncProgress")
GROUP_FIELDS = ("ExpressSyncId", "Name", "BucketName", "BucketPrefix", "BucketRegion", "MnsTopic", "Description")

# Gateway fields exposed on share hosts, under these names.
GATEWAY_VARS = (
    ("Status", "gateway_status"),
    ("Location", "gateway_location"),
    ("Type", "gateway_type"),
    ("GatewayClass", "gateway_class"),
    ("GatewayVersion", "gateway_version"),
    ("Ip", "gateway_ip"),
    ("InnerIp", "gateway_inner_ip"),
    ("VpcId", "gateway_vpc_id"),
    ("VSwitchId", "gateway_vswitch_id"),
    ("EcsInstanceId", "gateway_ecs_instance_id"),
)


def snake_case(name: str) -> str:
    """``ExpressSyncId`` → ``express_sync_id``, ``InnerIp`` → ``inner_ip``, ``VSwitchId`` → ``v_switch_id``."""
    return _WORD_BOUNDARY.sub("_", name).lower()


# DescribeGatewayFileShares fields added to share hosts by share_details, under these names.
FILE_SHARE_VARS = (
    ("Protocol", "share_protocol"),
    ("OssBucketName", "share_oss_bucket"),
    ("OssEndpoint", "share_oss_endpoint"),
    ("PathPrefix", "share_path_prefix"),
    ("OssHealth", "share_oss_health"),
    ("MnsHealth", "share_mns_health"),
    ("IndexId", "share_index_id"),
    ("Enabled", "share_enabled"),
    ("State", "share_state"),
    ("Address", "share_address"),
    ("LocalPath", "share_local_path"),
    ("CacheMode", "share_cache_mode"),
    ("Size", "share_size"),
    ("Used", "share_used"),
    ("InRate", "share_in_rate"),
    ("OutRate", "share_out_rate"),
    ("RemoteSync", "share_remote_sync"),
)


def file_share_vars(file_share: dict) -> dict:
    """A ``DescribeGatewayFileShares`` share as the ``share_*`` variables of its host."""
    return {name: file_share.get(field) for field, name in FILE_SHARE_VARS}


def member_vars(share: dict) -> dict:
    """What a member share (not a candidate) adds: whether its gateway supports full sync."""
    return {"sgw_full_sync_supported": full_sync_supported(share.get("SyncProgress"))}


def share_record(share: dict) -> dict:
    """One share of ``DescribeExpressSyncShares`` as snake_case keys plus ``sgw_health``."""
    record = {snake_case(field): share.get(field) for field in SHARE_FIELDS}
    for field, value in share.items():  # fields the API may add later are kept, not dropped
        record.setdefault(snake_case(field), value)
    record["sgw_health"] = health_of(share.get("ExpressSyncState"))
    return record


def group_record(group: dict) -> dict:
    """One group of ``DescribeExpressSyncs`` as snake_case keys."""
    record = {snake_case(field): group.get(field) for field in GROUP_FIELDS}
    for field, value in group.items():
        record.setdefault(snake_case(field), value)
    return record


def group_vars(group: dict) -> dict:
    """A group's fields as the ``express_sync_*`` variables of its member shares."""
    record = group_record(group)
    return {
        "express_sync_name": record["name"],
        "express_sync_bucket_name": record["bucket_name"],
        "express_sync_bucket_prefix": record["bucket_prefix"],
        "express_sync_bucket_region": record["bucket_region"],
        "express_sync_mns_topic": record["mns_topic"],
        "express_sync_description": record["description"],
    }


def gateway_vars(gateway: dict) -> dict:
    """A gateway's details as the ``gateway_*`` variables of its shares."""
    return {name: gateway.get(field) for field, name in GATEWAY_VARS}


def gateway_address(gateway: dict):
    """The address to reach a gateway at: its ``InnerIp``, else its ``Ip``, else None."""
    return gateway.get("InnerIp") or gateway.get("Ip") or None


def share_key(share: dict) -> tuple:
    """What identifies a share across calls and regions: (GatewayId, ShareName)."""
    return share.get("GatewayId"), share.get("ShareName")
