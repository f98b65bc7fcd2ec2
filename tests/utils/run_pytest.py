# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run pytest with the running Python, its output both shown and written to a log.

Usage: ``python tests/utils/run_pytest.py LOG -- PYTEST_ARGS...`` (the nox sessions run it).

Exit code: pytest's.  "No tests collected" (exit code 5) is an error with its own message, since
it means the selection (paths, ``-m``, ``-k``) or pytest.ini went wrong, never that all is well.
Before running, it checks that the ``tests`` package resolves to this checkout, not to some
installed package of the same name.
"""

from __future__ import annotations

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NO_TESTS_COLLECTED = 5


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] != "--":
        sys.stderr.write(__doc__)
        return 2
    log, args = argv[0], argv[2:]
    check = subprocess.run(
        [sys.executable, "-c", "import os, tests; print('\\n'.join(os.path.realpath(p) for p in tests.__path__))"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    paths = check.stdout.split()
    if check.returncode or not paths or any(not p.startswith(REPO + os.sep) for p in paths):
        sys.stderr.write("the 'tests' package does not resolve to %s/tests: %s%s\n" % (REPO, paths, check.stderr))
        return 1
    with open(log, "wb") as out, subprocess.Popen(
        [sys.executable, "-m", "pytest", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    ) as pytest:
        # as it comes, not line by line: a line of progress dots takes minutes to end
        for chunk in iter(lambda: os.read(pytest.stdout.fileno(), 65536), b""):
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            out.write(chunk)
    if pytest.returncode == NO_TESTS_COLLECTED:
        sys.stderr.write("pytest collected no tests (exit code 5): check the paths, -m and -k of the selection, "
                         "and pytest.ini\n")
    return pytest.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
