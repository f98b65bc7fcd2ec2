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

Endpoints: ``base_url(region)`` is the client's, from the product's endpoint map and the
``endpoints`` overrides; ``endpoint_behaviours`` gives one endpoint behaviours of its own (an
endpoint that answers for its region only, next to one that answers for the whole account).

Concurrency: the API may be called from several threads at once. ``before`` is run as each call
starts, in the caller's thread and outside any lock, so a test can hold a call on a
``threading.Event`` or ``Barrier`` (to make calls overlap, or answer in a chosen order) or raise a
simulator ``ApiError`` (to answer that call with it). ``in_flight`` and ``peak`` count the calls
under way, ``answered`` lists the calls in the order their answers (or errors) came, and
:meth:`wait_for` waits until a condition on them holds.
"""

from __future__ import annotations

import copy
import itertools
import pathlib
import threading

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.endpoints import endpoint_url
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError
from tests.simulator.account import Account
from tests.simulator.errors import ApiError
from tests.simulator.faults import Faults
from tests.simulator.service import Service

SAMPLE_ACCOUNT = pathlib.Path(__file__).resolve().parents[1] / "simulator" / "data" / "sample_account.yml"


class FakeClock:
    """Epoch seconds that move only when something sleeps; it records every sleep.

    ``at(when, function)`` runs ``function`` once the clock reaches ``when`` (as time passes in a
    sleep, in the order of their times): a write held by the network that lands later, say.
    """

    def __init__(self, now=1_700_000_000.0):
        self.now = now
        self.sleeps = []
        self._due = []  # (when, order, function)
        self._order = itertools.count()

    def __call__(self):
        return self.now

    monotonic = time = __call__

    def at(self, when, function):
        self._due.append((when, next(self._order), function))

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        until = self.now + seconds
        while True:
            due = sorted(entry for entry in self._due if entry[0] <= until)
            if not due:
                break
            self._due.remove(due[0])
            self.now = max(self.now, due[0][0])
            due[0][2]()
        self.now = until


def _wire(value):
    """A parameter as it travels: ``true``/``false`` for booleans, decimals for numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FakeApi:
    """The SGW API of one account, in-process, with the client's interface (``call``, ``close``).

    ``account`` is an account document (a dict in the simulator's account format) or a path;
    by default the simulator's sample account.  ``strict_membership``: the service's reading of
    adding a member again or removing a share of no group (refused, not ignored).
    """

    def __init__(self, account=SAMPLE_ACCOUNT, clock=None, task_seconds=1.0, full_sync_seconds=3.0,
                 strict_membership=False):
        if isinstance(account, dict):
            account = Account.from_document(copy.deepcopy(account))
        else:
            account = Account.load(account)
        self.clock = clock or FakeClock()
        self.service = Service(account, task_seconds=task_seconds, full_sync_seconds=full_sync_seconds,
                               clock=self.clock, seed=1, strict_membership=strict_membership)
        self.calls = []          # (action, region, parameters as given, None left out) of every call
        self.fail_tasks = set()  # express sync group ids whose tasks end in task.state.failed
        self.scripted = {}       # action -> (code, status) of the errors of its next calls
        self.lost = {}           # action -> how many of its next calls are applied, their answer lost
        self.denied = set()      # actions answered Forbidden.RAM
        self.fail = {}           # action -> the error every call of it raises
        self.after = {}          # action -> function(service) run after each answer of it
        self.behaviours = {}     # setting -> choice, as the simulator's BEHAVIOURS
        self.endpoints = {}      # region -> the URL of its endpoint, over the product's map (as the option)
        self.endpoint_behaviours = {}  # base URL (as base_url gives it) -> its own behaviours, over ``behaviours``
        self.before = None       # function(action, region, parameters as given) run as each call starts
        self.answered = []       # (action, region, parameters as given) of every call, as its answer came
        self.in_flight = 0       # calls under way now
        self.peak = 0            # the most calls under way at once
        self.closed = False
        self._request_ids = itertools.count(1)
        self._changed = threading.Condition(threading.RLock())  # guards the call log and the counters

    # ---------------------------------------------------------------------- the client's interface

    def call(self, action, region, params=None, resend=True):  # pylint: disable=unused-argument
        given = {k: v for k, v in (params or {}).items() if v is not None}
        with self._changed:
            self.calls.append((action, region, given))
            request_id = "REQ-%d" % next(self._request_ids)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            return self._answer(action, region, given, request_id)
        finally:
            with self._changed:
                self.in_flight -= 1
                self.answered.append((action, region, given))
                self._changed.notify_all()

    def _answer(self, action, region, given, request_id):
        try:
            if self.before is not None:
                self.before(action, region, given)
            if action in self.fail:
                raise self.fail[action]
            with self._changed:
                scripted = self.scripted.get(action)
                error = scripted.pop(0) if scripted else None
            if error:
                raise ApiError(*error)
            if action in self.denied:
                raise ApiError("Forbidden.RAM")
            behaviours = dict(self.behaviours, **self.endpoint_behaviours.get(self.base_url(region), {}))
            faults = Faults(fail_tasks=tuple(sorted(self.fail_tasks)), **behaviours)
            fields = self.service.call(action, dict({k: _wire(v) for k, v in given.items()}, RegionId=region),
                                       faults)
        except ApiError as error:
            raise SgwApiError(error.code, error.message, action=action, region=region, status=error.status,
                              request_id=request_id) from None
        if action in self.after:
            self.after[action](self.service)
        with self._changed:
            lost = self.lost.get(action, 0)
            self.lost[action] = max(0, lost - 1)
        if lost:
            raise SgwApiError("InvalidResponse.Server", "HTTP 502 with a non-JSON body", action=action, region=region,
                              status=502)
        return {"RequestId": request_id, **fields, "Code": "200", "Message": "successful", "Success": True}

    def base_url(self, region):
        """The base URL of the endpoint that serves ``region``, as the client's (never contacted)."""
        return endpoint_url(region, endpoints=self.endpoints)

    def close(self):
        self.closed = True

    # ------------------------------------------------------------------------------ test helpers

    def script(self, action, code, times=1, message=None):
        """Answer the next ``times`` calls of ``action`` with the error ``code`` (of the simulator's catalogue)."""
        self.scripted.setdefault(action, []).extend([(code, message)] * times)

    def lose(self, action, times=1):
        """Apply the next ``times`` calls of ``action``, and answer each with a proxy's 502 instead of its answer."""
        self.lost[action] = self.lost.get(action, 0) + times

    def delete_express_sync(self, express_sync_id):
        """Delete a group from the account at once, as another client would (its shares leave it)."""
        self.service.account.express_syncs.pop(express_sync_id)
        for share in self.service.account.shares.values():
            if share["ExpressSyncId"] == express_sync_id:
                self.service.leave_group(share)

    def actions(self):
        return [action for action, dummy, dummy in self.calls]

    def count(self, action):
        """How many calls of ``action`` were made."""
        return self.actions().count(action)

    def request_id(self, call):
        """The RequestId that the call ``(action, region, parameters as given)`` was answered with."""
        return "REQ-%d" % (self.calls.index(call) + 1)

    def wait_for(self, condition, timeout=10.0):
        """Wait until ``condition(self)`` holds, checked at each answer; whether it did within ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: condition(self), timeout)

    def document(self):
        """The account as it is now (the simulator's account format)."""
        return self.service.document()
