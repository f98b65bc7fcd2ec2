"""Print the API calls of each inventory scenario when DescribeExpressSyncs answers per region and for
the whole account, and whether each inventory matches its golden (the same one under both scopes,
but for the scenarios of ``GOLDEN_UNDER_ACCOUNT_SCOPE``).

    .nox/pytest/bin/python -m tests.integration.inventory_plugin.scope_calls [NAME ...]
"""

from __future__ import annotations

import importlib
import sys
import tempfile

from tests.integration.inventory_plugin.scenarios import (
    SCENARIOS,
    calls_by_scope,
    calls_table,
    dump,
    golden_name,
    golden_path,
)


def main(names):
    importlib.import_module("tests.conftest")  # makes the collection visible to ansible-inventory
    names = names or [name for name in SCENARIOS if name != "cache"]
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        sys.exit("unknown scenario(s): %s (known: %s)" % (", ".join(unknown), ", ".join(SCENARIOS)))
    with tempfile.TemporaryDirectory() as cache:
        found = calls_by_scope(names, cache)
    print(calls_table(found))
    differ = [name for name, by_scope in found.items() for scope, (listing, dummy, dummy) in by_scope.items()
              if listing is None or dump(listing) != golden_path(golden_name(name, scope)).read_text()]
    print("every inventory matches its golden under every scope: %s" % (
        "yes" if not differ else "NO: " + ", ".join(differ)))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
