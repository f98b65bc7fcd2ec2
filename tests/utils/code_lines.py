# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lines of code of the collection's Python files: what is neither blank, a comment, a docstring nor a
documentation string (DOCUMENTATION, EXAMPLES, RETURN and the doc fragments' strings).

    python tests/utils/code_lines.py [DIR]          # a table, largest first (DIR: plugins by default)

tests/unit/test_code_lines.py holds every file under plugins/ to MAX_CODE_LINES.
"""

from __future__ import annotations

import ast
import io
import pathlib
import sys
import tokenize

MAX_CODE_LINES = 300
DOC_NAMES = {"DOCUMENTATION", "EXAMPLES", "RETURN"}


def _string_lines(tree: ast.AST) -> set:
    """The lines of docstrings and of string constants assigned to documentation names or class
    attributes of doc fragments (any string statement standing alone counts as a docstring)."""
    lines = set()
    for fragment in ast.walk(tree):  # a doc fragment's class: its string attributes are documentation
        if isinstance(fragment, ast.ClassDef) and fragment.name == "ModuleDocFragment":
            for node in fragment.body:
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                    lines.update(range(node.value.lineno, node.value.end_lineno + 1))
    for node in ast.walk(tree):
        value = None
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            value = node.value
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            names = {getattr(target, "id", None) for target in node.targets}
            if names & DOC_NAMES:
                value = node.value
        if value is not None:
            lines.update(range(value.lineno, value.end_lineno + 1))
    return lines


def code_lines(source: str) -> int:
    skipped = _string_lines(ast.parse(source))
    counted = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                          tokenize.ENDMARKER):
            continue
        for line in range(token.start[0], token.end[0] + 1):
            if line not in skipped:
                counted.add(line)
    return len(counted)


def table(root: pathlib.Path) -> list:
    rows = [(code_lines(path.read_text(encoding="utf-8")), str(path)) for path in sorted(root.rglob("*.py"))]
    return sorted(rows, reverse=True)


def main(argv: list) -> int:
    root = pathlib.Path(argv[0] if argv else "plugins")
    rows = table(root)
    for count, path in rows:
        print("%5d  %s" % (count, path), flush=True)
    largest = rows[0][0] if rows else 0
    print("%5d  total in %d files (largest %d; limit %d)" % (sum(count for count, dummy in rows), len(rows), largest, MAX_CODE_LINES))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
