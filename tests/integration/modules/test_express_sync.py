"""alibabacloud.sgw.express_sync run by ansible-playbook against the local SGW simulator.

Each test is one playbook run; the playbook reads ``/_sim/stats`` between its tasks, so the
tests can tell exactly which API calls each task made.
"""

from __future__ import annotations

import json
import sys

import pytest

from tests.integration.modules.conftest import (
    BUSY_GROUP,
    GW1,
    GW2,
    REGION,
    TWIN_GROUPS,
    run_ansible,
    stats_delta,
    writes,
)

HEADER = """\
- name: Express sync module tests
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: {python}
    sim: "{{{{ lookup('ansible.builtin.env', 'ALIBABA_CLOUD_SGW_ENDPOINT') }}}}"
  module_defaults:
    group/alibabacloud.sgw.sgw:
      region: {region}
  tasks:
""".format(python=sys.executable, region=REGION)


def stats_task(name):
    """A task that reads /_sim/stats into the fact ``name`` (a lookup: no module to start, so it is quick)."""
    return """
    - name: {name}
      ansible.builtin.set_fact:
        {name}: "{{{{ lookup('ansible.builtin.url', sim ~ '/_sim/stats', split_lines=false) | from_json }}}}"
""".format(name=name)


def stats(run, name):
    return run.result(name)["ansible_facts"][name]


def share_list(*pairs):
    return "[" + ", ".join("{gateway_id: %s, share_name: %s}" % pair for pair in pairs) + "]"


def labels(*pairs):
    return sorted("%s@%s" % (share, gateway) for gateway, share in pairs)


def keys(shares):
    return [(share["gateway_id"], share["share_name"]) for share in shares]


def delta(run, after, before):
    return stats_delta(stats(run, after), stats(run, before))


CREATE = """
        name: media-sync
        bucket_name: media-bucket
        bucket_region: cn-hangzhou
        bucket_prefix: projects
        description: edit suites
        shares: {shares}
""".format(shares=share_list((GW1, "media-a"), (GW2, "media-c")))

LIFECYCLE = HEADER + stats_task("stats_0") + """
    - name: create in check mode
      alibabacloud.sgw.express_sync:{create}
      check_mode: true
      diff: true
      register: create_check
""".format(create=CREATE) + stats_task("stats_1") + """
    - name: create
      alibabacloud.sgw.express_sync:{create}
      diff: true
      register: create
""".format(create=CREATE) + stats_task("stats_2") + """
    - name: create again
      alibabacloud.sgw.express_sync:{create}
      register: rerun
""".format(create=CREATE) + stats_task("stats_3") + """
    - name: add and purge in check mode
      alibabacloud.sgw.express_sync:
        express_sync_id: "{{{{ create.express_sync.express_sync_id }}}}"
        shares: {wanted}
        purge_shares: true
      check_mode: true
      diff: true
      register: change_check
""".format(wanted=share_list((GW1, "media-a"), (GW1, "media-b"))) + stats_task("stats_4") + """
    - name: add and purge
      alibabacloud.sgw.express_sync:
        express_sync_id: "{{{{ create.express_sync.express_sync_id }}}}"
        shares: {wanted}
        purge_shares: true
      diff: true
      register: change
""".format(wanted=share_list((GW1, "media-a"), (GW1, "media-b"))) + stats_task("stats_5") + """
    - name: remove listed shares
      alibabacloud.sgw.express_sync:
        name: media-sync
        shares: {listed}
        shares_state: absent
      register: remove_listed
""".format(listed=share_list((GW1, "media-b"), (GW2, "media-d"))) + stats_task("stats_6") + """
    - name: change an immutable field
      alibabacloud.sgw.express_sync:
        name: media-sync
        bucket_name: media-bucket
        bucket_prefix: elsewhere
      ignore_errors: true
      register: immutable

    - name: a name that two groups have
      alibabacloud.sgw.express_sync:
        name: twins
        state: absent
      ignore_errors: true
      register: twins

    - name: an unknown id with state present
      alibabacloud.sgw.express_sync:
        express_sync_id: sync-0009doesnotexist
        shares: {listed}
      ignore_errors: true
      register: unknown
""".format(listed=share_list((GW1, "media-b"))) + stats_task("stats_7") + """
    - name: delete
      alibabacloud.sgw.express_sync:
        name: media-sync
        state: absent
      diff: true
      register: delete
""" + stats_task("stats_8") + """
    - name: delete again
      alibabacloud.sgw.express_sync:
        name: media-sync
        state: absent
      register: delete_again

    - name: delete an unknown id
      alibabacloud.sgw.express_sync:
        express_sync_id: sync-0009doesnotexist
        state: absent
      register: absent_unknown
""" + stats_task("stats_9")


