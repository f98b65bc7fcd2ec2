"""The health model as tables."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate import health


@pytest.mark.parametrize("state, expected", [
    ("MNSHealthy", "healthy"),
    ("MNSFullSyncInit", "syncing"),
    ("MNSFullSyncing", "syncing"),
    ("TopicAndQueueFailure", "failed"),
    ("TopicFailure", "failed"),
    ("QueueFailure", "failed"),
    ("MNSNotEnabled", "disabled"),
    ("", "unknown"),
    (None, "unknown"),
    ("MNSSomethingNew", "unknown"),
    ("mnshealthy", "unknown"),
    (42, "unknown"),
])
def test_health_of(state, expected):
    assert health.health_of(state) == expected


@pytest.mark.parametrize("healths, expected", [
    ([], "unknown"),
    (["healthy"], "healthy"),
    (["healthy", "disabled"], "disabled"),
    (["disabled", "syncing", "healthy"], "syncing"),
    (["syncing", "unknown"], "unknown"),
    (["unknown", "failed", "healthy"], "failed"),
    (["healthy", "whatever"], "unknown"),
])
def test_worst_health(healths, expected):
    assert health.worst_health(healths) == expected


def test_health_summary_counts_every_value():
    assert health.health_summary(["failed", "healthy", "healthy", "odd"]) == {
        "failed": 1, "unknown": 1, "syncing": 0, "disabled": 0, "healthy": 2}
