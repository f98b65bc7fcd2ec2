# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sync health model: an ``ExpressSyncState`` folded into five health values."""

from __future__ import annotations

HEALTHY = "healthy"
SYNCING = "syncing"
FAILED = "failed"
DISABLED = "disabled"
UNKNOWN = "unknown"

HEALTH_BY_STATE = {
    "MNSHealthy": HEALTHY,
    "MNSFullSyncInit": SYNCING,
    "MNSFullSyncing": SYNCING,
    "TopicAndQueueFailure": FAILED,
    "TopicFailure": FAILED,
    "QueueFailure": FAILED,
    "MNSNotEnabled": DISABLED,
}

# Worst first: the health of a set of shares is the worst of theirs.
HEALTH_ORDER = (FAILED, UNKNOWN, SYNCING, DISABLED, HEALTHY)
_RANK = {health: rank for rank, health in enumerate(HEALTH_ORDER)}


def health_of(state) -> str:
    """The health of one ``ExpressSyncState``; a state this table does not know is ``unknown``."""
    return HEALTH_BY_STATE.get(state, UNKNOWN) if isinstance(state, str) else UNKNOWN


def worst_health(healths) -> str:
    """The worst of several health values (``failed`` > ``unknown`` > ``syncing`` > ``disabled`` > ``healthy``).

    No value at all gives ``unknown``.
    """
    ranked = [_RANK.get(health, _RANK[UNKNOWN]) for health in healths]
    return HEALTH_ORDER[min(ranked)] if ranked else UNKNOWN


def health_summary(healths) -> dict:
    """A count per health value, every value present (zero included)."""
    summary = dict.fromkeys(HEALTH_ORDER, 0)
    for health in healths:
        summary[health if health in summary else UNKNOWN] += 1
    return summary


# SyncProgress -2: the gateway version of the share does not support full sync.
FULL_SYNC_UNSUPPORTED_PROGRESS = -2


def full_sync_supported(progress) -> bool:
    """Whether a member share's gateway supports full sync (``SyncProgress`` is not -2)."""
    try:
        return int(progress) != FULL_SYNC_UNSUPPORTED_PROGRESS
    except (TypeError, ValueError):
        return True
