"""The simulator in-process, behind the real client: no process, no socket.

:class:`InProcessSimulator` is the simulator's request handler (``tests.simulator.server.Simulator``:
signature check, faults, statistics, the service) without its HTTP server.
:func:`route_sessions` makes every ``requests.Session`` created meanwhile send the requests
for its ``url`` to it through a transport adapter, so the collection's real client (signing,
reading and decoding answers, retries) and the plugins above it run as they do against the
simulator process. It has the interface of :class:`tests.support.sim_process.Simulator`
(``url``, ``stats``, ``reset``, ``faults``, ``control``, a context manager); once stopped, its
URL refuses connections. :meth:`InProcessSimulator.mount` routes one session (a client's) alone.

On a ``clock`` (a :class:`tests.support.fake_api.FakeClock`) the service's time is the clock's, and
a call of ``hold_actions`` is held on it: held past the client's read timeout, the clock moves on
by the timeout, the client gets its timeout, and the call lands (is applied, its answer to no
one) when the clock reaches the end of the hold. :meth:`InProcessSimulator.script` gives the next
calls of actions fault settings of their own, one a call (the settings are the simulator's:
``lose_replies``, ``hold_actions``, ``deny``...); :attr:`InProcessSimulator.requests` lists every
API request received, ``(action, parameters)``. Scripted calls and a clock are for calls made
one at a time (a fake clock is not thread-safe).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from urllib.parse import parse_qsl, urlsplit

import requests
import requests.adapters
import urllib3

from tests.simulator.account import Account
from tests.simulator.errors import ApiError
from tests.simulator.faults import Faults
from tests.simulator.server import CONTROL_PREFIX, DROP, FORM_TYPE, HANG, Simulator
from tests.simulator.service import Service
from tests.simulator.signature import AccessKey, SignedRequest, Verifier
from tests.support.http_replies import http_response
from tests.support.sim_process import (
    KEY_ID,
    KEY_SECRET,
    SAMPLE_ACCOUNT,
    STS_KEY_ID,
    STS_SECRET,
    STS_TOKEN,
    SimulatorControls,
)

_NUMBERS = itertools.count(1)


class InProcessSimulator(SimulatorControls):
    """A simulator answering at ``url`` in this process; see the module documentation."""

    def __init__(self, data=SAMPLE_ACCOUNT, task_seconds=1.0, full_sync_seconds=3.0, members=(), faults=None,
                 sts_duration=None, clock=None, strict_membership=False):
        keys = [AccessKey.parse("%s:%s" % (KEY_ID, KEY_SECRET)),
                AccessKey.parse("%s:%s:%s" % (STS_KEY_ID, STS_SECRET, STS_TOKEN))]
        self.clock = clock
        times = dict(task_seconds=task_seconds, full_sync_seconds=full_sync_seconds, seed=1,
                     clock=clock or time.time, strict_membership=strict_membership)
        self.service = Service(Account.load(data), **times)
        members = [Service(Account.load(path), **times) for path in members]
        self.simulator = Simulator(self.service, Verifier(keys), Faults.from_json(faults or {}), seed=1,
                                   members=members, sts_duration=sts_duration, hold=self._hold if clock else None)
        self.url = "http://sgw-simulator-%d.in-process" % next(_NUMBERS)
        self.running = True
        self.requests = []  # (action, parameters) of every API request
        self._scripted = {}  # action -> the fault settings of its next calls (None: those in force)
        self._call = threading.local()  # the read timeout of the call being answered

    def script(self, scripted):
        """From now on, the next calls of each action of ``scripted`` (``{action: [settings, ...]}``)
        under their own fault settings, one a call: a JSON object of the simulator's settings, or
        None for the settings in force. It replaces what was scripted before."""
        self._scripted = {action: [None if each is None else Faults.from_json(each) for each in settings]
                          for action, settings in scripted.items()}

    def mount(self, session):
        """From now on, ``session`` sends its requests for :attr:`url` to this simulator."""
        session.mount(self.url + "/", _Adapter(self))

    def _hold(self, seconds, then):
        """A held call on the clock (see the module documentation)."""
        timeout = getattr(self._call, "timeout", None)
        if timeout is None or seconds < timeout:
            self.clock.sleep(seconds)
            return then()
        self.clock.at(self.clock() + seconds, lambda: _land(then))
        self.clock.sleep(timeout)
        return HANG

    def control(self, path, method="GET", payload=None):
        body = json.dumps(payload).encode() if payload is not None else b""
        response = self.simulator.control(method, path, body)
        return json.loads(response.body) if response.body else None

    def stop(self):
        self.running = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def answer(self, request, timeout=None) -> requests.Response:
        """The answer to a prepared request, as a streamed ``requests.Response``; ``timeout`` is the
        client's (seconds, or ``(connect, read)``)."""
        if not self.running:
            raise requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"),
                                                      request=request)
        url = urlsplit(request.url)
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        if url.path.startswith(CONTROL_PREFIX):
            reply = self.simulator.control(request.method, url.path, body)
        else:
            headers = {}
            for name, value in request.headers.items():
                headers.setdefault(name.lower(), []).append(value)
            headers.setdefault("host", [url.netloc])
            is_form = (request.headers.get("Content-Type") or "").startswith(FORM_TYPE)
            form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True) if is_form and body else []
            query = parse_qsl(url.query, keep_blank_values=True)
            params = dict(query + form)
            action = request.headers.get("x-acs-action") or params.get("Action")
            self.requests.append((action, params))
            scripted = self._scripted.get(action)
            self._call.timeout = timeout[1] if isinstance(timeout, tuple) else timeout
            signed = SignedRequest(request.method, url.path, tuple(query), headers, body, tuple(form))
            faults = scripted.pop(0) if scripted else None
            # the settings of a scripted call only: a test may wrap ``api`` with one of its own
            reply = self.simulator.api(signed) if faults is None else self.simulator.api(signed, faults)
        if reply is DROP:
            raise requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
                "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")), request=request)
        if reply is HANG:
            raise requests.exceptions.ReadTimeout("no answer (the simulator hangs)", request=request)
        return http_response(request, reply.status, reply.body, {"Content-Type": reply.content_type, **reply.headers})


