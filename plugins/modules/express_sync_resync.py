#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: express_sync_resync
short_description: Resync Cloud Storage Gateway express sync shares, crash-safe, many groups at once
version_added: 1.1.0
author:
  - alibabacloud.sgw maintainers (@alibabacloud-sgw)
description:
  - Takes shares out of their express sync group and adds them back, which restarts their sync (C(MNSFullSyncInit),
    then C(MNSFullSyncing), then C(MNSHealthy)). This is how shares whose sync has failed are healed
    (C(QueueFailure), C(TopicFailure), C(TopicAndQueueFailure)).
  - The shares may belong to any number of groups and regions. The groups are handled side by side, phase after
    phase for all of them. Every group's C(RemoveSharesFromExpressSync) is sent (one call per group, whatever the
    number of its shares), then all those tasks are waited for together with C(DescribeTasks), then every group's
    C(AddSharesToExpressSync) likewise. O(max_concurrency) bounds the API calls in flight, not the tasks running
    in the service, so the time for many groups stays close to the time for one until the API throttles.
  - While another task runs on a group the API answers C(ExpressSyncInOperation); the call is retried with
    exponential backoff for up to O(wait_timeout) seconds, as M(alibabacloud.sgw.express_sync) does.
  - With O(wait_healthy=true) the module then reads the health of every resynced share, with one
    C(DescribeExpressSyncShares) call per region per round (all the groups of the region in that call), until every
    share is healthy or O(healthy_timeout) has passed, and returns each share's state before and after.
  - B(Nothing is lost when a run is interrupted.) Before the first Remove of a group the module writes what it is
    about to do (the AccessKey ID masked, the account and role, the endpoint, the region, the group, the shares,
    the step) to a journal
    file, atomically, and updates it after each step. An entry is dropped only once a read proves it done (its
    shares are members again, or they no longer exist). A run that dies (a denied Add, a failed task, a timeout,
    Ctrl-C, a lost controller) leaves the entry behind.
  - B(A write whose answer never came is never guessed.) Each write is sent once. An answer that proves nothing was
    applied (a refusal) ends it; no answer, a 5xx or a body that cannot be read leave its outcome unknown, and it is
    settled by reading the tasks and the members of its group once the write can no longer land (three times the
    option C(timeout) after it was sent). Until then the entry stays in the journal, and a later run waits too.
  - A group, gateway or share that no longer exists cannot get its shares back; they are named in a warning and in
    RV(orphaned), and dropped from the journal. Every group is read and written on its own, so one such group does
    not hold back the others.
  - B(Read before write.) Just before taking shares out, their state is read; a share that is no longer in one of
    O(heal_states) (healthy again, or already syncing) is left alone and reported in RV(skipped_healthy), so that
    reruns, cached inventories and overlapping heals cause no needless full sync.
  - B(Several accounts in one task.) Each share of O(shares) may name its account (C(account_id)) and the role to
    reach it through (C(role_arn)), as the P(alibabacloud.sgw.sgw#inventory) inventory's host variables
    C(sgw_account_id) and C(sgw_account_role_arn) do when it reads several accounts. The groups of each account are
    read and written with that account's own credentials, the role assumed (STS C(AssumeRole)) from the module's
    credentials, with the external id that O(accounts) gives the role; a share without a role is in the account of
    the module's own credentials. The accounts are done one after the other; the health of every account's shares
    is read at the end, one call per account per region per round, all within the one O(healthy_timeout).
  - B(Every run first completes every pending entry it can reach), whether or not their shares are in O(shares)
    now, and returns them in RV(resumed). Each entry names its account (C(account_id)) and the role its writes were
    signed through (C(role_arn), null for the account of the module's own credentials), and is completed in that
    account, an entry with a role by assuming that role again from the module's credentials (whatever the shares of
    the run), an entry without one when the module's credentials are those that wrote it (or of the same account).
    Resuming waits for the tasks still running on the group, reads its members, and adds back the entry's shares
    that are not members. So it does the right thing whether or not the interrupted run's Remove or Add happened.
  - An account whose role cannot be assumed is left alone and named in a warning and in RV(failed_accounts); its
    shares are not touched, its entries stay in the journal (and in RV(pending) and RV(resume_token)), the other
    accounts go on, and the module fails at the end.
  - The entries still pending at the end are returned in RV(pending) (they hold no secret); O(resume_entries)
    takes them back in a later run that does not have the journal file, for example a later job on an ephemeral
    controller.
  - Two runs on the same journal do not interleave. A run holds an exclusive lock on C(<journal>.lock) from its
    start until its last Add has ended; another run waits for it up to O(wait_timeout) seconds, then fails.
  - A share that is not a member of the group given for it is left alone, reported in RV(not_members) and in a warning.
  - When the journal cannot be written once shares were taken out (a full disk), the shares are still added back,
    then the module fails and says so.
  - Runs on the controller or any host that reaches the SGW API, usually with C(run_once) on C(localhost).
  - "RAM actions: C(hcs-sgw:DescribeExpressSyncShares), C(hcs-sgw:RemoveSharesFromExpressSync),
    C(hcs-sgw:AddSharesToExpressSync) and C(hcs-sgw:DescribeTasks). An identity that may remove but not add
    strands the shares until a run with the right to add resumes them: grant both."
requirements:
  - requests
extends_documentation_fragment:
  - alibabacloud.sgw.common
  - alibabacloud.sgw.common.region
  - alibabacloud.sgw.common.action_group
attributes:
  check_mode:
    support: full
    description:
      - Reads the journal and the members of the groups, and reports the shares it would remove and add back
        (RV(shares)) and the pending entries it would resume (RV(resumed)). Calls no write action, writes nothing,
        takes no lock.
  diff_mode:
    support: full
    description: The members of each group (as C(<share_name>@<gateway_id>)) before and after.
options:
  region:
    description:
      - The region of the shares of O(shares) that do not name theirs, for example C(cn-hangzhou).
      - Not needed when every share names its region, nor with O(resume_only=true). A journal entry has its own.
      - Also read from E(ALIBABA_CLOUD_REGION_ID) or E(ALICLOUD_REGION).
    type: str
    aliases: [region_id]
  shares:
    description:
      - The shares to resync, in any number of groups and regions.
      - "The host variables that the P(alibabacloud.sgw.sgw#inventory) inventory gives each share have these keys:
        the play's hosts become the option with
        C(ansible_play_hosts | map('extract', hostvars) | map('dict2items')
        | map('selectattr', 'key', 'in', ['express_sync_id', 'gateway_id', 'share_name', 'sgw_region'])
        | map('items2dict') | list) (see the playbook C(alibabacloud.sgw.heal_failed_shares) of this collection)."
      - Ignored with O(resume_only=true).
    type: list
    elements: dict
    default: []
    suboptions:
      express_sync_id:
        description: The id of the group (C(sync-...)) that the share is a member of.
        type: str
        required: true
      gateway_id:
        description: The id of the gateway (C(gw-...)) of the share.
        type: str
        required: true
      share_name:
        description: The name of the share on that gateway.
        type: str
        required: true
      region:
        description:
          - The region to call for the group; O(region) when omitted.
          - The inventory's host variable C(sgw_region) is the same.
        type: str
        aliases: [sgw_region]
      account_id:
        description:
          - The id of the account of the share (the inventory's host variable C(sgw_account_id)), recorded in the
            journal. It must be the account of O(shares[].role_arn) when both are given.
          - Shares without a role must all be of one account, the one of the module's own credentials.
        type: str
        aliases: [sgw_account_id]
        version_added: 1.2.0
      role_arn:
        description:
          - The role (C(acs:ram::<account id>:role/<role name>)) through which the share's account is reached,
            assumed from the module's credentials; its external id is the one O(accounts) gives that role.
          - The inventory's host variable C(sgw_account_role_arn) (null for the account of the inventory's own
            credentials). Left out or null, the share is in the account of the module's own credentials.
        type: str
        aliases: [sgw_account_role_arn]
        version_added: 1.2.0
  accounts:
    description:
      - The accounts' role options, as the inventory option of the same name takes them
        (C(role_arn), C(name), C(external_id)), for example the inventory's own list.
      - A role that O(shares[].role_arn) or a pending entry names is assumed with the C(external_id) given here for
        it (never written to the journal or returned); C(name) names the account in messages.
      - It does not choose the accounts to heal (the shares and the pending entries do).
    type: list
    elements: dict
    default: []
    version_added: 1.2.0
  max_concurrency:
    description:
      - The most API calls in flight at once (1 makes them one after another).
    type: int
    default: 8
  wait_timeout:
    description:
      - The most seconds to wait for the Remove tasks (all together), and then for the Add tasks; the most seconds to
        retry one call while its group is busy; and the most seconds to wait for the journal's lock.
    type: int
    default: 300
  wait_healthy:
    description:
      - After the adds, wait until every resynced share is healthy (C(MNSHealthy)), or O(healthy_timeout) passes.
      - With V(false) the health is read once, right after the adds.
    type: bool
    default: true
  healthy_timeout:
    description:
      - The most seconds to wait for the shares to be healthy. A full sync of a large share can take long.
    type: int
    default: 1800
  require_healthy:
    description:
      - Fail, after returning everything, when a share is not healthy at the end (it is in RV(not_recovered)).
      - With O(wait_healthy=false) the shares are usually still syncing when they are read, so set V(false) then.
    type: bool
    default: true
  journal:
    description:
      - The journal file.
      - Also read from E(ALIBABA_CLOUD_SGW_RESYNC_JOURNAL). The default is
        C(alibabacloud.sgw/resync-journal.json) under the Ansible home (the environment variable
        C(ANSIBLE_HOME), else C(~/.ansible)) of the host that runs the module.
      - The file is removed when no entry is left. Its directory is created when missing.
    type: path
  heal_states:
    description:
      - The C(ExpressSyncState) values in which a share of O(shares) is resynced. A share in another state when it is
        read, just before the Remove, is left alone and reported in RV(skipped_healthy).
      - The default are the states of a failed sync. Give every state to resync shares whatever their state.
    type: list
    elements: str
    default: [TopicAndQueueFailure, TopicFailure, QueueFailure]
    version_added: 1.2.0
  resume_only:
    description:
      - Only complete the pending entries (those of the journal and O(resume_entries)); O(shares) is ignored.
    type: bool
    default: false
  resume_entries:
    description:
      - Entries of RV(pending) returned by an earlier run, to resume as if they were in the journal, for a run that
        does not have that journal file (a fresh container, another controller).
      - Each is checked like a journal entry, and must have been recorded for the endpoint that this run calls in
        its region. An entry with a role is completed in the role's account; one without, recorded with another
        AccessKey ID, is resumed with a warning (it is left alone, pending, when it names an account other than
        the one of the module's credentials).
      - An entry that the journal already has (the same C(id)) is taken once.
      - Its values are used as given. Data that passed through variables, files of extra variables or job artifacts
        may have been templated on the way (a share named C({{ ... }}), say); give RV(resume_token) to
        O(resume_token) instead, which no template can change.
    type: list
    elements: dict
    default: []
  resume_token:
    description:
      - RV(resume_token) returned by an earlier run, whose pending entries are resumed as with O(resume_entries).
      - The token holds only letters, digits, V(-), V(_) and V(.), so that it passes through variables, files of extra
        variables and AWX artifacts unchanged, whatever the share names hold. An empty string is no entry.
    type: str
    version_added: 1.2.0
notes:
  - The module never returns, logs or writes to the journal the AccessKey secret, the security token or a role's
    external id. Entries without a role are matched to credentials by a one-way digest of the AccessKey ID, or for
    STS credentials (whose key id changes with every session) of where they came from (the environment, a profile,
    an ECS RAM role); an entry that names an account other than theirs (STS C(GetCallerIdentity), asked only then)
    is left alone.
  - "RAM, for several accounts: the module's identity needs C(sts:AssumeRole) on each role, and each role the RAM
    actions above in its account (see the collection's accounts guide, docs/accounts.md)."
  - A topic failure (C(TopicFailure), C(TopicAndQueueFailure)) may need more than a resync of the share, for
    example the MNS topic of the group to be repaired; such a share is then in RV(not_recovered).
seealso:
  - module: alibabacloud.sgw.express_sync
  - name: RemoveSharesFromExpressSync
    description: The SGW API action that removes shares from a group.
    link: https://help.aliyun.com/zh/csg/developer-reference/api-sgw-2018-05-11-removesharesfromexpresssync
  - name: AddSharesToExpressSync
    description: The SGW API action that adds shares to a group.
    link: https://help.aliyun.com/zh/csg/developer-reference/api-addsharestoexpresssync
"""

EXAMPLES = r"""
- name: Resync two shares of two groups in two regions, and wait until they are healthy
  alibabacloud.sgw.express_sync_resync:
    shares:
      - express_sync_id: sync-0001xv7je357xn8tr001
        gateway_id: gw-0001xv7je357xn8tr001
        share_name: media-nfs
        region: cn-hangzhou
      - express_sync_id: sync-0002xv7je357xn8tr002
        gateway_id: gw-0002xv7je357xn8tr002
        share_name: exports-smb
        region: cn-shanghai
    healthy_timeout: 3600
  register: resync

- name: Resync every share of the play (inventory alibabacloud.sgw.sgw), once, from the controller
  alibabacloud.sgw.express_sync_resync:
    shares: >-
      {{ ansible_play_hosts | map('extract', hostvars) | map('dict2items')
         | map('selectattr', 'key', 'in', ['express_sync_id', 'gateway_id', 'share_name', 'sgw_region'])
         | map('items2dict') | list }}
  run_once: true
  delegate_to: localhost

- name: Resync the failed shares of an inventory of several accounts, each account's with its own role
  alibabacloud.sgw.express_sync_resync:
    shares: >-
      {{ ansible_play_hosts | map('extract', hostvars) | map('dict2items')
         | map('selectattr', 'key', 'in', ['express_sync_id', 'gateway_id', 'share_name', 'sgw_region',
                                            'sgw_account_id', 'sgw_account_role_arn'])
         | map('items2dict') | list }}
    accounts:
      - role_arn: acs:ram::1855000000000002:role/sgw-healer
        external_id: "{{ finance_external_id }}"
  run_once: true
  delegate_to: localhost

- name: Complete what an interrupted run left in the journal, and nothing else
  alibabacloud.sgw.express_sync_resync:
    resume_only: true

- name: In a fresh container, resume what an earlier job returned as pending
  alibabacloud.sgw.express_sync_resync:
    resume_only: true
    resume_token: "{{ earlier_job_result.resume_token }}"
"""

RETURN = r"""
shares:
  description:
    - Every share resynced or resumed by the run (or that would be, in check mode), sorted by region, group, gateway
      and share.
  returned: always
  type: list
  elements: dict
  contains:
    express_sync_id:
      description: The id of the group.
      type: str
      sample: sync-0001xv7je357xn8tr001
    region:
      description: The region called for the group.
      type: str
      sample: cn-hangzhou
    gateway_id:
      description: The id of the gateway.
      type: str
      sample: gw-0001xv7je357xn8tr001
    share_name:
      description: The name of the share.
      type: str
      sample: media-nfs
    state_before:
      description: The C(ExpressSyncState) before the run; V(not a member) for a share that a resumed entry adds back.
      type: str
      sample: QueueFailure
    state_after:
      description: The C(ExpressSyncState) at the end; V(not a member) when it is not a member; null in check mode.
      type: str
      sample: MNSHealthy
    sgw_health:
      description:
        - The state after folded into V(healthy), V(syncing), V(failed), V(disabled) or V(unknown), as in the
          P(alibabacloud.sgw.sgw#inventory) inventory; null in check mode.
      type: str
      sample: healthy
    sync_progress:
      description: Percent done of the share's full sync at the end; null in check mode or when not a member.
      type: int
      sample: 100
    resumed:
      description: Whether the share was added back by a resumed journal entry.
      type: bool
      sample: false
    account_id:
      description: The id of the share's account; null when the run was told none (the module's own credentials).
      type: str
      sample: "1855000000000001"
      version_added: 1.2.0
recovered:
  description: The shares healthy at the end, as C(<share_name>@<gateway_id>); empty in check mode.
  returned: always
  type: list
  elements: str
  sample: [media-nfs@gw-0001xv7je357xn8tr001]
not_recovered:
  description: The shares not healthy at the end; empty in check mode.
  returned: always
  type: list
  elements: str
  sample: []
resumed:
  description: The pending entries that the run completed (or would, in check mode), one per group.
  returned: always
  type: list
  elements: dict
  contains:
    express_sync_id:
      description: The id of the group.
      type: str
    region:
      description: The region of the group.
      type: str
    account_id:
      description: The id of the group's account; null when not known (the module's own credentials).
      type: str
      version_added: 1.2.0
    shares:
      description: The shares of the entries, each a C(gateway_id) and a C(share_name).
      type: list
      elements: dict
    added:
      description: The shares that were not members and were added back.
      type: list
      elements: dict
  sample: [{"express_sync_id": "sync-0001xv7je357xn8tr001", "region": "cn-hangzhou", "account_id": "1855000000000001",
            "shares": [{"gateway_id": "gw-0001xv7je357xn8tr001", "share_name": "media-nfs"}],
            "added": [{"gateway_id": "gw-0001xv7je357xn8tr001", "share_name": "media-nfs"}]}]
not_members:
  description: The shares of O(shares) that are not members of the group given for them, left alone, with the reason.
  returned: always
  type: list
  elements: dict
  sample: [{"express_sync_id": "sync-0001xv7je357xn8tr001", "region": "cn-hangzhou",
            "gateway_id": "gw-0001xv7je357xn8tr001", "share_name": "old-share",
            "reason": "not a member of sync-0001xv7je357xn8tr001"}]
skipped_healthy:
  description:
    - The shares of O(shares) left alone because their state, read just before the Remove, is not one of
      O(heal_states); C(state) is that state.
  returned: always
  type: list
  elements: dict
  version_added: 1.2.0
  sample: [{"express_sync_id": "sync-0001xv7je357xn8tr001", "region": "cn-hangzhou",
            "gateway_id": "gw-0001xv7je357xn8tr001", "share_name": "media-nfs", "state": "MNSHealthy"}]
orphaned:
  description:
    - Shares of pending entries, or of the run, that cannot be put back because their group, their gateway or the
      share itself no longer exists, with the reason. They are dropped from the journal.
  returned: always
  type: list
  elements: dict
  version_added: 1.2.0
  sample: [{"express_sync_id": "sync-0001xv7je357xn8tr001", "region": "cn-hangzhou",
            "gateway_id": "gw-0001xv7je357xn8tr001", "share_name": "old-share",
            "reason": "the share or its gateway no longer exists"}]
resume_token:
  description:
    - RV(pending) as one string of letters, digits, V(-), V(_) and V(.) (empty when nothing is pending), for
      O(resume_token) of a later run. No template character can be in it, so it passes through variables, files
      of extra variables and job artifacts unchanged.
  returned: always
  type: str
  version_added: 1.2.0
  sample: sgwresume1.eNqLjgUAARUAuQ
pending:
  description:
    - The journal entries that this run completes, of every account, still pending at the end (in check mode,
      those it would resume); those of an account whose role could not be assumed included. Empty after a run that
      completed.
    - Give them to O(resume_entries) of a later run that does not have this journal file.
    - "Each entry: C(id), C(created), C(updated), C(account) (C(key_id), masked, and C(identity), a digest, of
      the module's credentials; C(account_id), the account the writes were made in, null when the run was told
      none; C(role_arn), the role they were signed through, null for the account of the module's credentials),
      C(endpoint), C(region), C(express_sync_id), C(shares), C(step) (V(removing), V(removed), V(adding) or
      V(add_failed)), C(task_id), C(error) and C(lands_by) (epoch seconds after which a write sent without an
      answer can no longer land, or null)."
  returned: always
  type: list
  elements: dict
  sample: [{"id": "5f1c0e9a2b7d4c13", "created": "2026-01-05T10:12:03Z", "updated": "2026-01-05T10:12:09Z",
            "account": {"key_id": "LTAI****ab12", "identity": "3b0e2d61f0a94c8e7d15a2c4",
                        "account_id": "1855000000000001",
                        "role_arn": "acs:ram::1855000000000001:role/ResourceDirectoryAccountAccessRole"},
            "endpoint": "https://sgw.cn-shanghai.aliyuncs.com", "region": "cn-hangzhou",
            "express_sync_id": "sync-0001xv7je357xn8tr001",
            "shares": [{"gateway_id": "gw-0001xv7je357xn8tr001", "share_name": "media-nfs"}],
            "step": "add_failed", "task_id": null, "error": "AddSharesToExpressSync in region cn-hangzhou failed",
            "lands_by": null}]
failed_accounts:
  description:
    - The accounts whose role could not be assumed, each with its C(account_id), C(name) (from O(accounts), or
      null), C(role_arn) and C(error). Nothing was done in them; their entries stay pending.
  returned: always
  type: list
  elements: dict
  version_added: 1.2.0
  sample: [{"account_id": "1855000000000002", "name": "finance",
            "role_arn": "acs:ram::1855000000000002:role/sgw-healer",
            "error": "AssumeRole of role acs:ram::1855000000000002:role/sgw-healer failed at https://sts.aliyuncs.com:
                      NoPermission (HTTP 403)."}]
task_ids:
  description: The ids of the Remove and Add tasks started.
  returned: always
  type: list
  elements: str
  sample: [t-0001xv7je357xr6ql001]
health_rounds:
  description:
    - How many times the health of the shares was read, each time with one C(DescribeExpressSyncShares) call per
      region, added up over the accounts; 0 in check mode.
  returned: always
  type: int
  sample: 4
journal:
  description: The path of the journal file.
  returned: always
  type: str
  sample: /home/ops/.ansible/alibabacloud.sgw/resync-journal.json
error_code:
  description: The API C(Code) of the first error, or C(TaskFailed) and C(TaskTimeout) for a task.
  returned: failure
  type: str
  sample: Forbidden.RAM
request_id:
  description: The C(RequestId) of the first failed call.
  returned: failure, when the API answered
  type: str
  sample: 1EDBC004-6B1C-4511-ACF5-0B4875BA3887
"""

from ansible_collections.alibabacloud.sgw.plugins.module_utils.accounts import AccountSession
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.accounts import (
    AccountCredentials,
    AccountTarget,
    account_option_problems,
    role_account_id,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.endpoints import endpoint_url
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.redaction import hide_userinfo
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.module import SgwModule
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import account_argument_spec, env_fallback
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.heal import CALLER, Heal
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.resync import HEAL_STATES, Resync
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import (
    invalid_express_sync_ids,
    invalid_gateway_ids,
    invalid_regions,
    share_name_problem,
)


def argument_spec():
    return {
        "shares": {"type": "list", "elements": "dict", "default": [], "options": {
            "express_sync_id": {"type": "str", "required": True},
            "gateway_id": {"type": "str", "required": True},
            "share_name": {"type": "str", "required": True},
            "region": {"type": "str", "aliases": ["sgw_region"]},
            "account_id": {"type": "str", "aliases": ["sgw_account_id"]},
            "role_arn": {"type": "str", "aliases": ["sgw_account_role_arn"]},
        }},
        # the shared table's option (doc fragment alibabacloud.sgw.common.accounts), used here for the roles' options
        "accounts": account_argument_spec()["accounts"],
        "max_concurrency": {"type": "int", "default": 8},
        "wait_timeout": {"type": "int", "default": 300},
        "wait_healthy": {"type": "bool", "default": True},
        "healthy_timeout": {"type": "int", "default": 1800},
        "require_healthy": {"type": "bool", "default": True},
        "journal": {"type": "path", "fallback": (env_fallback, [journals.JOURNAL_ENV])},
        "heal_states": {"type": "list", "elements": "str", "default": list(HEAL_STATES)},
        "resume_only": {"type": "bool", "default": False},
        "resume_entries": {"type": "list", "elements": "dict", "default": []},
        "resume_token": {"type": "str", "no_log": False},  # pending entries, no secret
    }


def account_key(share, index, problems, caller_ids):
    """The account key of a share of O(shares): its role (CALLER without one); problems are appended."""
    role, account_id = share.get("role_arn") or None, share.get("account_id") or None
    if role is not None and role_account_id(role) is None:
        problems.append("shares[%d]: role_arn %r is not a role ARN such as acs:ram::<account id>:role/<role name>" % (
            index, role))
    elif role is not None and account_id is not None and role_account_id(role) != account_id:
        problems.append("shares[%d]: role_arn %s is not a role of the account %s" % (index, role, account_id))
    elif role is None and account_id is not None:
        if not account_id.isdigit():
            problems.append("shares[%d]: account_id %r is not an account id (digits only)" % (index, account_id))
        caller_ids.add(account_id)
    return role or CALLER


def requested_groups(params, default_region):
    """``({account key: {(region, group id): [(gateway_id, share_name), ...]}}, the caller's account id or None,
    problems)`` from O(shares)."""
    groups, problems, caller_ids = {}, [], set()
    if params["resume_only"]:
        return groups, None, problems
    for index, share in enumerate(params["shares"]):
        region = share.get("region") or default_region
        if not region:
            problems.append("shares[%d] names no region, and the option region is not set" % index)
            continue
        found = (invalid_regions([region]) + invalid_express_sync_ids([share["express_sync_id"]])
                 + invalid_gateway_ids([share["gateway_id"]]))
        problem = share_name_problem(share["share_name"], share["gateway_id"])
        if problem:
            found.append(problem)
        if found:
            problems += ["shares[%d]: %s" % (index, problem) for problem in found]
            continue
        account = groups.setdefault(account_key(share, index, problems, caller_ids), {})
        keys = account.setdefault((region, share["express_sync_id"]), [])
        key = (share["gateway_id"], share["share_name"])
        if key not in keys:
            keys.append(key)
    if len(caller_ids) > 1:
        problems.append("shares of the accounts %s name no role_arn, and only the account of the module's own "
                        "credentials may go without one" % ", ".join(sorted(caller_ids)))
    return groups, (caller_ids.pop() if len(caller_ids) == 1 else None), problems


def given_entries(params, endpoint_of):
    """The entries of O(resume_entries), checked, with only the journal's fields; and the problems found."""
    entries, problems = [], []
    given = [("resume_entries[%d]" % i, e) for i, e in enumerate(params["resume_entries"])]
    if params.get("resume_token"):
        try:
            given += [("resume_token entry %d" % i, e) for i, e in enumerate(journals.decode_token(
                params["resume_token"]))]
        except ValueError as error:
            problems.append("resume_token is not a resume token: %s" % error)
    for where, entry in given:
        found = journals.invalid_entry(entry)
        if not found and entry["endpoint"] != endpoint_of(entry["region"]):
            found.append("it was recorded for the endpoint %s, and this run calls %s in region %s" % (
                entry["endpoint"], endpoint_of(entry["region"]), entry["region"]))
        if found:
            problems += ["%s: %s" % (where, problem) for problem in found]
        else:
            entries.append(journals.clean_entry(entry))
    return entries, problems


def make_heal(sgw, client, journal, endpoint_of, caller_id):
    """The run: the caller's own account, and every role's account with the role assumed from the module's
    credentials (the external id and name of O(accounts)); and the role accounts' clients, to close."""
    params = sgw.params
    accounts = params["accounts"]
    session = AccountSession(client, params, {"accounts": accounts}, sgw.region)
    credentials = AccountCredentials(client.credentials, session.sts, None, session.session_name,
                                     session.session_seconds)
    external_ids = {a["role_arn"]: a.get("external_id") for a in accounts}
    made = []

    def resync(account_client, account_id=None, role_arn=None):
        return Resync(account_client, journal, journals.account_of(client.credentials, account_id, role_arn),
                      endpoint_of, params, check_mode=sgw.check_mode)

    def resync_of_role(role):
        target = AccountTarget(role_account_id(role), None, role, external_ids.get(role))
        made.append(client.with_credentials(credentials.of(target)))
        return resync(made[-1], target.account_id, role)

    heal = Heal(journal, resync(client, caller_id), resync_of_role,
                lambda: session.sts.caller_account_id(client.credentials),
                {a["role_arn"]: a.get("name") for a in accounts})
    return heal, made


def main():
    sgw = SgwModule(argument_spec(), region_required=False)
    module = sgw.module
    params = sgw.params
    problems = account_option_problems(params["accounts"])
    for option, least in (("max_concurrency", 1), ("wait_timeout", 0), ("healthy_timeout", 0)):
        if params[option] < least:
            problems.append("%s must be %d or more" % (option, least))
    groups, caller_id, found = requested_groups(params, sgw.region)
    problems += found
    client = sgw.make_client(pool_size=max(1, params["max_concurrency"]))

    def endpoint_of(region):  # as the journal keeps it: without a user or password
        return hide_userinfo(endpoint_url(region, client.endpoint))

    entries, found = given_entries(params, endpoint_of)
    problems += found
    if problems:
        module.fail_json(msg="Invalid options: %s." % "; ".join(problems))

    journal = journals.Journal(params["journal"] or journals.default_path())
    heal, made = make_heal(sgw, client, journal, endpoint_of, caller_id)
    try:
        result = heal.run(groups, entries, resume_only=params["resume_only"])
    except journals.JournalLocked as locked:
        module.fail_json(msg=str(locked), changed=False, journal=journal.path)
    except OSError as error:
        partial = heal.result()
        partial.pop("diff")
        done = (" The shares already taken out were sent back all the same (see resumed, shares and pending)."
                if heal.journal_error is not None else "")
        module.fail_json(msg="The resync journal %s could not be read or written (%s).%s What the file holds is what "
                         "was last written. Set the option journal (or %s) to a path this host can write, and run the "
                         "module again." % (journal.path, error, done, journals.JOURNAL_ENV), **partial)
    except SgwError as error:
        partial = heal.result()
        partial.pop("diff")
        sgw.fail(error, **partial)
    finally:
        for account_client in made:
            account_client.close()
    for warning in heal.warnings:
        module.warn(warning)
    diff = result.pop("diff")
    if module._diff:
        result["diff"] = diff
    if heal.errors:
        sgw.fail(heal.errors[0], message=heal.failure_message(), **result)
    if params["require_healthy"] and result["not_recovered"]:
        module.fail_json(msg="%d of %d shares did not recover within healthy_timeout (%ss): %s. They are members of "
                         "their group again and their sync continues; look at them on their gateway, or raise "
                         "healthy_timeout." % (len(result["not_recovered"]), len(result["shares"]),
                                               params["healthy_timeout"], ", ".join(result["not_recovered"])),
                         **result)
    sgw.exit(**result)


if __name__ == "__main__":
    main()
