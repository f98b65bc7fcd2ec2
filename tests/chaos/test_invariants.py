"""Generated fault schedules (lost answers of every kind on any write, 5xx and throttling storms, a kill
at any journal write, a full disk, a group or share deleted between runs, a write held by the network
that lands late, hostile share names), each played as two heals against the simulated service: the
invariants of :mod:`tests.chaos.schedules` hold for every one.

CI runs ``CHAOS_EXAMPLES`` schedules (default 30) drawn with a fixed seed, so every run is the same;
``python tests/chaos/run_many.py`` runs more, with any seed.
"""

from __future__ import annotations

import os
import tempfile

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.chaos import schedules

EXAMPLES = int(os.environ.get("CHAOS_EXAMPLES", "30"))


@st.composite
def fault_schedules(draw):
    return schedules.build(lambda options: draw(st.sampled_from(options)))


@seed(19)
@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(schedule=fault_schedules())
def test_every_schedule_keeps_the_invariants(schedule):
    with tempfile.TemporaryDirectory() as directory:
        schedules.check(schedule, directory)
