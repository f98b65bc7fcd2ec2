"""Waiting for a state, for tests that drive another process or thread (the simulator, a playbook).

:func:`wait_until` checks a condition on observable state (the simulator's statistics, a task's
state, a share's sync state) until it holds.  It never stands in for an event the test could
wait on directly, and its deadline is only a guard that turns a hang into a clear failure: no
test asserts how long anything took.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading

POLL_SECONDS = 0.05


def wait_until(condition, what, timeout=60.0):
    """Return the first true value of ``condition()``; fail naming ``what`` if none came within ``timeout`` s."""
    gave_up = threading.Event()
    guard = threading.Timer(timeout, gave_up.set)
    guard.daemon = True
    guard.start()
    try:
        while True:
            value = condition()
            if value:
                return value
            if gave_up.wait(POLL_SECONDS):
                raise AssertionError("gave up waiting for %s after %ss" % (what, timeout))
    finally:
        guard.cancel()


def stop_group(process, grace=30.0):
    """End ``process``, started in a session of its own, with its children: SIGTERM to its process
    group, SIGKILL if it has not ended within ``grace`` s; then reap it."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
