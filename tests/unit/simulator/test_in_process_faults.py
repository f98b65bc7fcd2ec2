"""The simulator in process on a fake clock: fault settings for given calls, and held writes that
land after the client gave up, as the real client sees them."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwTransportError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import RetryPolicy, SgwClient
from tests.support.fake_api import FakeClock
from tests.support.in_process import InProcessSimulator
from tests.support.sim_process import KEY_ID, KEY_SECRET

REMOVE = "RemoveSharesFromExpressSync"
MEDIA = "sync-0002xetjdlxne2sd"
MEDIA_NFS = {"ExpressSyncId": MEDIA, "GatewayShares": '{"gw-0001b2odzvl3b1mhi":"media-nfs"}'}


def connected(clock, timeout=5.0, max_retries=0):
    sim = InProcessSimulator(clock=clock, task_seconds=2)
    client = SgwClient(Credentials(KEY_ID, KEY_SECRET), endpoint=sim.url, timeout=timeout, sleep=clock.sleep,
                       retry=RetryPolicy(max_retries=max_retries, rand=lambda: 1.0))
    sim.mount(client.session)
    return sim, client


def member(sim):
    return sim.service.account.shares[("gw-0001b2odzvl3b1mhi", "media-nfs")]["ExpressSyncId"]


def test_a_write_held_past_the_timeout_lands_when_the_clock_reaches_the_end_of_the_hold():
    clock = FakeClock()
    sim, client = connected(clock)
    sim.script({REMOVE: [{"hold_actions": {REMOVE: 8}}]})
    start = clock()
    with pytest.raises(SgwTransportError, match="no answer within 5s"):
        client.call(REMOVE, "cn-hangzhou", MEDIA_NFS, resend=False)
    assert clock() == start + 5 and [t for t in sim.service.tasks.tasks if t.name == REMOVE] == []
    clock.sleep(2.9)
    assert [t for t in sim.service.tasks.tasks if t.name == REMOVE] == []  # still held
    clock.sleep(0.1)  # the hold ends: applied, its task started
    assert [t.created for t in sim.service.tasks.tasks if t.name == REMOVE] == [start + 8]
    clock.sleep(2)
    sim.service.document()  # the task ends
    assert member(sim) == ""


def test_a_hold_shorter_than_the_timeout_is_answered_after_it():
    clock = FakeClock()
    sim, client = connected(clock)
    sim.script({REMOVE: [{"hold_actions": {REMOVE: 3}}]})
    start = clock()
    assert client.call(REMOVE, "cn-hangzhou", MEDIA_NFS, resend=False)["TaskId"]
    assert clock() == start + 3


def test_scripted_settings_are_for_their_calls_only_and_replaced_by_the_next_script():
    clock = FakeClock()
    sim, client = connected(clock, max_retries=3)
    sim.script({"DescribeRegions": [{"throttle_rate": 1.0}, None, {"deny": ["DescribeRegions"]}]})
    assert client.call("DescribeRegions", "cn-hangzhou")["Regions"]  # throttled once, then answered
    with pytest.raises(SgwApiError, match="Forbidden.RAM"):
        client.call("DescribeRegions", "cn-hangzhou")
    sim.script({"DescribeRegions": [{"lose_replies": {"DescribeRegions": {"kind": "502", "count": 1}}}]})
    assert client.call("DescribeRegions", "cn-hangzhou")["Regions"]  # the 502 retried: a read may be sent again
    assert client.call("DescribeRegions", "cn-hangzhou")["Regions"]  # nothing scripted any more
    assert [action for action, dummy in sim.requests] == ["DescribeRegions"] * 6
    assert sim.stats()["errors"] == {"Throttling.User": 1, "Forbidden.RAM": 1, "LostReply": 1}
