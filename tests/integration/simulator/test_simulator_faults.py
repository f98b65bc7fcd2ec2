# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection, statistics and the control endpoints; TLS; a clean stop while calls hang."""

from __future__ import annotations

import concurrent.futures
import json
import threading

import pytest
import requests

from tests.support.simlib import sample_account, utc_now
from tests.support.waiting import wait_until

MEDIA = "sync-0002xetjdlxne2sd"
DEFAULT_FAULTS = {"latency_ms": 0, "throttle_rate": 0.0, "unavailable_regions": [], "html_regions": [],
                  "hang_regions": [], "malformed": {}, "deny": [], "retry_after_ms": None, "fail_tasks": [],
                  "hang_actions": [], "missing_gateways": [], "max_query_bytes": 0, "region_scope": "region",
                  "candidate_sync_id": "group", "unknown_ids": "error", "total_count": "present",
                  "alert_share": "name", "alert_events": "list", "rd_management": "listed", "lose_replies": {},
                  "hold_actions": {}}


@pytest.fixture(scope="module")
def sim(start_simulator):
    # Tasks of no duration: each has ended when the next call is served, so nothing waits for one.
    return start_simulator("--seed", "3", "--task-seconds", "0")


@pytest.fixture(autouse=True)
def no_faults(sim):
    """Each test starts without faults, with zeroed counters and the sample account as in its file."""
    assert sim.set_faults() == DEFAULT_FAULTS
    assert sim.control("PUT", "account", json=sample_account()).status_code == 200
    sim.control("POST", "reset")


def code_of(response: requests.Response) -> str:
    return response.json()["Code"]


def test_throttle_everything(sim):
    sim.set_faults(throttle_rate=1.0)
    response = sim.client().call("DescribeRegions")
    assert (response.status_code, code_of(response)) == (400, "Throttling.User")
    assert "x-acs-retry-after" not in response.headers
    sim.set_faults(throttle_rate=1.0, retry_after_ms=250)
    assert sim.client().call("DescribeRegions").headers["x-acs-retry-after"] == "250"
    stats = sim.stats()
    assert stats["errors"] == {"Throttling.User": 2}
    assert stats["actions"] == {"DescribeRegions": 2} and stats["total"] == 2


def test_throttling_is_deterministic(sim):
    def outcomes():
        sim.set_faults(throttle_rate=0.5)
        return [sim.client().call("DescribeRegions").status_code for _call in range(20)]

    first = outcomes()
    assert first == outcomes()
    assert 3 <= first.count(400) <= 17


def test_throttled_calls_are_still_authenticated(sim):
    sim.set_faults(throttle_rate=1.0)
    assert code_of(sim.client("testid", "wrong-secret").call("DescribeRegions")) == "SignatureDoesNotMatch"


def test_unavailable_region_answers_before_authentication(sim):
    sim.set_faults(unavailable_regions=["cn-shanghai"])
    for client in (sim.client(region="cn-shanghai"), sim.client("nobody", "x", region="cn-shanghai")):
        response = client.call("DescribeRegions")
        assert (response.status_code, code_of(response)) == (503, "ServiceUnavailable")
        assert set(response.json()) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert sim.client(region="cn-hangzhou").call("DescribeRegions").status_code == 200


def test_html_region(sim):
    sim.set_faults(html_regions=["cn-hangzhou"])
    response = sim.client().call("DescribeRegions")
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert response.text.startswith("<html>") and "502 Bad Gateway" in response.text
    assert sim.stats()["errors"] == {"BadGateway": 1}


@pytest.mark.parametrize("kind, check", [
    ("truncated", None),
    ("null-wrapper", lambda body: body["Regions"] is None),
    ("missing-wrapper", lambda body: "Regions" not in body and body["Success"] is True),
    ("wrong-type", lambda body: body["Regions"] == {"Region": "oops"}),
])
def test_malformed_bodies(sim, kind, check):
    sim.set_faults(malformed={"cn-hangzhou": kind})
    response = sim.client().call("DescribeRegions")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    if check is None:
        with pytest.raises(ValueError):
            json.loads(response.content)
    else:
        assert check(response.json())
    assert sim.client(region="cn-shanghai").call("DescribeRegions").json()["Regions"]["Region"]


