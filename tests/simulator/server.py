# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP side of the simulator: the API pipeline, the control endpoints, statistics and faults.

An API call (any path but ``/_sim/...``, GET or POST) goes through these steps, in order:

1. counted in ``requests`` (every API request, rejected ones too); a query string longer than
   ``max_query_bytes`` (when set) is refused with 414 and an HTML page, as a front end does;
2. region faults, before the signature is checked: ``hang_regions`` (no answer at all),
   ``html_regions`` (502 with an HTML page), ``unavailable_regions`` (503 ServiceUnavailable);
3. signature verification (V1 or V3), then the ``latency_ms`` delay;
4. version and action checks (``InvalidVersion``, ``InvalidAction.NotFound``);
5. dispatch: counted in ``total``, ``actions`` and ``regions``; then ``deny`` (403 Forbidden.RAM),
   ``hang_actions`` (never answered, and the action is not run) and ``throttle_rate``
   (Throttling.User), then ``hold_actions`` (the call waits that many seconds), then the action itself;
6. ``lose_replies``: the answer of an action that was applied is lost (a 502 page, the connection
   dropped, or half a body), for as many calls as set (counted in ``errors`` as ``LostReply``);
7. a success body of a ``malformed`` region is corrupted.

Every error answer is counted in ``errors`` by code (the HTML page as ``BadGateway``). The region
of a call is its ``RegionId`` parameter; calls without one are in no region. With a resource
directory (see directory.py), each SGW call is served by the account of its caller, and the
dispatched calls are also counted per account id in ``accounts``.
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import random
import select
import socket
import sys
import threading
import time
import traceback
import uuid
from urllib.parse import parse_qsl, urlsplit

from tests.simulator.account import Account, AccountError
from tests.simulator.actions import ACTIONS, API_VERSION
from tests.simulator.directory import RD_ACTIONS, RD_VERSION, Directory
from tests.simulator.errors import ApiError, error_body
from tests.simulator.faults import BAD_GATEWAY_PAGE, URI_TOO_LONG_PAGE, Faults, corrupt
from tests.simulator.signature import SignedRequest
from tests.simulator.sts import ANONYMOUS_ACTIONS, STS_ACTIONS, STS_VERSION, Sts

CONTROL_PREFIX = "/_sim/"
JSON_TYPE = "application/json;charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded"
HANG_POLL_SECONDS = 0.1


@dataclasses.dataclass
class Response:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict = dataclasses.field(default_factory=dict)


HANG = Response(0, b"")  # the answer that is never sent
DROP = Response(0, b"")  # the connection closed without an answer


def json_response(status: int, body, headers: dict | None = None) -> Response:
    return Response(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), JSON_TYPE, headers or {})


