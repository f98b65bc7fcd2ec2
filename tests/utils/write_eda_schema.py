"""Write the JSON schema of the event source express_sync_health from its DOCUMENTATION (and the shared
options of the doc fragment); tests/unit/eda/test_source_docs.py checks that they agree.

    .nox/pytest/bin/python tests/utils/write_eda_schema.py
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

# tests.conftest makes the collection importable as ansible_collections.alibabacloud.sgw
import tests.conftest  # noqa: E402,F401  pylint: disable=unused-import,wrong-import-position
from tests.unit.eda.test_source_docs import SCHEMA_PATH, write_schema  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == "__main__":
    write_schema()
    print("wrote %s" % SCHEMA_PATH)