def test_wrapper_kinds_leave_bodies_without_a_list_alone(sim):
    sim.set_faults(malformed={"cn-hangzhou": "wrong-type"})
    body = sim.client().ok("DeleteExpressSync", ExpressSyncId=MEDIA)
    assert body["TaskId"].startswith("t-")


def test_deny(sim):
    sim.set_faults(deny=["DescribeGateways", "DescribeRegions@opsid"])
    response = sim.client().call("DescribeGateways", {"StorageBundleId": "sb-0001b2otnkdxrigeq"})
    assert (response.status_code, code_of(response)) == (403, "Forbidden.RAM")
    assert sim.client().call("DescribeRegions").status_code == 200
    assert code_of(sim.client("opsid", "opssecret").call("DescribeRegions")) == "Forbidden.RAM"


def test_fail_tasks_at_run_time(sim):
    sim.set_faults(fail_tasks=[MEDIA])
    client = sim.client()
    task_id = client.ok("DeleteExpressSync", ExpressSyncId=MEDIA)["TaskId"]
    task = client.ok("DescribeTasks", TaskId=task_id)["Tasks"]["SimpleTask"][0]
    assert task["StateCode"] == "task.state.failed"
    groups = sim.client(region=None).ok("DescribeExpressSyncs")["ExpressSyncs"]["ExpressSync"]
    assert MEDIA in [group["ExpressSyncId"] for group in groups]


def test_fail_tasks_of_one_action(sim):
    sim.set_faults(fail_tasks=["AddSharesToExpressSync@" + MEDIA])
    client = sim.client()
    members = client.ok("DescribeExpressSyncShares", ExpressSyncIds=MEDIA)["Shares"]["Share"]
    shares = json.dumps({members[0]["GatewayId"]: members[0]["ShareName"]})
    removed = client.ok("RemoveSharesFromExpressSync", ExpressSyncId=MEDIA, GatewayShares=shares)["TaskId"]
    added = client.ok("AddSharesToExpressSync", ExpressSyncId=MEDIA, GatewayShares=shares)["TaskId"]
    tasks = client.ok("DescribeTasks", TargetId=MEDIA)["Tasks"]["SimpleTask"]
    states = {task["TaskId"]: task["StateCode"] for task in tasks}
    assert states == {removed: "task.state.completed", added: "task.state.failed"}


def test_stats_count_requests_calls_and_errors(sim):
    client = sim.client()
    client.ok("DescribeRegions")
    client.ok("DescribeExpressSyncShares", ExpressSyncIds=MEDIA)
    assert client.error("DescribeExpressSyncShares", ExpressSyncIds="sync-0009nosuchgroup")[1] == "ExpressSyncNotExist"
    sim.client(region="cn-shanghai").ok("DescribeRegions")
    assert code_of(sim.client("nobody", "x").call("DescribeRegions")) == "InvalidAccessKeyId.NotFound"
    assert code_of(client.call("DescribeRegions", timestamp=utc_now(3600))) == "InvalidTimeStamp.Expired"
    stats = sim.stats()
    assert stats == {
        "total": 4, "requests": 6, "peak_concurrency": 1,
        "actions": {"DescribeRegions": 2, "DescribeExpressSyncShares": 2},
        "regions": {"cn-hangzhou": 3, "cn-shanghai": 1},
        "errors": {"ExpressSyncNotExist": 1, "InvalidAccessKeyId.NotFound": 1, "InvalidTimeStamp.Expired": 1},
        "accounts": {}, "account_actions": {},
    }
    assert sim.control("POST", "reset").json() == {"total": 0, "requests": 0, "peak_concurrency": 0, "actions": {},
                                                   "regions": {}, "errors": {}, "accounts": {},
                                                   "account_actions": {}}


