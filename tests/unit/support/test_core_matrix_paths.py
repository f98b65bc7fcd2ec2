"""The matrix sessions of noxfile.py collect only CORE_MATRIX_PATHS: every test marked core_matrix is there."""

from __future__ import annotations

import ast
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[3]
MARK = re.compile(r"\bpytest\.mark\.core_matrix\b")


def core_matrix_paths() -> tuple:
    tree = ast.parse((REPO / "noxfile.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "CORE_MATRIX_PATHS":
            return ast.literal_eval(node.value)
    raise AssertionError("noxfile.py has no CORE_MATRIX_PATHS")


def marked_files() -> set:
    return {str(path.relative_to(REPO)) for path in (REPO / "tests").rglob("*.py")
            if path.name.startswith("test_") and MARK.search(path.read_text(encoding="utf-8"))}


def test_every_core_matrix_test_is_where_the_matrix_sessions_look():
    paths = core_matrix_paths()
    marked = marked_files()
    assert marked, "no test is marked core_matrix: the matrix sessions would run nothing"
    outside = sorted(f for f in marked if not any(f == p or f.startswith(p.rstrip("/") + "/") for p in paths))
    assert not outside, "marked core_matrix but not under noxfile.py's CORE_MATRIX_PATHS: %s" % outside


def test_every_core_matrix_path_exists():
    missing = [p for p in core_matrix_paths() if not (REPO / p).exists()]
    assert not missing, missing
