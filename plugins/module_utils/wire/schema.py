# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The records of the SGW API, described once: their fields, the keys and inventory variables they
become, and the checks of the lists that hold them in an answer.

``records.py`` (the snake_case records and the inventory variables) and the shape checks of
:func:`extract_list` are derived from :data:`RECORDS`.
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError


def json_type(value) -> str:
    """The JSON name of a decoded value's type (``null``, ``string``, ``object``...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


# What a field is checked for: an identity field (checked: a string when present and not null),
# or any JSON value (passed on as the API gave it).
STR = "str"
ANY = "any"

Field = namedtuple("Field", "api name kind required variable listed")
Field.__doc__ = """One field of an API record.

``api``: the API's name; ``name``: the snake_case key of the record the plugins return;
``kind``: ``STR`` (must be a string when present) or ``ANY``; ``required``: must be a non-empty
string; ``variable``: the inventory host variable it becomes on a share host (None: none);
``listed``: the variable is also one of the keys of each share that a gateway host lists in
``sgw_shares``.
"""


def _fields(*rows):
    return tuple(Field(*row) if len(row) == 6 else Field(*row, listed=False) for row in rows)


# The API names of the fields that the code reads or sends, for use everywhere instead of string literals.
BUCKET_NAME = "BucketName"
BUCKET_PREFIX = "BucketPrefix"
BUCKET_REGION = "BucketRegion"
DESCRIPTION = "Description"
EXPRESS_SYNC_ID = "ExpressSyncId"
EXPRESS_SYNC_STATE = "ExpressSyncState"
GATEWAY_ID = "GatewayId"
GATEWAY_REGION = "GatewayRegion"
INNER_IP = "InnerIp"
IP = "Ip"
MNS_TOPIC = "MnsTopic"
NAME = "Name"
REGION_ID = "RegionId"
RESOURCE_ID = "ResourceId"
SHARE_NAME = "ShareName"
STATE_CODE = "StateCode"
STORAGE_BUNDLE_ID = "StorageBundleId"
SYNC_PROGRESS = "SyncProgress"
TAG_KEY = "TagKey"
TAG_VALUE = "TagValue"
TASK_ID = "TaskId"
# The fields of the health signals (estate/condition.py, estate/signals.py).
STATUS = "Status"
EXPIRE_STATUS = "ExpireStatus"
LAST_ERROR_KEY = "LastErrorKey"
GATEWAY_REGION_ID = "GatewayRegionId"
ENABLED = "Enabled"
OSS_HEALTH = "OssHealth"
INDEX_ID = "IndexId"
LAG_PERIOD = "LagPeriod"
UPLOAD_QUEUE = "UploadQueue"
DOWNLOAD_QUEUE = "DownloadQueue"
ACTIVE_MESSAGES = "ActiveMessages"
REMAINING_META_SPACE = "RemainingMetaSpace"
TYPE = "Type"
SHARE_INDEX_ID = "ShareIndexId"
FIRST_TRIGGER_TIMESTAMP = "FirstTriggerTimestamp"

# The records of the API, by list item name, as the public API reference describes them
# (https://help.aliyun.com/zh/csg/developer-reference/api-sgw-2018-05-11-<action in lower case>).
RECORDS = {
    # DescribeExpressSyncShares: the shares of express sync groups (member or candidate).
    "Share": _fields(
        (EXPRESS_SYNC_ID, "express_sync_id", STR, False, "express_sync_id", True),
        (EXPRESS_SYNC_STATE, "express_sync_state", STR, False, "express_sync_state", True),
        (GATEWAY_ID, "gateway_id", STR, True, "gateway_id"),
        ("GatewayName", "gateway_name", ANY, False, "gateway_name"),
        (GATEWAY_REGION, "gateway_region", STR, False, "gateway_region"),
        ("MnsQueue", "mns_queue", ANY, False, "mns_queue", True),
        (SHARE_NAME, "share_name", STR, True, "share_name", True),
        (STORAGE_BUNDLE_ID, "storage_bundle_id", STR, False, "storage_bundle_id"),
        (SYNC_PROGRESS, "sync_progress", ANY, False, "sync_progress", True),
    ),
    # DescribeExpressSyncs: the express sync groups.
    "ExpressSync": _fields(
        (EXPRESS_SYNC_ID, "express_sync_id", STR, True, None),
        (NAME, "name", STR, False, "express_sync_name", True),
        (BUCKET_NAME, "bucket_name", STR, False, "express_sync_bucket_name"),
        (BUCKET_PREFIX, "bucket_prefix", STR, False, "express_sync_bucket_prefix"),
        (BUCKET_REGION, "bucket_region", STR, False, "express_sync_bucket_region"),
        (MNS_TOPIC, "mns_topic", ANY, False, "express_sync_mns_topic"),
        (DESCRIPTION, "description", ANY, False, "express_sync_description"),
    ),
    # DescribeGateways: the gateway details put on share and gateway hosts.
    "Gateway": _fields(
        (GATEWAY_ID, "gateway_id", STR, True, None),
        (STORAGE_BUNDLE_ID, "storage_bundle_id", STR, False, None),
        (NAME, "name", STR, False, None),
        (GATEWAY_REGION_ID, "gateway_region_id", STR, False, None),
        (STATUS, "status", ANY, False, "gateway_status"),
        ("Location", "location", ANY, False, "gateway_location"),
        (TYPE, "type", ANY, False, "gateway_type"),
        ("GatewayClass", "gateway_class", ANY, False, "gateway_class"),
        ("GatewayVersion", "gateway_version", ANY, False, "gateway_version"),
        (IP, "ip", STR, False, "gateway_ip"),
        (INNER_IP, "inner_ip", STR, False, "gateway_inner_ip"),
        ("VpcId", "vpc_id", ANY, False, "gateway_vpc_id"),
        ("VSwitchId", "v_switch_id", ANY, False, "gateway_vswitch_id"),
        ("EcsInstanceId", "ecs_instance_id", ANY, False, "gateway_ecs_instance_id"),
        (EXPIRE_STATUS, "expire_status", ANY, False, None),
        (LAST_ERROR_KEY, "last_error_key", ANY, False, None),
    ),
    # DescribeRegions.
    "Region": _fields((REGION_ID, "region_id", STR, False, None)),
    # DescribeTasks: the asynchronous tasks of a group.
    "SimpleTask": _fields((TASK_ID, "task_id", STR, False, None), (STATE_CODE, "state_code", STR, False, None)),
    # DescribeGatewayFileShares: a gateway's file shares, whose details share_details puts on share hosts.
    "FileShare": _fields(
        ("Protocol", "protocol", STR, False, "share_protocol"),
        ("OssBucketName", "oss_bucket_name", STR, False, "share_oss_bucket"),
        ("OssEndpoint", "oss_endpoint", STR, False, "share_oss_endpoint"),
        ("PathPrefix", "path_prefix", STR, False, "share_path_prefix"),
        (OSS_HEALTH, "oss_health", ANY, False, "share_oss_health"),
        ("MnsHealth", "mns_health", ANY, False, "share_mns_health"),
        (INDEX_ID, "index_id", STR, False, "share_index_id"),
        (ENABLED, "enabled", ANY, False, "share_enabled"),
        ("State", "state", ANY, False, "share_state"),
        ("Address", "address", ANY, False, "share_address"),
        ("LocalPath", "local_path", ANY, False, "share_local_path"),
        ("CacheMode", "cache_mode", ANY, False, "share_cache_mode"),
        ("Size", "size", ANY, False, "share_size"),
        ("Used", "used", ANY, False, "share_used"),
        ("InRate", "in_rate", ANY, False, "share_in_rate"),
        ("OutRate", "out_rate", ANY, False, "share_out_rate"),
        ("RemoteSync", "remote_sync", ANY, False, "share_remote_sync"),
        (NAME, "name", STR, True, None),
        (EXPRESS_SYNC_ID, "express_sync_id", STR, False, None),
        (LAG_PERIOD, "lag_period", ANY, False, None),
        (UPLOAD_QUEUE, "upload_queue", ANY, False, None),
        (DOWNLOAD_QUEUE, "download_queue", ANY, False, None),
        (ACTIVE_MESSAGES, "active_messages", ANY, False, None),
        (REMAINING_META_SPACE, "remaining_meta_space", ANY, False, None),
    ),
    # ListAlertEvents: the alert events of a region's gateways (the health signal alerts). The documentation
    # names the Type values and the filters; the share of an event may come as ShareName or ShareIndexId.
    "AlertEvent": _fields(
        (GATEWAY_ID, "gateway_id", STR, True, None),
        (TYPE, "type", ANY, False, None),
        (SHARE_NAME, "share_name", STR, False, None),
        (SHARE_INDEX_ID, "share_index_id", STR, False, None),
        (STATUS, "status", ANY, False, None),
        (FIRST_TRIGGER_TIMESTAMP, "first_trigger_timestamp", ANY, False, None),
    ),
    # ListTagResources: the tags of gateways (gateway_tags).
    "TagResource": _fields(
        (RESOURCE_ID, "resource_id", STR, True, None),
        (TAG_KEY, "tag_key", STR, True, None),
        (TAG_VALUE, "tag_value", STR, False, None),
    ),
}

# Checked per list item: the fields that identify an item, group it or address it must be strings
# when present (null counts as absent); the required ones must be non-empty strings.
STRING_FIELDS = {item: tuple(f.api for f in fields if f.kind == STR) for item, fields in RECORDS.items()}
REQUIRED_FIELDS = {item: tuple(f.api for f in fields if f.required) for item, fields in RECORDS.items()}


def _item_problem(wrapper, item, index, entry):
    """What is wrong with one list item, or None."""
    where = "%s.%s[%d]" % (wrapper, item, index)
    for field in STRING_FIELDS.get(item, ()):
        value = entry.get(field)
        if value is not None and not isinstance(value, str):
            return "%s.%s is %s, not a string" % (where, field, json_type(value))
    for field in REQUIRED_FIELDS.get(item, ()):
        if not entry.get(field):
            return "%s has no %s" % (where, field)
    return None


def request_id_of(body):
    """The ``RequestId`` of a decoded answer when it is a string, else None."""
    request_id = body.get("RequestId") if isinstance(body, dict) else None
    return request_id if isinstance(request_id, str) else None


def extract_list(body: dict, wrapper: str, item: str, action: str = None, region: str = None) -> list:
    """The list ``body[wrapper][item]``; a missing, null or mistyped wrapper is a clear error.

    Nothing is guessed: an answer without the list could be read as "no items", and an
    inventory that silently drops hosts is worse than one that fails. Items whose identity
    fields are not strings (see ``STRING_FIELDS``) are errors too.
    """
    if not isinstance(body, dict):
        problem = "the answer is a JSON %s, not an object" % json_type(body)
    elif wrapper not in body:
        problem = "the answer has no %s" % wrapper
    elif not isinstance(body[wrapper], dict):
        problem = "%s is %s, not an object with the list %s" % (wrapper, json_type(body[wrapper]), item)
    elif item not in body[wrapper]:
        problem = "%s has no list %s" % (wrapper, item)
    elif not isinstance(body[wrapper][item], list):
        problem = "%s.%s is %s, not a list" % (wrapper, item, json_type(body[wrapper][item]))
    else:
        items = body[wrapper][item]
        bad = [json_type(entry) for entry in items if not isinstance(entry, dict)]
        if bad:
            problem = "%s.%s holds %s where objects are expected" % (wrapper, item, ", ".join(sorted(set(bad))))
        else:
            problem = next((p for p in (_item_problem(wrapper, item, i, e) for i, e in enumerate(items)) if p), None)
            if problem is None:
                return items
    raise SgwApiError("InvalidResponse", problem, action=action, region=region, request_id=request_id_of(body))


def extract_plain_or_wrapped(body, wrapper: str, item: str, action: str = None, region: str = None) -> list:
    """The list ``body[wrapper]`` when it is a plain list (as ``ListAlertEvents`` documents ``AlertEvents``),
    else ``body[wrapper][item]`` (as the API's other lists are); checked as :func:`extract_list` checks."""
    if isinstance(body, dict) and isinstance(body.get(wrapper), list):
        body = dict(body, **{wrapper: {item: body[wrapper]}})
    return extract_list(body, wrapper, item, action, region)