class _Adapter(requests.adapters.BaseAdapter):
    def __init__(self, simulator):
        super().__init__()
        self.simulator = simulator

    def send(self, request, timeout=None, **kwargs):  # pylint: disable=arguments-differ
        return self.simulator.answer(request, timeout)

    def close(self):
        pass


def route_sessions(monkeypatch):
    """Return ``connect(simulator)``: from then on, every new ``requests.Session`` sends the
    requests for ``simulator.url`` to ``simulator`` (an :class:`InProcessSimulator`)."""
    simulators = []
    session_class = requests.Session

    class Session(session_class):
        def __init__(self):
            super().__init__()
            for simulator in simulators:
                simulator.mount(self)

    monkeypatch.setattr(requests, "Session", Session)
    return simulators.append


def _land(then):
    """A held call landing once its client is gone: applied, or refused (its answer to no one)."""
    try:
        then()
    except ApiError:
        pass


def starter(monkeypatch):
    """``start(**kwargs)``: a new :class:`InProcessSimulator` of ``kwargs``, reached by every client
    created from then on at its ``url`` (for an ``in_process`` fixture)."""
    connect = route_sessions(monkeypatch)

    def start(**kwargs):
        simulator = InProcessSimulator(**kwargs)
        connect(simulator)
        return simulator

    return start


def record_callers(simulator):
    """From now on, ``[(action, thread that made the call)]`` of every API call of ``simulator`` (an
    :class:`InProcessSimulator` answers in the caller's thread): which threads made the calls, not only how many
    were in flight at once, so that a test of a concurrency bound does not depend on timing."""
    made = []
    answer = simulator.simulator.api

    def api(request, *rest):
        made.append((request.header("x-acs-action"), threading.current_thread()))
        return answer(request, *rest)
    simulator.simulator.api = api
    return made
