"""Which region and group the records of an answer belong to: tables."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate import attribution

HZ = {"ExpressSyncId": "sync-hz", "BucketName": "media", "BucketRegion": "cn-hangzhou"}
HZ2 = {"ExpressSyncId": "sync-hz2", "BucketName": "media", "BucketRegion": "cn-hangzhou"}
SH = {"ExpressSyncId": "sync-sh", "BucketName": "logs", "BucketRegion": "cn-shanghai"}
BARE = {"ExpressSyncId": "sync-bare"}


@pytest.mark.parametrize("group, asked, region", [
    (HZ, "cn-hangzhou", "cn-hangzhou"),
    (SH, "cn-hangzhou", "cn-shanghai"),
    (BARE, "cn-beijing", "cn-beijing"),
    (dict(BARE, BucketRegion=""), "cn-beijing", "cn-beijing"),
    (dict(BARE, BucketRegion=None), "cn-beijing", "cn-beijing"),
])
def test_group_region(group, asked, region):
    assert attribution.group_region(group, asked) == region


@pytest.mark.parametrize("groups, asked, foreign, of_region", [
    ([HZ, HZ2], "cn-hangzhou", [], [HZ, HZ2]),
    ([HZ, SH], "cn-hangzhou", [SH], [HZ]),
    ([HZ, SH, BARE], "cn-shanghai", [HZ], [SH, BARE]),
    ([], "cn-hangzhou", [], []),
])
def test_account_wide_answers(groups, asked, foreign, of_region):
    assert attribution.foreign_groups(groups, asked) == foreign
    assert attribution.groups_of_region(groups, asked) == of_region


@pytest.mark.parametrize("share, groups, ids", [
    ({"ExpressSyncId": "sync-sh"}, [HZ, SH], ["sync-sh"]),
    ({"ExpressSyncId": ""}, [SH], ["sync-sh"]),
    ({"ExpressSyncId": ""}, [HZ, SH], None),
    ({}, [HZ, SH], None),
    ({"ExpressSyncId": "", "BucketName": "logs"}, [HZ, SH], ["sync-sh"]),
    ({"ExpressSyncId": "", "BucketName": "media"}, [HZ, HZ2, SH], ["sync-hz", "sync-hz2"]),
    ({"ExpressSyncId": "", "BucketName": "media", "GatewayRegion": "cn-shanghai"}, [HZ, SH], None),
    ({"ExpressSyncId": "", "BucketName": "other"}, [HZ, SH], None),
])
def test_candidate_groups(share, groups, ids):
    assert attribution.candidate_groups(share, groups) == ids


def test_attribute_candidates_names_the_group_or_gives_up():
    spare = {"ShareName": "spare", "ExpressSyncId": ""}
    assert attribution.attribute_candidates([spare], [SH]) == {"sync-sh": [dict(spare, ExpressSyncId="sync-sh")]}
    assert attribution.attribute_candidates([], [HZ, SH]) == {"sync-hz": [], "sync-sh": []}
    assert attribution.attribute_candidates([{"ExpressSyncId": "sync-hz"}, spare], [HZ, SH]) is None
    named = {"ShareName": "n", "ExpressSyncId": "sync-hz"}
    assert attribution.attribute_candidates([named], [HZ, SH])["sync-hz"][0] is named


def _share(name, sync_id=""):
    return {"GatewayId": "gw-1", "ShareName": name, "ExpressSyncId": sync_id}


@pytest.mark.parametrize("answer, groups, each, expected, asked_each", [
    # The answer names the groups: nobody is asked again.
    ([_share("a", "sync-hz"), _share("b", "sync-sh")], [HZ, SH], None,
     {"sync-hz": [_share("a", "sync-hz")], "sync-sh": [_share("b", "sync-sh")]}, []),
    # One group asked: its candidates are its own.
    ([_share("a")], [SH], None, {"sync-sh": [_share("a", "sync-sh")]}, []),
    # Several groups, a candidate naming none: each group asked alone, in order.
    ([_share("a")], [HZ, SH], [[_share("a")], []],
     {"sync-hz": [_share("a", "sync-hz")], "sync-sh": []}, [["sync-hz"], ["sync-sh"]]),
    ([_share("a"), _share("b")], [HZ, SH], [[_share("a")], [_share("b"), _share("a")]],
     {"sync-hz": [_share("a", "sync-hz")], "sync-sh": [_share("b", "sync-sh"), _share("a", "sync-sh")]},
     [["sync-hz"], ["sync-sh"]]),
])
def test_candidates_by_group_asks_one_by_one_only_when_the_answer_cannot_tell(answer, groups, each, expected,
                                                                              asked_each):
    asked = []

    def ask_each(chosen):
        asked.extend([group["ExpressSyncId"]] for group in chosen)
        return each

    assert attribution.candidates_by_group(answer, groups, ask_each) == expected
    assert asked == asked_each


@pytest.mark.parametrize("shares, ids, by_group, strays", [
    ([_share("a", "sync-hz"), _share("b", "sync-sh")], ["sync-hz", "sync-sh"],
     {"sync-hz": [_share("a", "sync-hz")], "sync-sh": [_share("b", "sync-sh")]}, []),
    ([_share("a")], ["sync-hz"], {"sync-hz": [_share("a")]}, []),
    ([_share("a", "sync-other")], ["sync-hz"], {"sync-hz": [_share("a", "sync-other")]}, []),
    ([_share("a"), _share("b", "sync-other")], ["sync-hz", "sync-sh"], {"sync-hz": [], "sync-sh": []},
     [_share("a"), _share("b", "sync-other")]),
])
def test_members_by_group(shares, ids, by_group, strays):
    assert attribution.members_by_group(shares, ids) == (by_group, strays)
