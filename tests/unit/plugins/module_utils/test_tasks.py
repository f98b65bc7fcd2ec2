"""Waiting for many tasks at once, and retrying a busy group: outcomes, delays and call counts."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError
from tests.support.fake_api import FakeApi, FakeClock


DONE, FAILED = "task.state.completed", "task.state.failed"


def api_with_tasks(ends):
    """The API in process at time 0, with tasks on ``sync-1`` that end at given times, in given states."""
    fake = FakeApi(clock=FakeClock(now=0.0))
    for task_id, (end, state) in ends.items():
        fake.service.tasks.start(task_id, "AddSharesToExpressSync", "sync-1", 0.0, lambda when: None,
                                 fails=state == FAILED, duration=end, final="" if state in (DONE, FAILED) else state)
    return fake


@pytest.mark.parametrize("ends, timeout, expected, calls", [
    # one task: polled at 0, 0.25, 0.75, 1.75 (ends at 1.5)
    ({"t-1": (1.5, DONE)}, 60, {"t-1": tasks.COMPLETED}, 4),
    # three tasks ending together: one call per round on the last, then the two others once
    ({"t-1": (1.4, DONE), "t-2": (1.45, DONE), "t-3": (1.5, DONE)}, 60,
     {"t-1": tasks.COMPLETED, "t-2": tasks.COMPLETED, "t-3": tasks.COMPLETED}, 4 + 2),
    # the last one ends first: the others are asked about until they end
    ({"t-1": (3.0, DONE), "t-2": (0.1, FAILED)}, 60, {"t-1": tasks.COMPLETED, "t-2": tasks.FAILED}, 2 + 4),
    # at the deadline every task is asked about once more: one that ended is not a timeout
    ({"t-1": (0.5, DONE), "t-2": (100.0, DONE)}, 2, {"t-1": tasks.COMPLETED, "t-2": tasks.TIMEOUT}, 4 + 2),
    # a state that is neither running, completed nor failed is not waited for
    ({"t-1": (0.0, "task.state.paused")}, 60, {"t-1": tasks.UNKNOWN}, 1),
    ({"t-1": (1.5, DONE), "t-2": (0.1, "task.state.cancelled")}, 60,
     {"t-1": tasks.COMPLETED, "t-2": tasks.UNKNOWN}, 2 + 3),
])
def test_wait_for_tasks(ends, timeout, expected, calls):
    fake = api_with_tasks(ends)
    clock = fake.clock
    waits = tasks.Waits(sleep=clock.sleep, clock=clock.time, rand=lambda: 1.0)
    outcome = waits.wait_for_tasks(fake, [("cn-hangzhou", "sync-1", task) for task in ends], timeout)
    assert {task: state for task, (state, dummy) in outcome.items()} == expected
    assert fake.count("DescribeTasks") == calls
    assert clock.now <= timeout


def test_the_delays_double_up_to_the_most_and_never_pass_the_deadline():
    clock = FakeClock(now=0.0)
    waits = tasks.Waits(sleep=clock.sleep, clock=clock.time)
    backoff = waits.poll_backoff(deadline=12.0)
    taken = []
    for delay in backoff:
        taken.append(delay)
        backoff.sleep(delay)
    assert taken == [0.25, 0.5, 1.0, 2.0, 4.0, 4.25]
    assert clock.now == 12.0


def test_a_busy_group_is_retried_with_backoff_until_wait_timeout():
    clock = FakeClock(now=0.0)
    waits = tasks.Waits(sleep=clock.sleep, clock=clock.time, rand=lambda: 1.0)
    attempts = []

    def call():
        attempts.append(clock.now)
        if len(attempts) < 4:
            raise SgwApiError(tasks.BUSY, "busy", action="AddSharesToExpressSync", region="cn-hangzhou")
        return "t-1"

    assert waits.call_while_busy(call, 60, "AddSharesToExpressSync", "cn-hangzhou", "sync-1") == "t-1"
    assert clock.sleeps == [0.5, 1.0, 2.0]

    def always_busy():
        raise SgwApiError(tasks.BUSY, "busy", action="AddSharesToExpressSync", region="cn-hangzhou",
                          request_id="REQ-1")

    with pytest.raises(SgwApiError) as raised:
        waits.call_while_busy(always_busy, 5, "AddSharesToExpressSync", "cn-hangzhou", "sync-1")
    assert "sync-1 was still busy" in str(raised.value) and "RequestId REQ-1" in str(raised.value)
