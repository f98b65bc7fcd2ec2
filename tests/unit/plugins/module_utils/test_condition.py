"""The condition verdict (estate/condition.py) as tables."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate import condition

GATEWAY_OK = {"Status": "Running", "ExpireStatus": 0, "LastErrorKey": ""}
SHARE_OK = {"Enabled": True, "OssHealth": "BucketHealthy", "LagPeriod": 0, "UploadQueue": 0, "DownloadQueue": 0,
            "ActiveMessages": 0, "RemainingMetaSpace": 1000}


@pytest.mark.parametrize("state, reasons", [
    ("MNSHealthy", []),
    ("MNSFullSyncInit", ["sync_in_progress"]),
    ("MNSFullSyncing", ["sync_in_progress"]),
    ("TopicAndQueueFailure", ["sync_failed"]),
    ("TopicFailure", ["sync_failed"]),
    ("QueueFailure", ["sync_failed"]),
    ("MNSNotEnabled", ["sync_not_enabled"]),
    ("", ["sync_state_unknown"]),
    (None, ["sync_state_unknown"]),
    ("mnshealthy", ["sync_state_unknown"]),
])
def test_sync_reasons(state, reasons):
    assert condition.sync_reasons(state) == reasons


@pytest.mark.parametrize("changes, reasons", [
    ({}, []),
    ({"Status": "Stopped"}, ["gateway_not_running"]),
    ({"Status": "Failed"}, ["gateway_not_running"]),
    ({"Status": "Deactivated"}, ["gateway_not_running"]),
    ({"Status": "Unknown"}, ["gateway_no_heartbeat"]),
    ({"Status": "Upgrading"}, ["gateway_changing"]),
    ({"Status": "Rebooting"}, ["gateway_changing"]),
    ({"Status": "running"}, ["gateway_unreadable"]),
    ({"Status": None}, ["gateway_unreadable"]),
    ({"ExpireStatus": 1}, ["gateway_expiring"]),
    ({"ExpireStatus": 2}, ["gateway_expired"]),
    ({"ExpireStatus": "2"}, ["gateway_expired"]),
    ({"ExpireStatus": 2.0}, ["gateway_expired"]),
    ({"ExpireStatus": 7}, ["gateway_unreadable"]),
    ({"ExpireStatus": None}, ["gateway_unreadable"]),
    ({"ExpireStatus": True}, ["gateway_unreadable"]),
    ({"LastErrorKey": "DiskFull"}, ["gateway_error"]),
    ({"LastErrorKey": "  "}, []),
    ({"LastErrorKey": None}, []),
    ({"Status": "Stopped", "ExpireStatus": 2}, ["gateway_not_running", "gateway_expired"]),
])
def test_gateway_reasons(changes, reasons):
    assert condition.gateway_reasons(dict(GATEWAY_OK, **changes)) == reasons


def test_gateway_not_read_is_unreadable():
    assert condition.gateway_reasons(None) == ["gateway_unreadable"]


@pytest.mark.parametrize("changes, thresholds, reasons", [
    ({}, None, []),
    ({"Enabled": False}, None, ["share_disabled"]),
    ({"Enabled": "true"}, None, ["file_share_unreadable"]),
    ({"OssHealth": "BucketUnreachable"}, None, ["bucket_unhealthy"]),
    ({"OssHealth": ""}, None, ["file_share_unreadable"]),
    ({"LagPeriod": 3600}, None, []),
    ({"LagPeriod": 3601}, None, ["upload_lag"]),
    ({"LagPeriod": 120}, {"upload_lag_seconds": 60}, ["upload_lag"]),
    ({"LagPeriod": None}, None, ["file_share_unreadable"]),
    ({"LagPeriod": None}, {"upload_lag_seconds": None}, []),
    ({"LagPeriod": "9999"}, None, ["file_share_unreadable"]),
    ({"UploadQueue": 500}, None, []),
    ({"UploadQueue": 500}, {"upload_queue_max": 100}, ["upload_queue"]),
    ({"DownloadQueue": 500}, {"download_queue_max": 100}, ["download_queue"]),
    ({"ActiveMessages": 5}, {"active_messages_max": 4}, ["sync_backlog"]),
    ({"RemainingMetaSpace": 10}, {"remaining_meta_space_min": 100}, ["low_meta_space"]),
    ({"RemainingMetaSpace": 100}, {"remaining_meta_space_min": 100}, []),
    ({"Enabled": False, "OssHealth": "BucketUnreachable", "LagPeriod": 7200}, None,
     ["share_disabled", "bucket_unhealthy", "upload_lag"]),
])
def test_file_share_reasons(changes, thresholds, reasons):
    assert condition.file_share_reasons(dict(SHARE_OK, **changes), thresholds) == reasons


def test_file_share_not_read_is_unreadable():
    assert condition.file_share_reasons(None) == ["file_share_unreadable"]


@pytest.mark.parametrize("alerts, reasons", [
    (None, ["alerts_unreadable"]),
    ([], []),
    ([{"Type": "uploadQueueFull", "Status": "alerting"}], ["alert_upload_queue_full"]),
    ([{"Type": "throttling"}], ["alert_throttling"]),
    ([{"Type": "lowMetaSpace", "Status": "Alerting"}], ["alert_low_meta_space"]),
    ([{"Type": "diskFailure"}], ["alert_other"]),
    ([{"Type": None}], ["alert_other"]),
    ([{"Type": "uploadQueueFull", "Status": "closed"}], []),
])
def test_alert_reasons(alerts, reasons):
    assert condition.alert_reasons(alerts) == reasons


@pytest.mark.parametrize("facts, expected", [
    ({}, ("ok", [])),
    ({"express_sync": "MNSHealthy"}, ("ok", [])),
    ({"express_sync": "MNSFullSyncing"}, ("degraded", ["sync_in_progress"])),
    ({"express_sync": "QueueFailure"}, ("failed", ["sync_failed"])),
    ({"express_sync": "MNSHealthy", "gateway": dict(GATEWAY_OK, Status="Stopped")},
     ("failed", ["gateway_not_running"])),
    # a signal that could not be read is never ok
    ({"express_sync": "MNSHealthy", "gateway": None}, ("unknown", ["gateway_unreadable"])),
    ({"express_sync": "MNSHealthy", "file_share": None}, ("unknown", ["file_share_unreadable"])),
    ({"express_sync": "MNSHealthy", "alerts": None}, ("unknown", ["alerts_unreadable"])),
    # what is known to be broken stays failed; what may be broken is unknown rather than degraded
    ({"express_sync": "QueueFailure", "alerts": None}, ("failed", ["sync_failed", "alerts_unreadable"])),
    ({"express_sync": "MNSFullSyncing", "alerts": None}, ("unknown", ["sync_in_progress", "alerts_unreadable"])),
    ({"express_sync": "MNSHealthy", "alerts": [{"Type": "uploadQueueFull"}, {"Type": "uploadQueueFull"}]},
     ("degraded", ["alert_upload_queue_full"])),
    ({"express_sync": "MNSHealthy", "gateway": GATEWAY_OK, "file_share": SHARE_OK, "alerts": []}, ("ok", [])),
    ({"alerts": [{"Type": "throttling"}], "gateway": dict(GATEWAY_OK, ExpireStatus=1), "express_sync": "TopicFailure"},
     ("failed", ["sync_failed", "gateway_expiring", "alert_throttling"])),
])
def test_verdict(facts, expected):
    assert condition.verdict(facts) == expected


@pytest.mark.parametrize("reasons, expected", [
    ([], "ok"),
    (["sync_in_progress"], "degraded"),
    (["sync_in_progress", "gateway_unreadable"], "unknown"),
    (["gateway_unreadable", "share_disabled"], "failed"),
    (["a_code_from_the_future"], "unknown"),
])
def test_condition_of(reasons, expected):
    assert condition.condition_of(reasons) == expected


@pytest.mark.parametrize("conditions, expected", [
    ([], "unknown"),
    (["ok", "ok"], "ok"),
    (["ok", "degraded"], "degraded"),
    (["degraded", "unknown"], "unknown"),
    (["unknown", "failed", "ok"], "failed"),
])
def test_worst_condition(conditions, expected):
    assert condition.worst_condition(conditions) == expected


ALERTS = [
    {"GatewayId": "gw-1", "Type": "throttling"},                                  # the whole gateway
    {"GatewayId": "gw-1", "ShareName": "media", "Type": "uploadQueueFull"},
    {"GatewayId": "gw-1", "ShareIndexId": "NFSmedia", "Type": "lowMetaSpace"},
    {"GatewayId": "gw-1", "ShareName": "home", "Type": "lowMetaSpace"},
    {"GatewayId": "gw-2", "ShareName": "media", "Type": "uploadQueueFull"},
]


@pytest.mark.parametrize("gateway, share, index_id, types", [
    ("gw-1", "media", None, ["throttling", "uploadQueueFull"]),
    ("gw-1", "media", "NFSmedia", ["throttling", "uploadQueueFull", "lowMetaSpace"]),
    ("gw-1", "other", None, ["throttling"]),
    ("gw-2", "media", None, ["uploadQueueFull"]),
    ("gw-3", "media", None, []),
])
def test_alerts_of_share(gateway, share, index_id, types):
    assert [a["Type"] for a in condition.alerts_of_share(ALERTS, gateway, share, index_id)] == types


def test_every_reason_has_a_known_severity_and_signal():
    for reason in condition.REASONS:
        assert reason.severity in condition.CONDITION_ORDER and reason.severity != "ok"
        assert reason.signal in condition.SIGNALS
    assert len(condition.REASON_BY_CODE) == len(condition.REASONS)


def test_the_required_codes_exist():
    required = {"sync_failed", "sync_in_progress", "gateway_not_running", "gateway_no_heartbeat", "gateway_expiring",
                "gateway_expired", "share_disabled", "bucket_unhealthy", "upload_lag", "alert_throttling",
                "alert_upload_queue_full", "alert_low_meta_space"}
    assert required <= set(condition.REASON_BY_CODE)


def test_reasons_of_signals():
    assert condition.reasons_of_signals(["alerts"]) == [
        "alert_throttling", "alert_upload_queue_full", "alert_low_meta_space", "alert_other", "alerts_unreadable"]
    assert condition.reasons_of_signals(condition.SIGNALS) == [r.code for r in condition.REASONS]
