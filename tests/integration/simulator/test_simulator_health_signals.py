# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The health signals over HTTP: the FileShare health fields, the gateway fields and ListAlertEvents."""

from __future__ import annotations

import pytest

from tests.support.simlib import sample_account

EDIT01 = "gw-0001b2odzvl3b1mhi"
EDIT02 = "gw-0002c8pz1kq7y4rtd"
RENDER01 = "gw-0001h3vy6gc9o2xzp"


def account_with_alerts() -> dict:
    document = sample_account()
    for share in document["shares"]:
        if (share["GatewayId"], share["ShareName"]) == (EDIT01, "media-nfs"):
            share.update(Enabled=False, OssHealth="BucketUnreachable", LagPeriod=7200, UploadQueue=12,
                         DownloadQueue=3, ActiveMessages=40, RemainingMetaSpace=5)
    document["alerts"] = [
        {"GatewayId": EDIT01, "ShareName": "media-nfs", "Type": "uploadQueueFull", "FirstTriggerTimestamp": 2000},
        {"GatewayId": EDIT01, "Type": "throttling", "FirstTriggerTimestamp": 1000},
        {"GatewayId": EDIT02, "ShareName": "media-nfs", "Type": "lowMetaSpace", "Status": "closed"},
        {"GatewayId": RENDER01, "ShareName": "renders", "Type": "lowMetaSpace"},
    ]
    return document


@pytest.fixture(scope="module")
def sim(start_simulator):
    return start_simulator()


@pytest.fixture(autouse=True)
def fresh_account(sim):
    assert sim.control("PUT", "account", json=account_with_alerts()).status_code == 200
    sim.set_faults()
    yield
    sim.set_faults()


def test_file_share_health_fields(sim):
    shares = sim.client().ok("DescribeGatewayFileShares", GatewayId=EDIT01)["FileShares"]["FileShare"]
    media = next(share for share in shares if share["Name"] == "media-nfs")
    assert {field: media[field] for field in ("Enabled", "OssHealth", "LagPeriod", "UploadQueue", "DownloadQueue",
                                              "ActiveMessages", "RemainingMetaSpace", "MnsHealth")} == {
        "Enabled": False, "OssHealth": "BucketUnreachable", "LagPeriod": 7200, "UploadQueue": 12, "DownloadQueue": 3,
        "ActiveMessages": 40, "RemainingMetaSpace": 5, "MnsHealth": "MNSHealthy"}
    other = next(share for share in shares if share["Name"] == "render-frames")
    assert (other["Enabled"], other["OssHealth"], other["LagPeriod"]) == (True, "BucketHealthy", 0)


def test_gateway_health_fields(sim):
    body = sim.client().ok("DescribeGateways", StorageBundleId="sb-0003m1d8ryq5t2hsa", PageSize="50")
    status = {g["GatewayId"]: (g["Status"], g["ExpireStatus"], g["LastErrorKey"]) for g in body["Gateways"]["Gateway"]}
    assert status == {"gw-0001r9ka4ls2e7yvm": ("Running", 0, ""), "gw-0002w5nb8dj3u6qcx": ("Stopped", 0, "")}


def test_list_alert_events_filters(sim):
    client = sim.client()
    every = client.ok("ListAlertEvents")
    assert every["TotalCount"] == 4 and isinstance(every["AlertEvents"], list)
    alerting = client.ok("ListAlertEvents", Status="alerting", GatewayRegionId="cn-hangzhou")["AlertEvents"]
    assert [(e["GatewayId"], e["ShareName"], e["Type"]) for e in alerting] == [
        (EDIT01, "media-nfs", "uploadQueueFull"), (EDIT01, "", "throttling")]
    assert alerting[0]["GatewayRegionId"] == "cn-hangzhou" and alerting[0]["Status"] == "alerting"
    by_share = client.ok("ListAlertEvents", GatewayId=EDIT01, ShareIndexId="media-nfs")["AlertEvents"]
    assert [e["Type"] for e in by_share] == ["uploadQueueFull"]
    by_index = client.ok("ListAlertEvents", GatewayId=EDIT01, ShareIndexId="NFSmedia-nfs")["AlertEvents"]
    assert [e["Type"] for e in by_index] == ["uploadQueueFull"]
    window = client.ok("ListAlertEvents", FirstTriggerTimestampStartTime="1500",
                       FirstTriggerTimestampEndTime="2500")["AlertEvents"]
    assert [e["Type"] for e in window] == ["uploadQueueFull"]


def test_list_alert_events_pages(sim):
    client = sim.client()
    first = client.ok("ListAlertEvents", PageSize="3")
    second = client.ok("ListAlertEvents", PageSize="3", PageNumber="2")
    assert (first["TotalCount"], len(first["AlertEvents"]), len(second["AlertEvents"])) == (4, 3, 1)
    assert client.error("ListAlertEvents", PageSize="51")[1] == "BadPageSize"


def test_list_alert_events_behaviours(sim):
    sim.set_faults(alert_share="index_id", alert_events="wrapped", total_count="absent")
    body = sim.client().ok("ListAlertEvents", Status="alerting", GatewayId=EDIT01)
    assert "TotalCount" not in body
    events = body["AlertEvents"]["AlertEvent"]
    assert [(e.get("ShareIndexId"), "ShareName" in e) for e in events] == [("NFSmedia-nfs", False), ("", False)]


def test_alerts_change_live(sim):
    document = account_with_alerts()
    document["alerts"] = []
    assert sim.control("PUT", "account", json=document).status_code == 200
    assert sim.client().ok("ListAlertEvents")["AlertEvents"] == []
    assert "alerts" not in sim.control("GET", "account").json()
