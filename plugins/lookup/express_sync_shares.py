# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: express_sync_shares
short_description: The shares of Cloud Storage Gateway express sync groups, with their sync health
version_added: 1.0.0
author:
  - alibabacloud.sgw maintainers (@alibabacloud-sgw)
description:
  - Calls C(DescribeExpressSyncShares) of the Alibaba Cloud Cloud Storage Gateway (SGW) API and returns one
    dictionary per share, with the same snake_case keys and the same C(sgw_health) as the host variables of the
    P(alibabacloud.sgw.sgw#inventory) inventory plugin.
  - All the group ids of one lookup go to the API in one call (or in calls of at most O(max_ids_per_call) ids).
  - By default the shares that are members of the groups are returned; with O(is_external=true), the shares
    that could be added to them.
  - "Health (C(sgw_health)): C(MNSHealthy) is V(healthy); C(MNSFullSyncInit) and C(MNSFullSyncing) are V(syncing);
    C(TopicAndQueueFailure), C(TopicFailure) and C(QueueFailure) are V(failed); C(MNSNotEnabled) is V(disabled);
    any other state is V(unknown)."
  - Every string that comes from the API is marked unsafe, so it is never templated.
  - Errors name the API action, its C(Code) and its C(RequestId).
  - With O(accounts) or O(resource_directory), every account is read side by side under O(max_concurrency) -
    one C(AssumeRole) (none for the caller's own account), one C(DescribeExpressSyncs) to learn which of the ids
    it has, and the calls above for those ids only (none when it has none). Each share has the C(account_id) and
    C(account_name) of its account, the shares coming account after account. An id is missing (O(on_missing))
    when no account lists it; when an account could not be read, a warning says so instead.
requirements:
  - requests
  - jmespath (only for O(query))
  - "Each member share also has the verdict C(sgw_condition) and C(sgw_condition_reasons) of the signals of
    O(health_signals) (by default the express sync state alone, at no extra call), the same as the inventory
    plugin's (see the collection's health guide, docs/health.md); a signal that could not be read is warned about
    and gives V(unknown). Candidates (O(is_external=true)) have no verdict."
extends_documentation_fragment:
  - alibabacloud.sgw.common
  - alibabacloud.sgw.common.region
  - alibabacloud.sgw.common.accounts
  - alibabacloud.sgw.common.concurrency
  - alibabacloud.sgw.common.health
options:
  _terms:
    description:
      - Express sync group ids (C(sync-...)). A term may hold several ids separated by commas; duplicates are
        asked once.
      - At least one id is required.
    type: list
    elements: str
    required: true
  is_external:
    description:
      - V(false) returns the shares that are members of the groups.
      - V(true) returns the shares that could be added to the groups (C(IsExternal=true)); their
        C(sync_progress) has no meaning. Each names, in C(express_sync_id), the group it could join; when the
        answer for several groups does not say which, the groups are asked one by one.
    type: bool
    default: false
  max_ids_per_call:
    description:
      - The most group ids sent in one C(DescribeExpressSyncShares) call. V(0) sends all of them in one call.
    type: int
    default: 0
  query:
    description:
      - A JMESPath expression applied to the list of shares, for example
        C([?sgw_health=='failed'].share_name). The lookup then returns what the expression yields (a list as it
        is, anything else as the only element of the list).
      - A bad expression is an error. Needs the Python library C(jmespath) on the controller.
    type: str
  on_missing:
    description:
      - What to do when a group does not exist (C(ExpressSyncNotExist)).
      - V(error) fails with a message naming the missing ids, V(warn) warns naming them and returns the shares
        of the other groups, V(skip) silently returns the shares of the other groups.
      - When several ids were asked in one call, one C(DescribeExpressSyncs) call finds which ids are missing
        (only after that error) and the shares of the others are asked again in one call.
      - A service may also leave unknown ids out of a successful answer. So when an id has no share in the
        answer, one C(DescribeExpressSyncs) call (per lookup) tells an empty group, which is not missing, from
        a group that does not exist, which is.
    type: str
    choices: [error, warn, skip]
    default: error
  on_denied:
    description:
      - What to do when the identity may not call C(DescribeExpressSyncShares) (C(Forbidden.RAM), C(NoPermission)).
      - V(error) fails, V(warn) warns and returns no shares for those groups, V(skip) silently returns none.
    type: str
    choices: [error, warn, skip]
    default: error
notes:
  - Without O(ignore:wantlist=true), Ansible's C(lookup()) returns a single share as a dictionary rather than a list
    of one, and joins a list of several strings into one comma-separated string. Use C(query()) (or
    O(ignore:wantlist=true)) to always get a list.
seealso:
  - plugin: alibabacloud.sgw.express_syncs
    plugin_type: lookup
  - module: alibabacloud.sgw.express_sync_info
  - plugin: alibabacloud.sgw.sgw
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: The member shares of a group (region and credentials from the environment)
  ansible.builtin.debug:
    msg: "{{ query('alibabacloud.sgw.express_sync_shares', 'sync-0123456789abcdef') }}"

- name: Several groups in one call, with explicit region and endpoint
  ansible.builtin.set_fact:
    shares: >-
      {{ query('alibabacloud.sgw.express_sync_shares', 'sync-0123456789abcdef,sync-fedcba9876543210',
               region='cn-hangzhou', endpoint='https://sgw-vpc.cn-hangzhou.aliyuncs.com') }}

- name: Loop over the failed shares of a group
  ansible.builtin.debug:
    msg: "{{ item.share_name }} on {{ item.gateway_name }} is {{ item.express_sync_state }}"
  loop: >-
    {{ query('alibabacloud.sgw.express_sync_shares', 'sync-0123456789abcdef',
             query="[?sgw_health=='failed']") }}

- name: The shares that could be added to a group
  ansible.builtin.debug:
    msg: "{{ query('alibabacloud.sgw.express_sync_shares', 'sync-0123456789abcdef', is_external=true)
             | map(attribute='share_name') }}"

