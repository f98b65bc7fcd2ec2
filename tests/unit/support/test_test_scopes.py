"""SGW_TEST_SCOPES: which scopes the scope-parametrized integration tests run under."""

from __future__ import annotations

import pytest

from tests.support.sim_process import SCOPES, scopes_from


@pytest.mark.parametrize("value, expected", [
    (None, SCOPES),
    ("", SCOPES),
    ("region", ("region",)),
    ("account", ("account",)),
    (" account , region ", ("account", "region")),
    ("region,region", ("region",)),
])
def test_scopes_from_the_environment(value, expected):
    assert scopes_from(value) == expected


@pytest.mark.parametrize("value", ["regional", "region,acount", ",", " "])
def test_unknown_scopes_are_refused(value):
    with pytest.raises(ValueError, match="SGW_TEST_SCOPES must name some of region, account"):
        scopes_from(value)


class _Definition:
    """What scopes_of reads of a test's definition: its name and its every_scope marker."""

    def __init__(self, name, every_scope=False):
        self.name = name
        self.every_scope = every_scope

    def get_closest_marker(self, name):
        return object() if name == "every_scope" and self.every_scope else None


def test_a_module_test_marked_every_scope_runs_under_each():
    from tests.integration.modules.conftest import TEST_SCOPES, scopes_of

    assert scopes_of(_Definition("test_x", every_scope=True)) == TEST_SCOPES


def test_the_other_module_tests_run_under_one_scope_each_and_both_serve():
    from tests.integration.modules.conftest import TEST_SCOPES, scopes_of

    chosen = [scopes_of(_Definition("test_%d" % n)) for n in range(20)]
    assert all(len(scopes) == 1 for scopes in chosen)
    assert {scopes[0] for scopes in chosen} == set(TEST_SCOPES)
    assert chosen == [scopes_of(_Definition("test_%d" % n)) for n in range(20)]  # the same on every run
