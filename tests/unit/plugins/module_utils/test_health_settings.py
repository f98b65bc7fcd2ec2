"""The health options as the inventory, the lookup and the module read them (options.health_settings)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import extra_signals, health_settings


@pytest.mark.parametrize("given, signals, problem", [
    (None, ["express_sync"], None),  # left out: the default, the express sync state
    (["express_sync"], ["express_sync"], None),
    (["gateway", "gateway", "alerts"], ["gateway", "alerts"], None),
    ([], [], "health_signals must name at least one of"),
    (["alert"], ["alert"], "'alert' is not one of"),
])
def test_health_signals(given, signals, problem):
    found, dummy, problems = health_settings({"health_signals": given})
    assert found == signals
    if problem:
        assert len(problems) == 1 and problem in problems[0]
    else:
        assert problems == []


@pytest.mark.parametrize("signals, extra", [
    (["express_sync"], []),
    (["express_sync", "file_share"], ["file_share"]),
    (["alerts"], ["alerts"]),
    (None, []),
])
def test_extra_signals_leave_out_the_default(signals, extra):
    assert extra_signals(signals) == extra


def test_a_threshold_needs_file_share_even_with_the_default():
    dummy, thresholds, problems = health_settings({"upload_lag_seconds": 60})
    assert problems == ["upload_lag_seconds is a threshold of the file_share health signal: add file_share to "
                        "health_signals"]
