# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The asynchronous side of the write actions: retrying a call while its group is busy, and
waiting for any number of tasks at once with ``DescribeTasks``.

Shared by the modules that change express sync groups, so that they retry and wait alike.
"""

from __future__ import annotations

import random
import time

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.backoff import Backoff
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import STATE_CODE, TASK_ID

BUSY = "ExpressSyncInOperation"
# The codes of the errors that a task that failed or did not finish in time is reported with.
TASK_FAILED = "TaskFailed"
TASK_TIMEOUT = "TaskTimeout"

# The epoch clock, as imported (a test may replace the module's time by a fake of monotonic and sleep).
_EPOCH = time.time

COMPLETED = "completed"
FAILED = "failed"
TIMEOUT = "timeout"
# A state that is neither running, completed nor failed (paused, cancelled, one this code does not
# know): nothing says the task will end, so it is reported at once rather than waited for.
UNKNOWN = "unknown"


class Waits:
    """The timing of the waits, all of them made of :class:`.backoff.Backoff`: the polls of tasks
    (and of anything else that takes its time), and the retries of a call on a busy group.

    ``clock``, ``sleep``, ``rand`` and ``wall`` are those of the caller, so that a test drives them.
    """

    # Seconds between DescribeTasks polls: the first, and the most once doubled.
    poll_interval = 0.25
    max_poll_interval = 5.0
    # Seconds before the first retry of a call on a busy group, and the most between retries.
    busy_delay = 0.5
    max_busy_delay = 10.0

    def __init__(self, sleep=None, clock=None, rand=None, wall=None):
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        self.rand = rand or random.random
        # Epoch seconds, for times that outlive the run (in the journal); a test's clock is both.
        self.wall = wall or clock or _EPOCH

    def poll_backoff(self, timeout=None, deadline=None, first=None, most=None) -> Backoff:
        """The delays between polls: from ``first``, doubling up to ``most``, never past the deadline."""
        return api.task_poll_backoff(timeout=timeout, deadline=deadline,
                                     interval=self.poll_interval if first is None else first,
                                     max_interval=self.max_poll_interval if most is None else most,
                                     clock=self.clock, sleep=self.sleep)

    def call_while_busy(self, call, timeout, action, region, target_id):
        """``call()``, retried while the group is busy with another task, for up to ``timeout`` seconds
        (exponential backoff with full jitter, so that runs that met the same busy group spread out)."""
        backoff = Backoff(timeout=timeout, base=self.busy_delay, cap=self.max_busy_delay, clock=self.clock,
                          sleep=self.sleep, rand=self.rand)
        while True:
            try:
                return call()
            except SgwApiError as error:
                if error.code != BUSY:
                    raise
                delay = next(backoff, None)
                if delay is None:
                    raise SgwApiError(BUSY, "express sync group %s was still busy with another task after %d "
                                      "attempts over %ss (wait_timeout); retry when that task has finished, or "
                                      "raise wait_timeout" % (target_id, backoff.count + 1, backoff.timeout),
                                      action=action, region=region, status=error.status,
                                      request_id=error.request_id) from None
            backoff.sleep(delay)

    def wait_for_tasks(self, client, tasks, timeout, run_all=None):
        """Poll every task of ``tasks`` (``(region, target_id, task_id)``) until each has ended.

        Every task must be seen to end, and the caller goes on only when all have: so each round
        first asks ``DescribeTasks`` about the last task started (the one least likely to have
        ended), and only once it has ended about every other task still pending, all of those at
        once through ``run_all`` (a function that runs a list of no-argument functions,
        concurrently or not, and returns their results in order). A round while the tasks run
        costs one call, not one per task. Returns ``{task_id: (COMPLETED|FAILED|UNKNOWN|TIMEOUT,
        record)}``; an error of a ``DescribeTasks`` call is raised. A task not listed yet is waited for.
        """
        run_all = run_all or (lambda calls: [call() for call in calls])
        backoff = self.poll_backoff(timeout=timeout)
        pending = list(dict.fromkeys(tasks))
        outcome = {}
        while pending:
            # The last round, at the deadline, asks about every task, whatever the last one does.
            final = backoff.remaining() <= 0
            last = pending[-1]
            first = _describer(client, last)()
            if (_ended(first) or final) and len(pending) > 1:
                asked = pending
                answers = run_all([_describer(client, task) for task in pending[:-1]]) + [first]
            else:
                asked, answers = [last], [first]
            for task, record in zip(asked, answers):
                state = record.get(STATE_CODE) if record else None
                if state == api.TASK_COMPLETED:
                    outcome[task[2]] = (COMPLETED, record)
                elif state == api.TASK_FAILED:
                    outcome[task[2]] = (FAILED, record)
                elif record and state != api.TASK_RUNNING:
                    outcome[task[2]] = (UNKNOWN, record)
            pending = [task for task in pending if task[2] not in outcome]
            if pending and final:
                for task in pending:
                    outcome[task[2]] = (TIMEOUT, None)
                break
            delay = next(backoff, None)
            if pending and delay is not None:
                backoff.sleep(delay)
        return outcome


def _ended(record) -> bool:
    return bool(record) and record.get(STATE_CODE) != api.TASK_RUNNING


def _describer(client, task):
    region, target_id, task_id = task

    def describe():
        found = [t for t in api.describe_tasks(client, region, target_id, task_id) if t.get(TASK_ID) == task_id]
        return found[0] if found else None

    return describe


def running_tasks(client, region, target_id):
    """The tasks on ``target_id`` that have not ended, as ``(region, target_id, task_id)``."""
    return [(region, target_id, t.get(TASK_ID)) for t in api.describe_tasks(client, region, target_id=target_id)
            if t.get(TASK_ID) and t.get(STATE_CODE) not in (api.TASK_COMPLETED, api.TASK_FAILED)]


def task_error(outcome, task_id, action, region, target_id, timeout):
    """The error of a task that failed, is in an unknown state or timed out, named after the action
    that started it."""
    state, record = outcome
    if state == FAILED:
        return SgwApiError(TASK_FAILED, "task %s on %s ended in %s (%s)" % (
            task_id, target_id, api.TASK_FAILED, (record or {}).get("MessageKey") or "no message"),
            action=action, region=region)
    if state == UNKNOWN:
        return SgwApiError(api.TASK_STATE_UNKNOWN, "task %s on %s is in the state %s, which is neither running, "
                           "completed nor failed, so it is not waited for; check the task in the console" % (
                               task_id, target_id, (record or {}).get(STATE_CODE) or "(empty)"),
                           action=action, region=region)
    return SgwApiError(TASK_TIMEOUT, "task %s on %s is still running after %ss; raise wait_timeout or check the task "
                       "in the console" % (task_id, target_id, timeout), action=action, region=region)