@pytest.mark.every_scope
def test_group_lifecycle_idempotence_check_mode_diff_and_errors(module_account, start_simulator, ansible_playbook):
    simulator = start_simulator(module_account, "--task-seconds", "0.2", "--full-sync-seconds", "60")
    run = ansible_playbook(simulator, LIFECYCLE, "-i", "localhost,")
    assert run.rc == 0, run

    # check mode: the plan, and not one write call
    check = run.result("create in check mode")
    assert check["changed"] is True
    assert check["express_sync"]["express_sync_id"] is None
    assert keys(check["express_sync"]["shares"]) == [(GW1, "media-a"), (GW2, "media-c")]
    assert check["diff"]["before"] == {}
    assert check["diff"]["after"]["shares"] == labels((GW1, "media-a"), (GW2, "media-c"))
    assert writes(delta(run, "stats_1", "stats_0")) == {}

    # create: one CreateExpressSync, one AddSharesToExpressSync for both gateways, waited for
    create = run.result("create")
    group = create["express_sync"]
    assert create["changed"] is True
    assert group["express_sync_id"].startswith("sync-")
    assert (group["name"], group["bucket_name"], group["bucket_prefix"], group["bucket_region"],
            group["description"]) == ("media-sync", "media-bucket", "projects", REGION, "edit suites")
    assert group["mns_topic"] == "sgw-express-sync-" + group["express_sync_id"][len("sync-"):]
    assert keys(group["shares"]) == [(GW1, "media-a"), (GW2, "media-c")]
    assert {s["express_sync_id"] for s in group["shares"]} == {group["express_sync_id"]}
    assert {s["sgw_health"] for s in group["shares"]} == {"syncing"}  # their full sync has started
    assert {s["gateway_name"] for s in group["shares"]} == {"edit01", "edit02"}
    assert create["added_shares"] == [{"gateway_id": GW1, "share_name": "media-a"},
                                      {"gateway_id": GW2, "share_name": "media-c"}]
    assert len(create["task_ids"]) == 1 and create["task_ids"][0].startswith("t-")
    assert create["diff"]["before"] == {}
    assert create["diff"]["after"]["shares"] == labels((GW1, "media-a"), (GW2, "media-c"))
    calls = delta(run, "stats_2", "stats_1")
    assert writes(calls) == {"CreateExpressSync": 1, "AddSharesToExpressSync": 1}
    assert calls["DescribeTasks"] >= 1

    # the same task again: nothing changes, only reads
    rerun = run.result("create again")
    assert rerun["changed"] is False
    assert rerun["express_sync"]["express_sync_id"] == group["express_sync_id"]
    assert keys(rerun["express_sync"]["shares"]) == keys(group["shares"])
    assert rerun["task_ids"] == []
    assert delta(run, "stats_3", "stats_2") == {"DescribeExpressSyncs": 1, "DescribeTasks": 1,
                                                "DescribeExpressSyncShares": 1}

    # purge in check mode: what would go and come, members before and after, no write
    change_check = run.result("add and purge in check mode")
    assert change_check["changed"] is True
    assert change_check["removed_shares"] == [{"gateway_id": GW2, "share_name": "media-c"}]
    assert change_check["added_shares"] == [{"gateway_id": GW1, "share_name": "media-b"}]
    assert change_check["diff"]["before"]["shares"] == labels((GW1, "media-a"), (GW2, "media-c"))
    assert change_check["diff"]["after"]["shares"] == labels((GW1, "media-a"), (GW1, "media-b"))
    assert writes(delta(run, "stats_4", "stats_3")) == {}

    # purge for real: one remove, then one add
    change = run.result("add and purge")
    assert change["changed"] is True
    assert change["diff"] == change_check["diff"]
    assert keys(change["express_sync"]["shares"]) == [(GW1, "media-a"), (GW1, "media-b")]
    assert len(change["task_ids"]) == 2
    assert writes(delta(run, "stats_5", "stats_4")) == {"RemoveSharesFromExpressSync": 1,
                                                        "AddSharesToExpressSync": 1}

    # shares_state absent removes the listed members only; a listed non-member is fine
    removed = run.result("remove listed shares")
    assert removed["changed"] is True
    assert removed["removed_shares"] == [{"gateway_id": GW1, "share_name": "media-b"}]
    assert keys(removed["express_sync"]["shares"]) == [(GW1, "media-a")]
    assert writes(delta(run, "stats_6", "stats_5")) == {"RemoveSharesFromExpressSync": 1}

    # clear errors, and not one write call for any of them
    immutable = run.result("change an immutable field")
    assert immutable["failed"] is True
    assert "cannot be changed once created" in immutable["msg"]
    assert "bucket_prefix is 'projects', not 'elsewhere'" in immutable["msg"]
    twins = run.result("a name that two groups have")
    assert twins["failed"] is True
    assert "2 express sync groups are named 'twins'" in twins["msg"]
    assert all(group_id in twins["msg"] for group_id in TWIN_GROUPS)
    unknown = run.result("an unknown id with state present")
    assert unknown["failed"] is True
    assert "sync-0009doesnotexist does not exist in region cn-hangzhou" in unknown["msg"]
    assert writes(delta(run, "stats_7", "stats_6")) == {}

    # delete: one call, waited for; then the group is gone and deleting it again changes nothing
    delete = run.result("delete")
    assert delete["changed"] is True
    assert delete["express_sync"] == {}
    assert delete["diff"]["before"]["express_sync_id"] == group["express_sync_id"]
    assert delete["diff"]["before"]["shares"] == labels((GW1, "media-a"))
    assert delete["diff"]["after"] == {}
    calls = delta(run, "stats_8", "stats_7")
    assert writes(calls) == {"DeleteExpressSync": 1}
    assert calls["DescribeTasks"] >= 1
    assert run.result("delete again")["changed"] is False
    assert run.result("delete an unknown id")["changed"] is False
    assert writes(delta(run, "stats_9", "stats_8")) == {}


