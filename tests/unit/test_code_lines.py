"""No Python file under plugins/ has more than MAX_CODE_LINES lines of code (documentation strings,
docstrings, comments and blank lines aside): tests/utils/code_lines.py counts them."""

from __future__ import annotations

import pathlib
import textwrap

import pytest

from tests.utils.code_lines import MAX_CODE_LINES, code_lines, table

PLUGINS = pathlib.Path(__file__).resolve().parents[2] / "plugins"


def test_no_file_under_plugins_is_over_the_limit():
    over = ["%s: %d" % (path, count) for count, path in table(PLUGINS) if count > MAX_CODE_LINES]
    assert not over, "over %d lines of code (move a concern into its own file): %s" % (MAX_CODE_LINES, over)


@pytest.mark.parametrize("source, expected", [
    ("x = 1\n", 1),
    ("# a comment\n\nx = 1  # and another\n", 1),
    ('"""A docstring\nof two lines."""\nx = 1\n', 1),
    ('def f():\n    """Its docstring."""\n    return (1,\n            2)\n', 3),
    ('DOCUMENTATION = r"""\nmodule: x\n"""\nEXAMPLES = """\n- x:\n"""\nRETURN = "{}"\n', 0),
    ('NAME = """a string\nthat is code"""\n', 2),
    ('class ModuleDocFragment:\n    DOCUMENTATION = r"""\noptions: {}\n"""\n    ACCOUNTS = r"""\noptions: {}\n"""\n', 1),
])
def test_what_counts_as_code(source, expected):
    assert code_lines(textwrap.dedent(source)) == expected
