# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One function per SGW action, returning the API's own records (CamelCase dictionaries), and the
paging of the listings (``PageNumber``/``PageSize`` up to the first page's ``TotalCount``)."""

from __future__ import annotations

import json

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.backoff import Backoff
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import (
    BUCKET_NAME,
    BUCKET_PREFIX,
    BUCKET_REGION,
    DESCRIPTION,
    EXPRESS_SYNC_ID,
    GATEWAY_ID,
    NAME,
    REGION_ID,
    RESOURCE_ID,
    STORAGE_BUNDLE_ID,
    TAG_KEY,
    TAG_VALUE,
    TASK_ID,
    GATEWAY_REGION_ID,
    STATUS,
    extract_list,
    extract_plain_or_wrapped,
    request_id_of,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import KNOWN_REGIONS, invalid_bucket_filter

# DescribeRegions is served by every endpoint; this region picks the mainland one.
DISCOVERY_REGION = "cn-hangzhou"

TASK_RUNNING = "task.state.running"
# ListTagResources takes at most this many ResourceId.N.
MAX_TAG_RESOURCES = 50

TASK_COMPLETED = "task.state.completed"
TASK_FAILED = "task.state.failed"
# The code of the error raised for a task in a state that is neither running, completed nor failed.
TASK_STATE_UNKNOWN = "TaskStateUnknown"

MAX_PAGE_SIZE = 50
# The most items a paged listing may claim (TotalCount); more is taken for a broken answer,
# not a reason to ask for millions of pages.
MAX_TOTAL_COUNT = 100000
# The most pages read of a listing without TotalCount (as many as MAX_TOTAL_COUNT items would fill).
MAX_PAGES = MAX_TOTAL_COUNT // MAX_PAGE_SIZE


def further_pages(first_page_size, total, page_size=MAX_PAGE_SIZE):
    """The page numbers after the first that a paged listing still has to be asked for, from its
    ``TotalCount`` (see :func:`pages_without_total` when the answer has none).

    A short first page is the whole listing, whatever ``TotalCount`` claims.
    """
    if first_page_size < page_size or total <= first_page_size:
        return range(0)
    return range(2, (total + page_size - 1) // page_size + 1)


def total_count(body, action=None, region=None):
    """The ``TotalCount`` of a paged answer: a whole number from 0 to ``MAX_TOTAL_COUNT``, or None when the
    answer has none (never taken for 0: the listing then ends at its first short page)."""
    value = body.get("TotalCount") if isinstance(body, dict) else None
    if value is None or value == "":
        return None
    try:
        total = int(value) if not isinstance(value, (bool, float)) else None
    except (TypeError, ValueError):
        total = None
    if isinstance(value, float) and value.is_integer():
        total = int(value)
    if total is None or not 0 <= total <= MAX_TOTAL_COUNT:
        raise SgwApiError("InvalidResponse", "TotalCount %s is not a whole number from 0 to %d" % (
            json.dumps(value)[:40], MAX_TOTAL_COUNT), action=action, region=region, request_id=request_id_of(body))
    return total


def pages_without_total(fetch, first, page_size=MAX_PAGE_SIZE, action=None, region=None):
    """The items of pages 2, 3... of a listing whose answers carry no ``TotalCount``.

    ``fetch(number)`` returns the items of a page. The listing ends at a short (or empty) page, or
    at a page that repeats the previous one (a service that ignores ``PageNumber``); past
    ``MAX_PAGES`` full pages it is taken for a broken answer, with a clear error.
    """
    items, previous, number = [], list(first), 1
    while len(previous) >= page_size:
        number += 1
        if number > MAX_PAGES:
            raise SgwApiError("InvalidResponse", "more than %d full pages of %d items came without a TotalCount; "
                              "the listing does not end (report it to Alibaba Cloud support)" % (MAX_PAGES, page_size),
                              action=action, region=region)
        page = list(fetch(number))
        if page == previous:
            break
        items.extend(page)
        previous = page
    return items


def paginate(client, action, region, params, wrapper, item, page_size=MAX_PAGE_SIZE, extract=extract_list):
    """Every item of a paged action: the pages that the first page's ``TotalCount`` implies, or, without
    one, page after page up to a short one."""
    def page(number):
        body = client.call(action, region, dict(params, PageNumber=number, PageSize=page_size))
        return body, extract(body, wrapper, item, action, region)

    first, items = page(1)
    items = list(items)
    total = total_count(first, action, region)
    if total is None:
        return items + pages_without_total(lambda number: page(number)[1], items, page_size, action, region)
    for number in further_pages(len(items), total, page_size):
        items.extend(page(number)[1])
    return items


def chunked(items, size):
    """``items`` in lists of at most ``size`` (one list when ``size`` is 0 or None)."""
    items = list(items)
    if not size or size <= 0:
        return [items] if items else []
    return [items[start:start + size] for start in range(0, len(items), size)]


def describe_regions(client, region=DISCOVERY_REGION):
    body = client.call("DescribeRegions", region)
    return [entry.get(REGION_ID) for entry in extract_list(body, "Regions", "Region", "DescribeRegions", region)
            if entry.get(REGION_ID)]


def check_regions(client, regions) -> list:
    """``regions``, once checked: one that no SGW endpoint is known to serve (a typo such as
    ``cn-hangzou``) is looked up with ``DescribeRegions``, whatever the endpoint, and one that it
    does not list either is a configuration error naming the valid regions. The same check for the
    inventory, the lookups and the modules; no call when every region is known."""
    unknown = [r for r in regions if r not in KNOWN_REGIONS]
    if not unknown:
        return list(regions)
    valid = describe_regions(client)
    missing = [r for r in unknown if r not in valid]
    if missing:
        raise SgwConfigError("%s %s not served by SGW; DescribeRegions lists: %s." % (
            ", ".join(repr(r) for r in missing), "is" if len(missing) == 1 else "are", ", ".join(valid)))
    return list(regions)


def describe_express_syncs(client, region, bucket_name=None, bucket_prefix=None):
    problems = invalid_bucket_filter(bucket_name, bucket_prefix)
    if problems:
        raise SgwConfigError("%s." % "; ".join(problems))
    params = {}
    if bucket_name:
        params[BUCKET_NAME] = bucket_name
        if bucket_prefix is not None:
            params[BUCKET_PREFIX] = bucket_prefix
    body = client.call("DescribeExpressSyncs", region, params)
    return extract_list(body, "ExpressSyncs", "ExpressSync", "DescribeExpressSyncs", region)


def describe_express_sync_shares(client, region, express_sync_ids, is_external=False):
    """Shares of several groups in ONE call (the caller chunks when it must)."""
    ids = [i for i in express_sync_ids if i]
    if not ids:
        raise SgwConfigError("DescribeExpressSyncShares needs at least one express sync group id.")
    body = client.call("DescribeExpressSyncShares", region,
                       {"ExpressSyncIds": ",".join(ids), "IsExternal": bool(is_external)})
    return extract_list(body, "Shares", "Share", "DescribeExpressSyncShares", region)


def describe_gateway_file_shares(client, region, gateway_id):
    """Every file share of one gateway (``DescribeGatewayFileShares``, not paged)."""
    body = client.call("DescribeGatewayFileShares", region, {GATEWAY_ID: gateway_id})
    return extract_list(body, "FileShares", "FileShare", "DescribeGatewayFileShares", region)


def list_gateway_tags(client, region, gateway_ids):
    """``{GatewayId: {TagKey: TagValue}}`` of at most 50 gateways (``ListTagResources``, every page)."""
    action = "ListTagResources"
    params = {"ResourceType": "GATEWAY"}
    params.update(("ResourceId.%d" % number, gateway_id) for number, gateway_id in enumerate(gateway_ids, 1))
    tags = {gateway_id: {} for gateway_id in gateway_ids}
    token, seen = None, set()
    while True:
        body = client.call(action, region, dict(params, NextToken=token))
        for entry in extract_list(body, "TagResources", "TagResource", action, region):
            tags.setdefault(entry.get(RESOURCE_ID), {})[entry.get(TAG_KEY)] = entry.get(TAG_VALUE)
        token = body.get("NextToken") if isinstance(body, dict) else None
        if not token or token in seen:  # a token seen before would loop forever
            return tags
        seen.add(token)


def describe_gateways_page(client, region, storage_bundle_id, page=1, page_size=MAX_PAGE_SIZE):
    """One page of ``DescribeGateways``: ``(gateways, TotalCount or None)``."""
    action = "DescribeGateways"
    body = client.call(action, region, {STORAGE_BUNDLE_ID: storage_bundle_id, "PageNumber": page,
                                        "PageSize": page_size})
    gateways = extract_list(body, "Gateways", "Gateway", action, region)
    return gateways, total_count(body, action, region)


ALERTING = "alerting"


def list_alert_events(client, region):
    """The alert events still alerting on the gateways of ``region`` (``ListAlertEvents`` with
    ``GatewayRegionId`` and ``Status=alerting``, every page). ``AlertEvents`` may be a plain list, as
    documented, or wrapped as the other lists are."""
    return paginate(client, "ListAlertEvents", region, {GATEWAY_REGION_ID: region, STATUS: ALERTING},
                    "AlertEvents", "AlertEvent", extract=extract_plain_or_wrapped)


def describe_tasks(client, region, target_id=None, task_id=None):
    params = {"TargetId": target_id, TASK_ID: task_id}
    return paginate(client, "DescribeTasks", region, params, "Tasks", "SimpleTask")


# The write actions are sent once (resend=False): see :mod:`..writes.outcomes`.


def create_express_sync(client, region, name, bucket_region, bucket_name, bucket_prefix=None, description=None):
    body = client.call("CreateExpressSync", region, {
        NAME: name, BUCKET_REGION: bucket_region, BUCKET_NAME: bucket_name,
        BUCKET_PREFIX: bucket_prefix or None, DESCRIPTION: description or None,
    }, resend=False)
    return body.get(EXPRESS_SYNC_ID)


def delete_express_sync(client, region, express_sync_id):
    return client.call("DeleteExpressSync", region, {EXPRESS_SYNC_ID: express_sync_id}, resend=False).get(TASK_ID)


def gateway_shares_param(shares) -> str:
    """``GatewayShares``: a JSON object of gateway id → comma-separated share names."""
    grouped = {}
    for gateway_id, share_name in shares:
        grouped.setdefault(gateway_id, []).append(share_name)
    return json.dumps({gw: ",".join(names) for gw, names in sorted(grouped.items())}, separators=(",", ":"),
                      ensure_ascii=False)


def add_shares_to_express_sync(client, region, express_sync_id, shares):
    return client.call("AddSharesToExpressSync", region, {
        EXPRESS_SYNC_ID: express_sync_id, "GatewayShares": gateway_shares_param(shares)}, resend=False).get(TASK_ID)


def remove_shares_from_express_sync(client, region, express_sync_id, shares):
    return client.call("RemoveSharesFromExpressSync", region, {
        EXPRESS_SYNC_ID: express_sync_id, "GatewayShares": gateway_shares_param(shares)}, resend=False).get(TASK_ID)


def task_poll_backoff(timeout=None, interval=0.25, max_interval=5.0, **kwargs) -> Backoff:
    """The delays between ``DescribeTasks`` polls: from ``interval``, doubling up to ``max_interval``,
    never past ``timeout`` (no jitter: one poller per wait has nobody to spread out from)."""
    return Backoff(timeout=timeout, base=interval, cap=max_interval, jitter=False, **kwargs)
