"""Property: the built-in group names of any share or gateway are safe Ansible group names.

The names come from API strings (group ids, states, gateway ids) that a broken or hostile
answer can fill with anything; the inventory plugin passes them through its sanitiser (the
one of Ansible's constructed features).
"""

from __future__ import annotations

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.alibabacloud.sgw.plugins.inventory.sgw import InventoryModule
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.health import HEALTH_ORDER, health_of
from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.inventory import (
    gateway_groups,
    gateway_host_vars,
    share_groups,
)

sanitise = InventoryModule._sanitize_group_name  # pylint: disable=protected-access

ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60)
ASCII_TEXT = st.text(st.sampled_from(string.printable), min_size=1, max_size=60)
ASCII_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SETTINGS = settings(max_examples=300, deadline=None)


def assert_safe(name, raw):
    assert name, raw
    # Only word characters (letters, digits, underscore; Ansible keeps non-ASCII letters) and
    # no decimal digit first: Ansible's rule for a valid group name, usable in patterns (-l),
    # in groups['...'] and as a keyed group.
    assert re.fullmatch(r"[^\W\d]\w*", name), (raw, name)
    assert sanitise(name) == name, (raw, name)  # stable: sanitising twice changes nothing
    assert len(name) == len(raw), (raw, name)   # one character for one: names do not merge by length


@SETTINGS
@given(ANY_TEXT)
def test_any_string_becomes_a_safe_name(raw):
    assert_safe(sanitise(raw), raw)


@SETTINGS
@given(ASCII_TEXT)
def test_ascii_strings_become_ascii_identifiers(raw):
    name = sanitise(raw)
    assert ASCII_SAFE.match(name), (raw, name)


def share_variables(sync_id, state, gateway_id, region, candidate, candidate_for):
    variables = {"express_sync_id": sync_id, "express_sync_state": state, "gateway_id": gateway_id,
                 "sgw_health": health_of(state), "sgw_region": region, "sgw_candidate": candidate,
                 "share_name": "s", "express_sync_name": "n", "sync_progress": 0, "mns_queue": "q"}
    if candidate:
        variables["sgw_candidate_for"] = candidate_for
    return variables


SHARE = st.builds(share_variables, sync_id=ANY_TEXT | st.just(""), state=ANY_TEXT | st.just(""),
                  gateway_id=ANY_TEXT, region=ANY_TEXT, candidate=st.booleans(),
                  candidate_for=st.lists(ANY_TEXT, max_size=3))


@SETTINGS
@given(SHARE)
def test_every_group_of_a_share_host_is_safe(variables):
    raw_names = share_groups(variables)
    assert raw_names[0] == "sgw"
    for raw in raw_names:
        assert raw.startswith("sgw")
        name = sanitise(raw)
        assert_safe(name, raw)
        assert name.startswith("sgw") and not name[0].isdigit()
    assert "sgw_health_%s" % variables["sgw_health"] in raw_names
    assert variables["sgw_health"] in HEALTH_ORDER


@SETTINGS
@given(st.lists(SHARE, min_size=1, max_size=4))
def test_every_group_of_a_gateway_host_is_safe(shares):
    gateway_id = shares[0]["gateway_id"]
    for share in shares:
        share["gateway_id"] = gateway_id
    variables = gateway_host_vars(gateway_id, shares)
    for raw in gateway_groups(variables, shares):
        assert_safe(sanitise(raw), raw)
