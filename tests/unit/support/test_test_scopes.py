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