BUSY = HEADER + """
    - name: add without waiting
      alibabacloud.sgw.express_sync:
        express_sync_id: {group}
        shares: {first}
        wait: false
      register: no_wait
""".format(group=BUSY_GROUP, first=share_list((GW1, "busy-b"))) + stats_task("stats_0") + """
    - name: add while the group is busy
      alibabacloud.sgw.express_sync:
        express_sync_id: {group}
        shares: {second}
      register: busy_retried
""".format(group=BUSY_GROUP, second=share_list((GW2, "busy-c"))) + stats_task("stats_1") + """
    - name: remove without waiting
      alibabacloud.sgw.express_sync:
        express_sync_id: {group}
        shares: {first}
        shares_state: absent
        wait: false
      register: remove_no_wait

    - name: remove while busy with no time to retry
      alibabacloud.sgw.express_sync:
        express_sync_id: {group}
        shares: {second}
        shares_state: absent
        wait_timeout: 0
      ignore_errors: true
      register: busy_timeout

    - name: delete with no time to wait for the task
      alibabacloud.sgw.express_sync:
        express_sync_id: {idle}
        state: absent
        wait_timeout: 0
      ignore_errors: true
      register: task_timeout

    - name: make the tasks of the group fail
      ansible.builtin.uri:
        url: "{{{{ sim }}}}/_sim/faults"
        method: PUT
        body_format: json
        body:
          fail_tasks: [{group}]

    - name: add when the task fails
      alibabacloud.sgw.express_sync:
        express_sync_id: {group}
        shares: {first}
      ignore_errors: true
      register: task_failed

    - name: read the group
      alibabacloud.sgw.express_sync:
        express_sync_id: {group}
      register: after
""".format(group=BUSY_GROUP, idle=TWIN_GROUPS[0], first=share_list((GW1, "busy-b")),
           second=share_list((GW2, "busy-c")))


