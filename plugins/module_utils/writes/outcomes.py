# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What became of a write: the one model of outcomes that every module that changes a group uses.

A write (``AddSharesToExpressSync``, ``RemoveSharesFromExpressSync``...) ends in one of three ways:

``done``
    The service answered with success (and a task id where the action starts a task).
``refused``
    An answer proves that nothing was applied: a readable 4xx refusal (denied, invalid, busy,
    a share or group that does not exist), a configuration error or a connection never made.
``unknown``
    Nothing proves either way: no answer, a connection lost or a timeout once the request may have
    left, a 5xx, a body that cannot be read, a success without the task id it must carry.

The transport never sends a write again once it may have reached the service (``resend=False``),
so a refusal is always the answer to the only attempt that may have arrived. An ``unknown``
outcome is never guessed: the caller settles it by reading (the group's tasks and members), after
the write can no longer land (:func:`lands_by`).
"""

from __future__ import annotations

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import (
    SgwApiError,
    SgwError,
    proves_not_applied,
)

DONE = "done"
REFUSED = "refused"
UNKNOWN = "unknown"
# The error code of a write whose outcome is still unknown when the run ends.
UNKNOWN_CODE = "WriteOutcomeUnknown"

# Codes of refusals that say the group, a gateway or a share no longer exists.
GROUP_GONE = "ExpressSyncNotExist"
MEMBER_GONE = ("ShareNotExist", "GatewayNotExist")
# How many transport timeouts a request sent may take to land: one to connect, one for the answer's
# first byte, one for the body. Past that, a write whose answer never came is taken not to land
# any more (a proxy that holds a request longer still is not covered).
LANDING_TIMEOUTS = 3
DEFAULT_TIMEOUT = 30.0


class Outcome:
    """The outcome of one write: ``state`` (DONE, REFUSED, UNKNOWN), the ``task_id`` it started, the ``error``."""

    __slots__ = ("state", "task_id", "error")

    def __init__(self, state, task_id=None, error=None):
        self.state = state
        self.task_id = task_id
        self.error = error

    @property
    def code(self):
        return getattr(self.error, "code", None)

    def __repr__(self):
        return "Outcome(%s, %s, %s)" % (self.state, self.task_id, self.code)


def outcome_of(error) -> str:
    """REFUSED when ``error`` proves that the write changed nothing, else UNKNOWN."""
    return REFUSED if proves_not_applied(error) else UNKNOWN


def write(call, action=None, region=None, needs_task=True) -> Outcome:
    """Run ``call()`` (a write that returns its task id) and say what became of it."""
    try:
        task_id = call()
    except SgwError as error:
        return Outcome(outcome_of(error), error=error)
    if needs_task and not task_id:
        return Outcome(UNKNOWN, error=SgwApiError(
            "InvalidResponse", "the answer carries no TaskId, so nothing tells whether the change was made",
            action=action, region=region))
    return Outcome(DONE, task_id=task_id)


def landing_window(client) -> float:
    """Seconds after a write was sent until it can no longer land, from the client's timeout."""
    return LANDING_TIMEOUTS * float(getattr(client, "timeout", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)


def lands_by(client, now) -> float:
    """The time (epoch seconds) after which a write sent at ``now`` can no longer land."""
    return round(now + landing_window(client), 3)


def lands_by_ahead(client, now) -> float:
    """What a journal records before writes are sent: :func:`lands_by` of a write sent up to one
    timeout from ``now`` (a write that waits longer for its turn has its entries written anew)."""
    return lands_by(client, now + float(getattr(client, "timeout", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT))
