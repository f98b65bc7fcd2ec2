"""API records to snake_case dictionaries."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate import records
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import schema
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import RECORDS

SHARE = {
    "ExpressSyncId": "sync-0002xetjdlxne2sd", "ExpressSyncState": "QueueFailure", "GatewayId": "gw-hz-a",
    "GatewayName": "edit01", "GatewayRegion": "cn-hangzhou", "MnsQueue": "q1", "ShareName": "media-nfs",
    "StorageBundleId": "sb-1", "SyncProgress": 40,
}


@pytest.mark.parametrize("name, expected", [
    ("ExpressSyncId", "express_sync_id"),
    ("SyncProgress", "sync_progress"),
    ("MnsQueue", "mns_queue"),
    ("InnerIp", "inner_ip"),
    ("VSwitchId", "v_switch_id"),
    ("GatewayRegionId", "gateway_region_id"),
    ("ECSInstanceId", "ecs_instance_id"),
    ("Ip", "ip"),
    ("already_snake", "already_snake"),
])
def test_snake_case(name, expected):
    assert records.snake_case(name) == expected


def test_share_record_has_the_inventory_keys_and_health():
    record = records.share_record(SHARE)
    assert record == {
        "express_sync_id": "sync-0002xetjdlxne2sd", "express_sync_state": "QueueFailure", "gateway_id": "gw-hz-a",
        "gateway_name": "edit01", "gateway_region": "cn-hangzhou", "mns_queue": "q1", "share_name": "media-nfs",
        "storage_bundle_id": "sb-1", "sync_progress": 40, "sgw_health": "failed",
    }


def test_share_record_keeps_new_api_fields_and_fills_missing_ones():
    record = records.share_record({"ShareName": "s", "GatewayId": "gw-1", "NewField": 1})
    assert record["new_field"] == 1
    assert record["express_sync_state"] is None
    assert record["sgw_health"] == "unknown"


def test_express_sync_vars_and_gateway_vars():
    group = {"ExpressSyncId": "sync-1", "Name": "media", "BucketName": "b", "BucketPrefix": "p",
             "BucketRegion": "cn-hangzhou", "MnsTopic": "t", "Description": "d"}
    assert records.express_sync_vars(group) == {
        "express_sync_name": "media", "express_sync_bucket_name": "b", "express_sync_bucket_prefix": "p",
        "express_sync_bucket_region": "cn-hangzhou", "express_sync_mns_topic": "t", "express_sync_description": "d"}
    gateway = {"Status": "Running", "Location": "Cloud", "VSwitchId": "vsw-1", "InnerIp": "172.16.0.1",
               "Ip": "47.1.1.1"}
    variables = records.gateway_vars(gateway)
    assert variables["gateway_vswitch_id"] == "vsw-1"
    assert variables["gateway_status"] == "Running"
    assert variables["gateway_class"] is None


@pytest.mark.parametrize("gateway, expected", [
    ({"InnerIp": "172.16.0.1", "Ip": "47.1.1.1"}, "172.16.0.1"),
    ({"InnerIp": "", "Ip": "47.1.1.1"}, "47.1.1.1"),
    ({}, None),
])
def test_gateway_address(gateway, expected):
    assert records.gateway_address(gateway) == expected


@pytest.mark.parametrize("item", sorted(RECORDS))
def test_schema_names_are_the_snake_case_of_the_api_names(item):
    for field in RECORDS[item]:
        assert field.name == records.snake_case(field.api)
        assert field.kind in (schema.STR, schema.ANY)
        assert not field.required or field.kind == schema.STR


def test_share_list_keys_are_share_host_variables():
    share_variables = set(records.share_record({})) | set(records.express_sync_vars({}))
    assert set(records.SHARE_LIST_KEYS) <= share_variables
    assert records.SHARE_LIST_KEYS == ("express_sync_id", "express_sync_state", "mns_queue", "share_name",
                                       "sync_progress", "express_sync_name", "sgw_health")


def test_shape_checks_come_from_the_schema():
    assert schema.REQUIRED_FIELDS["Share"] == ("GatewayId", "ShareName")
    assert "GatewayRegion" in schema.STRING_FIELDS["Share"] and "SyncProgress" not in schema.STRING_FIELDS["Share"]
