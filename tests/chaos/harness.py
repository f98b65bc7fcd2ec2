"""The resync engine against the simulated service in process, on a fake clock, with faults on the wire.

:class:`FaultyClient` has the client's interface (``call``) over the simulator's
:class:`~tests.simulator.service.Service` and plays what a real network does to a call, per action
and call: ``lose`` (applied, its answer replaced by a proxy's 502), ``drop`` (applied, the
connection lost before the answer), ``truncate`` (applied, a body cut in half), ``5xx`` (not
applied, an InternalError), ``throttle`` (not applied, Throttling.User), ``hold`` (the call times
out; the service applies it ``HOLD_SECONDS`` later). It honours ``resend`` as the real client does:
a write is re-sent only after an attempt that proves nothing was applied.
"""

from __future__ import annotations


from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import (
    SgwApiError,
    SgwCredentialError,
    SgwError,
    SgwTransportError,
    proves_not_applied,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.heal import Heal
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.resync import Resync
from tests.simulator.account import Account
from tests.simulator.errors import ApiError
from tests.simulator.service import Service
from tests.support.heal_accounts import DATA, MEDIA, MEDIA_ROLE
from tests.support.in_thread import InThread
from tests.support.sim_process import SAMPLE_ACCOUNT

ENDPOINT = "http://127.0.0.1:1"
ACCOUNT = {"key_id": "LTAI****ey01", "identity": "b" * 24}
PARAMS = {"wait_timeout": 60, "max_concurrency": 4, "wait_healthy": True, "healthy_timeout": 60}
FAULTS = ("lose", "drop", "truncate", "5xx", "throttle", "hold")
APPLIED = ("lose", "drop", "truncate", "hold")  # the faults of a call that the service applies
HOLD_SECONDS = 8.0
RETRIES = 3  # the client's retries of a call that may heal


class Clock:
    """Epoch seconds that move only when something sleeps; calls held by the network land on time."""

    def __init__(self):
        self.now = 1_700_000_000.0
        self.landing = []  # (when, function)

    def time(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.advance(self.now + seconds)

    def advance(self, until):
        while True:
            due = sorted((landing[0], i) for i, landing in enumerate(self.landing) if landing[0] <= until)
            if not due:
                break
            when, index = due[0]
            self.now = max(self.now, when)
            self.landing.pop(index)[1]()
        self.now = max(self.now, until)


class FaultyClient:
    """See the module documentation. ``faults`` maps an action to the faults of its next calls, in order."""

    timeout = 5.0  # a write sent without an answer can land for 15 s

    def __init__(self, service, clock, faults=None):
        self.service = service
        self.clock = clock
        self.faults = {action: list(kinds) for action, kinds in (faults or {}).items()}
        self.calls = []
        self.sent = []  # (action, params) of the writes that reached the service

    def call(self, action, region, params=None, resend=True):
        params = {k: ("true" if v is True else "false" if v is False else str(v))
                  for k, v in (params or {}).items() if v is not None}
        params["RegionId"] = region
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(action, region, params)
            except (SgwApiError, SgwTransportError) as error:
                retryable = isinstance(error, SgwTransportError) or error.code in (
                    "Throttling.User", "InternalError", "InvalidResponse.Server", "ServiceUnavailable")
                if attempt > RETRIES or not retryable or not (resend or proves_not_applied(error)):
                    raise
                self.clock.sleep(0.2 * attempt)

    def _attempt(self, action, region, params):
        self.calls.append(action)
        queue = self.faults.get(action)
        fault = queue.pop(0) if queue else None
        if fault == "5xx":
            raise SgwApiError("InternalError", "the request processing has failed", action=action, region=region,
                              status=500)
        if fault == "deny":
            raise SgwApiError("Forbidden.RAM", "User not authorized", action=action, region=region, status=403)
        if fault == "throttle":
            raise SgwApiError("Throttling.User", "Request was denied due to user flow control.", action=action,
                              region=region, status=400)
        if fault == "hold":
            self.clock.landing.append((self.clock.now + HOLD_SECONDS, lambda: self._land(action, region, params)))
            raise SgwTransportError("no answer within 5s, the timeout", action, region, ENDPOINT)
        body = self._apply(action, region, params)
        if fault == "lose":
            raise SgwApiError("InvalidResponse.Server", "HTTP 502 with a non-JSON body", action=action,
                              region=region, status=502)
        if fault == "drop":
            raise SgwTransportError("ConnectionError: Connection aborted", action, region, ENDPOINT)
        if fault == "truncate":
            raise SgwApiError("InvalidResponse", "HTTP 200 with a non-JSON body", action=action, region=region,
                              status=200)
        return body

    def _land(self, action, region, params):
        try:
            self._apply(action, region, params)
        except SgwApiError:  # refused when it lands (the group busy, say): it changes nothing
            pass

    def _apply(self, action, region, params):
        if action in ("AddSharesToExpressSync", "RemoveSharesFromExpressSync"):
            self.sent.append((action, params.get("ExpressSyncId")))
        try:
            return self.service.call(action, params)
        except ApiError as error:
            raise SgwApiError(error.code, error.message, action=action, region=region,
                              status=error.status) from None

    def writes(self, action=None):
        return [c for c in self.calls if c == action] if action else [
            c for c in self.calls if c in ("AddSharesToExpressSync", "RemoveSharesFromExpressSync")]


class Crash(BaseException):
    """The process dies: nothing after this point runs, not even error handling."""


class DyingJournal(journals.Journal):
    """A journal whose run dies just before its ``die_at``-th write (0: never)."""

    def __init__(self, path, clock, die_at=0, full_at=0):
        super().__init__(path, clock=clock.time, sleep=clock.sleep)
        self.die_at = die_at
        self.full_at = full_at

    def save(self):
        if self.die_at and self.writes + 1 == self.die_at:
            raise Crash()
        if self.full_at and self.writes + 1 >= self.full_at:
            self.writes += 1
            raise OSError(28, "No space left on device")
        super().save()


def service(clock, strict=False, account=SAMPLE_ACCOUNT):
    return Service(Account.load(account), task_seconds=2, full_sync_seconds=3, clock=clock.time,
                   strict_membership=strict)


# A member account, reached through its role (tests/simulator/data/member_media.yml).
MEMBER_ACCOUNT = DATA / "member_media.yml"


def engine(client, journal, clock, check_mode=False, account=ACCOUNT, **params):
    waits = tasks.Waits(sleep=clock.sleep, clock=clock.time, rand=lambda: 1.0, wall=clock.time)
    return Resync(client, journal, account, lambda region: ENDPOINT, dict(PARAMS, **params), check_mode=check_mode,
                  waits=waits)


def run(client, journal, clock, requested=None, resume_only=False, entries=(), member=None, **params):
    """One run of the engine; ``(engine, result or None, what it raised or None)``. With ``member``,
    ``(member client, its requested shares, whether its role is refused)``, the run covers the member
    account too, through its role (a :class:`Heal` of both accounts, whose ``errors`` and ``warnings``
    are every account's)."""
    resync = engine(client, journal, clock, **params)
    if member is None:
        runner, requested = resync, requested or {}
    else:
        member_client, member_requested, refused = member

        def of_role(role):
            if refused:
                raise SgwCredentialError("AssumeRole of role %s failed: NoPermission." % role, code="NoPermission")
            return engine(member_client, journal, clock, account=dict(ACCOUNT, account_id=MEDIA, role_arn=role),
                          **params)
        runner = Heal(journal, resync, of_role)
        requested = {None: requested or {}, MEDIA_ROLE: member_requested}
    try:
        return runner, runner.run(requested, entries, resume_only=resume_only, pool_factory=InThread), None
    except (OSError, Crash, SgwError) as error:  # the module fails so on SgwError, with what the run did
        return runner, None, error


def failed_shares(svc):
    """The requested shares of a heal: every member in a failed state, ``{(region, group): [keys]}``."""
    requested = {}
    for key, share in sorted(svc.account.shares.items()):
        if share.get("ExpressSyncState") in ("QueueFailure", "TopicFailure", "TopicAndQueueFailure"):
            group = svc.account.express_syncs[share["ExpressSyncId"]]
            requested.setdefault((group["BucketRegion"], share["ExpressSyncId"]), []).append(key)
    return requested


def memberships(svc):
    """Every membership of the account: ``{(gateway_id, share_name): express_sync_id}``."""
    return {key: share["ExpressSyncId"] for key, share in svc.account.shares.items() if share["ExpressSyncId"]}
