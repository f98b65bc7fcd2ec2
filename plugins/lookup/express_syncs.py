# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: express_syncs
short_description: Cloud Storage Gateway express sync groups
version_added: 1.0.0
author:
  - alibabacloud.sgw maintainers (@alibabacloud-sgw)
description:
  - Calls C(DescribeExpressSyncs) of the Alibaba Cloud Cloud Storage Gateway (SGW) API once and returns one
    dictionary per express sync group, with snake_case keys.
  - Without terms, every group of the region (or of the bucket, with O(bucket_name)) is returned; with terms, only
    the groups they name, in the order given.
  - The groups of the region are those whose C(BucketRegion) is O(region). An endpoint that answers for the whole
    account (whatever the C(RegionId) of the call) also lists the groups of other regions, which are left out.
  - Every string that comes from the API is marked unsafe, so it is never templated.
  - Errors name the API action, its C(Code) and its C(RequestId).
requirements:
  - requests
  - jmespath (only for O(query))
extends_documentation_fragment:
  - alibabacloud.sgw.common
  - alibabacloud.sgw.common.region
  - alibabacloud.sgw.common.accounts
  - alibabacloud.sgw.common.concurrency
options:
  _terms:
    description:
      - Express sync group ids (C(sync-...)) to return; a term may hold several ids separated by commas.
      - No term returns every group.
    type: list
    elements: str
    required: false
  bucket_name:
    description:
      - Only the groups of this OSS bucket (C(BucketName)).
    type: str
  bucket_prefix:
    description:
      - With O(bucket_name), only the group of this prefix of the bucket (C(BucketPrefix)). An empty string means
        the group of the bucket's root.
    type: str
  query:
    description:
      - A JMESPath expression applied to the list of groups, for example C([?bucket_region=='cn-hangzhou'].name).
        The lookup then returns what the expression yields (a list as it is, anything else as the only element
        of the list).
      - A bad expression is an error. Needs the Python library C(jmespath) on the controller.
    type: str
  on_missing:
    description:
      - What to do when a group named by a term is not listed.
      - V(error) fails with a message naming the missing ids, V(warn) warns naming them and returns the other
        groups, V(skip) silently returns the other groups.
    type: str
    choices: [error, warn, skip]
    default: error
  on_denied:
    description:
      - What to do when the identity may not call C(DescribeExpressSyncs) (C(Forbidden.RAM), C(NoPermission)).
      - V(error) fails, V(warn) warns and returns no group, V(skip) silently returns no group.
    type: str
    choices: [error, warn, skip]
    default: error
notes:
  - Without O(ignore:wantlist=true), Ansible's C(lookup()) returns a single group as a dictionary rather than a list
    of one. Use C(query()) (or O(ignore:wantlist=true)) to always get a list.
seealso:
  - plugin: alibabacloud.sgw.express_sync_shares
    plugin_type: lookup
  - module: alibabacloud.sgw.express_sync_info
"""

EXAMPLES = r"""
- name: Every express sync group of the region
  ansible.builtin.debug:
    msg: "{{ query('alibabacloud.sgw.express_syncs', region='cn-hangzhou') }}"

- name: The ids of the groups of one bucket
  ansible.builtin.set_fact:
    group_ids: "{{ query('alibabacloud.sgw.express_syncs', bucket_name='backups', query='[].express_sync_id') }}"

- name: One group, as a dictionary
  ansible.builtin.debug:
    msg: "{{ lookup('alibabacloud.sgw.express_syncs', 'sync-0123456789abcdef').mns_topic }}"

- name: The member shares of every group of a bucket, in one call
  ansible.builtin.debug:
    msg: >-
      {{ query('alibabacloud.sgw.express_sync_shares',
               query('alibabacloud.sgw.express_syncs', bucket_name='backups', query='[].express_sync_id')) }}

- name: Groups that may be gone
  ansible.builtin.debug:
    msg: "{{ query('alibabacloud.sgw.express_syncs', 'sync-0123456789abcdef', on_missing='skip') | length }}"

- name: Every group of every account of the resource directory, named with its account
  ansible.builtin.debug:
    msg: "{{ item.account_name }} ({{ item.account_id }}): {{ item.name }} syncs {{ item.bucket_name }}"
  loop: "{{ query('alibabacloud.sgw.express_syncs', resource_directory=true, on_account_error='warn') }}"
"""

RETURN = r"""
_raw:
  description:
    - One dictionary per group, or with O(query) whatever the expression yields.
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
    account_id:
      description: The account the group was read in.
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

from ansible.errors import AnsibleLookupError

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.attribution import groups_of_region
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.records import express_sync_record
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import invalid_bucket_filter
from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.lookup import (
    SgwLookupBase,
    express_sync_ids_from_terms,
    missing_ids,
)


class LookupModule(SgwLookupBase):

    NAME = "alibabacloud.sgw.express_syncs"

    def prepare(self, terms):
        problems = invalid_bucket_filter(self.get_option("bucket_name"), self.get_option("bucket_prefix"))
        if problems:
            raise AnsibleLookupError("%s: %s." % (self.NAME, "; ".join(problems)))
        return express_sync_ids_from_terms(terms, required=False)

    def fetch(self, client, prepared):
        records = self.fetch_account(client, prepared)
        if records is None:  # denied, and on_denied is warn or skip: nothing is known to be missing
            return []
        self.missing_across(prepared, records)
        return records

    def fetch_account(self, client, prepared):
        """The groups of the region, or those of ``prepared`` in its order (one account of several may have some);
        None when the account may not list them (``on_denied`` warn or skip)."""
        groups = self.call(api.describe_express_syncs, client, self.region, self.get_option("bucket_name"),
                           self.get_option("bucket_prefix"), default=None)
        if groups is None:
            return None
        records = [express_sync_record(group) for group in groups_of_region(groups, self.region)]
        if not prepared:
            return records
        by_id = {}
        for record in records:
            by_id.setdefault(record["express_sync_id"], record)
        return [by_id[i] for i in prepared if i in by_id]

    def missing_across(self, prepared, rows):
        missing = missing_ids(prepared, {row["express_sync_id"] for row in rows})
        if missing:
            self.report_missing("express sync group%s %s %s not listed by DescribeExpressSyncs in region %s%s%s" % (
                "s" if len(missing) > 1 else "", ", ".join(missing), "are" if len(missing) > 1 else "is",
                self.region, self._scope(), self.across_what()))

    def _scope(self):
        bucket, prefix = self.get_option("bucket_name"), self.get_option("bucket_prefix")
        if not bucket:
            return ""
        return " for bucket %s%s" % (bucket, "" if prefix is None else " and prefix %r" % prefix)
