"""The lookups' shared helpers as tables: term parsing, query compilation and result shaping."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleLookupError

from ansible_collections.alibabacloud.sgw.plugins.plugin_utils import lookup


@pytest.mark.parametrize("terms, expected", [
    ([], []),
    (None, []),
    (["sync-a"], ["sync-a"]),
    ("sync-a", ["sync-a"]),
    (["sync-a,sync-b"], ["sync-a", "sync-b"]),
    (["sync-a, sync-b ,sync-c"], ["sync-a", "sync-b", "sync-c"]),
    (["sync-a", "sync-b"], ["sync-a", "sync-b"]),
    ([["sync-a", "sync-b"], "sync-c"], ["sync-a", "sync-b", "sync-c"]),
    ([("sync-a",), [["sync-b"]]], ["sync-a", "sync-b"]),
    (["sync-b,sync-a", "sync-b"], ["sync-b", "sync-a"]),
    ([" sync-a ", "sync-a", "sync-a,sync-a"], ["sync-a"]),
    ([",,", "", " , "], []),
    (["sync-a,,sync-b,"], ["sync-a", "sync-b"]),
])
def test_split_terms(terms, expected):
    assert lookup.split_terms(terms) == expected


@pytest.mark.parametrize("terms", [[1], ["sync-a", None], [{"id": "sync-a"}], [["sync-a", 2]], [b"sync-a"]])
def test_split_terms_rejects_non_strings(terms):
    with pytest.raises(AnsibleLookupError, match="Terms must be express sync group ids"):
        lookup.split_terms(terms)


@pytest.mark.parametrize("terms, required, expected", [
    (["sync-a,sync-b"], True, ["sync-a", "sync-b"]),
    (["sync-0002xetjdlxne2sd****"], True, ["sync-0002xetjdlxne2sd****"]),
    ([], False, []),
    ([" , "], False, []),
])
def test_express_sync_ids_from_terms(terms, required, expected):
    assert lookup.express_sync_ids_from_terms(terms, required=required) == expected


@pytest.mark.parametrize("terms, message", [
    ([], "No express sync group id given"),
    ([" ,, "], "No express sync group id given"),
    (["gw-1"], r"'gw-1' is not an express sync group id \(sync-\.\.\.\)"),
    (["sync-a,sync b"], r"'sync b' is not an express sync group id"),
    (["sync-a,SYNC-b,sync-"], r"'SYNC-b' is not .*; 'sync-' is not "),
])
def test_express_sync_ids_from_terms_errors(terms, message):
    with pytest.raises(AnsibleLookupError, match=message):
        lookup.express_sync_ids_from_terms(terms)


@pytest.mark.parametrize("expression", [None, ""])
def test_no_query(expression):
    assert lookup.compile_query(expression) is None
    assert lookup.apply_query(({"a": 1},), None) == [{"a": 1}]


@pytest.mark.parametrize("expression", ["[?", "[?a=='b'", "length(", "foo[", "`{", "a || "])
def test_bad_query_is_a_clear_error(expression):
    with pytest.raises(AnsibleLookupError, match="is not a valid JMESPath expression") as caught:
        lookup.compile_query(expression)
    assert repr(expression) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_query_must_be_a_string():
    with pytest.raises(AnsibleLookupError, match="must be a JMESPath expression"):
        lookup.compile_query(["[]"])


SHARES = [
    {"share_name": "a", "sgw_health": "failed", "sync_progress": 40},
    {"share_name": "b", "sgw_health": "healthy", "sync_progress": 100},
    {"share_name": "c", "sgw_health": "failed", "sync_progress": -1},
]


@pytest.mark.parametrize("expression, expected", [
    ("[?sgw_health=='failed'].share_name", ["a", "c"]),
    ("[?sgw_health=='syncing']", []),
    ("[].sgw_health", ["failed", "healthy", "failed"]),
    ("length([?sgw_health=='failed'])", [2]),
    ("[0]", [SHARES[0]]),
    ("[0].share_name", ["a"]),
    ("[?sgw_health=='syncing'] | [0]", [None]),
    ("max_by(@, &sync_progress).share_name", ["b"]),
    ("[].[share_name, sync_progress]", [["a", 40], ["b", 100], ["c", -1]]),
    ("{failed: length([?sgw_health=='failed'])}", [{"failed": 2}]),
    ("@", SHARES),
])
def test_apply_query_shapes(expression, expected):
    assert lookup.apply_query(SHARES, lookup.compile_query(expression)) == expected


@pytest.mark.parametrize("expression", ["abs(@)", "sort_by(@, &share_name)[0].share_name | to_number(@) | abs(@)",
                                        "sum([].share_name)"])
def test_query_failing_on_the_data(expression):
    with pytest.raises(AnsibleLookupError, match="failed on the result"):
        lookup.apply_query(SHARES, lookup.compile_query(expression))


@pytest.mark.parametrize("ids, existing, expected", [
    (["sync-a", "sync-b"], ["sync-a", "sync-b"], []),
    (["sync-a", "sync-b"], ["sync-b"], ["sync-a"]),
    (["sync-c", "sync-a", "sync-b"], [], ["sync-c", "sync-a", "sync-b"]),
    ([], ["sync-a"], []),
])
def test_missing_ids(ids, existing, expected):
    assert lookup.missing_ids(ids, existing) == expected


def test_query_needs_jmespath(monkeypatch):
    monkeypatch.setattr(lookup, "HAS_JMESPATH", False)
    assert lookup.compile_query(None) is None
    with pytest.raises(AnsibleLookupError, match="needs the Python library jmespath"):
        lookup.compile_query("[].share_name")