# One scope: retries and task waits of the write path do not depend on how DescribeExpressSyncs is scoped
# (the other tests here run under every scope), and 6 s tasks make this the longest test.
@pytest.mark.parametrize("start_simulator", ["region"], indirect=True)
def test_busy_group_retries_timeouts_and_failed_task(module_account, start_simulator, ansible_playbook):
    # Tasks last 6 s: long enough that the group is still busy when the next task starts (about 0.5 s
    # later, but more than 2 s on a loaded machine, where 2 s tasks had ended already), short enough to
    # keep the run quick.
    simulator = start_simulator(module_account, "--task-seconds", "6", "--full-sync-seconds", "0")
    run = ansible_playbook(simulator, BUSY, "-i", "localhost,")
    assert run.rc == 0, run

    # wait: false returns with the task id, before the task has ended
    no_wait = run.result("add without waiting")
    assert no_wait["changed"] is True and len(no_wait["task_ids"]) == 1
    assert keys(no_wait["express_sync"]["shares"]) == [(GW1, "busy-a")]

    # the next add first waits for that task to end (so it reads the members as they will be), then adds once
    retried = run.result("add while the group is busy")
    assert retried["changed"] is True
    assert keys(retried["express_sync"]["shares"]) == [(GW1, "busy-a"), (GW1, "busy-b"), (GW2, "busy-c")]
    stats_0, stats_1 = stats(run, "stats_0"), stats(run, "stats_1")
    assert stats_delta(stats_1, stats_0)["AddSharesToExpressSync"] == 1
    assert stats_delta(stats_1, stats_0)["DescribeTasks"] >= 2

    # busy for longer than wait_timeout: a clear failure with the API's code
    busy = run.result("remove while busy with no time to retry")
    assert busy["failed"] is True
    assert busy["error_code"] == "ExpressSyncInOperation"
    assert busy["request_id"]
    assert "RemoveSharesFromExpressSync in region cn-hangzhou failed: ExpressSyncInOperation" in busy["msg"]
    assert "still busy" in busy["msg"] and "wait_timeout" in busy["msg"]

    # a task that outlives wait_timeout: TaskTimeout with the task id
    late = run.result("delete with no time to wait for the task")
    assert late["failed"] is True
    assert late["error_code"] == "TaskTimeout"
    assert late["task_id"].startswith("t-") and late["task_id"] in late["msg"]
    assert late["msg"].startswith("DeleteExpressSync in region cn-hangzhou failed: TaskTimeout")
    assert late["changed"] is True

    # a task that ends in task.state.failed: its id, its message key, and the group unchanged
    failed = run.result("add when the task fails")
    assert failed["failed"] is True
    assert failed["error_code"] == "TaskFailed"
    assert failed["task_id"].startswith("t-")
    assert failed["msg"].startswith("AddSharesToExpressSync in region cn-hangzhou failed: TaskFailed. task %s on %s "
                                    "ended in task.state.failed" % (failed["task_id"], BUSY_GROUP))
    assert failed["task_ids"] == [failed["task_id"]]
    after = run.result("read the group")
    assert after["changed"] is False
    assert keys(after["express_sync"]["shares"]) == [(GW1, "busy-a"), (GW2, "busy-c")]


def test_module_documentation_renders():
    process = run_ansible("ansible-doc", "-t", "module", "--json", "alibabacloud.sgw.express_sync")
    assert process.returncode == 0, process.stderr
    doc = json.loads(process.stdout)["alibabacloud.sgw.express_sync"]
    options = doc["doc"]["options"]
    assert {"state", "express_sync_id", "name", "bucket_name", "bucket_region", "bucket_prefix", "description",
            "shares", "shares_state", "purge_shares", "wait", "wait_timeout"} <= set(options)
    # the shared options of the doc fragments, and the secrets among them
    assert {"access_key_id", "access_key_secret", "security_token", "endpoint", "region"} <= set(options)
    assert options["wait_timeout"]["default"] == 300
    assert set(options["shares"]["suboptions"]) == {"gateway_id", "share_name"}
    assert set(doc["return"]) >= {"express_sync", "added_shares", "removed_shares", "task_ids"}
    assert doc["examples"].count("alibabacloud.sgw.express_sync:") == 5