class Stats:
    """Call counters, safe to update from every handler thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._in_flight = 0
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests = 0
            self._total = 0
            self._actions = {}
            self._regions = {}
            self._errors = {}
            self._accounts = {}
            self._account_actions = {}
            self._peak = self._in_flight

    def started(self) -> None:
        with self._lock:
            self._requests += 1
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)

    def finished(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def dispatched(self, action: str, region: str, account: str | None = None) -> None:
        with self._lock:
            if account:
                self._accounts[account] = self._accounts.get(account, 0) + 1
                actions = self._account_actions.setdefault(account, {})
                actions[action] = actions.get(action, 0) + 1
            self._total += 1
            self._actions[action] = self._actions.get(action, 0) + 1
            if region:
                self._regions[region] = self._regions.get(region, 0) + 1

    def failed(self, code: str) -> None:
        with self._lock:
            self._errors[code] = self._errors.get(code, 0) + 1

    def snapshot(self) -> dict:
        with self._lock:
            return {"total": self._total, "actions": dict(self._actions), "regions": dict(self._regions),
                    "errors": dict(self._errors), "peak_concurrency": self._peak, "requests": self._requests,
                    "accounts": dict(self._accounts),
                    "account_actions": {k: dict(v) for k, v in self._account_actions.items()}}


class Simulator:
    """Answers API calls and control requests; knows nothing of sockets."""

    def __init__(self, service, verifier, faults: Faults = Faults(), seed: int | None = None, sts_duration=None,
                 members=(), hold=None):
        self.service = service
        # hold(seconds, then) -> the answer: how a call of ``hold_actions`` is held before ``then()``
        # runs it; by default the handler sleeps (an in-process simulator on a fake clock plays it so).
        self.hold = hold or _sleep_then
        self.verifier = verifier
        self.directory = Directory(service, members)
        self.sts = Sts(verifier, self.directory.roles, sts_duration,
                       account_of=self.directory.account_of)
        self.stats = Stats()
        self._seed = seed
        self._throttle_lock = threading.Lock()
        self.set_faults(faults)

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault settings; the throttling sequence starts again from the seed, and the
        counts of ``lose_replies`` from their settings."""
        with self._throttle_lock:
            self._rng = random.Random(self._seed)
            self.faults = faults
            self._lost_left = {action: dict(setting) for action, setting in faults.lose_replies.items()}

    def _lost_reply(self, action: str, faults: Faults):
        """The kind of loss of this call's answer, or None (counting down ``lose_replies``; settings
        given for this call alone lose its answer when their count is above 0)."""
        if faults is not self.faults:
            setting = faults.lose_replies.get(action)
            return setting["kind"] if setting and setting["count"] > 0 else None
        with self._throttle_lock:
            setting = self._lost_left.get(action)
            if not setting or setting["count"] <= 0:
                return None
            setting["count"] -= 1
            return setting["kind"]

    def _throttled(self, rate: float) -> bool:
        with self._throttle_lock:
            return self._rng.random() < rate

    # ------------------------------------------------------------------------------- API

    def api(self, request: SignedRequest, faults: Faults | None = None) -> Response:
        """The answer to an API request, under the fault settings in force or ``faults``, this call's own."""
        self.stats.started()
        try:
            return self._api(request, self.faults if faults is None else faults)
        finally:
            self.stats.finished()

    def _api(self, request: SignedRequest, faults: Faults) -> Response:
        request_id = str(uuid.uuid4()).upper()
        if faults.max_query_bytes and request.query_bytes > faults.max_query_bytes:
            self.stats.failed("RequestURITooLarge")
            return Response(414, URI_TOO_LONG_PAGE, "text/html")
        params = dict(request.query + request.form)
        region = params.get("RegionId", "")
        try:
            if region in faults.hang_regions:
                return HANG
            if region in faults.html_regions:
                self.stats.failed("BadGateway")
                return Response(502, BAD_GATEWAY_PAGE, "text/html", {"x-acs-request-id": request_id})
            if region in faults.unavailable_regions:
                raise ApiError("ServiceUnavailable")
            if params.get("Action") in ANONYMOUS_ACTIONS and "Signature" not in params \
                    and not request.header("authorization"):
                return self._sts(params.get("Action"), params, None, params.get("Version"), region, request_id)
            return self._dispatch(request, params, region, faults, request_id)
        except ApiError as error:
            self.stats.failed(error.code)
            host = request.header("host") or ""
            return json_response(error.status, error_body(error, request_id, host),
                                 {"x-acs-request-id": request_id, **error.headers})

    def _dispatch(self, request: SignedRequest, params: dict, region: str, faults: Faults,
                  request_id: str) -> Response:
        identity = self.verifier.verify(request)
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000.0)
        if identity.version == STS_VERSION and request.path == "/":
            return self._sts(identity.action, params, identity.key_id, identity.version, region, request_id)
        principal = self.verifier.principal_of(identity.key_id)
        if identity.version == RD_VERSION and request.path == "/":
            return self._resource_manager(identity, params, principal, region, faults, request_id)
        if request.method not in ("GET", "POST") or request.path != "/" or identity.action not in ACTIONS:
            raise ApiError("InvalidAction.NotFound")
        if identity.version != API_VERSION:
            raise ApiError("InvalidVersion")
        service = self.directory.service_of(principal)
        self.stats.dispatched(identity.action, region, service.account.account_id if self.directory.members else None)
        if faults.denies(identity.action, identity.key_id):
            raise ApiError("Forbidden.RAM")
        if identity.action in faults.hang_actions:
            return HANG
        if self._throttled(faults.throttle_rate):
            retry_after = {} if faults.retry_after_ms is None else {"x-acs-retry-after": str(faults.retry_after_ms)}
            raise ApiError("Throttling.User", headers=retry_after)
        if identity.action in faults.hold_actions:  # a proxy holds the call, then lets it through
            return self.hold(faults.hold_actions[identity.action],
                             lambda: self._applied(service, identity.action, params, region, faults, request_id))
        return self._applied(service, identity.action, params, region, faults, request_id)

    def _applied(self, service, action: str, params: dict, region: str, faults: Faults, request_id: str) -> Response:
        """Run the action; its answer, unless ``lose_replies`` or ``malformed`` has it lost or corrupted."""
        fields = self._run(service, action, params, faults)
        body = {"RequestId": request_id, **fields, "Code": "200", "Message": "successful", "Success": True}
        headers = {"x-acs-request-id": request_id}
        lost = self._lost_reply(action, faults)
        if lost:  # applied, and its answer lost on the way back
            self.stats.failed("LostReply")
            if lost == "drop":
                return DROP
            if lost == "502":
                return Response(502, BAD_GATEWAY_PAGE, "text/html", headers)
            return Response(200, corrupt(body, "truncated"), JSON_TYPE, headers)
        kind = faults.malformed.get(region)
        if kind:
            return Response(200, corrupt(body, kind), JSON_TYPE, headers)
        return json_response(200, body, headers)

    def _sts(self, action, params: dict, caller, version, region: str, request_id: str) -> Response:
        """An STS call: no SGW faults but the region ones, counted like any other action."""
        if version != STS_VERSION:
            raise ApiError("InvalidVersion")
        if action not in STS_ACTIONS:
            raise ApiError("InvalidAction.NotFound")
        self.stats.dispatched(action, region)
        body = {"RequestId": request_id, **self.sts.call(action, params, caller)}
        return json_response(200, body, {"x-acs-request-id": request_id})

    def _resource_manager(self, identity, params: dict, principal, region: str, faults: Faults,
                          request_id: str) -> Response:
        """A Resource Manager call (ListAccounts); ``deny`` and throttling apply to it as to SGW calls."""
        action = identity.action
        if action not in RD_ACTIONS:
            raise ApiError("InvalidAction.NotFound")
        self.stats.dispatched(action, region)
        if faults.denies(action, identity.key_id):
            raise ApiError("Forbidden.RAM")
        if self._throttled(faults.throttle_rate):
            raise ApiError("Throttling.User")
        fields = self.directory.list_accounts(params, principal, faults.rd_management == "listed",
                                              faults.total_count == "present")
        return json_response(200, {"RequestId": request_id, **fields}, {"x-acs-request-id": request_id})

    def _run(self, service, action: str, params: dict, faults: Faults) -> dict:
        """The action's response fields; a simulator bug is answered as the API would, with InternalError."""
        try:
            return service.call(action, params, faults)
        except ApiError:
            raise
        except Exception:  # pylint: disable=broad-exception-caught
            traceback.print_exc(file=sys.stderr)
            raise ApiError("InternalError") from None

    # ------------------------------------------------------------------------------- control

    def control(self, method: str, path: str, body: bytes) -> Response:
        """The ``/_sim/...`` endpoints; they need no signature."""
        routes = {
            ("GET", "stats"): self.stats.snapshot,
            ("POST", "reset"): self._reset,
            ("GET", "faults"): self.faults.to_json,
            ("PUT", "faults"): lambda: self._put_faults(body),
            ("GET", "account"): self.service.document,
            ("GET", "accounts"): lambda: {i: s.document() for i, s in self.directory.services().items()},
            ("PUT", "account"): lambda: self._put_account(body),
        }
        name = path[len(CONTROL_PREFIX):]
        if (method, name) not in routes:
            allowed = [verb for verb, endpoint in routes if endpoint == name]
            status = 405 if allowed else 404
            return json_response(status, {"error": f"{method} {path} is not a control endpoint"},
                                 {"Allow": ", ".join(allowed)} if allowed else None)
        try:
            return json_response(200, routes[(method, name)]())
        except ValueError as exc:
            return json_response(400, {"error": str(exc)})

    def _reset(self) -> dict:
        self.stats.reset()
        return self.stats.snapshot()

    def _put_faults(self, body: bytes) -> dict:
        self.set_faults(Faults.from_json(_json(body)))
        return self.faults.to_json()

    def _put_account(self, body: bytes) -> dict:
        try:
            account = Account.from_document(_json(body))
        except AccountError as exc:
            raise ValueError(f"invalid account: {exc}") from None
        self.service.replace_account(account)
        return {section: len(value) for section, value in account.to_document().items() if isinstance(value, list)}


