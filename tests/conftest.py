"""Test-wide setup: make the collection importable as ``ansible_collections.alibabacloud.sgw``.

The repository root is the collection root, but Ansible finds collections only below a
directory named ``ansible_collections/<namespace>/<name>``.  When the checkout is not already
at such a path, a symlink tree is made in a per-checkout cache directory (outside the
repository, so no tool walking the tree ever loops) and exported through
``ANSIBLE_COLLECTIONS_PATH`` for the ``ansible-*`` commands the integration tests run.
"""

from __future__ import annotations

import hashlib
import os
import pathlib

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


def _collections_root() -> pathlib.Path:
    """Return a directory that contains ``ansible_collections/alibabacloud/sgw``."""
    if REPO_ROOT.parent.name == "alibabacloud" and REPO_ROOT.parent.parent.name == "ansible_collections":
        return REPO_ROOT.parent.parent.parent
    digest = hashlib.sha256(str(REPO_ROOT).encode()).hexdigest()[:10]
    base = pathlib.Path(os.environ.get("XDG_CACHE_HOME", pathlib.Path.home() / ".cache"))
    root = base / "alibabacloud.sgw" / digest
    link = root / "ansible_collections" / "alibabacloud" / "sgw"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(REPO_ROOT, target_is_directory=True)
        except FileExistsError:  # another xdist worker won the race
            pass
    return root


# The collection's own pytest plugin (the simulator as fixtures), as users load it in their tests.
pytest_plugins = ["tests.simulator.pytest_plugin"]

COLLECTIONS_ROOT = _collections_root()
os.environ["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS_ROOT)

from ansible.plugins.loader import init_plugin_loader  # noqa: E402  (needs the path above)
from ansible.utils.collection_loader import AnsibleCollectionConfig  # noqa: E402

if AnsibleCollectionConfig.collection_finder is None:
    init_plugin_loader([str(COLLECTIONS_ROOT)])
