# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print the running Python's version and those of the named distributions, on one line.

Usage: ``python tests/utils/versions.py DIST...`` (the nox sessions log it before they test).
"""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version


def describe(name: str) -> str:
    try:
        return "%s %s" % (name, version(name))
    except PackageNotFoundError:
        return "%s (not installed)" % name


if __name__ == "__main__":
    print(", ".join(["Python %s" % platform.python_version()] + [describe(name) for name in sys.argv[1:]]))