- name: Count the shares (lookup() unwraps the one-element list)
  ansible.builtin.debug:
    msg: "{{ lookup('alibabacloud.sgw.express_sync_shares', 'sync-0123456789abcdef', query='length(@)') }} shares"

- name: The shares of a group that are not ok by every health signal, and why
  ansible.builtin.debug:
    msg: "{{ item.share_name }}: {{ item.sgw_condition }} {{ item.sgw_condition_reasons | join(', ') }}"
  loop: >-
    {{ query('alibabacloud.sgw.express_sync_shares', 'sync-0123456789abcdef',
             health_signals=['express_sync', 'gateway', 'file_share', 'alerts'], query="[?sgw_condition!='ok']") }}

- name: Groups that may be gone, and a role that may not be allowed to read them
  ansible.builtin.set_fact:
    shares: >-
      {{ query('alibabacloud.sgw.express_sync_shares', groups_to_check, on_missing='warn', on_denied='skip') }}

- name: The shares of groups of two accounts, each account read through its role
  ansible.builtin.debug:
    msg: >-
      {{ query('alibabacloud.sgw.express_sync_shares', 'sync-0123456789abcdef,sync-fedcba9876543210',
               accounts=[{'role_arn': 'acs:ram::123456789012****:role/sgw-reader', 'name': 'media'},
                         {'role_arn': 'acs:ram::210987654321****:role/sgw-reader', 'name': 'finance'}],
               query='[].[account_name, share_name, sgw_health]') }}
