# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The condition of a share: one verdict from every health signal that was asked for.

A *signal* is one source of health data: ``express_sync`` (the share's ``ExpressSyncState``),
``gateway`` (``Status``, ``ExpireStatus``, ``LastErrorKey`` of its gateway), ``file_share``
(``Enabled``, ``OssHealth``, ``LagPeriod``, the queues... of ``DescribeGatewayFileShares``) and
``alerts`` (the events of ``ListAlertEvents`` that are alerting on the share or its gateway).

Each finding is a *reason*, a stable code of :data:`REASONS` with a severity; the verdict is
``failed`` when a reason fails the share, else ``unknown`` when a signal could not be read (or
holds a value this table does not know), else ``degraded`` when a reason degrades it, else ``ok``.
A signal that was asked for and could not be read is never taken for a healthy one.

Nothing here calls the API: :func:`verdict` works on the records, so every rule is tested with
tables (and docs/health.md lists the same table; a unit test keeps the two in step).
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import (
    ACTIVE_MESSAGES,
    DOWNLOAD_QUEUE,
    ENABLED,
    EXPIRE_STATUS,
    EXPRESS_SYNC_STATE,
    GATEWAY_ID,
    LAG_PERIOD,
    LAST_ERROR_KEY,
    OSS_HEALTH,
    REMAINING_META_SPACE,
    SHARE_INDEX_ID,
    SHARE_NAME,
    STATUS,
    TYPE,
    UPLOAD_QUEUE,
)

OK = "ok"
DEGRADED = "degraded"
FAILED = "failed"
UNKNOWN = "unknown"
# Worst first: the condition of a set of shares is the worst of theirs.
CONDITION_ORDER = (FAILED, UNKNOWN, DEGRADED, OK)
_RANK = {condition: rank for rank, condition in enumerate(CONDITION_ORDER)}

EXPRESS_SYNC = "express_sync"
GATEWAY = "gateway"
FILE_SHARE = "file_share"
ALERTS = "alerts"
SIGNALS = (EXPRESS_SYNC, GATEWAY, FILE_SHARE, ALERTS)

Reason = namedtuple("Reason", "code severity signal source rule")

# The thresholds (options) and their defaults; None: not checked.
THRESHOLDS = {
    "upload_lag_seconds": 3600,
    "upload_queue_max": None,
    "download_queue_max": None,
    "active_messages_max": None,
    "remaining_meta_space_min": None,
}

# Every reason, in the order reasons are listed on a host.
REASONS = (
    Reason("sync_failed", FAILED, EXPRESS_SYNC, EXPRESS_SYNC_STATE,
           "TopicAndQueueFailure, TopicFailure or QueueFailure"),
    Reason("sync_in_progress", DEGRADED, EXPRESS_SYNC, EXPRESS_SYNC_STATE, "MNSFullSyncInit or MNSFullSyncing"),
    Reason("sync_not_enabled", DEGRADED, EXPRESS_SYNC, EXPRESS_SYNC_STATE, "MNSNotEnabled on a member share"),
    Reason("sync_state_unknown", UNKNOWN, EXPRESS_SYNC, EXPRESS_SYNC_STATE, "any other value, the empty one included"),
    Reason("gateway_not_running", FAILED, GATEWAY, STATUS,
           "Stopped, Stopping, Failed, Deleting, Deactivated, Initialized or Activated"),
    Reason("gateway_no_heartbeat", FAILED, GATEWAY, STATUS, "Unknown (no heartbeat for a long time)"),
    Reason("gateway_changing", DEGRADED, GATEWAY, STATUS, "Starting, Rebooting, Upgrading, Modifying or Deploying"),
    Reason("gateway_expired", FAILED, GATEWAY, EXPIRE_STATUS, "2"),
    Reason("gateway_expiring", DEGRADED, GATEWAY, EXPIRE_STATUS, "1"),
    Reason("gateway_error", DEGRADED, GATEWAY, LAST_ERROR_KEY, "not empty"),
    Reason("gateway_unreadable", UNKNOWN, GATEWAY, "DescribeGateways",
           "the call failed, the gateway is not listed, or Status or ExpireStatus has a value not in this table"),
    Reason("share_disabled", FAILED, FILE_SHARE, ENABLED, "false"),
    Reason("bucket_unhealthy", FAILED, FILE_SHARE, OSS_HEALTH, "not BucketHealthy"),
    Reason("upload_lag", DEGRADED, FILE_SHARE, LAG_PERIOD, "more than upload_lag_seconds (default 3600)"),
    Reason("upload_queue", DEGRADED, FILE_SHARE, UPLOAD_QUEUE, "more than upload_queue_max (default: not checked)"),
    Reason("download_queue", DEGRADED, FILE_SHARE, DOWNLOAD_QUEUE,
           "more than download_queue_max (default: not checked)"),
    Reason("sync_backlog", DEGRADED, FILE_SHARE, ACTIVE_MESSAGES,
           "more than active_messages_max (default: not checked)"),
    Reason("low_meta_space", DEGRADED, FILE_SHARE, REMAINING_META_SPACE,
           "less than remaining_meta_space_min (default: not checked)"),
    Reason("file_share_unreadable", UNKNOWN, FILE_SHARE, "DescribeGatewayFileShares",
           "the call failed, the gateway does not list the share, or a field above is missing or not a number"),
    Reason("alert_throttling", DEGRADED, ALERTS, "AlertEvents[].Type", "throttling, alerting"),
    Reason("alert_upload_queue_full", DEGRADED, ALERTS, "AlertEvents[].Type", "uploadQueueFull, alerting"),
    Reason("alert_low_meta_space", DEGRADED, ALERTS, "AlertEvents[].Type", "lowMetaSpace, alerting"),
    Reason("alert_other", DEGRADED, ALERTS, "AlertEvents[].Type", "any other type, alerting"),
    Reason("alerts_unreadable", UNKNOWN, ALERTS, "ListAlertEvents", "the call failed for the gateway's region"),
)
REASON_BY_CODE = {reason.code: reason for reason in REASONS}
_ORDER = {reason.code: number for number, reason in enumerate(REASONS)}

SYNC_REASONS = {
    "MNSHealthy": None,
    "MNSFullSyncInit": "sync_in_progress",
    "MNSFullSyncing": "sync_in_progress",
    "TopicAndQueueFailure": "sync_failed",
    "TopicFailure": "sync_failed",
    "QueueFailure": "sync_failed",
    "MNSNotEnabled": "sync_not_enabled",
}
GATEWAY_STATUS_REASONS = dict(
    [("Running", None), ("Unknown", "gateway_no_heartbeat")]
    + [(status, "gateway_not_running") for status in
       ("Stopped", "Stopping", "Failed", "Deleting", "Deactivated", "Initialized", "Activated")]
    + [(status, "gateway_changing") for status in ("Starting", "Rebooting", "Upgrading", "Modifying", "Deploying")])
EXPIRE_REASONS = {0: None, 1: "gateway_expiring", 2: "gateway_expired"}
BUCKET_HEALTHY = "BucketHealthy"
# (FileShare field, threshold option, reason, True when more than the threshold is bad).
FILE_SHARE_LIMITS = (
    (LAG_PERIOD, "upload_lag_seconds", "upload_lag", True),
    (UPLOAD_QUEUE, "upload_queue_max", "upload_queue", True),
    (DOWNLOAD_QUEUE, "download_queue_max", "download_queue", True),
    (ACTIVE_MESSAGES, "active_messages_max", "sync_backlog", True),
    (REMAINING_META_SPACE, "remaining_meta_space_min", "low_meta_space", False),
)
ALERT_REASONS = {"throttling": "alert_throttling", "uploadqueuefull": "alert_upload_queue_full",
                 "lowmetaspace": "alert_low_meta_space"}
ALERTING = "alerting"


def reasons_of_signals(signals) -> list:
    """The codes that ``signals`` can give, in table order (the ``sgw_reason_<code>`` groups made)."""
    return [reason.code for reason in REASONS if reason.signal in signals]


def condition_of(reasons) -> str:
    """The verdict of a list of reason codes (a code this table does not know counts as unknown)."""
    worst = OK
    for code in reasons:
        reason = REASON_BY_CODE.get(code)
        severity = reason.severity if reason else UNKNOWN
        if _RANK[severity] < _RANK[worst]:
            worst = severity
    return worst


def worst_condition(conditions) -> str:
    """The worst of several conditions (``failed`` > ``unknown`` > ``degraded`` > ``ok``); none gives ``unknown``."""
    ranked = [_RANK.get(condition, _RANK[UNKNOWN]) for condition in conditions]
    return CONDITION_ORDER[min(ranked)] if ranked else UNKNOWN


def sorted_reasons(codes) -> list:
    """Codes once each, in table order."""
    return sorted(set(codes), key=lambda code: _ORDER.get(code, len(_ORDER)))


def _number(value):
    """A JSON number as an int or float; anything else (bool, string, null) None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _whole(value):
    """0, 1, 2... from a number or a numeric string, else None."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    number = _number(value)
    return int(number) if number is not None and float(number).is_integer() else None


def sync_reasons(state) -> list:
    """The reasons of an ``ExpressSyncState``."""
    if not isinstance(state, str) or state not in SYNC_REASONS:
        return ["sync_state_unknown"]
    reason = SYNC_REASONS[state]
    return [reason] if reason else []


def gateway_reasons(gateway) -> list:
    """The reasons of a ``DescribeGateways`` record; None (not read) is ``gateway_unreadable``."""
    if not isinstance(gateway, dict):
        return ["gateway_unreadable"]
    reasons = []
    status = gateway.get(STATUS)
    if not isinstance(status, str) or status not in GATEWAY_STATUS_REASONS:
        reasons.append("gateway_unreadable")
    elif GATEWAY_STATUS_REASONS[status]:
        reasons.append(GATEWAY_STATUS_REASONS[status])
    expire = _whole(gateway.get(EXPIRE_STATUS))
    if expire not in EXPIRE_REASONS:
        reasons.append("gateway_unreadable")
    elif EXPIRE_REASONS[expire]:
        reasons.append(EXPIRE_REASONS[expire])
    error_key = gateway.get(LAST_ERROR_KEY)
    if isinstance(error_key, str) and error_key.strip():
        reasons.append("gateway_error")
    return reasons


def file_share_reasons(file_share, thresholds=None) -> list:
    """The reasons of a ``DescribeGatewayFileShares`` record; None (not read or not listed) is
    ``file_share_unreadable``. A threshold that is None is not checked."""
    if not isinstance(file_share, dict):
        return ["file_share_unreadable"]
    limits = dict(THRESHOLDS, **(thresholds or {}))
    reasons = []
    enabled = file_share.get(ENABLED)
    if not isinstance(enabled, bool):
        reasons.append("file_share_unreadable")
    elif not enabled:
        reasons.append("share_disabled")
    oss_health = file_share.get(OSS_HEALTH)
    if not isinstance(oss_health, str) or not oss_health:
        reasons.append("file_share_unreadable")
    elif oss_health != BUCKET_HEALTHY:
        reasons.append("bucket_unhealthy")
    for field, option, reason, above in FILE_SHARE_LIMITS:
        limit = limits.get(option)
        if limit is None:
            continue
        value = _number(file_share.get(field))
        if value is None:
            reasons.append("file_share_unreadable")
        elif (value > limit) if above else (value < limit):
            reasons.append(reason)
    return reasons


def alert_reasons(alerts) -> list:
    """The reasons of the alert events that concern a share; None (not read) is ``alerts_unreadable``.

    An event whose ``Status`` says it is no longer alerting is left out; one without a ``Status``
    counts (the call asks for alerting events only).
    """
    if alerts is None:
        return ["alerts_unreadable"]
    reasons = []
    for alert in alerts:
        status = alert.get(STATUS)
        if isinstance(status, str) and status and status.lower() != ALERTING:
            continue
        kind = alert.get(TYPE)
        reasons.append(ALERT_REASONS.get(kind.lower() if isinstance(kind, str) else None, "alert_other"))
    return reasons


def verdict(facts: dict, thresholds=None) -> tuple:
    """``(condition, reasons)`` of one share from its ``facts``: a key per signal asked for
    (``express_sync``: the ``ExpressSyncState``; ``gateway``: the gateway record; ``file_share``: the
    file share record; ``alerts``: the list of its alert events), None for a signal that could not be read."""
    reasons = []
    if EXPRESS_SYNC in facts:
        reasons += sync_reasons(facts[EXPRESS_SYNC])
    if GATEWAY in facts:
        reasons += gateway_reasons(facts[GATEWAY])
    if FILE_SHARE in facts:
        reasons += file_share_reasons(facts[FILE_SHARE], thresholds)
    if ALERTS in facts:
        reasons += alert_reasons(facts[ALERTS])
    reasons = sorted_reasons(reasons)
    return condition_of(reasons), reasons


def alerts_of_share(alerts, gateway_id, share_name, index_id=None) -> list:
    """The alert events of a gateway's region that concern one share: those of its gateway that name
    no share (the whole gateway) or name it, by its name or its ``IndexId`` (the documentation calls
    the filter ``ShareIndexId`` and describes it as the share name, so both are matched)."""
    names = {name for name in (share_name, index_id) if name}
    return [alert for alert in alerts if alert.get(GATEWAY_ID) == gateway_id
            and (not alert_shares(alert) or alert_shares(alert) & names)]


def alert_shares(alert) -> set:
    """What an alert event names its share by (``ShareName``, ``ShareIndexId``); empty for the whole gateway."""
    return {alert.get(field) for field in (SHARE_NAME, SHARE_INDEX_ID)
            if isinstance(alert.get(field), str) and alert.get(field)}
