"""The express_syncs lookup against a scripted SGW."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleLookupError

REGION = {"region": "cn-hangzhou"}
GROUP_KEYS = {"express_sync_id", "name", "bucket_name", "bucket_prefix", "bucket_region", "mns_topic", "description"}


def ids(groups):
    return [g["express_sync_id"] for g in groups]


def test_every_group_in_one_call(make_lookup, sgw):
    result = make_lookup("express_syncs").run([], **REGION)
    assert ids(result) == ["sync-a", "sync-b", "sync-c"]
    assert set(result[0]) == GROUP_KEYS
    assert result[1]["bucket_prefix"] == "daily"
    assert result[2]["description"] == "{{ not templated }}"
    assert sgw.calls == [("DescribeExpressSyncs", "cn-hangzhou", {})]
    assert sgw.closed


@pytest.mark.parametrize("options, params, expected", [
    ({"bucket_name": "backup-bucket"}, {"BucketName": "backup-bucket"}, ["sync-b", "sync-c"]),
    ({"bucket_name": "backup-bucket", "bucket_prefix": "weekly"},
     {"BucketName": "backup-bucket", "BucketPrefix": "weekly"}, ["sync-c"]),
    ({"bucket_name": "media-bucket", "bucket_prefix": ""}, {"BucketName": "media-bucket", "BucketPrefix": ""},
     ["sync-a"]),
    ({"bucket_name": "nothing-here"}, {"BucketName": "nothing-here"}, []),
])
def test_bucket_filters_go_to_the_api(make_lookup, sgw, options, params, expected):
    result = make_lookup("express_syncs").run([], **dict(REGION, **options))
    assert sgw.calls == [("DescribeExpressSyncs", "cn-hangzhou", params)]
    assert ids(result) == expected


def test_prefix_without_bucket_fails_before_any_call(make_lookup, sgw):
    with pytest.raises(AnsibleLookupError, match="bucket_prefix needs bucket_name"):
        make_lookup("express_syncs").run([], bucket_prefix="daily", **REGION)
    assert sgw.calls == []


@pytest.mark.parametrize("terms, expected", [
    (["sync-c"], ["sync-c"]),
    (["sync-c,sync-a"], ["sync-c", "sync-a"]),
    (["sync-b", "sync-a,sync-b"], ["sync-b", "sync-a"]),
])
def test_terms_select_groups_in_their_order(make_lookup, sgw, terms, expected):
    assert ids(make_lookup("express_syncs").run(terms, **REGION)) == expected
    assert sgw.actions() == ["DescribeExpressSyncs"]


@pytest.mark.parametrize("query, expected", [
    ("[].name", ["media", "backups", "weekly"]),
    ("[?bucket_name=='backup-bucket'].express_sync_id", ["sync-b", "sync-c"]),
    ("length(@)", [3]),
    ("[?name=='media'] | [0].mns_topic", ["topic-a"]),
])
def test_query(make_lookup, query, expected):
    assert make_lookup("express_syncs").run([], query=query, **REGION) == expected


def test_missing_error_names_missing_ids_and_scope(make_lookup):
    with pytest.raises(AnsibleLookupError) as caught:
        make_lookup("express_syncs").run(["sync-a,sync-x,sync-y"], bucket_name="media-bucket", **REGION)
    assert str(caught.value) == ("express sync groups sync-x, sync-y are not listed by DescribeExpressSyncs in region "
                                 "cn-hangzhou for bucket media-bucket (on_missing=error)")


@pytest.mark.parametrize("mode, warnings", [("warn", 1), ("skip", 0)])
def test_missing_warn_and_skip(make_lookup, display, mode, warnings):
    result = make_lookup("express_syncs").run(["sync-x,sync-b"], on_missing=mode, **REGION)
    assert ids(result) == ["sync-b"]
    assert len(display.warnings) == warnings
    if warnings:
        assert "express sync group sync-x is not listed" in display.warnings[0]


@pytest.mark.parametrize("mode, warnings", [("warn", 1), ("skip", 0)])
def test_denied_warn_and_skip(make_lookup, sgw, display, mode, warnings):
    sgw.denied.add("DescribeExpressSyncs")
    assert make_lookup("express_syncs").run(["sync-a"], on_denied=mode, **REGION) == []
    assert len(display.warnings) == warnings


def test_denied_error(make_lookup, sgw):
    sgw.denied.add("DescribeExpressSyncs")
    with pytest.raises(AnsibleLookupError, match=r"Forbidden.RAM \(HTTP 403\).*RequestId REQ-1"):
        make_lookup("express_syncs").run([], **REGION)
