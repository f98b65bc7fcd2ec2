# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the ``get-pip.py`` bootstrap script that ansible-test downloads.

``ansible-test --venv`` (and every sanity test that has requirements) creates virtual
environments without pip and then runs ``get-pip-<version>.py`` to put pip into them.  It
downloads that script from a host outside the package registries, unless a copy is already
in ``~/.ansible/test/cache/get_pip_<version>.py``.  noxfile.py copies this file there.

ansible-test runs it as ``python get_pip_X.py --disable-pip-version-check pip==X
[--no-setuptools] [--no-wheel] [other packages]``.  It installs the pip that the standard
library bundles (``ensurepip``), then lets that pip install the requested packages from the
package index configured on the machine.
"""

from __future__ import annotations

import subprocess
import sys

# get-pip.py options that mean "do not also install these"; plain pip does not know them.
GET_PIP_ONLY_OPTIONS = frozenset(("--no-setuptools", "--no-wheel"))


def main() -> int:
    """Bootstrap pip, then install the packages named on the command line."""
    try:
        import pip  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        try:
            subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True, stdout=subprocess.DEVNULL)
        except subprocess.CalledProcessError as exc:
            sys.stderr.write("ensurepip failed (%s); install the ensurepip/venv support for %s\n" % (exc, sys.executable))
            return 1

    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    if not any(not arg.startswith("-") for arg in args):
        return 0  # only options: pip itself is all that was asked for

    # Quiet: pip's errors still show.  ansible-test does not pass PIP_QUIET on to this script.
    return subprocess.run([sys.executable, "-m", "pip", "install", "--quiet"] + args, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
