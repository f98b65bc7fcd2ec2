"""Regenerate the golden ``ansible-inventory --list`` outputs of the inventory plugin.

    .nox/pytest/bin/python -m tests.integration.inventory_plugin.regenerate_goldens [NAME ...]

Run it from the repository root (with ANSIBLE_COLLECTIONS_PATH set up by tests/conftest.py,
which this script imports), review the diff with git, and commit it with the change that
explains it.
"""

from __future__ import annotations

import importlib
import sys
import tempfile

from tests.integration.inventory_plugin.scenarios import (
    SCENARIOS,
    dump,
    golden_path,
    inventory_env,
    list_inventory,
    prepare,
)
from tests.support.sim_process import Simulator


def main(names):
    importlib.import_module("tests.conftest")  # makes the collection visible to ansible-inventory
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        sys.exit("unknown scenario(s): %s (known: %s)" % (", ".join(unknown), ", ".join(SCENARIOS)))
    with Simulator() as simulator, tempfile.TemporaryDirectory() as cache:
        for name in names or SCENARIOS:
            prepare(simulator, name)
            env = inventory_env(simulator, ANSIBLE_INVENTORY_CACHE_CONNECTION=cache)
            listing, process = list_inventory(name, env, "--flush-cache")
            if listing is None:
                sys.exit("%s failed:\n%s" % (name, process.stderr))
            golden_path(name).write_text(dump(listing))
            print("wrote %s (%d hosts)" % (golden_path(name), len(listing["_meta"]["hostvars"])))
        simulator.faults()


if __name__ == "__main__":
    main(sys.argv[1:])
