# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mirror the files git knows about into a scratch copy of the collection.

Usage: ``python tests/utils/sync_tree.py SOURCE_REPO DEST_DIR [--keep RELPATH ...]``

ansible-test only runs when the collection sits at ``.../ansible_collections/<ns>/<name>``
and its working directory really is that path, so the nox sessions run it in such a copy.
The copy holds exactly the tracked files plus the untracked files that are not git-ignored
(``git ls-files -co --exclude-standard``), with their modes and symlinks, and nothing else:
files that are gone from the source are deleted from the copy.  Paths given with ``--keep``
(ansible-test's ``tests/output`` cache) are left alone.  Unchanged files (same size, mode and
modification time) are not copied again, so a second run is quick.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import subprocess
import sys


def git_files(repo: str) -> list[str]:
    """Return the tracked and the untracked-but-not-ignored files of ``repo``, relative to it."""
    out = subprocess.run(
        ["git", "-C", repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    seen = set()
    files = []
    for raw in out.split(b"\0"):
        rel = os.fsdecode(raw)
        if not rel or rel in seen:
            continue
        seen.add(rel)
        path = os.path.join(repo, rel)
        if os.path.islink(path) or os.path.isfile(path):
            files.append(rel)  # a tracked file deleted from the work tree is skipped
    return files


def is_kept(rel: str, keep: tuple[str, ...]) -> bool:
    """Tell whether ``rel`` is one of the kept paths or lies below one."""
    return any(rel == k or rel.startswith(k + "/") for k in keep)


def same_file(src: str, dst: str) -> bool:
    """Tell whether ``dst`` already is an up-to-date copy of ``src`` (both already lstat-able)."""
    s, d = os.lstat(src), os.lstat(dst)
    if stat.S_ISLNK(s.st_mode) or stat.S_ISLNK(d.st_mode):
        return stat.S_ISLNK(s.st_mode) and stat.S_ISLNK(d.st_mode) and os.readlink(src) == os.readlink(dst)
    return (
        stat.S_ISREG(d.st_mode)
        and s.st_size == d.st_size
        and s.st_mtime_ns == d.st_mtime_ns
        and stat.S_IMODE(s.st_mode) == stat.S_IMODE(d.st_mode)
    )


def remove(path: str) -> None:
    """Delete a file, symlink or directory tree."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def sync(src_root: str, dst_root: str, keep: tuple[str, ...]) -> tuple[int, int, int]:
    """Make ``dst_root`` mirror the git-visible files of ``src_root``; return (files, copied, removed)."""
    files = git_files(src_root)
    wanted = set(files)
    wanted_dirs = {os.path.dirname(rel) for rel in files}
    for rel in list(wanted_dirs):
        while rel:
            rel = os.path.dirname(rel)
            wanted_dirs.add(rel)

    keep_parents = set()
    for rel in keep:
        while rel:
            rel = os.path.dirname(rel)
            keep_parents.add(rel)

    os.makedirs(dst_root, exist_ok=True)
    removed = 0

    # Delete what the source no longer has, without descending into kept or doomed directories.
    for dirpath, dirnames, filenames in os.walk(dst_root):
        rel_dir = os.path.relpath(dirpath, dst_root)
        rel_dir = "" if rel_dir == "." else rel_dir
        for name in list(dirnames):
            rel = os.path.join(rel_dir, name)
            path = os.path.join(dirpath, name)
            if is_kept(rel, keep):
                dirnames.remove(name)
            elif os.path.islink(path):  # a symlink to a directory: treated like a file
                dirnames.remove(name)
                if rel not in wanted:
                    os.unlink(path)
                    removed += 1
            elif rel not in wanted_dirs and rel not in keep_parents:
                dirnames.remove(name)
                shutil.rmtree(path)
                removed += 1
        for name in filenames:
            rel = os.path.join(rel_dir, name)
            if rel not in wanted and not is_kept(rel, keep):
                os.unlink(os.path.join(dirpath, name))
                removed += 1

    copied = 0
    for rel in files:
        src = os.path.join(src_root, rel)
        dst = os.path.join(dst_root, rel)
        if os.path.lexists(dst):
            if same_file(src, dst):
                continue
            remove(dst)
        parent = os.path.dirname(dst)
        if os.path.lexists(parent) and not os.path.isdir(parent):
            remove(parent)  # a file where the source now has a directory
        os.makedirs(parent, exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)
        copied += 1
    return len(files), copied, removed


def main() -> int:
    """Parse the command line and run the sync."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="the git work tree to copy from")
    parser.add_argument("dest", help="the directory to mirror into")
    parser.add_argument("--keep", action="append", default=[], help="a path relative to dest to leave untouched")
    args = parser.parse_args()

    src_root = os.path.realpath(args.source)
    dst_root = os.path.abspath(args.dest)
    if dst_root == src_root or dst_root.startswith(src_root + os.sep):
        if not is_kept(os.path.relpath(dst_root, src_root), ("tests/output",)):
            parser.error("the destination must be outside the source tree (or under its tests/output)")
    keep = tuple(k.strip("/") for k in args.keep)

    total, copied, removed = sync(src_root, dst_root, keep)
    print("scratch tree %s: %d files, %d copied, %d removed" % (dst_root, total, copied, removed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
