# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The import graph of ``plugins/``: who imports whom, and the imports that go back up the layers.

Usage::

    python tests/utils/import_graph.py            # the graph, as the Markdown table of CONTRIBUTING.md
    python tests/utils/import_graph.py --write    # put that table into CONTRIBUTING.md
    python tests/utils/import_graph.py --check    # exit 1 on an import back up, or on a cycle

The layers, from the top (a file may import from its own layer and the ones below it)::

    4  plugins: plugins/modules, plugins/inventory, plugins/lookup (and any other plugin type), and
       the event sources of extensions/eda/plugins
    3  plugin_utils (the plugins' base classes), module_utils/options.py, module_utils/module.py,
       module_utils/accounts.py
    2  module_utils/estate, module_utils/writes, module_utils/credentials
    1  module_utils/wire
    0  doc_fragments (imported by no Python code)

Every import of the collection's own code counts, at module level or inside a function (a lazy
import is still an edge), written absolute (``ansible_collections.<ns>.<name>.plugins...``) or
relative.  Within a layer any import is allowed, but no cycle between files.
tests/unit/test_import_graph.py runs the check, and checks that CONTRIBUTING.md shows this graph.
"""

from __future__ import annotations

import ast
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
PREFIX = "ansible_collections.alibabacloud.sgw."
LAYERS = {
    "module_utils/wire": 1,
    "module_utils/credentials": 2,
    "module_utils/estate": 2,
    "module_utils/writes": 2,
    "module_utils/options.py": 3,
    "module_utils/module.py": 3,
    "module_utils/accounts.py": 3,
    "plugin_utils": 3,
    "doc_fragments": 0,
}
PLUGIN_LAYER = 4
CONTRIBUTING = REPO / "CONTRIBUTING.md"
START, END = "<!-- import graph: start (python tests/utils/import_graph.py --write) -->", "<!-- import graph: end -->"
LAYER_NAMES = {4: "plugins", 3: "plugin_utils, options, module, accounts", 2: "estate, writes, credentials", 1: "wire",
               0: "doc_fragments"}


def module_name(path: pathlib.Path, root: pathlib.Path) -> str:
    """``plugins/module_utils/wire/api.py`` -> ``plugins.module_utils.wire.api`` (a package: its ``__init__``)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    """The layer of a module named ``plugins.<...>`` (``extensions.<...>``: a plugin)."""
    if not module.startswith("plugins."):
        return PLUGIN_LAYER
    rest = module.split(".", 1)[1].replace(".", "/")
    for prefix, layer in LAYERS.items():
        stem = prefix[:-3] if prefix.endswith(".py") else prefix
        if rest == stem or rest.startswith(stem + "/"):
            return layer
    if rest in ("module_utils", "") or rest.startswith("module_utils/"):
        return 1  # a module_utils file outside the known layers sits at the bottom until it is placed
    return PLUGIN_LAYER


def imports_of(path: pathlib.Path, module: str, known: set[str]) -> set[str]:
    """The collection modules ``path`` imports (each resolved to a file of ``known``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + ["%s.%s" % (target, alias.name) for alias in node.names]
        else:
            continue
        for name in candidates:
            name = name[len(PREFIX):] if name.startswith(PREFIX) else name
            if name in known:
                found.add(name)
    # "from package import module" names both the package and the module: keep the module only
    return {name for name in found if not any(other.startswith(name + ".") for other in found)} - {module}


def graph(root: pathlib.Path = REPO) -> dict[str, set[str]]:
    """Every Python file of ``plugins/`` and ``extensions/`` (the EDA event sources) -> the collection modules it imports."""
    paths = sorted((root / "plugins").rglob("*.py")) + sorted((root / "extensions").rglob("*.py"))
    files = {module_name(path, root): path for path in paths}
    return {module: imports_of(path, module, set(files)) for module, path in files.items()}


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    """The imports from a lower layer to a higher one."""
    return ["%s (layer %s) imports %s (layer %s)" % (source, layer_of(source), target, layer_of(target))
            for source, targets in sorted(edges.items()) for target in sorted(targets)
            if layer_of(target) > layer_of(source)]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles (each as the list of modules around it), found by depth-first search."""
    found, state, stack = [], {}, []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                found.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module)
    return found


def _short(module: str) -> str:
    return module[len("plugins."):] if module.startswith("plugins.") else module


def markdown(edges: dict[str, set[str]]) -> str:
    """The graph as a Markdown table, by layer from the top."""
    lines = ["| layer | module | imports |", "|---|---|---|"]
    for module in sorted(edges, key=lambda name: (-layer_of(name), name)):
        targets = ", ".join("`%s`" % _short(target) for target in sorted(edges[module])) or "-"
        lines.append("| %s | `%s` | %s |" % (LAYER_NAMES[layer_of(module)], _short(module), targets))
    return "\n".join(lines) + "\n"


def with_table(document: str, table: str) -> str:
    """``document`` (CONTRIBUTING.md) with ``table`` between its two import-graph markers."""
    head, start, rest = document.partition(START)
    _old, end, tail = rest.partition(END)
    if not (start and end):
        raise ValueError("CONTRIBUTING.md lacks the import graph markers %s and %s" % (START, END))
    return head + START + "\n" + table + END + tail


def main(argv: list[str]) -> int:
    edges = graph()
    if argv == ["--write"]:
        CONTRIBUTING.write_text(with_table(CONTRIBUTING.read_text(encoding="utf-8"), markdown(edges)), encoding="utf-8")
        return 0
    if argv == ["--check"]:
        problems = upward_imports(edges) + ["import cycle: " + " -> ".join(cycle) for cycle in cycles(edges)]
        print("\n".join(problems) or "plugins/: %d files, every import goes down the layers, no cycle" % len(edges))
        return 1 if problems else 0
    if argv:
        sys.stderr.write(__doc__)
        return 2
    sys.stdout.write(markdown(edges))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
