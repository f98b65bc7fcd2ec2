# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files the collection writes for itself (the resync journal, the event source's state file):
written whole or not at all."""

from __future__ import annotations

import os
import tempfile


def write_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file of the same directory, renamed over it
    (readers see the old file or the new one, never a part). The file is made readable and
    writable by its owner only, and a name already at ``path`` (a symbolic link included) is
    replaced, never written through."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
