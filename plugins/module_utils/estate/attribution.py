# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which region and which group the records of an answer belong to, from the records themselves.

The SGW documentation does not say whether ``RegionId`` selects the groups that
``DescribeExpressSyncs`` lists or only routes the call (one public endpoint serves every
mainland region), nor whether candidate shares always carry the id of the group they can join.
So the region of a group is its ``BucketRegion``, never the region the call was made in, and a
candidate is attributed to a group only when the answer says which one.
"""

from __future__ import annotations

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import (
    BUCKET_NAME,
    BUCKET_REGION,
    EXPRESS_SYNC_ID,
    GATEWAY_REGION,
)


def group_region(group: dict, asked_region: str) -> str:
    """The region of a group: its ``BucketRegion``; the region asked when the record has none."""
    region = group.get(BUCKET_REGION)
    return region if isinstance(region, str) and region else asked_region


def foreign_groups(groups, asked_region: str) -> list:
    """The groups of an answer for ``asked_region`` that belong to another region.

    Any such group means that the endpoint answers for the whole account, not for the region.
    """
    return [group for group in groups if group_region(group, asked_region) != asked_region]


def groups_of_region(groups, region: str) -> list:
    """The groups of ``region``, from an answer that may be account-wide."""
    return [group for group in groups if group_region(group, region) == region]


def candidate_groups(share: dict, groups):
    """The ids of the groups that a candidate share of an answer for ``groups`` is for, or None when
    the answer cannot tell (several groups were asked for and the share names none of them).

    ``groups`` are the group records asked for in one ``DescribeExpressSyncShares`` call. A share
    that names a group is for that group; with one group asked, it is for that group; otherwise a
    ``BucketName`` on the share (which the documentation does not promise) picks the groups of that
    bucket, in the share's gateway region when both sides say it.
    """
    sync_id = share.get(EXPRESS_SYNC_ID)
    if sync_id:
        return [sync_id]
    groups = list(groups)
    if len(groups) == 1:
        return [groups[0].get(EXPRESS_SYNC_ID)]
    bucket = share.get(BUCKET_NAME)
    if not bucket:
        return None
    gateway_region = share.get(GATEWAY_REGION)
    found = [group.get(EXPRESS_SYNC_ID) for group in groups if group.get(BUCKET_NAME) == bucket and (
        not gateway_region or not group.get(BUCKET_REGION) or group.get(BUCKET_REGION) == gateway_region)]
    return found or None


def attribute_candidates(shares, groups):
    """``{group id: [candidate share records naming that group]}`` for one answer, or None when a
    candidate cannot be attributed (then the groups must be asked one by one)."""
    by_group = {group.get(EXPRESS_SYNC_ID): [] for group in groups}
    for share in shares:
        ids = candidate_groups(share, groups)
        if ids is None:
            return None
        for sync_id in ids:
            by_group.setdefault(sync_id, []).append(share if share.get(EXPRESS_SYNC_ID) == sync_id
                                                    else dict(share, **{EXPRESS_SYNC_ID: sync_id}))
    return by_group


def candidates_by_group(answer, groups, ask_each) -> dict:
    """``{group id: [candidate share records naming that group]}`` for ``groups``.

    ``answer`` holds the candidates of one ``DescribeExpressSyncShares`` call for all of ``groups``.
    When it does not say which group a candidate is for, the groups are asked one by one:
    ``ask_each(groups)`` returns the candidates of each group, in the order of ``groups``.
    """
    groups = list(groups)
    by_group = attribute_candidates(answer, groups)
    if by_group is None:
        by_group = {group.get(EXPRESS_SYNC_ID): [] for group in groups}
        for group, shares in zip(groups, ask_each(groups)):
            by_group.update(attribute_candidates(shares, [group]))
    return by_group


def members_by_group(shares, group_ids):
    """``({group id: [member shares]}, [shares of no group asked])`` for one answer for ``group_ids``.

    A member share that names no group asked for is the only group's when one group was asked.
    """
    by_group, strays = {sync_id: [] for sync_id in group_ids}, []
    for share in shares:
        sync_id = share.get(EXPRESS_SYNC_ID)
        if sync_id not in by_group and len(by_group) == 1:
            sync_id = next(iter(by_group))
        if sync_id in by_group:
            by_group[sync_id].append(share)
        else:
            strays.append(share)
    return by_group, strays
