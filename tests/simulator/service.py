# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulated SGW service of one account: its records, tasks and full syncs, behind one lock."""

from __future__ import annotations

import copy
import random
import threading
import time

from tests.simulator.account import NOT_ENABLED, Account, new_id
from tests.simulator.actions import ACTIONS, Call
from tests.simulator.faults import Faults
from tests.simulator.tasks import TaskEngine, full_sync_status


class Service:
    """Serves API actions against an :class:`Account`; every call holds the one lock."""

    def __init__(self, account: Account, task_seconds: float = 1.0, full_sync_seconds: float = 3.0,
                 clock=time.time, seed: int | None = None, strict_membership: bool = False):
        self.task_seconds = task_seconds
        # Where the API reference is silent: adding a member again, or removing a share of no group,
        # is ignored (default) or refused (strict).
        self.strict_membership = strict_membership
        self.full_sync_seconds = full_sync_seconds
        self._clock = clock
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.account = account
        self.tasks = TaskEngine(task_seconds)
        self.full_sync_started: dict[tuple[str, str], float] = {}

    def call(self, action: str, params: dict, faults: Faults = Faults()) -> dict:
        """Run ``action`` (a key of :data:`ACTIONS`) under ``faults`` and return a copy of its response fields."""
        with self._lock:
            now = self._clock()
            self.tasks.settle(now)
            return copy.deepcopy(ACTIONS[action](self, Call(params, now, faults)))

    def replace_account(self, account: Account) -> None:
        """Serve another account from now on; running tasks and full syncs are dropped."""
        with self._lock:
            self.account = account
            self.tasks = TaskEngine(self.task_seconds)
            self.full_sync_started = {}

    def document(self) -> dict:
        """The account as it is now, in the account file format."""
        with self._lock:
            now = self._clock()
            self.tasks.settle(now)
            document = self.account.to_document()
            document["shares"] = [self.share_view(share, now) for share in document["shares"]]
            return copy.deepcopy(document)

    # Used by the actions, under the lock.

    def share_view(self, share: dict, now: float) -> dict:
        """The share with the state and progress of a full sync that is under way."""
        started = self.full_sync_started.get((share["GatewayId"], share["ShareName"]))
        if started is None:
            return share
        state, progress = full_sync_status(started, now, self.full_sync_seconds)
        return {**share, "ExpressSyncState": state, "SyncProgress": progress}

    def join_group(self, share: dict, sync_id: str, queue: str, since: float) -> None:
        share.update(ExpressSyncId=sync_id, MnsQueue=queue, ExpressSyncState="MNSFullSyncInit", SyncProgress=0)
        self.full_sync_started[(share["GatewayId"], share["ShareName"])] = since

    def leave_group(self, share: dict) -> None:
        share.update(ExpressSyncId="", ExpressSyncState=NOT_ENABLED, SyncProgress=-1, MnsQueue="")
        self.full_sync_started.pop((share["GatewayId"], share["ShareName"]), None)

    def new_id(self, kind: str) -> str:
        return new_id(kind, self._rng, self.account.ids() | {task.task_id for task in self.tasks.tasks})

    def start_task(self, name: str, sync_id: str, call: Call, apply) -> str:
        """Start a task on a group and return its id; it fails when ``call.fail_tasks`` names the group
        (``EXPRESS_SYNC_ID``, every task) or the action and the group (``ACTION@EXPRESS_SYNC_ID``)."""
        task_id = self.new_id("t")
        fails = sync_id in call.fail_tasks or f"{name}@{sync_id}" in call.fail_tasks
        self.tasks.start(task_id, name, sync_id, call.now, apply, fails=fails)
        return task_id
