"""The SGW API in-process, for unit tests: the simulator's service behind the client's interface.

:class:`FakeApi` answers ``call(action, region, params)`` as :class:`SgwClient` does, from the
simulator's :class:`~tests.simulator.service.Service` (the same actions, records, tasks and error
codes as the simulator process, without a process, a socket or a signature). Time is a
:class:`FakeClock` that moves only when something sleeps, so tasks and full syncs end as the code
under test waits for them. Errors are :class:`SgwApiError` with the simulator's code, status and
a RequestId; ``script`` makes further ones (busy groups, throttling, denials) for one action.
"""

from __future__ import annotations

import copy
import itertools
import pathlib

from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwApiError
from tests.simulator.account import Account
from tests.simulator.errors import ApiError
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
        self.calls = []          # (action, region, wire parameters) of every call
        self.fail_tasks = set()  # express sync group ids whose tasks end in task.state.failed
        self.scripted = {}       # action -> errors to raise, one per call, before the service is asked
        self.closed = False
        self._request_ids = itertools.count(1)

    # ---------------------------------------------------------------------- the client's interface

    def call(self, action, region, params=None):
        wire = {k: _wire(v) for k, v in (params or {}).items() if v is not None}
        wire["RegionId"] = region
        self.calls.append((action, region, wire))
        request_id = "REQ-%04d" % next(self._request_ids)
        scripted = self.scripted.get(action)
        if scripted:
            code, status = scripted.pop(0)
            raise SgwApiError(code, "scripted %s" % code, action=action, region=region, status=status,
                              request_id=request_id)
        try:
            fields = self.service.call(action, wire, frozenset(self.fail_tasks))
        except ApiError as error:
            raise SgwApiError(error.code, error.message, action=action, region=region, status=error.status,
                              request_id=request_id) from None
        return {"RequestId": request_id, **fields, "Code": "200", "Message": "successful", "Success": True}

    def close(self):
        self.closed = True

    # ------------------------------------------------------------------------------ test helpers

    def script(self, action, code, times=1, status=400):
        """Answer the next ``times`` calls of ``action`` with the error ``code``."""
        self.scripted.setdefault(action, []).extend([(code, status)] * times)

    def actions(self):
        return [action for action, dummy, dummy in self.calls]

    def document(self):
        """The account as it is now (the simulator's account format)."""
        return self.service.document()