"""

RETURN = r"""
_raw:
  description:
    - One dictionary per share, or with O(query) whatever the expression yields.
  type: list
  elements: dict
  contains:
    express_sync_id:
      description: The group the share belongs to (or, with O(is_external=true), the group it could join).
      type: str
      sample: sync-0001xv7je357xn8tr****
    express_sync_state:
      description: The raw C(ExpressSyncState) of the share.
      type: str
      sample: MNSHealthy
    sgw_health:
      description: The health of the share, from C(express_sync_state).
      type: str
      sample: healthy
    sync_progress:
      description: Percent of the share's full sync (0-100); -1 when it never had one, -2 when its gateway cannot say.
      type: int
      sample: 100
    share_name:
      description: The name of the share.
      type: str
      sample: weekly
    gateway_id:
      description: The gateway that serves the share.
      type: str
      sample: gw-0001xv7je357xn8t****
    gateway_name:
      description: The name of that gateway.
      type: str
      sample: file-gateway-1
    gateway_region:
      description: The region of that gateway.
      type: str
      sample: cn-hangzhou
    storage_bundle_id:
      description: The gateway cluster (storage bundle) of that gateway.
      type: str
      sample: sb-0001b2ucy5pa3wh5****
    mns_queue:
      description: The MNS queue that brings the group's changes to the share.
      type: str
      sample: sgw-express-sync-queue-gw-0001xv7je357xn8t****
    sgw_condition:
      description: The verdict of the signals of O(health_signals) - V(ok), V(degraded), V(failed) or V(unknown).
      returned: for member shares (not with O(is_external=true))
      type: str
      sample: failed
      version_added: 1.2.0
    sgw_condition_reasons:
      description: The reason codes behind RV(_raw[].sgw_condition), in the order of the health guide's table.
      returned: for member shares (not with O(is_external=true))
      type: list
      elements: str
      sample: [gateway_not_running, alert_upload_queue_full]
      version_added: 1.2.0
    account_id:
      description: The account the share was read in.
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

import threading

