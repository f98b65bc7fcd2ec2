"""The event source alibabacloud.sgw.express_sync_health, run as ansible-rulebook runs it (``main(queue,
args)``) against the in-process API, one poll at a time."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
import yaml

from tests.simulator.errors import ApiError
from tests.support.fake_api import FakeApi
from tests.support.sim_process import KEY_ID, KEY_SECRET, SAMPLE_ACCOUNT

FAILED_SHARE = "render-frames@gw-0004xq2m7bd1v9hke"
HEALTHY_SHARE = "media-nfs@gw-0001b2odzvl3b1mhi"
RENDER_CACHE = "sync-0001xv7je357xn8t"
# The member shares of the sample account and their health.
SAMPLE_HEALTH = {
    "media-nfs@gw-0001b2odzvl3b1mhi": "healthy", "media-nfs@gw-0002c8pz1kq7y4rtd": "healthy",
    "media-smb@gw-0004xq2m7bd1v9hke": "syncing", "render-frames@gw-0001b2odzvl3b1mhi": "syncing",
    FAILED_SHARE: "failed", "artifacts@gw-0003f6ht0wz8n2lqa": "healthy",
    "artifacts-cache@gw-0003f6ht0wz8n2lqa": "failed", "exports-nfs@gw-0001r9ka4ls2e7yvm": "healthy",
    "exports-smb@gw-0002w5nb8dj3u6qcx": "failed", "reports@gw-0001r9ka4ls2e7yvm": "disabled",
    "renders@gw-0001h3vy6gc9o2xzp": "healthy", "renders-proxy@gw-0001h3vy6gc9o2xzp": "healthy",
}


def share(api, host):
    name, gateway = host.split("@")
    return api.service.account.shares[(gateway, name)]


def set_state(api, host, state, progress=100):
    share(api, host).update(ExpressSyncState=state, SyncProgress=progress)


def region_down(api, region):
    """Every call for ``region`` answers ServiceUnavailable (None: every region answers again)."""
    def before(action, asked, params):
        if asked == region:
            raise ApiError("ServiceUnavailable")
    api.before = before if region else None


def of_type(events, kind):
    return [event for event in events if event["type"] == kind]


def transitions(events):
    return {(e["share"], e["from_health"], e["to_health"], e["from_state"], e["to_state"])
            for e in of_type(events, "transition")}


def run(coroutine):
    return asyncio.run(coroutine)


def test_snapshot_at_start_then_nothing_while_nothing_changes(run_source):
    async def scenario():
        async with run_source({"heartbeat_polls": 0}) as source:
            first = await source.poll()
            assert [e["type"] for e in first] == ["snapshot"]
            (snapshot,) = first
            assert {s["share"]: s["health"] for s in snapshot["shares"]} == SAMPLE_HEALTH
            assert snapshot["summary"] == {"failed": 3, "unknown": 0, "syncing": 2, "disabled": 1, "healthy": 6}
            failed = next(s for s in snapshot["shares"] if s["share"] == FAILED_SHARE)
            assert failed == {"share": FAILED_SHARE, "share_name": "render-frames", "gateway_id": "gw-0004xq2m7bd1v9hke",
                              "express_sync_id": RENDER_CACHE, "express_sync_name": "render-cache",
                              "region": "cn-hangzhou", "health": "failed", "state": "QueueFailure", "progress": 100,
                              "flapping": False}
            # the groups with failed shares, as inventory patterns, for a heal
            assert snapshot["meta"]["hosts"] == ["localhost", "sgw_sync_sync_0001xv7je357xn8t",
                                                 "sgw_sync_sync_0003k2n8dq5w1mzr", "sgw_sync_sync_0004agfrbke1l39p"]
            for dummy in range(3):
                assert await source.next_poll() == []
            assert source.delays == [5.0] * 4
    run(scenario())


def test_a_transition_per_change_once(run_source):
    async def scenario():
        async with run_source({"heartbeat_polls": 0}) as source:
            await source.poll()
            api = source.client
            set_state(api, HEALTHY_SHARE, "QueueFailure")
            set_state(api, FAILED_SHARE, "MNSFullSyncInit", 0)
            events = await source.next_poll()
            assert transitions(events) == {
                (HEALTHY_SHARE, "healthy", "failed", "MNSHealthy", "QueueFailure"),
                (FAILED_SHARE, "failed", "syncing", "QueueFailure", "MNSFullSyncInit"),
            }
            into_failed = next(e for e in events if e["share"] == HEALTHY_SHARE)
            assert {k: into_failed[k] for k in ("share_name", "gateway_id", "express_sync_id", "express_sync_name",
                                                "region", "progress", "failures_in_window", "flapping")} == {
                "share_name": "media-nfs", "gateway_id": "gw-0001b2odzvl3b1mhi",
                "express_sync_id": "sync-0002xetjdlxne2sd", "express_sync_name": "media-assets",
                "region": "cn-hangzhou", "progress": 100, "failures_in_window": 1, "flapping": False}
            assert into_failed["meta"]["hosts"] == ["localhost", "sgw_sync_sync_0002xetjdlxne2sd"]
            assert into_failed["time"].endswith("Z")
            # the same state again: no event; a change of state within the same health is one
            assert await source.next_poll() == []
            set_state(api, FAILED_SHARE, "MNSFullSyncing", 40)
            events = await source.next_poll()
            assert transitions(events) == {(FAILED_SHARE, "syncing", "syncing", "MNSFullSyncInit", "MNSFullSyncing")}
            assert events[0]["progress"] == 40
            assert await source.next_poll() == []
            # one failure for another: a transition, but not one more failure (nor heal) in the window
            set_state(api, HEALTHY_SHARE, "TopicFailure")
            (event,) = await source.next_poll()
            assert (event["from_state"], event["to_state"], event["failures_in_window"]) == (
                "QueueFailure", "TopicFailure", 1)
    run(scenario())


def test_shares_that_appear_and_disappear(run_source):
    async def scenario():
        async with run_source({"heartbeat_polls": 0}) as source:
            await source.poll()
            api = source.client
            api.service.leave_group(share(api, HEALTHY_SHARE))
            joining = share(api, "artifacts-ro@gw-0001b2odzvl3b1mhi")
            joining.update(ExpressSyncId="sync-0004agfrbke1l39p", ExpressSyncState="MNSFullSyncInit", SyncProgress=0)
            events = await source.next_poll()
            assert transitions(events) == {
                (HEALTHY_SHARE, "healthy", "none", "MNSHealthy", "none"),
                ("artifacts-ro@gw-0001b2odzvl3b1mhi", "none", "syncing", "none", "MNSFullSyncInit"),
            }
            gone = next(e for e in events if e["to_health"] == "none")
            assert gone["express_sync_id"] == "sync-0002xetjdlxne2sd" and gone["progress"] is None
            assert await source.next_poll() == []
    run(scenario())


def test_a_failed_region_keeps_its_shares_retries_with_backoff_and_recovers(run_source):
    async def scenario():
        api = FakeApi()
        async with run_source({"heartbeat_polls": 0, "poll_interval": 2, "retry_max_interval": 60},
                              client=api) as source:
            await source.poll()
            region_down(api, "ap-southeast-1")
            set_state(api, "renders@gw-0001h3vy6gc9o2xzp", "QueueFailure")  # in the failing region: unseen
            set_state(api, HEALTHY_SHARE, "TopicFailure")  # in a region that answers: seen
            first = await source.next_poll()
            second = await source.next_poll()
            for events in (first, second):
                assert transitions(events) <= {(HEALTHY_SHARE, "healthy", "failed", "MNSHealthy", "TopicFailure")}
                (error,) = of_type(events, "error")
                assert error["region"] == "ap-southeast-1" and error["code"] == "ServiceUnavailable"
                assert error["request_id"].startswith("REQ-") and error["action"] == "DescribeExpressSyncs"
                assert KEY_SECRET not in json.dumps(events)
            assert [e["attempt"] for e in of_type(first + second, "error")] == [1, 2]
            assert len(of_type(first, "transition")) == 1 and not of_type(second, "transition")
            # the polls after a failure wait at least the interval, growing up to the cap
            assert source.delays[0] == 2.0 and all(2.0 <= d <= 60.0 for d in source.delays[1:])
            region_down(api, None)
            events = await source.next_poll()
            assert of_type(events, "recovered") == [{"type": "recovered", "time": events[-1]["time"], "poll": 4,
                                                     "region": "ap-southeast-1", "failed_polls": 2}]
            assert transitions(events) == {("renders@gw-0001h3vy6gc9o2xzp", "healthy", "failed", "MNSHealthy",
                                            "QueueFailure")}
            await source.next_poll()
            assert source.delays[-1] == 2.0  # back to the interval
    run(scenario())


def test_no_region_answers_at_start_then_the_snapshot_of_each_region_when_it_does(run_source):
    async def scenario():
        api = FakeApi()
        region_down(api, "ap-southeast-1")
        set_state(api, "renders@gw-0001h3vy6gc9o2xzp", "QueueFailure")
        async with run_source({"heartbeat_polls": 0}, client=api) as source:
            (snapshot, error) = await source.poll()
            assert snapshot["failed_regions"] == ["ap-southeast-1"] and error["region"] == "ap-southeast-1"
            assert not any(s["region"] == "ap-southeast-1" for s in snapshot["shares"])
            region_down(api, None)
            events = await source.next_poll()
            assert [e["type"] for e in events] == ["snapshot", "recovered"]
            assert events[0]["regions"] == ["ap-southeast-1"]
            assert {s["share"]: s["health"] for s in events[0]["shares"]} == {
                "renders@gw-0001h3vy6gc9o2xzp": "failed", "renders-proxy@gw-0001h3vy6gc9o2xzp": "healthy"}
            assert events[0]["meta"]["hosts"] == ["localhost", "sgw_sync_sync_0002p9t4hz6c3yxe"]
    run(scenario())


def test_heartbeat_every_n_polls(run_source):
    async def scenario():
        async with run_source({"heartbeat_polls": 2}) as source:
            assert [e["type"] for e in await source.poll()] == ["snapshot"]
            (beat,) = await source.next_poll()
            assert beat["type"] == "heartbeat" and beat["shares"] == 12 and beat["summary"]["failed"] == 3
            assert await source.next_poll() == []
            assert [e["type"] for e in await source.next_poll()] == ["heartbeat"]
    run(scenario())


def test_restart_with_a_state_file_sends_what_changed_meanwhile(run_source, tmp_path):
    state_file = tmp_path / "state" / "sgw-health.json"

    async def scenario():
        api = FakeApi()
        async with run_source({"heartbeat_polls": 0, "state_file": str(state_file)}, client=api) as source:
            await source.poll()
        saved = json.loads(state_file.read_text())
        assert saved["format"] == 1 and saved["shares"][FAILED_SHARE]["state"] == "QueueFailure"
        assert not list(state_file.parent.glob(".*.tmp"))  # written through a temporary file, renamed
        # while stopped: one share fails, one recovers
        set_state(api, HEALTHY_SHARE, "QueueFailure")
        set_state(api, FAILED_SHARE, "MNSHealthy")
        async with run_source({"heartbeat_polls": 0, "state_file": str(state_file)}, client=api) as source:
            events = await source.poll()
            assert [e["type"] for e in events] == ["snapshot", "transition", "transition"]
            assert events[0]["restored"] is True
            assert transitions(events) == {(HEALTHY_SHARE, "healthy", "failed", "MNSHealthy", "QueueFailure"),
                                           (FAILED_SHARE, "failed", "healthy", "QueueFailure", "MNSHealthy")}
            assert await source.next_poll() == []
        # without a state file, a restart knows nothing of before
        async with run_source({"heartbeat_polls": 0}, client=api) as source:
            assert [e["type"] for e in await source.poll()] == ["snapshot"]
    run(scenario())


def test_a_state_file_that_cannot_be_written_is_an_error_event_not_the_end(run_source, tmp_path):
    directory = tmp_path / "state"

    async def scenario():
        async with run_source({"heartbeat_polls": 0, "state_file": str(directory / "state.json")}) as source:
            assert [e["type"] for e in await source.poll()] == ["snapshot"]
            (directory / "state.json").unlink()
            directory.rmdir()
            directory.write_text("")  # a file where the directory was: the next write fails
            set_state(source.client, HEALTHY_SHARE, "QueueFailure")
            (transition, error) = await source.next_poll()
            assert transition["type"] == "transition" and error["type"] == "error"
            assert "cannot be written" in error["message"] and error["region"] is None
            (again,) = await source.next_poll()  # every poll tries again, and says so
            assert again["type"] == "error" and "cannot be written" in again["message"]
    run(scenario())


def test_a_damaged_state_file_stops_the_source_with_a_clear_message(run_source, tmp_path):
    state_file = tmp_path / "sgw-health.json"
    state_file.write_text('{"format": 99}')

    async def scenario():
        async with run_source({"state_file": str(state_file)}) as source:
            with pytest.raises(ValueError, match="not a state file of format 1; move it away"):
                await source.poll()
    run(scenario())


def test_a_share_that_flaps_is_flagged_and_left_out_of_its_groups_hosts(run_source):
    async def scenario():
        async with run_source({"heartbeat_polls": 0, "flap_max_heals": 2, "flap_window": 3600}) as source:
            await source.poll()
            api = source.client
            seen = []
            for dummy in range(3):
                set_state(api, HEALTHY_SHARE, "QueueFailure")
                (event,) = await source.next_poll()
                seen.append((event["failures_in_window"], event["flapping"], event["meta"]["hosts"]))
                set_state(api, HEALTHY_SHARE, "MNSHealthy")
                await source.next_poll()
            group = "sgw_sync_sync_0002xetjdlxne2sd"
            assert seen == [(1, False, ["localhost", group]), (2, False, ["localhost", group]),
                            (3, True, ["localhost", group, "!" + HEALTHY_SHARE])]
    run(scenario())


@pytest.mark.parametrize("args, message", [
    ({"regions": ["cn-hangzou!"]}, "cn-hangzou!"),
    ({"express_sync_ids": ["nope"]}, "nope"),
    ({"bucket_prefix": "a/"}, "bucket_prefix needs bucket_name"),
    ({"poll_interval": 0}, "poll_interval must be a positive number"),
    ({"max_concurrency": 0}, "max_concurrency must be 1 or more"),
    ({"poll_intervall": 5}, "poll_intervall"),
    ({"timeout": "soon"}, "timeout"),
])
def test_bad_arguments_are_one_clear_error(source, args, message):
    async def scenario():
        await source.main(asyncio.Queue(), dict({"regions": ["cn-hangzhou"]}, **args))
    with pytest.raises(ValueError, match="Invalid arguments|alibabacloud.sgw.express_sync_health") as info:
        run(scenario())
    assert message in str(info.value)


def test_arguments_come_as_text_from_templates_and_options_from_the_environment(run_source, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_SGW_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("ALIBABA_CLOUD_SGW_TIMEOUT", "7")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)

    async def scenario():
        async with run_source({"poll_interval": "3", "max_concurrency": "2", "regions": "cn-hangzhou,cn-shanghai"},
                              ) as source:
            await source.poll()
            assert source.delays == [3.0]
    run(scenario())
    options, kwargs = run_source.built[0]
    assert options["endpoint"] == "http://127.0.0.1:9" and options["timeout"] == 7.0
    assert options["access_key_id"] is None  # the credential chain reads the identity variables itself
    assert kwargs == {"pool_size": 2, "region": "cn-hangzhou"}


def test_a_poll_makes_the_calls_of_the_inventory_without_gateway_details(run_source):
    async def scenario():
        async with run_source({"heartbeat_polls": 0}) as source:
            await source.poll()
            calls = sorted(source.client.actions())
            assert calls == ["DescribeExpressSyncShares"] * 3 + ["DescribeExpressSyncs"] * 3
    run(scenario())


def test_temporary_credentials_are_renewed_as_they_expire(run_source, in_process, tmp_path):
    """A RAM role whose credentials last 1 s, assumed through the simulator's STS by the real client: the
    source keeps polling past several expiries without one authentication error."""
    document = yaml.safe_load(SAMPLE_ACCOUNT.read_text(encoding="utf-8"))
    role = "acs:ram::%s:role/sgw-reader" % document["account_id"]
    document["roles"] = [{"Arn": role}]
    account = tmp_path / "account.yml"
    account.write_text(yaml.safe_dump(document), encoding="utf-8")
    simulator = in_process(data=account, sts_duration=1)

    async def scenario():
        args = {"heartbeat_polls": 0, "endpoint": simulator.url, "sts_endpoint": simulator.url,
                "access_key_id": KEY_ID, "access_key_secret": KEY_SECRET, "ram_role_arn": role}
        async with run_source(args, client=simulator, routed=True) as source:
            await source.poll()
            deadline = asyncio.get_running_loop().time() + 20
            while simulator.stats()["actions"].get("AssumeRole", 0) < 3:
                assert asyncio.get_running_loop().time() < deadline, simulator.stats()
                assert not of_type(await source.next_poll(), "error")
            assert not any(code.startswith("InvalidSecurityToken") for code in simulator.stats()["errors"])
            assert of_type(source.events, "snapshot") and not of_type(source.events, "error")
    run(scenario())


def test_after_an_authentication_error_the_credentials_are_looked_for_again(run_source):
    """A key rotated in the environment or a profile file: the client is built again, not only retried."""
    async def scenario():
        api = FakeApi()
        async with run_source({"heartbeat_polls": 0, "regions": ["cn-hangzhou"]}, client=api) as source:
            await source.poll()
            assert len(run_source.built) == 1

            def rejected(action, region, params):
                raise ApiError("InvalidAccessKeyId.NotFound")
            api.before = rejected
            (error,) = await source.next_poll()
            assert error["code"] == "InvalidAccessKeyId.NotFound" and error["region"] == "cn-hangzhou"
            api.before = None
            events = await source.next_poll()
            assert [e["type"] for e in events] == ["recovered"]
            assert len(run_source.built) == 2  # built anew from the options, which read the credentials again
            region_down(api, "cn-hangzhou")  # an error that is not about credentials: the same client
            await source.next_poll()
            assert len(run_source.built) == 2
    run(scenario())


def test_a_poll_runs_off_the_event_loop(run_source):
    """The fetch blocks on its threads, never on ansible-rulebook's event loop: while an API call is held,
    the loop goes on (here, it is the loop that releases the call)."""
    entered, held, released = threading.Event(), threading.Event(), []

    def before(action, region, params):
        entered.set()
        released.append(held.wait(10))  # False if nothing released it: the loop was blocked meanwhile

    async def scenario():
        api = FakeApi()
        api.before = before
        async with run_source({"heartbeat_polls": 0, "regions": ["cn-hangzhou"]}, client=api) as source:
            assert await asyncio.get_running_loop().run_in_executor(None, entered.wait, 10)
            held.set()
            assert [e["type"] for e in await source.poll()] == ["snapshot"]
    run(scenario())
    assert released and all(released)
