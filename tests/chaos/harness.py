"""The resync engine through the real client, against the simulator in process, on a fake clock,
with the simulator's own faults on the wire.

:func:`world` makes the simulator (:class:`~tests.support.in_process.InProcessSimulator` on a
:class:`~tests.support.fake_api.FakeClock`) and :func:`client` the collection's ``SgwClient``
reaching it: signing, decoding, retries and the resend rule of writes are the product's. A schedule
of faults, per action and call (:func:`script`), is played with the simulator's fault settings:
``lose`` (applied, its answer a proxy's 502 page), ``drop`` (applied, the connection lost before
the answer), ``truncate`` (applied, a body cut in half), all ``lose_replies``; ``5xx`` (not
applied, the region answers 503 ServiceUnavailable: ``unavailable_regions``); ``throttle`` (not
applied, Throttling.User: ``throttle_rate``); ``deny`` (Forbidden.RAM: ``deny``); ``hold`` (the
call held ``HOLD_SECONDS``, past the client's timeout, then applied: ``hold_actions``).

With ``member``, the world has a member account too (tests/simulator/data/member_media.yml), which a
run reaches through its role, assumed with the simulator's STS (:func:`member_client`), in one
:class:`~...writes.heal.Heal` of both accounts.
"""

from __future__ import annotations

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.sts import StsCaller, StsClient
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwCredentialError, SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import RetryPolicy, SgwClient
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.heal import Heal
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.resync import Resync
from tests.support.heal_accounts import DATA, MEDIA, MEDIA_ROLE
from tests.support.in_process import InProcessSimulator
from tests.support.in_thread import InThread
from tests.support.sim_process import KEY_ID, KEY_SECRET

ACCOUNT = {"key_id": KEY_ID, "identity": "b" * 24}
PARAMS = {"wait_timeout": 60, "max_concurrency": 4, "wait_healthy": True, "healthy_timeout": 60}
HOLD_SECONDS = 8.0
TIMEOUT = 5.0  # the client's: a write sent without an answer can land for 15 s
WRITES = ("AddSharesToExpressSync", "RemoveSharesFromExpressSync")


def world(clock, strict=False, member=False):
    """The simulator, its service's time the clock's (tasks take 2 s, full syncs 3 s); with ``member``, a member
    account in its resource directory."""
    return InProcessSimulator(task_seconds=2, full_sync_seconds=3, clock=clock, strict_membership=strict,
                              members=[DATA / "member_media.yml"] if member else ())


def client(sim, clock, credentials=None, client_class=SgwClient, endpoint=None):
    """The collection's client of ``sim``, its waits on the clock (every retry at its longest wait)."""
    sgw = client_class(credentials or Credentials(KEY_ID, KEY_SECRET), endpoint=endpoint or sim.url, timeout=TIMEOUT,
                       sleep=clock.sleep, retry=RetryPolicy(rand=lambda: 1.0))
    sgw.session.trust_env = False  # no proxy settings to look up for each request: the simulator is in process
    sim.mount(sgw.session)
    return sgw


def member_client(sim, clock):
    """The client of the member account: its role assumed from the caller's credentials."""
    sts = StsCaller(lambda credentials, endpoint: client(sim, clock, credentials, StsClient, endpoint), sim.url)
    found, dummy = sts.assume_role(Credentials(KEY_ID, KEY_SECRET), MEDIA_ROLE, "chaos-heal", 3600)
    return client(sim, clock, found)


def settings(fault, action, regions):
    """The simulator's fault settings that play ``fault`` on one call of ``action`` (None: no fault)."""
    lost = {"lose": "502", "drop": "drop", "truncate": "truncated"}
    if fault in lost:
        return {"lose_replies": {action: {"kind": lost[fault], "count": 1}}}
    return {None: None, "5xx": {"unavailable_regions": list(regions)}, "throttle": {"throttle_rate": 1.0},
            "deny": {"deny": [action]}, "hold": {"hold_actions": {action: HOLD_SECONDS}}}[fault]


def script(sim, faults):
    """Play ``faults`` (``{action: [fault or None, ...]}``, one a call) on the next calls of each action,
    in place of what was played before."""
    regions = sorted({group["BucketRegion"] for group in sim.service.account.express_syncs.values()})
    sim.script({action: [settings(kind, action, regions) for kind in kinds] for action, kinds in (faults or {}).items()})


def calls(sim, since=0):
    """The actions of the API requests the simulator received (from the ``since``-th)."""
    return [action for action, dummy in sim.requests[since:]]


def writes(sim, since=0):
    """``(action, express sync id)`` of the write requests the simulator received (from the ``since``-th)."""
    return [(action, params.get("ExpressSyncId")) for action, params in sim.requests[since:] if action in WRITES]


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


def engine(sgw, journal, clock, check_mode=False, account=None, **params):
    account = ACCOUNT if account is None else account
    waits = tasks.Waits(sleep=clock.sleep, clock=clock.time, rand=lambda: 1.0, wall=clock.time)
    return Resync(sgw, journal, account, sgw.base_url, dict(PARAMS, **params), check_mode=check_mode, waits=waits)


def run(sgw, journal, clock, requested=None, resume_only=False, entries=(), member=None, **params):
    """One run of the engine; ``(engine, result or None, what it raised or None)``. With ``member``,
    ``(sim, the member's requested shares, whether its role is refused)``, the run covers the member
    account too (a :class:`Heal` of both, whose ``errors`` and ``warnings`` are both accounts')."""
    resync = engine(sgw, journal, clock, **params)
    runner, requested = resync, requested or {}
    if member is not None:
        sim, member_requested, refused = member

        def of_role(role):
            if refused:
                raise SgwCredentialError("AssumeRole of role %s failed: NoPermission." % role, code="NoPermission")
            return engine(member_client(sim, clock), journal, clock,
                          account=dict(ACCOUNT, account_id=MEDIA, role_arn=role), **params)
        runner, requested = Heal(journal, resync, of_role), {None: requested, MEDIA_ROLE: member_requested}
    try:
        return runner, runner.run(requested, entries, resume_only=resume_only, pool_factory=InThread), None
    except (OSError, Crash, SgwError) as error:  # the module fails so on SgwError, with what the run did
        return runner, None, error


def service_of(sim, member=False):
    """The service of the caller's account, or of the member account."""
    return sim.simulator.directory.members[MEDIA] if member else sim.service


def failed_shares(sim, member=False):
    """The requested shares of a heal: every member in a failed state, ``{(region, group): [keys]}``."""
    requested = {}
    account = service_of(sim, member).account
    for key, share in sorted(account.shares.items()):
        if share.get("ExpressSyncState") in ("QueueFailure", "TopicFailure", "TopicAndQueueFailure"):
            group = account.express_syncs[share["ExpressSyncId"]]
            requested.setdefault((group["BucketRegion"], share["ExpressSyncId"]), []).append(key)
    return requested


def memberships(sim, member=False):
    """Every membership of the account (and of the member account, with ``member``):
    ``{(gateway_id, share_name): express_sync_id}``."""
    found = {}
    for service in [sim.service] + ([service_of(sim, True)] if member else []):
        found.update((key, share["ExpressSyncId"]) for key, share in service.account.shares.items()
                     if share["ExpressSyncId"])
    return found
