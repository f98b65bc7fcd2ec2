#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: express_sync_info
short_description: List Cloud Storage Gateway express sync groups, their shares and their sync health
version_added: 1.0.0
author:
  - alibabacloud.sgw maintainers (@alibabacloud-sgw)
description:
  - Lists the express sync groups of a region with C(DescribeExpressSyncs), optionally only some of them or only
    those of one OSS bucket.
  - With O(shares=true), adds each group's member shares and a count of them per sync health; with
    O(candidates=true), the shares that could be added to each group. The shares of all the listed groups are
    read in one C(DescribeExpressSyncShares) call (and one more for the candidates; when that answer does not say
    which group each candidate is for, one call per group).
  - The groups of the region are those whose C(BucketRegion) is the region. An endpoint that answers for the whole
    account (whatever the C(RegionId) of the call) also lists the groups of other regions, which are left out.
  - Groups and shares have the same snake_case keys and the same C(sgw_health) as the lookups
    P(alibabacloud.sgw.express_syncs#lookup) and P(alibabacloud.sgw.express_sync_shares#lookup) and the
    host variables of the P(alibabacloud.sgw.sgw#inventory) inventory plugin.
  - "Health (C(sgw_health)): C(MNSHealthy) is V(healthy); C(MNSFullSyncInit) and C(MNSFullSyncing) are V(syncing);
    C(TopicAndQueueFailure), C(TopicFailure) and C(QueueFailure) are V(failed); C(MNSNotEnabled) is V(disabled);
    any other state is V(unknown)."
  - "With O(shares=true), each member share also has the verdict C(sgw_condition) and C(sgw_condition_reasons) of
    the signals of O(health_signals) (by default the express sync state alone, at no extra call), the same as the
    inventory plugin's, and each group a count of its shares per condition
    (RV(express_syncs[].condition_summary)); a signal that could not be read is warned about and gives V(unknown).
    Naming another signal than V(express_sync) needs O(shares=true). See the collection's health guide,
    docs/health.md."
  - With O(accounts) or O(resource_directory), the groups of every account are listed, side by side under
    O(max_concurrency) - per account one C(AssumeRole) (none for the caller's own account) and the calls above.
    Each group, and each of its shares and candidates, has the C(account_id) and C(account_name) of its account;
    the groups come account after account. O(express_sync_ids) may name groups of several accounts.
  - This module is in the action group C(alibabacloud.sgw.sgw), so C(module_defaults) of
    C(group/alibabacloud.sgw.sgw) can carry the credentials, the endpoint and the region.
requirements:
  - requests
extends_documentation_fragment:
  - alibabacloud.sgw.common
  - alibabacloud.sgw.common.region
  - alibabacloud.sgw.common.action_group
  - alibabacloud.sgw.common.health
  - alibabacloud.sgw.common.accounts
  - alibabacloud.sgw.common.concurrency
attributes:
  check_mode:
    support: full
    description: The module only reads; it does the same in check mode.
  diff_mode:
    support: none
    description: The module changes nothing, so there is nothing to show.
options:
  express_sync_ids:
    description:
      - Only these groups (C(sync-...)). Ids that the region does not list are not returned.
      - An empty list means every group (of O(bucket_name), when set).
    type: list
    elements: str
    default: []
  bucket_name:
    description:
      - Only the groups of this OSS bucket (C(BucketName)).
    type: str
  bucket_prefix:
    description:
      - With O(bucket_name), only the group of this prefix of the bucket. An empty string means the group of the
        bucket's root.
    type: str
  shares:
    description:
      - Add the member shares of each group (RV(express_syncs[].shares)) and a count of them per sync health
        (RV(express_syncs[].health_summary)).
    type: bool
    default: false
  candidates:
    description:
      - Add the shares that could be added to each group (RV(express_syncs[].candidates)).
    type: bool
    default: false
notes:
  - "The module runs where the task runs; for a cloud API that is usually the controller, with
    C(hosts: localhost) and C(connection: local) (or C(delegate_to: localhost))."
seealso:
  - plugin: alibabacloud.sgw.express_syncs
    plugin_type: lookup
  - plugin: alibabacloud.sgw.express_sync_shares
    plugin_type: lookup
  - plugin: alibabacloud.sgw.sgw
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: Every express sync group of a region
  alibabacloud.sgw.express_sync_info:
    region: cn-hangzhou
  register: sgw_groups

- name: Two groups, with their member shares and health summary
  alibabacloud.sgw.express_sync_info:
    region: cn-hangzhou
    express_sync_ids:
      - sync-0123456789abcdef
      - sync-fedcba9876543210
    shares: true
  register: sgw_groups

- name: Stop the release when a share of the group is not healthy
  ansible.builtin.assert:
    that:
      - sgw_groups.express_syncs | length == 2
      - sgw_groups.express_syncs | map(attribute='health_summary.healthy') | sum ==
        sgw_groups.express_syncs | map(attribute='shares') | map('length') | sum
    fail_msg: "Shares that are not healthy: {{ sgw_groups.express_syncs | map(attribute='shares') | flatten
      | rejectattr('sgw_health', 'eq', 'healthy') | map(attribute='share_name') }}"

- name: Every group with its shares, judged by every health signal
  alibabacloud.sgw.express_sync_info:
    region: cn-hangzhou
    shares: true
    health_signals: [express_sync, gateway, file_share, alerts]
  register: sgw_judged

- name: The shares that are not ok, and why
  ansible.builtin.debug:
    msg: "{{ item.share_name }}: {{ item.sgw_condition }} {{ item.sgw_condition_reasons | join(', ') }}"
  loop: "{{ sgw_judged.express_syncs | map(attribute='shares') | flatten | rejectattr('sgw_condition', 'eq', 'ok') }}"

- name: The failed shares of every account of the resource directory (credentials of the management account)
  alibabacloud.sgw.express_sync_info:
    region: cn-hangzhou
    resource_directory: true
    on_account_error: warn
    shares: true
  register: sgw_estate

- name: Name each failed share with its account
  ansible.builtin.debug:
    msg: "{{ item.account_name }} ({{ item.account_id }}): {{ item.share_name }} on {{ item.gateway_id }}"
  loop: "{{ sgw_estate.express_syncs | map(attribute='shares') | flatten | selectattr('sgw_health', 'eq', 'failed') }}"

- name: The groups of one bucket and the shares that could join them, credentials from module_defaults
  module_defaults:
    group/alibabacloud.sgw.sgw:
      region: cn-hangzhou
      access_key_id: "{{ sgw_access_key_id }}"
      access_key_secret: "{{ sgw_access_key_secret }}"
  block:
    - name: List the groups of the bucket with their candidate shares
      alibabacloud.sgw.express_sync_info:
        bucket_name: backups
        candidates: true
      register: sgw_bucket
"""

RETURN = r"""
express_syncs:
  description: The listed groups, in the order the API gives them.
  returned: always
  type: list
  elements: dict
  contains:
    express_sync_id:
      description: The id of the group.
      type: str
      sample: sync-0001xv7je357xn8tr****
    name:
      description: The name of the group.
      type: str
      sample: backups-sync
    bucket_name:
      description: The OSS bucket that the group syncs from.
      type: str
      sample: backups
    bucket_prefix:
      description: The prefix of the bucket, empty for its root.
      type: str
      sample: daily/
    bucket_region:
      description: The region of the bucket.
      type: str
      sample: cn-hangzhou
    mns_topic:
      description: The MNS topic of the group.
      type: str
      sample: sgw-express-sync-0001xv7je357xn8tr****
    description:
      description: The description of the group.
      type: str
      sample: nightly backups
    shares:
      description: The member shares of the group, with the keys of the P(alibabacloud.sgw.express_sync_shares#lookup) lookup.
      returned: when O(shares=true)
      type: list
      elements: dict
      sample:
        - express_sync_id: sync-0001xv7je357xn8tr****
          express_sync_state: MNSHealthy
          sgw_health: healthy
          sync_progress: 100
          share_name: weekly
          gateway_id: gw-0001xv7je357xn8t****
          gateway_name: file-gateway-1
          gateway_region: cn-hangzhou
          storage_bundle_id: sb-0001b2ucy5pa3wh5****
          mns_queue: sgw-express-sync-queue-gw-0001xv7je357xn8t****
          sgw_condition: failed
          sgw_condition_reasons: [gateway_not_running]
    condition_summary:
      description:
        - How many member shares have each condition; every condition is present, zero included. Each share then
          has C(sgw_condition) and C(sgw_condition_reasons).
      returned: with O(shares=true)
      type: dict
      sample:
        ok: 2
        degraded: 1
        failed: 1
        unknown: 0
      version_added: 1.2.0
    health_summary:
      description: How many member shares have each sync health; every health is present, zero included.
      returned: when O(shares=true)
      type: dict
      sample:
        healthy: 3
        syncing: 1
        failed: 0
        disabled: 0
        unknown: 0
    candidates:
      description: The shares that could be added to the group, with the same keys as RV(express_syncs[].shares).
      returned: when O(candidates=true)
      type: list
      elements: dict
    account_id:
      description: The account the group was read in (its shares and candidates have it too).
      returned: with O(accounts) or O(resource_directory)
      type: str
      sample: "1855000000000001"
      version_added: 1.2.0
    account_name:
      description: The name of that account (its C(name) in O(accounts), its display name in the resource directory, else its id).
      returned: with O(accounts) or O(resource_directory)
      type: str
      sample: media
      version_added: 1.2.0
"""

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate import attribution
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.attribution import groups_of_region, members_by_group
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.condition import CONDITION_ORDER
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.health import health_summary
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.signals import error_warning, judge_shares
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import (
    account_argument_spec,
    concurrency_argument_spec,
    concurrency_problem,
    extra_signals,
    health_argument_spec,
    health_settings,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.accounts import (
    AccountFailure,
    AccountSession,
    failure_message,
    is_multi_account,
    option_problems,
    rows_of_accounts,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.accounts import describe_account
from ansible_collections.alibabacloud.sgw.plugins.module_utils.module import SgwModule
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.records import express_sync_record, share_key, share_record
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import invalid_bucket_filter, invalid_express_sync_ids
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import EXPRESS_SYNC_ID

WHO = "alibabacloud.sgw.express_sync_info"


def select_groups(groups, express_sync_ids):
    """The group records to return: every one, or those of ``express_sync_ids`` (each id once)."""
    records = []
    seen = set()
    wanted = set(express_sync_ids or ())
    for group in groups:
        record = express_sync_record(group)
        sync_id = record["express_sync_id"]
        if sync_id in seen or (wanted and sync_id not in wanted):
            continue
        seen.add(sync_id)
        records.append(record)
    return records


def shares_by_group(shares, group_ids):
    """Member share records per group id."""
    by_group = members_by_group(shares, group_ids)[0]
    return {sync_id: [share_record(share) for share in by_group[sync_id]] for sync_id in group_ids}


def candidates_by_group(client, region, group_ids):
    """Candidate share records per group id, each naming its group."""
    groups = [{EXPRESS_SYNC_ID: sync_id} for sync_id in group_ids]

    def ask(chosen):
        return api.describe_express_sync_shares(client, region, [g[EXPRESS_SYNC_ID] for g in chosen], is_external=True)

    by_group = attribution.candidates_by_group(ask(groups), groups, lambda each: [ask([group]) for group in each])
    return {sync_id: [share_record(share) for share in by_group.get(sync_id, ())] for sync_id in group_ids}


def judge(client, region, warn, signals, thresholds, groups, shares, max_concurrency):
    """Give each member share record of ``groups`` the verdict of its API record (of ``shares``), and each group
    its condition_summary."""
    verdicts, errors = judge_shares(client, signals, thresholds, region, shares, max_concurrency=max_concurrency)
    for error in errors:
        warn(error_warning(*error))
    judged = {share_key(share): verdict for share, verdict in zip(shares, verdicts)}
    for group in groups:
        summary = dict.fromkeys(CONDITION_ORDER, 0)
        for share in group["shares"]:
            share.update(judged[(share["gateway_id"], share["share_name"])])
            summary[share["sgw_condition"]] += 1
        group["condition_summary"] = summary


def read_groups(client, region, params, signals, thresholds, warn, max_concurrency):
    """The group records of one account, with their shares, verdicts and candidates as ``params`` ask."""
    groups = select_groups(groups_of_region(api.describe_express_syncs(
        client, region, params["bucket_name"], params["bucket_prefix"]), region), params["express_sync_ids"])
    ids = [group["express_sync_id"] for group in groups]
    if ids and params["shares"]:
        shares = api.describe_express_sync_shares(client, region, ids)
        members = shares_by_group(shares, ids)
        for group in groups:
            group["shares"] = members[group["express_sync_id"]]
            group["health_summary"] = health_summary(share["sgw_health"] for share in group["shares"])
        if signals:
            judge(client, region, warn, signals, thresholds, groups, shares, max_concurrency)
    if ids and params["candidates"]:
        candidates = candidates_by_group(client, region, ids)
        for group in groups:
            group["candidates"] = candidates[group["express_sync_id"]]
    return groups


def read_accounts(sgw, settings, signals, thresholds):
    """The groups of every account (``accounts`` / ``resource_directory``), each account's calls one after another."""
    session = AccountSession(sgw.client, sgw.params, settings, sgw.region, max_concurrency=sgw.params["max_concurrency"])

    def read(client, target):
        def warn(message):
            sgw.module.warn("account %s: %s" % (describe_account(target), message))
        return read_groups(client, sgw.region, sgw.params, signals, thresholds, warn, 1)

    groups, warnings = rows_of_accounts(session, read, sgw.region, WHO, nested=("shares", "candidates"))
    for message in warnings:
        sgw.module.warn(message)
    return groups


def main():
    sgw = SgwModule(
        argument_spec=dict({
            "express_sync_ids": {"type": "list", "elements": "str", "default": []},
            "bucket_name": {"type": "str"},
            "bucket_prefix": {"type": "str"},
            "shares": {"type": "bool", "default": False},
            "candidates": {"type": "bool", "default": False},
        }, **dict(health_argument_spec(), **dict(account_argument_spec(), **concurrency_argument_spec()))),
        supports_check_mode=True,
    )
    params = sgw.params
    problems = invalid_express_sync_ids(params["express_sync_ids"])
    if problems:
        sgw.module.fail_json(msg="Invalid express_sync_ids: %s." % "; ".join(problems))
    problems = invalid_bucket_filter(params["bucket_name"], params["bucket_prefix"])
    signals, thresholds, health_problems = health_settings(params)
    problems += health_problems
    if extra_signals(signals) and not params["shares"]:  # no shares: nothing to judge
        problems.append("health_signals judges the member shares: set shares to true")
    settings = {name: params[name] for name in account_argument_spec()}
    problems += option_problems(settings)
    problems += [p for p in (concurrency_problem(params["max_concurrency"]),) if p]
    if problems:
        sgw.module.fail_json(msg="Invalid options: %s." % "; ".join(problems))
    try:
        if is_multi_account(settings):
            groups = read_accounts(sgw, settings, signals, thresholds)
        else:
            groups = read_groups(sgw.client, sgw.region, params, signals, thresholds, sgw.module.warn,
                                 params["max_concurrency"])
    except AccountFailure as failure:
        sgw.fail(failure.error, message=failure_message(failure, WHO))
    except SgwError as error:
        sgw.fail(error)
    sgw.exit(changed=False, express_syncs=groups)


if __name__ == "__main__":
    main()
