"""The SGW API in-process, for unit tests: the simulator's service behind the client's interface.

:class:`FakeApi` answers ``call(action, region, params)`` as :class:`SgwClient` does, from the
simulator's :class:`~tests.simulator.service.Service` (the same actions, records, tasks and error
codes as the simulator process, without a process, a socket or a signature). Time is a
:class:`FakeClock` that moves only when something sleeps, so tasks and full syncs end as the code
under test waits for them. Errors are :class:`SgwApiError` with the simulator's code, status and
a RequestId (``REQ-<n>``, n counting the calls); the tests make further ones: ``script`` for the
next calls of an action (a busy group, throttling), ``denied`` (``Forbidden.RAM``) and ``fail``
(a given error) for every call of an action; ``after`` runs a change of the account right after
an action has answered (a group deleted meanwhile, say); ``behaviours`` plays the service's
undocumented behaviours as the simulator's settings of the same names do (``region_scope``,
``unknown_ids``, ``candidate_sync_id``, ``total_count``: see docs/simulator.md).
"""

from __future__ import annotations

import copy
import itertools
import pathlib

from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwApiError
from tests.simulator.account import Account
from tests.simulator.errors import ApiError
from tests.simulator.faults import Faults
from tests.simulator.service import Service

SAMPLE_ACCOUNT = pathlib.Path(__file__).resolve().parents[1] / "simulator" / "data" / "sample_account.yml"


class FakeClock:
    """A clock that moves only when something sleeps; it records every sleep."""

    def __init__(self, now=1_700_000_000.0):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    monotonic = __call__

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def _wire(value):
    """A parameter as it travels: ``true``/``false`` for booleans, decimals for numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FakeApi:
    """The SGW API of one account, in-process, with the client's interface (``call``, ``close``).

    ``account`` is an account document (a dict in the simulator's account format) or a path;
    by default the simulator's sample account.
    """

    def __init__(self, account=SAMPLE_ACCOUNT, clock=None, task_seconds=1.0, full_sync_seconds=3.0):
        if isinstance(account, dict):
            account = Account.from_document(copy.deepcopy(account))
        else:
            account = Account.load(account)
        self.clock = clock or FakeClock()
        self.service = Service(account, task_seconds=task_seconds, full_sync_seconds=full_sync_seconds,
                               clock=self.clock, seed=1)
        self.calls = []          # (action, region, parameters as given, None left out) of every call
        self.fail_tasks = set()  # express sync group ids whose tasks end in task.state.failed
        self.scripted = {}       # action -> (code, status) of the errors of its next calls
        self.denied = set()      # actions answered Forbidden.RAM
        self.fail = {}           # action -> the error every call of it raises
        self.after = {}          # action -> function(service) run after each answer of it
        self.behaviours = {}     # setting -> choice, as the simulator's BEHAVIOURS
        self.closed = False
        self._request_ids = itertools.count(1)

    # ---------------------------------------------------------------------- the client's interface

    def call(self, action, region, params=None):
        given = {k: v for k, v in (params or {}).items() if v is not None}
        self.calls.append((action, region, given))
        request_id = "REQ-%d" % next(self._request_ids)
        if action in self.fail:
            raise self.fail[action]
        scripted = self.scripted.get(action)
        try:
            if scripted:
                raise ApiError(*scripted.pop(0))
            if action in self.denied:
                raise ApiError("Forbidden.RAM")
            faults = Faults(fail_tasks=tuple(sorted(self.fail_tasks)), **self.behaviours)
            fields = self.service.call(action, dict({k: _wire(v) for k, v in given.items()}, RegionId=region),
                                       faults)
        except ApiError as error:
            raise SgwApiError(error.code, error.message, action=action, region=region, status=error.status,
                              request_id=request_id) from None
        if action in self.after:
            self.after[action](self.service)
        return {"RequestId": request_id, **fields, "Code": "200", "Message": "successful", "Success": True}

    def close(self):
        self.closed = True

    # ------------------------------------------------------------------------------ test helpers

    def script(self, action, code, times=1, message=None):
        """Answer the next ``times`` calls of ``action`` with the error ``code`` (of the simulator's catalogue)."""
        self.scripted.setdefault(action, []).extend([(code, message)] * times)

    def delete_express_sync(self, express_sync_id):
        """Delete a group from the account at once, as another client would (its shares leave it)."""
        self.service.account.express_syncs.pop(express_sync_id)
        for share in self.service.account.shares.values():
            if share["ExpressSyncId"] == express_sync_id:
                self.service.leave_group(share)

    def actions(self):
        return [action for action, dummy, dummy in self.calls]

    def document(self):
        """The account as it is now (the simulator's account format)."""
        return self.service.document()