def _sleep_then(seconds: float, then):
    time.sleep(seconds)
    return then()


def _json(body: bytes):
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError as exc:
        raise ValueError(f"the body is not JSON: {exc}") from None


class Handler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; every answer has a Content-Length."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes; do not wait for delayed ACKs
    server_version = "SGW-Simulator"
    sys_version = ""

    def do_GET(self):  # pylint: disable=invalid-name
        self._route()

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            super().log_message(format, *args)

    def _route(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = urlsplit(self.path)
        path, query = target.path, target.query
        simulator = self.server.simulator
        if path.startswith(CONTROL_PREFIX):
            response = simulator.control(self.command, path, body)
        else:
            response = simulator.api(self._signed_request(path, query, body))
        if response is DROP:
            self.close_connection = True
        elif response is HANG:
            self._hang()
        else:
            self._send(response)

    def _signed_request(self, path: str, query: str, body: bytes) -> SignedRequest:
        headers = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        is_form = (self.headers.get("Content-Type") or "").startswith(FORM_TYPE)
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True) if is_form and body else []
        return SignedRequest(self.command, path, tuple(parse_qsl(query, keep_blank_values=True)), headers, body,
                             tuple(form), len(query.encode("utf-8", "replace")))

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def _hang(self) -> None:
        """Answer nothing until the client gives up or the server stops, then drop the connection."""
        self.close_connection = True
        while not self.server.stopping.wait(HANG_POLL_SECONDS):
            if _peer_closed(self.connection):
                return


def _peer_closed(connection: socket.socket) -> bool:
    """Whether the client has closed the connection (anything it still sends is discarded)."""
    if not select.select([connection], [], [], 0)[0]:
        return False
    try:
        return not connection.recv(4096)
    except OSError:
        return True


class SimulatorServer(http.server.ThreadingHTTPServer):
    """A threading HTTP(S) server on one address; TLS handshakes happen in the handler threads."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], simulator: Simulator, ssl_context=None, verbose: bool = False):
        self.simulator = simulator
        self.ssl_context = ssl_context
        self.verbose = verbose
        self.stopping = threading.Event()
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"{'https' if self.ssl_context else 'http'}://{host}:{port}"

    def get_request(self):
        connection, address = super().get_request()
        if self.ssl_context:
            connection = self.ssl_context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, address

    def handle_error(self, request, client_address):
        """Clients that drop connections or reject the certificate are normal here; report them only when verbose."""
        if self.verbose:
            super().handle_error(request, client_address)

    def stop(self) -> None:
        """Stop serving; hanging calls are released and their connections dropped."""
        self.stopping.set()
        self.shutdown()
        self.server_close()
