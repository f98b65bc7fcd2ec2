# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the express_sync module is to do, from its options and the API's records, without a call.

A share is keyed by ``(gateway_id, share_name)``; members are API share records keyed so.
"""

from __future__ import annotations

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import (
    BUCKET_NAME,
    BUCKET_PREFIX,
    BUCKET_REGION,
    DESCRIPTION,
    EXPRESS_SYNC_ID,
    GATEWAY_ID,
    MNS_TOPIC,
    NAME,
    SHARE_NAME,
)

# The group fields that cannot change once the group exists: option name -> API field.
IMMUTABLE = (
    ("name", NAME),
    ("bucket_name", BUCKET_NAME),
    ("bucket_region", BUCKET_REGION),
    ("bucket_prefix", BUCKET_PREFIX),
    ("description", DESCRIPTION),
)


def share_dict(key) -> dict:
    return {"gateway_id": key[0], "share_name": key[1]}


def same(wanted, actual) -> bool:
    """An option equals an API field; an empty string and a missing field are the same."""
    return (wanted or "") == (actual or "")


def immutable_problem(params, group):
    """Why the existing ``group`` cannot be brought to the options (a field that cannot change
    differs), or None."""
    differ = ["%s is %r, not %r" % (option, group.get(field) or "", params.get(option)) for option, field in IMMUTABLE
              if params.get(option) is not None and not same(params.get(option), group.get(field))]
    if not differ:
        return None
    if params["state"] == "absent":
        return "express sync group %s does not match the options, so it was not deleted: %s." % (
            group.get(EXPRESS_SYNC_ID), "; ".join(differ))
    return ("express sync group %s cannot be changed once created: %s. Delete it and create it again, or change the "
            "options to match." % (group.get(EXPRESS_SYNC_ID), "; ".join(differ)))


def missing_group_problem(params, region):
    """Why no group can be created when none was found (it was named by id, or a bucket option is
    missing), or None."""
    if params.get("express_sync_id"):
        return ("express sync group %s does not exist in region %s. To create a group give name, bucket_name "
                "and bucket_region, without express_sync_id." % (params["express_sync_id"], region))
    missing = [option for option in ("bucket_name", "bucket_region") if not params.get(option)]
    if missing:
        return "no express sync group is named %r in region %s; to create it give %s." % (
            params["name"], region, " and ".join(missing))
    return None


def planned_group(params, group_id=None) -> dict:
    """The record of the group that the options create, as far as they tell."""
    return {EXPRESS_SYNC_ID: group_id, NAME: params["name"], BUCKET_NAME: params["bucket_name"],
            BUCKET_PREFIX: params.get("bucket_prefix") or "", BUCKET_REGION: params["bucket_region"],
            MNS_TOPIC: None, DESCRIPTION: params.get("description") or ""}


def wanted_shares(shares) -> list:
    """The keys of the ``shares`` option, in order, without duplicates."""
    return list(dict.fromkeys((share["gateway_id"], share["share_name"]) for share in shares or ()))


def member_changes(wanted, members, shares_state, purge_shares):
    """``(to_add, to_remove)``: the keys of the shares to add, in the order wanted, and to remove (in
    the order wanted with ``shares_state=absent``, sorted when purged)."""
    if shares_state == "absent":
        return [], [key for key in wanted if key in members]
    to_add = [key for key in wanted if key not in members]
    return to_add, (sorted(key for key in members if key not in wanted) if purge_shares else [])


def members_after(members, to_add, to_remove, group_id) -> dict:
    """The members once the change is made, without reading them again (check mode, or no change)."""
    removed = set(to_remove)
    after = {key: share for key, share in members.items() if key not in removed}
    after.update((key, {EXPRESS_SYNC_ID: group_id, GATEWAY_ID: key[0], SHARE_NAME: key[1]}) for key in to_add)
    return after
