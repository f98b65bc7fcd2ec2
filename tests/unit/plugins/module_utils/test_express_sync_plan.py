"""What the express_sync module is to do, from its options and the API's records: tables."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import express_sync_plan as plan
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.records import share_label

A, B, C = ("gw-1", "a"), ("gw-1", "b"), ("gw-2", "a")
GROUP = {"ExpressSyncId": "sync-1", "Name": "media", "BucketName": "bucket", "BucketRegion": "cn-hangzhou",
         "BucketPrefix": "", "Description": "the studio"}


def share(key, group_id="sync-1"):
    return {"ExpressSyncId": group_id, "GatewayId": key[0], "ShareName": key[1], "SyncProgress": 100}


@pytest.mark.parametrize("shares, keys", [
    (None, []),
    ([], []),
    ([{"gateway_id": "gw-2", "share_name": "a"}, {"gateway_id": "gw-1", "share_name": "a"}], [C, A]),
    ([{"gateway_id": "gw-1", "share_name": "a"}, {"gateway_id": "gw-1", "share_name": "b"},
      {"gateway_id": "gw-1", "share_name": "a"}], [A, B]),
])
def test_wanted_shares_keep_the_order_given_without_duplicates(shares, keys):
    assert plan.wanted_shares(shares) == keys


@pytest.mark.parametrize("wanted, members, shares_state, purge, to_add, to_remove", [
    ([], [], "present", False, [], []),
    ([C, A], [], "present", False, [C, A], []),
    ([C, A], [A], "present", False, [C], []),
    ([A], [A, B], "present", False, [], []),
    ([A], [C, B, A], "present", True, [], [B, C]),          # purged: sorted
    ([], [C, B], "present", True, [], [B, C]),
    ([C, B], [B, C], "absent", False, [], [C, B]),           # removed: in the order wanted
    ([C, A], [A], "absent", False, [], [A]),
    ([A], [], "absent", True, [], []),
])
def test_member_changes(wanted, members, shares_state, purge, to_add, to_remove):
    assert plan.member_changes(wanted, {key: share(key) for key in members}, shares_state, purge) == (to_add, to_remove)


@pytest.mark.parametrize("members, to_add, to_remove, after", [
    ([], [], [], []),
    ([A, B], [], [], [A, B]),
    ([A, B], [C], [A], [B, C]),
    ([B], [A, C], [], [B, A, C]),
    ([A, B, C], [], [C, A], [B]),
])
def test_members_after_keeps_the_records_read_and_adds_the_new_ones(members, to_add, to_remove, after):
    read = {key: share(key) for key in members}
    result = plan.members_after(read, to_add, to_remove, "sync-9")
    assert list(result) == after
    for key in after:
        added = {"ExpressSyncId": "sync-9", "GatewayId": key[0], "ShareName": key[1]}
        assert result[key] == read.get(key, added)
    assert list(read) == members  # what was read is left as it was


@pytest.mark.parametrize("options, problem", [
    ({}, None),
    ({"name": "media", "bucket_name": "bucket", "bucket_prefix": None, "description": "the studio"}, None),
    ({"bucket_prefix": ""}, None),
    ({"description": "other"}, "express sync group sync-1 cannot be changed once created: description is 'the "
                               "studio', not 'other'. Delete it and create it again, or change the options to match."),
    ({"name": "x", "bucket_region": "cn-shanghai"},
     "express sync group sync-1 cannot be changed once created: name is 'media', not 'x'; bucket_region is "
     "'cn-hangzhou', not 'cn-shanghai'. Delete it and create it again, or change the options to match."),
    ({"state": "absent", "bucket_prefix": "p/"},
     "express sync group sync-1 does not match the options, so it was not deleted: bucket_prefix is '', not 'p/'."),
    ({"state": "absent", "name": "media"}, None),
])
def test_immutable_problem(options, problem):
    assert plan.immutable_problem(dict({"state": "present"}, **options), GROUP) == problem


@pytest.mark.parametrize("wanted, actual, same", [
    ("", None, True), (None, "", True), ("", "", True), ("a", "a", True), ("a", None, False), ("", "a", False),
])
def test_an_empty_string_and_a_missing_field_are_the_same(wanted, actual, same):
    assert plan.same(wanted, actual) is same


@pytest.mark.parametrize("options, problem", [
    ({"name": "media", "bucket_name": "b", "bucket_region": "cn-hangzhou"}, None),
    ({"express_sync_id": "sync-1", "name": "media", "bucket_name": "b", "bucket_region": "cn-hangzhou"},
     "express sync group sync-1 does not exist in region cn-hangzhou. To create a group give name, bucket_name and "
     "bucket_region, without express_sync_id."),
    ({"name": "media", "bucket_region": "cn-hangzhou"},
     "no express sync group is named 'media' in region cn-hangzhou; to create it give bucket_name."),
    ({"name": "media", "bucket_name": ""},
     "no express sync group is named 'media' in region cn-hangzhou; to create it give bucket_name and bucket_region."),
])
def test_missing_group_problem(options, problem):
    assert plan.missing_group_problem(options, "cn-hangzhou") == problem


@pytest.mark.parametrize("options, group_id, record", [
    ({"name": "media", "bucket_name": "b", "bucket_region": "cn-hangzhou"}, None,
     {"ExpressSyncId": None, "Name": "media", "BucketName": "b", "BucketPrefix": "", "BucketRegion": "cn-hangzhou",
      "MnsTopic": None, "Description": ""}),
    ({"name": "media", "bucket_name": "b", "bucket_region": "cn-hangzhou", "bucket_prefix": "p/",
      "description": "d"}, "sync-1",
     {"ExpressSyncId": "sync-1", "Name": "media", "BucketName": "b", "BucketPrefix": "p/",
      "BucketRegion": "cn-hangzhou", "MnsTopic": None, "Description": "d"}),
])
def test_planned_group(options, group_id, record):
    assert plan.planned_group(options, group_id) == record


@pytest.mark.parametrize("key, label, record", [
    (("gw-1", "media"), "media@gw-1", {"gateway_id": "gw-1", "share_name": "media"}),
    (("gw-2", "a@b"), "a@b@gw-2", {"gateway_id": "gw-2", "share_name": "a@b"}),
])
def test_share_label_and_dict(key, label, record):
    assert share_label(key) == label
    assert plan.share_dict(key) == record
