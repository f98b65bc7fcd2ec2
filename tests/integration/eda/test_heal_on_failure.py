"""The rulebook alibabacloud.sgw.heal_on_failure end to end: the real ansible-rulebook, the event source
express_sync_health polling the simulator every second, and the heal playbook it runs.

The account of the simulator is changed live (``PUT /_sim/account``), as the service would change on
its own; each test works on shares of its own express sync group."""

from __future__ import annotations

import json

from tests.integration.eda.conftest import FLAP_MAX_HEALS
from tests.integration.modules.conftest import stats_delta, writes
from tests.support.waiting import wait_until

TIMEOUT = 90


def share_states(simulator) -> dict:
    return {"%s@%s" % (s["ShareName"], s["GatewayId"]): s.get("ExpressSyncState")
            for s in simulator.account()["shares"] if s.get("ExpressSyncId")}


def set_state(simulator, host, state, progress=100):
    """Change one share's state in the running simulator, as the service would."""
    document = simulator.account()
    for share in document["shares"]:
        if "%s@%s" % (share["ShareName"], share["GatewayId"]) == host:
            share.update(ExpressSyncState=state, SyncProgress=progress)
    simulator.control("/_sim/account", "PUT", document)


def into_failed(host):
    return lambda e: e.get("type") == "transition" and e.get("share") == host and e.get("to_health") == "failed"


def healthy(simulator, host):
    return lambda: share_states(simulator).get(host) == "MNSHealthy"


def test_a_share_that_fails_is_healed_with_no_other_action(healing):
    rulebook, simulator, directory = healing
    host = "artifacts@gw-0003f6ht0wz8n2lqa"
    before, mark = simulator.stats(), rulebook.mark()
    others = {k: v for k, v in share_states(simulator).items() if k != host}
    set_state(simulator, host, "QueueFailure")
    event = rulebook.wait_for_event(into_failed(host), mark, TIMEOUT, "the transition into failed")
    assert (event["from_state"], event["to_state"], event["express_sync_id"]) == (
        "MNSHealthy", "QueueFailure", "sync-0004agfrbke1l39p")
    assert event["meta"]["hosts"] == ["localhost", "sgw_sync_sync_0004agfrbke1l39p"]
    # healed: removed and added back, a full sync, healthy again; reported by the source too
    rulebook.wait_for_event(lambda e: e.get("share") == host and e.get("to_health") == "healthy", mark, TIMEOUT,
                            "the transition back to healthy")
    assert healthy(simulator, host)()
    assert writes(stats_delta(simulator.stats(), before)) == {
        "RemoveSharesFromExpressSync": 1, "AddSharesToExpressSync": 1}
    assert {k: v for k, v in share_states(simulator).items() if k != host} == others
    assert "PLAY [Heal the failed express sync shares]" in rulebook.output
    assert not (directory / "resync-journal.json").exists()  # nothing left pending


def test_a_share_that_recovers_by_itself_before_the_heal_starts_is_not_resynced(healing):
    rulebook, simulator, directory = healing
    host = "exports-nfs@gw-0001r9ka4ls2e7yvm"
    before, mark = simulator.stats(), rulebook.mark()
    set_state(simulator, host, "TopicFailure")
    rulebook.wait_for_event(into_failed(host), mark, TIMEOUT, "the transition into failed")
    set_state(simulator, host, "MNSHealthy")  # within the rule's 3 seconds, before the heal reads the estate
    rulebook.wait_for_event(lambda e: e.get("share") == host and e.get("to_health") == "healthy", mark, TIMEOUT,
                            "the transition back to healthy")
    # the heal of the group ran, found the share healthy and left it alone
    rulebook.wait_for(lambda rb: "PLAY RECAP" in "\n".join(rb.lines[mark:]), TIMEOUT, "the heal playbook to end")
    assert writes(stats_delta(simulator.stats(), before)) == {}
    assert share_states(simulator)[host] == "MNSHealthy"


def test_a_share_that_recovers_after_the_heal_read_the_inventory_is_not_resynced(healing):
    """The heal playbook has read the inventory (the share failed), then the share recovers by itself
    before the module takes it out: the module reads it again and leaves it alone (skipped_healthy)."""
    rulebook, simulator, directory = healing
    host = "renders@gw-0001h3vy6gc9o2xzp"
    before, mark = simulator.stats(), rulebook.mark()
    set_state(simulator, host, "QueueFailure")
    rulebook.wait_for_event(into_failed(host), mark, TIMEOUT, "the transition into failed")
    # DescribeGateways is the inventory's (the source does not read gateways): the heal has read the estate
    wait_until(lambda: simulator.stats()["actions"].get("DescribeGateways", 0)
               > before["actions"].get("DescribeGateways", 0), "the heal's inventory", TIMEOUT)
    set_state(simulator, host, "MNSHealthy")
    rulebook.wait_for(lambda rb: "PLAY RECAP" in "\n".join(rb.lines[mark:]), TIMEOUT, "the heal playbook to end")
    assert writes(stats_delta(simulator.stats(), before)) == {}
    assert share_states(simulator)[host] == "MNSHealthy"


def test_a_flapping_share_is_healed_at_most_n_times(healing):
    rulebook, simulator, directory = healing
    flapper, neighbour = "media-nfs@gw-0001b2odzvl3b1mhi", "media-nfs@gw-0002c8pz1kq7y4rtd"
    before, mark = simulator.stats(), rulebook.mark()
    for heal in range(FLAP_MAX_HEALS):
        set_state(simulator, flapper, "QueueFailure")
        rulebook.wait_for_event(lambda e: into_failed(flapper)(e) and e["failures_in_window"] == heal + 1, mark,
                                TIMEOUT, "failure %d" % (heal + 1))
        # healed, and seen healthy by the source (so that the next failure is a transition again)
        rulebook.wait_for(lambda rb, n=heal + 1: n == len([
            e for e in rb.events(mark) if e.get("share") == flapper and e.get("to_health") == "healthy"]),
            TIMEOUT, "heal %d" % (heal + 1))
    healed = writes(stats_delta(simulator.stats(), before))
    assert healed == {"RemoveSharesFromExpressSync": FLAP_MAX_HEALS, "AddSharesToExpressSync": FLAP_MAX_HEALS}
    # once more: flapping, not healed, and said so
    mark = rulebook.mark()
    set_state(simulator, flapper, "QueueFailure")
    event = rulebook.wait_for_event(into_failed(flapper), mark, TIMEOUT, "the third failure")
    assert event["flapping"] is True and event["failures_in_window"] == FLAP_MAX_HEALS + 1
    rulebook.wait_for(lambda rb: "%s in sync-0002xetjdlxne2sd is flapping" % flapper in rb.output, TIMEOUT,
                      "the flapping message")
    # a neighbour in the same group fails: its group is healed, the flapping share left out
    set_state(simulator, neighbour, "QueueFailure")
    event = rulebook.wait_for_event(into_failed(neighbour), mark, TIMEOUT, "the neighbour's failure")
    assert event["meta"]["hosts"] == ["localhost", "sgw_sync_sync_0002xetjdlxne2sd", "!" + flapper]
    wait_until(healthy(simulator, neighbour), "the neighbour's heal", TIMEOUT)
    assert share_states(simulator)[flapper] == "QueueFailure"
    assert writes(stats_delta(simulator.stats(), before)) == {
        "RemoveSharesFromExpressSync": FLAP_MAX_HEALS + 1, "AddSharesToExpressSync": FLAP_MAX_HEALS + 1}
    assert json.dumps(event)  # the event is plain data
