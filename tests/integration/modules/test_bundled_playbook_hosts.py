"""The bundled playbooks on the inventories the documentation offers them: a failed inventory is an
error naming it (never an empty, successful run), gateway hosts and candidate shares are reported or
refused with a clear message, and the examples of the playbooks' headers run as written."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.integration.modules.conftest import PlaybookRun, playbook_env, stats_delta, writes
from tests.support.sim_process import REPO_ROOT, run_ansible

REPORT = "alibabacloud.sgw.report_failed_shares"
HEAL = "alibabacloud.sgw.heal_failed_shares"
INVENTORY_CHECK = "Stop when the alibabacloud.sgw.sgw inventory was not read"
HOSTS_CHECK = "Stop when the hosts are not share hosts"
REPORT_TASK = "Show the group, state and progress of each share"
GATEWAY_REPORT_TASK = "Show the group, state and progress of each share of the gateway"
RESUME_TASK = "Add back the shares that the journal says are out of their group"
# Ansible's default: an inventory that cannot be parsed is a warning, and the run goes on without it.
UNPARSED_IS_A_WARNING = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "false"}


def inventory(tmp_path, simulator, **options):
    path = tmp_path / "prod.sgw.yml"
    path.write_text(yaml.safe_dump(dict({"plugin": "alibabacloud.sgw.sgw", "endpoint": simulator.url,
                                         "regions": ["cn-hangzhou", "cn-shanghai"]}, **options)), encoding="utf-8")
    return path


def messages(run, task):
    """``{host: msg}`` of every run of ``task``, loop items flattened to ``{host: [msg, ...]}``."""
    found = {}
    for hosts in run.tasks(task):
        for host, result in hosts.items():
            if result.get("skipped"):
                continue
            found[host] = [item["msg"] for item in result["results"]] if "results" in result else result["msg"]
    return found


@pytest.mark.parametrize("playbook", [REPORT, HEAL])
def test_a_failed_inventory_stops_the_playbook_with_a_message_naming_it(tmp_path, sample_account, start_simulator,
                                                                        playbook):
    simulator = start_simulator(sample_account)
    path = inventory(tmp_path, simulator)
    before = simulator.stats()
    # a wrong secret: the inventory fails to parse, which Ansible only warns about by default
    env = playbook_env(simulator, tmp_path, UNPARSED_IS_A_WARNING)
    env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "a-wrong-secret"
    run = PlaybookRun(run_ansible("ansible-playbook", playbook, "-i", path, env=env))
    assert run.rc != 0, run
    failed = run.result(INVENTORY_CHECK)
    assert failed["failed"] is True
    assert failed["msg"].startswith("The inventory %s has no group sgw: the alibabacloud.sgw.sgw inventory plugin "
                                    "did not run, or it failed" % path)
    assert "ANSIBLE_INVENTORY_UNPARSED_FAILED=true" in failed["msg"]
    assert set(run.stats) == {"localhost"}
    assert writes(stats_delta(simulator.stats(), before)) == {}
    if playbook == HEAL:  # what an interrupted heal left is completed whatever the inventory says
        assert not run.result(RESUME_TASK).get("failed")


def test_the_report_on_gateway_hosts_reports_their_shares(tmp_path, sample_account, start_simulator,
                                                          ansible_playbook):
    simulator = start_simulator(sample_account)
    run = ansible_playbook(simulator, REPORT, "-i", inventory(tmp_path, simulator, hosts_from="gateways"))
    assert run.rc == 0, run
    reported = messages(run, GATEWAY_REPORT_TASK)
    assert sorted(reported) == ["gw-0002w5nb8dj3u6qcx", "gw-0003f6ht0wz8n2lqa", "gw-0004xq2m7bd1v9hke"]
    assert sorted(reported["gw-0004xq2m7bd1v9hke"]) == [
        "media-smb@gw-0004xq2m7bd1v9hke: group media-assets (sync-0002xetjdlxne2sd), state MNSFullSyncing "
        "(syncing), progress 64%; condition degraded: sync_in_progress",
        "render-frames@gw-0004xq2m7bd1v9hke: group render-cache (sync-0001xv7je357xn8t), state QueueFailure "
        "(failed), progress 100%; condition failed: sync_failed"]
    assert messages(run, REPORT_TASK) == {}


def test_the_report_of_every_share_tells_candidates_apart(tmp_path, sample_account, start_simulator,
                                                          ansible_playbook):
    simulator = start_simulator(sample_account)
    run = ansible_playbook(simulator, REPORT, "-i", inventory(tmp_path, simulator, include_candidates=True),
                           "-e", "sgw_report_hosts=sgw")
    assert run.rc == 0, run
    reported = messages(run, REPORT_TASK)
    assert len(reported) == 14
    assert reported["artifacts-ro@gw-0001b2odzvl3b1mhi"] == (
        "artifacts-ro@gw-0001b2odzvl3b1mhi: in no express sync group (a candidate for sync-0004agfrbke1l39p), "
        "state MNSNotEnabled (disabled)")
    assert reported["reports@gw-0001r9ka4ls2e7yvm"] == (
        "reports@gw-0001r9ka4ls2e7yvm: group analytics-exports (sync-0003k2n8dq5w1mzr), state MNSNotEnabled "
        "(disabled), progress not reported by this gateway version; condition degraded: sync_not_enabled")


def test_the_heal_on_gateway_hosts_stops_with_a_message(tmp_path, sample_account, start_simulator, ansible_playbook):
    simulator = start_simulator(sample_account)
    path = inventory(tmp_path, simulator, hosts_from="gateways")
    before = simulator.stats()
    run = ansible_playbook(simulator, HEAL, "-i", path)
    assert run.rc != 0, run
    assert run.result(HOSTS_CHECK)["msg"] == (
        "This playbook works on share hosts, and the inventory %s makes gateway hosts (hosts_from: gateways): "
        "gw-0002w5nb8dj3u6qcx, gw-0003f6ht0wz8n2lqa, gw-0004xq2m7bd1v9hke. Run it with an inventory of hosts_from: "
        "shares (the default)." % path)
    assert set(run.stats) == {"localhost"}
    assert writes(stats_delta(simulator.stats(), before)) == {}


def test_the_heal_stops_on_candidate_shares_and_the_limit_it_gives_leaves_them_out(
        tmp_path, sample_account, start_simulator, ansible_playbook):
    simulator = start_simulator(sample_account)
    # The simulator reports candidates as MNSNotEnabled; a constructed group puts them among the failed shares,
    # as an API that keeps a failed state on a share out of its group would.
    path = inventory(tmp_path, simulator, include_candidates=True,
                     groups={"sgw_health_failed": "sgw_candidate and share_name == 'artifacts-ro'"})
    run = ansible_playbook(simulator, HEAL, "-i", path, "--check")
    assert run.rc != 0, run
    message = run.result(HOSTS_CHECK)["msg"]
    assert message.startswith("These hosts are candidate shares (include_candidates), members of no express sync "
                              "group, so there is nothing to resync: artifacts-ro@gw-0001b2odzvl3b1mhi.")
    limit = re.search(r"-l '([^']+)'", message).group(1)
    run = ansible_playbook(simulator, HEAL, "-i", path, "--check", "-l", limit)
    assert run.rc == 0, run
    assert "artifacts-ro@gw-0001b2odzvl3b1mhi" not in run.stats
    assert {"render-frames@gw-0004xq2m7bd1v9hke", "localhost"} <= set(run.stats)


def test_the_examples_of_the_heal_header_run_as_written(tmp_path, sample_account, start_simulator, ansible_playbook):
    simulator = start_simulator(sample_account)
    header = (REPO_ROOT / "playbooks" / "heal_failed_shares.yml").read_text(encoding="utf-8")
    limits = re.findall(r"^#\s+ansible-playbook -i prod\.sgw\.yml alibabacloud\.sgw\.heal_failed_shares -l '([^']+)'",
                        header, re.M)
    assert limits
    for limit in limits:
        run = ansible_playbook(simulator, HEAL, "-i", inventory(tmp_path, simulator), "-l", limit, "--check")
        assert run.rc == 0, run
        assert set(run.stats) == {"localhost", "render-frames@gw-0004xq2m7bd1v9hke"}