from ansible.errors import AnsibleLookupError

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.attribution import candidates_by_group
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.records import share_record
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.signals import error_warning, judge_shares
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import (
    extra_signals,
    health_argument_spec,
    health_settings,
)
from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.lookup import (
    NOT_FOUND_CODE,
    SgwLookupBase,
    express_sync_ids_from_terms,
    missing_ids,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import EXPRESS_SYNC_ID


class LookupModule(SgwLookupBase):

    NAME = "alibabacloud.sgw.express_sync_shares"

    def prepare(self, terms):
        ids = express_sync_ids_from_terms(terms)
        size = self.get_option("max_ids_per_call")
        if size is None or size < 0:
            raise AnsibleLookupError("max_ids_per_call must be 0 (all ids in one call) or more, not %r." % (size,))
        self._signals, self._thresholds, problems = health_settings(
            {name: self.get_option(name) for name in health_argument_spec()})
        if self.get_option("is_external"):  # candidates: no verdict; naming another signal is a fault
            if extra_signals(self._signals):
                problems.append("health_signals judges member shares, not the candidates of is_external=true")
            self._signals = None
        if problems:
            raise AnsibleLookupError("Invalid options: %s." % "; ".join(problems))
        self._existing = {}  # per client: with several accounts, fetch_account runs once per account, side by side
        self._found, self._lock, self._size = set(), threading.Lock(), size
        return api.chunked(ids, size)

    def fetch(self, client, prepared):
        self._existing[client] = None  # the group ids of the region, read once and only when an id may be missing
        return self._records(client, prepared)

    def fetch_account(self, client, prepared):
        """The shares of the ids (of ``prepared``) that this account lists: one DescribeExpressSyncs first, so that
        an id of another account is asked in that account only; None when the account may not list its groups."""
        listed = self.call(api.describe_express_syncs, client, self.region, default=None)
        if listed is None:
            return None
        self._existing[client] = [group.get(EXPRESS_SYNC_ID) for group in listed]
        here = [i for chunk in prepared for i in chunk if i in set(self._existing[client])]
        with self._lock:
            self._found.update(here)
        return self._records(client, api.chunked(here, self._size)) if here else []

    def missing_across(self, prepared, rows):
        missing = [i for chunk in prepared for i in chunk if i not in self._found]
        if missing:
            self.report_missing("%s (not listed by DescribeExpressSyncs)" % (
                self._missing_text(missing) + self.across_what()))

    def _records(self, client, prepared):
        shares = []
        for chunk in prepared:
            shares.extend(self._shares(client, chunk))
        records = [share_record(share) for share in shares]
        if self._signals:
            verdicts, errors = judge_shares(client, self._signals, self._thresholds, self.region, shares,
                                            max_concurrency=self.calls_at_once)
            for record, verdict in zip(records, verdicts):
                record.update(verdict)
            for error in errors:
                self.warn(error_warning(*error))
        return records

    def _ask(self, client, ids):
        return api.describe_express_sync_shares(client, self.region, ids, is_external=self.get_option("is_external"))

    def _shares(self, client, ids):
        """The shares of ``ids``: one call, then what the answer leaves open (the groups it says
        nothing about, the candidates it does not attribute)."""
        try:
            shares = self._ask(client, ids)
        except SgwApiError as error:
            if error.code != NOT_FOUND_CODE:
                return self.handle_error(error, default=[])
            return self._after_not_found(client, ids, error)
        if self.get_option("is_external"):
            shares = self._attributed(client, ids, shares)
        self._omitted(client, [i for i in ids if i not in {s.get(EXPRESS_SYNC_ID) for s in shares}])
        return shares

    def _after_not_found(self, client, ids, not_found):
        """After ``ExpressSyncNotExist``: ``on_missing`` for the ids that do not exist, the shares of the rest."""
        if len(ids) == 1:
            missing, message = ids, self._missing_message(ids, not_found)
        else:
            missing, message = self._missing(client, ids, not_found)
        self.handle_error(not_found, missing_message=message)
        rest = [i for i in ids if i not in missing]
        if not rest:
            return []
        try:
            shares = self._ask(client, rest)
        except SgwApiError as error:  # a group deleted meanwhile: this time, the whole rest
            return self.handle_error(error, default=[], missing_message=self._missing_message(rest, error, True))
        return self._attributed(client, rest, shares) if self.get_option("is_external") else shares

    def _attributed(self, client, ids, shares):
        """Candidates, each naming the group it is for."""
        def ask_each(groups):
            return [self._ask_one(client, group[EXPRESS_SYNC_ID]) for group in groups]

        by_group = candidates_by_group(shares, [{EXPRESS_SYNC_ID: i} for i in ids], ask_each)
        return [share for sync_id in ids for share in by_group.get(sync_id, ())]

    def _ask_one(self, client, sync_id):
        try:
            return self._ask(client, [sync_id])
        except SgwApiError as error:
            return self.handle_error(error, default=[], missing_message=self._missing_message([sync_id], error))

    def _omitted(self, client, ids):
        """``on_missing`` for the ``ids`` that have no share in a successful answer and that
        ``DescribeExpressSyncs`` does not list either (a service may leave unknown ids out of the
        answer instead of failing; an id without shares may also be an empty group)."""
        if not ids:
            return
        if self._existing[client] is None:
            try:
                self._existing[client] = [g.get(EXPRESS_SYNC_ID) for g in api.describe_express_syncs(client, self.region)]
            except SgwApiError as error:  # cannot tell: denied is on_denied's, anything else an error
                self.handle_error(error)
                self._existing[client] = list(ids)
                return
        missing = missing_ids(ids, self._existing[client])
        if missing:
            self.handle("on_missing", "%s (no share in the DescribeExpressSyncShares answer, and not listed by "
                        "DescribeExpressSyncs) (on_missing=%s)" % (
                            self._missing_text(missing), self.get_option("on_missing")))

    def _missing(self, client, ids, not_found):
        """``(missing ids, message)``: the ids that one ``DescribeExpressSyncs`` call (per lookup) does not list.

        When that call fails, or lists every id, it cannot be told which is missing: all are.
        """
        if self._existing[client] is None:
            try:
                self._existing[client] = [g.get(EXPRESS_SYNC_ID) for g in api.describe_express_syncs(client, self.region)]
            except SgwError as error:
                return ids, "%s; finding which one failed: %s" % (
                    self._missing_message(ids, not_found, True), error)
        missing = missing_ids(ids, self._existing[client])
        if not missing:
            return ids, "%s, yet DescribeExpressSyncs lists them all" % self._missing_message(ids, not_found, True)
        return missing, self._missing_message(missing, not_found)

    def _missing_text(self, ids, one_of=False):
        """What is missing, and where."""
        if one_of:
            what = "one of the express sync groups %s does not exist" % ", ".join(ids)
        elif len(ids) == 1:
            what = "express sync group %s does not exist" % ids[0]
        else:
            what = "express sync groups %s do not exist" % ", ".join(ids)
        return "%s in region %s" % (what, self.region)

    def _missing_message(self, ids, error, one_of=False):
        """What is missing, where, with the API's Code and RequestId."""
        return "%s (%s from %s, RequestId %s)" % (self._missing_text(ids, one_of), error.code,
                                                  error.action or "the API", error.request_id or "unknown")
