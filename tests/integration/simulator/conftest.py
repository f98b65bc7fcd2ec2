# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the simulator tests: simulators started as real subprocesses, always stopped."""

from __future__ import annotations

import pytest
from tests.support.simlib import SimulatorProcess

# A plain key, an STS key with its token, and a second plain key (for per-key faults).
ACCESS_KEYS = ("--access-key", "testid:testsecret", "--access-key", "STS.testid:stssecret:ststoken",
               "--access-key", "opsid:opssecret")


@pytest.fixture(scope="session")
def start_simulator():
    """``start_simulator(*args)`` starts a simulator that accepts :data:`ACCESS_KEYS`; all stop at the end."""
    started = []

    def start(*args: str) -> SimulatorProcess:
        process = SimulatorProcess(*ACCESS_KEYS, *args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