def test_latency_and_peak_concurrency(sim):
    """Four calls sent together, each held 300 ms by the simulator: they are served side by side."""
    sim.set_faults(latency_ms=300)
    together = threading.Barrier(4)

    def call(_number):
        client = sim.client()
        together.wait()
        return client.call("DescribeRegions").status_code

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(call, range(4)))
    assert statuses == [200] * 4
    stats = sim.stats()
    assert (stats["requests"], stats["actions"]) == (4, {"DescribeRegions": 4})
    assert stats["peak_concurrency"] >= 2  # in parallel, not one after the other


def test_hang_region(sim):
    sim.set_faults(hang_regions=["cn-hangzhou"])
    with pytest.raises(requests.exceptions.ReadTimeout):
        sim.client(timeout=0.5).call("DescribeRegions")
    assert sim.client(region="cn-shanghai").call("DescribeRegions").status_code == 200
    assert sim.stats()["requests"] == 2


def test_hang_action_is_counted_and_not_run(sim):
    sim.set_faults(hang_actions=["DeleteExpressSync"])
    with pytest.raises(requests.exceptions.ReadTimeout):
        sim.client(timeout=0.5).call("DeleteExpressSync", {"ExpressSyncId": MEDIA})
    assert sim.stats()["actions"] == {"DeleteExpressSync": 1}
    assert sim.client().ok("DescribeTasks", TargetId=MEDIA)["Tasks"]["SimpleTask"] == []
    groups = sim.client(region=None).ok("DescribeExpressSyncs")["ExpressSyncs"]["ExpressSync"]
    assert MEDIA in [group["ExpressSyncId"] for group in groups]


def _remove_media_nfs(sim, timeout=10):
    return sim.client(timeout=timeout).call("RemoveSharesFromExpressSync", {
        "ExpressSyncId": MEDIA, "GatewayShares": '{"gw-0001b2odzvl3b1mhi":"media-nfs"}'})


def _remove_tasks(sim):
    return [t for t in sim.client().ok("DescribeTasks", TargetId=MEDIA)["Tasks"]["SimpleTask"]
            if t["Name"] == "RemoveSharesFromExpressSync"]


@pytest.mark.parametrize("kind", ["502", "drop", "truncated"])
def test_a_lost_reply_is_applied_and_its_answer_lost_for_the_count_set(sim, kind):
    sim.set_faults(lose_replies={"RemoveSharesFromExpressSync": {"kind": kind, "count": 1}})
    if kind == "drop":
        with pytest.raises(requests.exceptions.ConnectionError):
            _remove_media_nfs(sim)
    else:
        response = _remove_media_nfs(sim)
        assert response.status_code == (502 if kind == "502" else 200)
        with pytest.raises(ValueError):
            response.json()
    assert len(_remove_tasks(sim)) == 1  # applied all the same
    assert sim.stats()["errors"] == {"LostReply": 1}
    sim.set_faults()  # lifted: the next call is answered (a refusal of the busy group, here)
    assert "Code" in _remove_media_nfs(sim).json()


def test_a_held_write_is_applied_after_the_client_gave_up(sim):
    sim.set_faults(hold_actions={"RemoveSharesFromExpressSync": 1.0})
    with pytest.raises(requests.exceptions.ReadTimeout):
        _remove_media_nfs(sim, timeout=0.3)
    assert _remove_tasks(sim) == []  # still held
    wait_until(lambda: _remove_tasks(sim), "the held Remove to land")


