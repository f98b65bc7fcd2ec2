"""The simulator in-process, behind the real client: no process, no socket.

:class:`InProcessSimulator` is the simulator's request handler (``tests.simulator.server.Simulator``:
signature check, faults, statistics, the service) without its HTTP server.
:func:`route_sessions` makes every ``requests.Session`` created meanwhile send the requests
for its ``url`` to it through a transport adapter, so the collection's real client (signing,
reading and decoding answers, retries) and the plugins above it run as they do against the
simulator process. It has the interface of :class:`tests.support.sim_process.Simulator`
(``url``, ``stats``, ``reset``, ``faults``, ``control``, a context manager); once stopped, its
URL refuses connections.
"""

from __future__ import annotations

import io
import itertools
import json
import threading
from urllib.parse import parse_qsl, urlsplit

import requests
import requests.adapters
import urllib3

from tests.simulator.account import Account
from tests.simulator.faults import Faults
from tests.simulator.server import CONTROL_PREFIX, DROP, FORM_TYPE, HANG, Simulator
from tests.simulator.service import Service
from tests.simulator.signature import AccessKey, SignedRequest, Verifier
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
                 sts_duration=None):
        keys = [AccessKey.parse("%s:%s" % (KEY_ID, KEY_SECRET)),
                AccessKey.parse("%s:%s:%s" % (STS_KEY_ID, STS_SECRET, STS_TOKEN))]
        service = Service(Account.load(data), task_seconds, full_sync_seconds, seed=1)
        members = [Service(Account.load(path), task_seconds, full_sync_seconds, seed=1) for path in members]
        self.simulator = Simulator(service, Verifier(keys), Faults.from_json(faults or {}), seed=1, members=members,
                                   sts_duration=sts_duration)
        self.url = "http://sgw-simulator-%d.in-process" % next(_NUMBERS)
        self.running = True

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

    def answer(self, request) -> requests.Response:
        """The answer to a prepared request, as a streamed ``requests.Response``."""
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
            reply = self.simulator.api(SignedRequest(request.method, url.path, tuple(parse_qsl(
                url.query, keep_blank_values=True)), headers, body, tuple(form)))
        if reply is DROP:
            raise requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
                "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")), request=request)
        if reply is HANG:
            raise requests.exceptions.ReadTimeout("no answer (the simulator hangs)", request=request)
        response = requests.Response()
        response.status_code = reply.status
        response.headers.update({"Content-Type": reply.content_type, **reply.headers})
        response.raw = urllib3.HTTPResponse(body=io.BytesIO(reply.body), status=reply.status,
                                            headers=dict(response.headers), preload_content=False)
        response.url = request.url
        response.request = request
        return response


class _Adapter(requests.adapters.BaseAdapter):
    def __init__(self, simulator):
        super().__init__()
        self.simulator = simulator

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        return self.simulator.answer(request)

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
                self.mount(simulator.url + "/", _Adapter(simulator))

    monkeypatch.setattr(requests, "Session", Session)
    return simulators.append


def record_callers(simulator):
    """From now on, ``[(action, thread that made the call)]`` of every API call of ``simulator`` (an
    :class:`InProcessSimulator` answers in the caller's thread): which threads made the calls, not only how many
    were in flight at once, so that a test of a concurrency bound does not depend on timing."""
    made = []
    answer = simulator.simulator.api

    def api(request):
        made.append((request.header("x-acs-action"), threading.current_thread()))
        return answer(request)
    simulator.simulator.api = api
    return made
