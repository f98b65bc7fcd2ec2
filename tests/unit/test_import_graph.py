"""Imports in plugins/ flow one way: plugins -> plugin_utils/options/module -> estate/writes/credentials -> wire.

The rule is checked on the collection as it is, and on small trees made here that break it (so
the check itself is shown to fail where it must); CONTRIBUTING.md shows the graph as it is.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.utils import import_graph

PREFIX = "ansible_collections.alibabacloud.sgw.plugins"


def test_every_import_of_the_collection_goes_down_the_layers():
    edges = import_graph.graph()
    assert "plugins.module_utils.wire.transport" in edges and "plugins.inventory.sgw" in edges
    assert import_graph.upward_imports(edges) == []
    assert import_graph.cycles(edges) == []


def test_contributing_shows_the_import_graph_as_it_is():
    document = import_graph.CONTRIBUTING.read_text(encoding="utf-8")
    expected = import_graph.with_table(document, import_graph.markdown(import_graph.graph()))
    assert document == expected, "CONTRIBUTING.md: regenerate the import graph with python tests/utils/import_graph.py --write"


def tree(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / "plugins" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return import_graph.graph(tmp_path)


@pytest.mark.parametrize("importer, text, upward", [
    # wire reaching up to the credentials, at module level
    ("module_utils/wire/transport.py", "from %s.module_utils.credentials.chain import Credentials\n" % PREFIX,
     "plugins.module_utils.wire.transport (layer 1) imports plugins.module_utils.credentials.chain (layer 2)"),
    # a lazy import inside a function is an edge all the same
    ("module_utils/wire/transport.py", "def f():\n    from %s.module_utils.credentials import chain\n" % PREFIX,
     "plugins.module_utils.wire.transport (layer 1) imports plugins.module_utils.credentials.chain (layer 2)"),
    # the estate reaching up to the plugins' base classes, written relative
    ("module_utils/estate/fetch.py", "from ...plugin_utils import base\n",
     "plugins.module_utils.estate.fetch (layer 2) imports plugins.plugin_utils.base (layer 3)"),
    # the plugins' base classes reaching up to a plugin
    ("plugin_utils/base.py", "import %s.inventory.sgw\n" % PREFIX,
     "plugins.plugin_utils.base (layer 3) imports plugins.inventory.sgw (layer 4)"),
])
def test_an_import_back_up_is_found(tmp_path, importer, text, upward):
    files = {"module_utils/wire/transport.py": "", "module_utils/credentials/__init__.py": "",
             "module_utils/credentials/chain.py": "", "module_utils/estate/fetch.py": "",
             "plugin_utils/base.py": "", "inventory/sgw.py": ""}
    files[importer] = text
    assert import_graph.upward_imports(tree(tmp_path, files)) == [upward]


def test_imports_down_the_layers_pass(tmp_path):
    edges = tree(tmp_path, {
        "module_utils/wire/errors.py": "",
        "module_utils/credentials/chain.py": "from %s.module_utils.wire import errors\n" % PREFIX,
        "plugin_utils/base.py": "from ..module_utils.credentials.chain import x\n",
        "inventory/sgw.py": "from %s.plugin_utils.base import y\nfrom %s.module_utils.wire.errors import z\n" % (
            PREFIX, PREFIX),
    })
    assert edges["plugins.inventory.sgw"] == {"plugins.plugin_utils.base", "plugins.module_utils.wire.errors"}
    assert import_graph.upward_imports(edges) == [] and import_graph.cycles(edges) == []


def test_a_cycle_within_a_layer_is_found(tmp_path):
    edges = tree(tmp_path, {
        "module_utils/credentials/chain.py": "from . import sts\n",
        "module_utils/credentials/sts.py": "def f():\n    from .chain import Credentials\n",
    })
    assert import_graph.cycles(edges) == [["plugins.module_utils.credentials.chain",
                                           "plugins.module_utils.credentials.sts",
                                           "plugins.module_utils.credentials.chain"]]
    assert import_graph.upward_imports(edges) == []