@pytest.mark.parametrize("faults, message", [
    ({"throttle_rate": 2}, "throttle_rate"),
    ({"latency_ms": -1}, "latency_ms"),
    ({"malformed": {"cn-hangzhou": "garbled"}}, "malformed"),
    ({"deny": "DescribeRegions"}, "deny"),
    ({"retry_after_ms": "soon"}, "retry_after_ms"),
    ({"jitter": 1}, "unknown fault setting"),
    ({"lose_replies": {"AddSharesToExpressSync": {"kind": "garbled"}}}, "lose_replies"),
    ({"hold_actions": {"AddSharesToExpressSync": -1}}, "hold_actions"),
])
def test_invalid_faults_are_refused(sim, faults, message):
    sim.set_faults(throttle_rate=0.1)
    response = sim.control("PUT", "faults", json=faults)
    assert response.status_code == 400 and message in response.json()["error"]
    assert sim.control("GET", "faults").json()["throttle_rate"] == 0.1


CLI_FAULTS = ("--latency", "5", "--throttle-rate", "0.25", "--retry-after-ms", "100", "--unavailable-region",
              "cn-beijing", "--html-region", "cn-qingdao", "--hang-region", "cn-hangzhou", "--hang-region",
              "cn-shanghai", "--malformed-region", "cn-shenzhen:wrong-type", "--deny", "DescribeGateways@opsid",
              "--fail-task", MEDIA, "--hang-action", "AddSharesToExpressSync",
              "--lose-reply", "RemoveSharesFromExpressSync:drop:2", "--hold-action", "DeleteExpressSync:1.5",
              "--missing-gateway", "gw-0003f6ht0wz8n2lqa", "--max-query-bytes", "8192",
              "--region-scope", "account", "--candidate-sync-id", "empty", "--unknown-ids", "omit",
              "--total-count", "absent", "--alert-share", "index_id", "--alert-events", "wrapped")


def test_cli_faults_and_a_clean_stop_while_calls_hang(start_simulator):
    hanging = start_simulator(*CLI_FAULTS)
    assert hanging.control("GET", "faults").json() == {
        "latency_ms": 5, "throttle_rate": 0.25, "retry_after_ms": 100, "unavailable_regions": ["cn-beijing"],
        "html_regions": ["cn-qingdao"], "hang_regions": ["cn-hangzhou", "cn-shanghai"],
        "malformed": {"cn-shenzhen": "wrong-type"}, "deny": ["DescribeGateways@opsid"], "fail_tasks": [MEDIA],
        "hang_actions": ["AddSharesToExpressSync"], "missing_gateways": ["gw-0003f6ht0wz8n2lqa"], "max_query_bytes": 8192, "region_scope": "account",
        "candidate_sync_id": "empty", "unknown_ids": "omit", "total_count": "absent", "rd_management": "listed",
        "alert_share": "index_id", "alert_events": "wrapped",
        "lose_replies": {"RemoveSharesFromExpressSync": {"kind": "drop", "count": 2}},
        "hold_actions": {"DeleteExpressSync": 1.5}}
    outcome = []

    def call():
        try:
            hanging.client(timeout=30).call("DescribeRegions")
        except requests.exceptions.ConnectionError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    wait_until(lambda: hanging.stats()["requests"] >= 1, "the call to reach the simulator")
    assert hanging.stop() == 0
    caller.join(30)  # the call's own timeout; the stop drops its connection long before
    assert not caller.is_alive() and outcome, "the hanging call should end with a dropped connection"


def test_tls(start_simulator, tmp_path):
    cert = tmp_path / "ca.pem"
    secure = start_simulator("--tls", "--cert-out", str(cert))
    assert secure.url.startswith("https://127.0.0.1:")
    assert cert.read_text(encoding="ascii").startswith("-----BEGIN CERTIFICATE-----")
    assert secure.control("GET", "stats", verify=str(cert)).status_code == 200
    assert secure.client(verify=str(cert)).call("DescribeRegions").status_code == 200
    localhost = secure.url.replace("127.0.0.1", "localhost")
    assert requests.get(f"{localhost}/_sim/faults", verify=str(cert), timeout=5).status_code == 200
    with pytest.raises(requests.exceptions.SSLError):
        secure.control("GET", "stats")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(secure.url.replace("https://", "http://") + "/_sim/stats", timeout=5)
    assert secure.control("GET", "stats", verify=str(cert)).json()["requests"] == 1
