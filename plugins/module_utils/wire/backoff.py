# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way this collection waits: a delay iterator with a deadline, full jitter and overrides.

Every wait uses it: the client's retry of a call that may heal, the retry of a write on a busy
express sync group, and the polling of an asynchronous task. A new waiting loop uses it too::

    backoff = Backoff(timeout=300, base=0.25, cap=5.0)
    for delay in backoff:             # ends when the next wait would pass the deadline
        if done():
            break
        backoff.sleep(delay)
    else:
        fail("still not done after %ss" % backoff.timeout)

Delay ``n`` (1-based) is ``base * 2 ** (n - 1)``, at most ``cap``, times a random factor in
``[0, 1)`` with ``jitter`` (full jitter: waiters that started together spread out). The server
may say how long to wait (``x-acs-retry-after``): :meth:`Backoff.retry_after` makes the next
delay that long (still at most ``cap``). The iteration ends after ``max_delays`` delays, or
when the deadline is reached: with ``clip=True`` the last delay is cut to end at the deadline
(so one more try happens at the deadline), with ``clip=False`` a delay that would pass the
deadline ends the iteration instead (no try starts whose wait would pass it).

``clock``, ``sleep`` and ``rand`` are injectable, so that tests run without waiting.
"""

from __future__ import annotations

import random
import time


class Backoff:
    """The delays of one wait (an iterator: make one per wait). See the module documentation."""

    def __init__(self, timeout=None, base=0.2, cap=20.0, max_delays=None, jitter=True, clip=True, deadline=None,
                 clock=time.monotonic, sleep=time.sleep, rand=random.random):
        self.clock = clock
        self.sleep = sleep
        self.base = float(base)
        self.cap = float(cap)
        self.max_delays = max_delays
        self.jitter = jitter
        self.clip = clip
        self.rand = rand
        now = clock()
        if deadline is None and timeout is not None:
            deadline = now + timeout
        self.deadline = deadline
        self.timeout = timeout if timeout is not None else (None if deadline is None else max(0.0, deadline - now))
        self.count = 0
        self._override = None

    def __iter__(self):
        return self

    def __next__(self) -> float:
        if self.max_delays is not None and self.count >= self.max_delays:
            raise StopIteration
        if self._override is not None:
            delay, self._override = min(self.cap, self._override), None
        else:
            delay = min(self.cap, self.base * 2.0 ** min(self.count, 64))
            if self.jitter:
                delay *= self.rand()
        if self.deadline is not None:
            remaining = self.deadline - self.clock()
            if remaining <= 0 or (delay > remaining and not self.clip):
                raise StopIteration
            delay = min(delay, remaining)
        self.count += 1
        return max(0.0, delay)

    def retry_after(self, seconds):
        """Make the next delay ``seconds`` (at most ``cap``), as the server asked; None changes nothing."""
        if seconds is not None:
            self._override = max(0.0, float(seconds))

    def remaining(self):
        """Seconds left before the deadline (0 when passed), or None without a deadline."""
        return None if self.deadline is None else max(0.0, self.deadline - self.clock())
