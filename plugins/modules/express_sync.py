#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: express_sync
short_description: Create and delete Cloud Storage Gateway express sync groups and manage their shares
version_added: 1.0.0
author:
  - alibabacloud.sgw maintainers (@alibabacloud-sgw)
description:
  - Creates an express sync group of Alibaba Cloud Cloud Storage Gateway (SGW) when it is missing, deletes it,
    and adds shares to it or removes shares from it.
  - A group is identified by O(express_sync_id), or else by O(name). Two groups of the same name in the region
    are an error; the module never picks one of them.
  - A group cannot be changed once created. When O(name), O(bucket_name), O(bucket_region), O(bucket_prefix) or
    O(description) is given and differs from the existing group, the module fails and names the fields; it
    never ignores the difference. With O(state=absent) such a group is not deleted either.
  - Adding shares, removing shares and deleting a group are asynchronous in the SGW API. With O(wait=true) the
    module waits for each task with C(DescribeTasks) and fails, naming the task id, when the task ends in
    C(task.state.failed).
  - While another task runs on the group the API answers C(ExpressSyncInOperation); the module retries the call
    with exponential backoff for up to O(wait_timeout) seconds.
  - Each write is sent once. An answer that proves nothing was applied (a refusal such as C(ShareNotExist)) fails
    the task with C(changed=false). When no answer comes (a timeout, a dropped connection, a 5xx, a body that
    cannot be read), the module waits until the write can no longer land (three times the option C(timeout)), then
    for the group's tasks, reads the members, and goes on if the change is there; otherwise it fails with
    C(WriteOutcomeUnknown), having changed nothing.
  - Changes are made in the order C(CreateExpressSync), C(RemoveSharesFromExpressSync), C(AddSharesToExpressSync),
    each after the one before it has finished. Each is one call, whatever the number of shares; the shares are
    grouped per gateway in its C(GatewayShares) parameter.
  - A share removed from a group and added back starts a full sync of the share
    (C(MNSFullSyncInit), then C(MNSFullSyncing), then C(MNSHealthy)). The module
    M(alibabacloud.sgw.express_sync_resync) does that for many groups at once, and the playbook
    C(alibabacloud.sgw.heal_failed_shares) of this collection runs it for the shares that the
    P(alibabacloud.sgw.sgw#inventory) inventory puts in the group C(sgw_health_failed).
  - Runs on the controller or any host that reaches the SGW API, usually with C(delegate_to) or on
    C(localhost).
  - "RAM actions: C(hcs-sgw:DescribeExpressSyncs) and C(hcs-sgw:DescribeExpressSyncShares) always;
    C(hcs-sgw:CreateExpressSync), C(hcs-sgw:AddSharesToExpressSync), C(hcs-sgw:RemoveSharesFromExpressSync) and
    C(hcs-sgw:DeleteExpressSync) for the changes they make; C(hcs-sgw:DescribeTasks) to wait for them."
requirements:
  - requests
extends_documentation_fragment:
  - alibabacloud.sgw.common
  - alibabacloud.sgw.common.region
  - alibabacloud.sgw.common.action_group
attributes:
  check_mode:
    support: full
    description: Reads the group and its shares, reports what would change, and calls no write action.
  diff_mode:
    support: full
    description: The group and its members (as C(<share_name>@<gateway_id>)) before and after.
options:
  state:
    description:
      - V(present) creates the group when it does not exist, then applies O(shares).
      - V(absent) deletes the group. A group that does not exist is not an error, and nothing changes.
      - To remove shares from a group and keep the group, use O(state=present) with O(shares_state=absent).
    type: str
    choices: [present, absent]
    default: present
  express_sync_id:
    description:
      - The id of the group (C(sync-...)). When given, the group is looked up by this id only.
      - With O(state=present) the group must exist; to create a group, give O(name) and not this option.
    type: str
    aliases: [id]
  name:
    description:
      - The name of the group. Without O(express_sync_id), the group is looked up by this name, and created with it
        when missing.
      - 1 to 128 letters, CJK characters, digits, C(.), C(_) or C(-), starting with a letter or a CJK character;
        checked before any API call.
      - With O(express_sync_id), the name the group must have.
    type: str
  bucket_name:
    description:
      - The OSS bucket the group syncs from. Required to create a group.
      - The bucket must be the one that the shares of the group are connected to.
    type: str
  bucket_region:
    description:
      - The region of the OSS bucket, for example C(cn-hangzhou). Required to create a group.
    type: str
  bucket_prefix:
    description:
      - The directory of the bucket that the group syncs; the whole bucket when omitted.
    type: str
  description:
    description:
      - The description of the group, at most 255 characters.
    type: str
  shares:
    description:
      - The shares to act on, each a gateway id and a share name. What happens to them is set by O(shares_state).
      - When omitted, the members of the group are left as they are.
    type: list
    elements: dict
    suboptions:
      gateway_id:
        description: The id of the gateway (C(gw-...)) that the share belongs to.
        type: str
        required: true
      share_name:
        description: The name of the share on that gateway.
        type: str
        required: true
  shares_state:
    description:
      - V(present) adds the shares of O(shares) that are not members yet; with O(purge_shares=true) it also removes
        the members that O(shares) does not list.
      - V(absent) removes the shares of O(shares) that are members, and leaves the other members alone. A listed
        share that is not a member is not an error.
    type: str
    choices: [present, absent]
    default: present
  purge_shares:
    description:
      - With O(shares_state=present), remove the members of the group that O(shares) does not list, so that the
        group has exactly the shares of O(shares). O(shares=[]) then removes every member.
      - Has no effect when O(shares) is omitted. Cannot be used with O(shares_state=absent).
    type: bool
    default: false
  wait:
    description:
      - Wait for each asynchronous task (add, remove, delete) to finish, and fail when it fails.
      - With V(false) the module returns once the API has accepted the last call; the shares returned may then
        not show the change yet. A second change on the same group still waits for the group to be free.
    type: bool
    default: true
  wait_timeout:
    description:
      - The most seconds to wait for one task to finish, and the most seconds to retry one call while the group
        is busy with another task (C(ExpressSyncInOperation)).
    type: int
    default: 300
notes:
  - The module never returns or logs the AccessKey secret or the security token.
  - In check mode a group that would be created is returned with RV(express_sync.express_sync_id) null, and a
    share that would be added has only its C(gateway_id), C(share_name) and C(express_sync_id).
seealso:
  - name: CreateExpressSync
    description: The SGW API action that creates an express sync group.
    link: https://help.aliyun.com/zh/csg/developer-reference/api-sgw-2018-05-11-createexpresssync
  - name: AddSharesToExpressSync
    description: The SGW API action that adds shares to a group.
    link: https://help.aliyun.com/zh/csg/developer-reference/api-addsharestoexpresssync
"""

EXAMPLES = r"""
- name: Create an express sync group with two shares
  alibabacloud.sgw.express_sync:
    region: cn-hangzhou
    name: media-sync
    bucket_name: media-bucket
    bucket_region: cn-hangzhou
    bucket_prefix: projects
    description: Edit suites share the media bucket
    shares:
      - gateway_id: gw-0001xv7je357xn8tr001
        share_name: media-nfs
      - gateway_id: gw-0001xv7je357xn8tr002
        share_name: media-smb
  register: media_sync

- name: Make the listed shares the only members, and show the members before and after
  alibabacloud.sgw.express_sync:
    region: cn-hangzhou
    express_sync_id: "{{ media_sync.express_sync.express_sync_id }}"
    shares:
      - gateway_id: gw-0001xv7je357xn8tr001
        share_name: media-nfs
    purge_shares: true
  diff: true

- name: Remove one share and leave the other members alone
  alibabacloud.sgw.express_sync:
    region: cn-hangzhou
    name: media-sync
    shares:
      - gateway_id: gw-0001xv7je357xn8tr002
        share_name: media-smb
    shares_state: absent

- name: Add a share without waiting for the task
  alibabacloud.sgw.express_sync:
    region: cn-hangzhou
    name: media-sync
    shares:
      - gateway_id: gw-0001xv7je357xn8tr003
        share_name: archive-nfs
    wait: false

- name: Delete the group
  alibabacloud.sgw.express_sync:
    region: cn-hangzhou
    name: media-sync
    state: absent
    wait_timeout: 600
"""

RETURN = r"""
express_sync:
  description:
    - The group after the changes, in the shape of P(alibabacloud.sgw.express_sync_info#module), with its members in
      RV(express_sync.shares).
    - An empty dictionary when the group is absent.
  returned: always
  type: dict
  contains:
    express_sync_id:
      description: The id of the group; null in check mode for a group that would be created.
      type: str
      sample: sync-0001xv7je357xn8tr001
    name:
      description: The name of the group.
      type: str
      sample: media-sync
    bucket_name:
      description: The OSS bucket of the group.
      type: str
      sample: media-bucket
    bucket_prefix:
      description: The directory of the bucket that the group syncs.
      type: str
      sample: projects
    bucket_region:
      description: The region of the bucket.
      type: str
      sample: cn-hangzhou
    mns_topic:
      description: The MNS topic of the group.
      type: str
      sample: sgw-express-sync-0001xv7je357xn8tr001
    description:
      description: The description of the group.
      type: str
      sample: Edit suites share the media bucket
    shares:
      description: The members of the group, sorted by gateway id and share name.
      type: list
      elements: dict
      contains:
        express_sync_id:
          description: The id of the group.
          type: str
          sample: sync-0001xv7je357xn8tr001
        express_sync_state:
          description: The raw sync state of the share, for example C(MNSHealthy) or C(QueueFailure).
          type: str
          sample: MNSFullSyncing
        sgw_health:
          description:
            - The sync state folded into V(healthy), V(syncing), V(failed), V(disabled) or V(unknown), as in the
              P(alibabacloud.sgw.sgw#inventory) inventory.
          type: str
          sample: syncing
        gateway_id:
          description: The id of the gateway.
          type: str
          sample: gw-0001xv7je357xn8tr001
        gateway_name:
          description: The name of the gateway.
          type: str
          sample: edit01
        gateway_region:
          description: The region of the gateway.
          type: str
          sample: cn-hangzhou
        mns_queue:
          description: The MNS queue of the share.
          type: str
          sample: sgw-express-sync-queue-gw-0001xv7je357xn8tr001
        share_name:
          description: The name of the share.
          type: str
          sample: media-nfs
        storage_bundle_id:
          description: The id of the gateway cluster.
          type: str
          sample: sb-0001xv7je357xn8tr001
        sync_progress:
          description: Percent done of the share's full sync; V(-1) when it has not had one.
          type: int
          sample: 40
added_shares:
  description: The shares added to the group (or that would be, in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{"gateway_id": "gw-0001xv7je357xn8tr003", "share_name": "archive-nfs"}]
removed_shares:
  description: The shares removed from the group (or that would be, in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{"gateway_id": "gw-0001xv7je357xn8tr002", "share_name": "media-smb"}]
task_ids:
  description: The ids of the asynchronous tasks started, in order.
  returned: always
  type: list
  elements: str
  sample: [t-0001xv7je357xr6ql001]
error_code:
  description: The API C(Code) of the error, or C(TaskFailed), C(TaskStateUnknown) and C(TaskTimeout) for a task
    that failed, is in a state that is neither running, completed nor failed, or did not
    finish in time.
  returned: failure
  type: str
  sample: ExpressSyncInOperation
request_id:
  description: The C(RequestId) of the failed call.
  returned: failure, when the API answered
  type: str
  sample: 1EDBC004-6B1C-4511-ACF5-0B4875BA3887
task_id:
  description: The id of the task that failed or timed out.
  returned: failure, when a task failed or timed out
  type: str
  sample: t-0001xv7je357xr6ql001
"""

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import outcomes
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import express_sync_plan as plan
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.attribution import group_region, groups_of_region
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.module import SgwModule
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.records import (
    express_sync_record,
    share_key,
    share_label,
    share_record,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import (
    invalid_express_sync_options as invalid_params,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import EXPRESS_SYNC_ID, NAME

NOT_FOUND = "ExpressSyncNotExist"


class ExpressSyncFailure(Exception):
    """A problem with the request itself, reported as the task's failure message."""


def argument_spec():
    return {
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "express_sync_id": {"type": "str", "aliases": ["id"]},
        "name": {"type": "str"},
        "bucket_name": {"type": "str"},
        "bucket_region": {"type": "str"},
        "bucket_prefix": {"type": "str"},
        "description": {"type": "str"},
        "shares": {"type": "list", "elements": "dict", "options": {
            "gateway_id": {"type": "str", "required": True},
            "share_name": {"type": "str", "required": True},
        }},
        "shares_state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "purge_shares": {"type": "bool", "default": False},
        "wait": {"type": "bool", "default": True},
        "wait_timeout": {"type": "int", "default": 300},
    }


class ExpressSyncManager:
    """Brings one express sync group and its members to the state the options ask for."""

    def __init__(self, client, region, params, check_mode=False, sleep=None, clock=None, rand=None):
        self.client = client
        self.region = region
        self.params = params
        self.check_mode = check_mode
        self.waits = tasks.Waits(sleep=sleep, clock=clock, rand=rand)
        self.changed = False
        self.added = []
        self.removed = []
        self.task_ids = []
        self.current_task_id = None
        self.group_id = None

    # ------------------------------------------------------------------------------ reads

    def find_group(self):
        """The group the options name, or None; two groups of the name are an error.

        Only the groups of the region count (by their ``BucketRegion``): an endpoint that answers for the
        whole account lists the others too. A group named by its id in another region is an error.
        """
        groups = api.describe_express_syncs(self.client, self.region)
        sync_id, name = self.params.get("express_sync_id"), self.params.get("name")
        if sync_id:
            found = [g for g in groups if g.get(EXPRESS_SYNC_ID) == sync_id]
            elsewhere = [group_region(g, self.region) for g in found if group_region(g, self.region) != self.region]
            if elsewhere:
                raise ExpressSyncFailure("express sync group %s is in region %s, not in region %s; set region: %s." % (
                    sync_id, elsewhere[0], self.region, elsewhere[0]))
        else:
            found = [g for g in groups_of_region(groups, self.region) if g.get(NAME) == name]
        if len(found) > 1:
            raise ExpressSyncFailure(
                "%d express sync groups are named %r in region %s (%s); give express_sync_id to choose one." % (
                    len(found), name, self.region, ", ".join(sorted(str(g.get(EXPRESS_SYNC_ID)) for g in found))))
        return found[0] if found else None

    def wait_for_idle(self, always=False):
        """Wait for the tasks already running on the group, so that its members are read as they will be.

        A member removed by a task that is still running is listed until the task ends; comparing
        with that list would skip an add that is needed. Skipped with O(wait=false), unless ``always``.
        """
        if not (self.params["wait"] or always) or not self.group_id:
            return
        running = tasks.running_tasks(self.client, self.region, self.group_id)
        # A failed earlier change leaves the group idle; one still running past wait_timeout is
        # met again by the write itself, which reports the group busy.
        self.waits.wait_for_tasks(self.client, running, self.params["wait_timeout"])

    def members(self, group_id):
        """The member shares of a group, as API records keyed by ``(GatewayId, ShareName)``."""
        shares = api.describe_express_sync_shares(self.client, self.region, [group_id], is_external=False)
        return {share_key(s): s for s in shares
                if s.get(EXPRESS_SYNC_ID) in (None, "", group_id)}

    # ----------------------------------------------------------------------------- writes

    def _call(self, action, function, *args):
        """Call a write action, retrying while the group is busy, for up to ``wait_timeout`` seconds."""
        return self.waits.call_while_busy(lambda: function(self.client, self.region, *args),
                                          self.params["wait_timeout"], action, self.region, self.group_id)

    def _write(self, action, function, *args, needs_task=True, applied=None):
        """Send a write once and return its task id (or what it returned), ``changed`` once it is done.

        A refusal is raised as it is: nothing changed. An outcome that is unknown is settled by
        reading once the write can no longer land: ``applied()`` says from what is read whether the
        change is there (then it is done), else the module fails saying so.
        """
        outcome = outcomes.write(lambda: self._call(action, function, *args), action, self.region, needs_task)
        if outcome.state == outcomes.REFUSED:
            raise outcome.error
        if outcome.state == outcomes.DONE:
            self.changed = True
            return outcome.task_id
        self.waits.sleep(outcomes.landing_window(self.client))
        self.wait_for_idle(always=True)
        if applied():
            self.changed = True
            return None
        raise SgwApiError(outcomes.UNKNOWN_CODE, "the answer never came (%s), and what was read once it could no longer "
                          "land shows the change was not made; run the module again" % (
                              str(outcome.error).rstrip(".")), action=action, region=self.region)

    def _wait(self, action, task_id):
        if not task_id:
            return
        self.task_ids.append(task_id)
        if not self.params["wait"]:
            return
        self.current_task_id = task_id
        timeout = self.params["wait_timeout"]
        outcome = self.waits.wait_for_tasks(self.client, [(self.region, self.group_id, task_id)], timeout)[task_id]
        if outcome[0] != tasks.COMPLETED:
            # Name the action whose task failed, not the DescribeTasks call that found out.
            raise tasks.task_error(outcome, task_id, action, self.region, self.group_id, timeout)
        self.current_task_id = None

    def create(self):
        params = self.params
        if self.check_mode:
            self.changed = True
            return plan.planned_group(params)
        found = []
        group_id = self._write("CreateExpressSync", api.create_express_sync, params["name"], params["bucket_region"],
                               params["bucket_name"], params.get("bucket_prefix"), params.get("description"),
                               applied=lambda: found.append(self.find_group()) or found[-1] is not None)
        group_id = group_id or (found[-1].get(EXPRESS_SYNC_ID) if found else None)
        self.group_id = group_id
        created = [g for g in api.describe_express_syncs(self.client, self.region)
                   if g.get(EXPRESS_SYNC_ID) == group_id]
        return created[0] if created else plan.planned_group(params, group_id)

    def remove(self, keys):
        self.removed = [plan.share_dict(k) for k in keys]
        if self.check_mode:
            self.changed = True
            return
        action = "RemoveSharesFromExpressSync"
        self._wait(action, self._write(action, api.remove_shares_from_express_sync, self.group_id, keys,
                                       applied=lambda: not set(keys) & set(self.members(self.group_id))))

    def add(self, keys):
        self.added = [plan.share_dict(k) for k in keys]
        if self.check_mode:
            self.changed = True
            return
        action = "AddSharesToExpressSync"
        self._wait(action, self._write(action, api.add_shares_to_express_sync, self.group_id, keys,
                                       applied=lambda: set(keys) <= set(self.members(self.group_id))))

    def delete(self):
        if self.check_mode:
            self.changed = True
            return
        try:
            task_id = self._write("DeleteExpressSync", api.delete_express_sync, self.group_id,
                                  applied=lambda: self.find_group() is None)
        except SgwApiError as error:
            if error.code == NOT_FOUND:  # deleted since it was read
                return
            raise
        self._wait("DeleteExpressSync", task_id)

    # ------------------------------------------------------------------------------- plan

    def check_immutable(self, group):
        problem = plan.immutable_problem(self.params, group)
        if problem:
            raise ExpressSyncFailure(problem)

    def run(self) -> dict:
        params = self.params
        group = self.find_group()
        if group is not None:
            self.group_id = group.get(EXPRESS_SYNC_ID)
            if params.get("shares") is not None and params["state"] == "present":
                self.wait_for_idle()
        before_members = self.members(self.group_id) if group is not None else {}
        before = self.view(group, before_members)

        if params["state"] == "absent":
            if group is not None:
                self.check_immutable(group)
                self.delete()
            return self.result(before, None, {})

        if group is None:
            problem = plan.missing_group_problem(params, self.region)
            if problem:
                raise ExpressSyncFailure(problem)
            group = self.create()
        else:
            self.check_immutable(group)

        members = before_members
        if params.get("shares") is not None:
            to_add, to_remove = plan.member_changes(plan.wanted_shares(params["shares"]), before_members,
                                                    params["shares_state"], params["purge_shares"])
            if to_remove:
                self.remove(to_remove)
            if to_add:
                self.add(to_add)
            if self.check_mode or not (to_add or to_remove):
                members = plan.members_after(before_members, to_add, to_remove, self.group_id)
            else:
                members = self.members(self.group_id)
        return self.result(before, group, members)

    # ----------------------------------------------------------------------------- output

    @staticmethod
    def view(group, members) -> dict:
        """The group and its members as the diff shows them."""
        if group is None:
            return {}
        view = express_sync_record(group)
        view["shares"] = sorted(share_label(k) for k in members)
        return view

    def result(self, before, group, members) -> dict:
        express_sync = {}
        if group is not None:
            express_sync = express_sync_record(group)
            express_sync["shares"] = [share_record(members[k]) for k in sorted(members, key=lambda k: (
                str(k[0]), str(k[1])))]
        return {
            "changed": self.changed,
            "express_sync": express_sync,
            "added_shares": self.added,
            "removed_shares": self.removed,
            "task_ids": self.task_ids,
            "diff": {"before": before, "after": self.view(group, members)},
        }


def main():
    sgw = SgwModule(argument_spec())
    module = sgw.module
    problems = invalid_params(sgw.params)
    if problems:
        module.fail_json(msg="Invalid options: %s." % "; ".join(problems))
    manager = ExpressSyncManager(sgw.client, sgw.region, sgw.params, check_mode=sgw.check_mode)
    try:
        result = manager.run()
    except ExpressSyncFailure as failure:
        module.fail_json(msg=str(failure), changed=manager.changed, task_ids=manager.task_ids)
    except SgwError as error:
        extra = {"changed": manager.changed, "task_ids": manager.task_ids}
        if manager.current_task_id:
            extra["task_id"] = manager.current_task_id
        sgw.fail(error, **extra)
    diff = result.pop("diff")
    if module._diff:
        result["diff"] = diff
    sgw.exit(**result)


if __name__ == "__main__":
    main()
