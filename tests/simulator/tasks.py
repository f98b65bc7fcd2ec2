# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Asynchronous tasks and the full-sync progression of shares, both computed from the clock.

Nothing runs in the background: a task is a record with a start time and a duration, and
:meth:`TaskEngine.settle` applies the change of every task that has ended, in the order they
ended, before each API call is served. A share that joins a group likewise moves from
MNSFullSyncInit to MNSFullSyncing to MNSHealthy as time passes, computed when it is read.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

RUNNING = "task.state.running"
COMPLETED = "task.state.completed"
FAILED = "task.state.failed"
FAILURE_MESSAGE_KEY = "task.error.express_sync.mns_failure"

# The first quarter of a full sync is spent waiting (MNSFullSyncInit), the rest syncing.
FULL_SYNC_INIT_FRACTION = 0.25


@dataclasses.dataclass
class Task:
    """One asynchronous change of a sync group; ``apply`` makes the change at the task's end."""

    task_id: str
    name: str
    target_id: str
    created: float
    duration: float
    fails: bool
    apply: Callable[[float], None]
    settled: bool = False
    # A state it ends in other than completed or failed (``task.state.cancelled``, say), changing
    # nothing: the API reference names no other, and the client must be right if there are.
    final: str = ""

    @property
    def ends(self) -> float:
        return self.created + self.duration

    def running(self, now: float) -> bool:
        return now < self.ends

    def record(self, now: float) -> dict:
        """The task as a DescribeTasks ``SimpleTask``."""
        running = self.running(now)
        progress = int(100 * (now - self.created) / self.duration) if running else 100
        return {
            "TaskId": self.task_id,
            "Name": self.name,
            "RelatedResourceId": self.target_id,
            "StateCode": RUNNING if running else self.final or (FAILED if self.fails else COMPLETED),
            "Progress": progress,
            "MessageKey": FAILURE_MESSAGE_KEY if self.fails and not running else "",
            "CreatedTime": int(self.created),
            "UpdatedTime": int(min(now, self.ends)),
        }


class TaskEngine:
    """The tasks of an account, newest last."""

    def __init__(self, duration: float):
        self.duration = duration
        self.tasks: list[Task] = []

    def start(self, task_id: str, name: str, target_id: str, now: float, apply, fails: bool = False,
              duration: float | None = None, final: str = "") -> Task:
        task = Task(task_id, name, target_id, now, self.duration if duration is None else duration, fails, apply,
                    final=final)
        self.tasks.append(task)
        return task

    def busy(self, target_id: str, now: float) -> bool:
        return any(task.target_id == target_id and task.running(now) for task in self.tasks)

    def settle(self, now: float) -> None:
        """Apply the change of every task that has ended, oldest end first; failed tasks change nothing."""
        ended = sorted((task for task in self.tasks if not task.settled and not task.running(now)),
                       key=lambda task: task.ends)
        for task in ended:
            task.settled = True
            if not task.fails and not task.final:
                task.apply(task.ends)

    def find(self, target_id: str | None = None, task_id: str | None = None) -> list[Task]:
        """Tasks matching the filters that are given, newest first."""
        return [task for task in reversed(self.tasks)
                if (not target_id or task.target_id == target_id) and (not task_id or task.task_id == task_id)]


def full_sync_status(started: float, now: float, seconds: float) -> tuple[str, int]:
    """``(ExpressSyncState, SyncProgress)`` of a share whose full sync started at ``started``."""
    fraction = (now - started) / seconds if seconds > 0 else 1.0
    if fraction >= 1:
        return "MNSHealthy", 100
    if fraction < FULL_SYNC_INIT_FRACTION:
        return "MNSFullSyncInit", 0
    return "MNSFullSyncing", min(99, max(1, int(100 * fraction)))
