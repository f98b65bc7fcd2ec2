# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shape of the API's answers: which lists they hold and what their items must look like."""

from __future__ import annotations

from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwApiError


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


# Per list item: the fields that identify an item, group it or address it, which must be strings
# when present (null counts as absent); those of REQUIRED_FIELDS must be non-empty strings. Any
# other field is passed on as the API gave it.
STRING_FIELDS = {
    "Share": ("GatewayId", "ShareName", "ExpressSyncId", "ExpressSyncState", "StorageBundleId", "GatewayRegion"),
    "ExpressSync": ("ExpressSyncId", "Name", "BucketName", "BucketRegion", "BucketPrefix"),
    "Gateway": ("GatewayId", "StorageBundleId", "InnerIp", "Ip", "Name", "GatewayRegionId"),
    "Region": ("RegionId",),
    "SimpleTask": ("TaskId", "StateCode"),
}
REQUIRED_FIELDS = {
    "Share": ("GatewayId", "ShareName"),
    "ExpressSync": ("ExpressSyncId",),
    "Gateway": ("GatewayId",),
}


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
