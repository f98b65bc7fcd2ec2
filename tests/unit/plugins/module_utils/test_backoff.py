"""The one backoff: delays as tables, deadlines on a fake clock."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.backoff import Backoff


class Clock:
    """A clock that only moves when something sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def delays(**kwargs):
    clock = Clock()
    backoff = Backoff(clock=clock, sleep=clock.sleep, **kwargs)
    out = []
    for delay in backoff:
        out.append(delay)
        backoff.sleep(delay)
    return out


@pytest.mark.parametrize("kwargs, expected", [
    ({"base": 1, "cap": 8, "max_delays": 6, "jitter": False}, [1, 2, 4, 8, 8, 8]),
    ({"base": 0.25, "cap": 5, "max_delays": 7, "rand": lambda: 1.0}, [0.25, 0.5, 1, 2, 4, 5, 5]),
    ({"base": 1, "cap": 8, "max_delays": 4, "rand": lambda: 0.5}, [0.5, 1, 2, 4]),
    ({"base": 1, "cap": 8, "max_delays": 3, "rand": lambda: 0.0}, [0, 0, 0]),
    ({"base": 1, "cap": 8, "max_delays": 0}, []),
    # clip: the last delay ends at the deadline
    ({"timeout": 10, "base": 1, "cap": 8, "jitter": False}, [1, 2, 4, 3]),
    ({"timeout": 5, "base": 0.5, "cap": 10, "jitter": False}, [0.5, 1, 2, 1.5]),
    # no clip: a delay that would pass the deadline ends the iteration
    ({"timeout": 10, "base": 1, "cap": 8, "jitter": False, "clip": False}, [1, 2, 4]),
    ({"timeout": 0, "base": 1, "jitter": False, "clip": False}, []),
    ({"timeout": 0, "base": 1, "jitter": False}, []),
])
def test_delays(kwargs, expected):
    assert delays(**kwargs) == pytest.approx(expected)


def test_full_jitter_scales_each_delay_by_a_fresh_random_factor():
    factors = iter([0.1, 0.9, 0.5])
    assert delays(base=1, cap=8, max_delays=3, rand=lambda: next(factors)) == pytest.approx([0.1, 1.8, 2.0])


@pytest.mark.parametrize("seconds, expected", [(1.5, 1.5), (90, 20.0), (0, 0.0), (None, 0.2)])
def test_retry_after_sets_the_next_delay_only(seconds, expected):
    backoff = Backoff(base=0.2, cap=20, jitter=False)
    backoff.retry_after(seconds)
    assert next(backoff) == pytest.approx(expected)
    assert next(backoff) == pytest.approx(0.4)


def test_retry_after_past_the_deadline_ends_a_no_clip_backoff():
    clock = Clock()
    backoff = Backoff(timeout=1, clip=False, clock=clock, sleep=clock.sleep)
    backoff.retry_after(5)
    assert next(backoff, None) is None


def test_an_absolute_deadline_is_shared_and_reported_as_the_time_left():
    clock = Clock()
    first = Backoff(deadline=clock() + 3, base=1, jitter=False, clock=clock, sleep=clock.sleep)
    first.sleep(next(first))
    second = Backoff(deadline=first.deadline, base=1, max_delays=3, jitter=False, clock=clock, sleep=clock.sleep)
    assert second.timeout == pytest.approx(2)
    assert list(second) == pytest.approx([1, 2, 2])  # the clock does not move without sleeping
    assert second.remaining() == pytest.approx(2)
