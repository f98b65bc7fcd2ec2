# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resync journal: what a resync is about to do to each express sync group, kept on disk.

A share taken out of its group is a member of nothing until it is added back; when the run that
removed it dies first, nothing in the service remembers which group it belonged to. The journal
does: an entry is written before the first Remove of a group, updated after each step, and
dropped only once the Add task of the group has completed. The next run completes what it finds.

The file is JSON, written atomically (temporary file, fsync, rename, fsync of the directory), and
guarded by an exclusive lock on ``<journal>.lock`` for the whole run that changes it. It never
holds a secret: an entry names the AccessKey ID masked, a one-way digest of the identity that
wrote it, and the account its writes were made in: the account id, and the role they were signed
through (null for the caller's own account); never a key, a token or an external id.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import errno
import hashlib
import json
import os
import stat
import time
import uuid
import zlib

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - not on POSIX
    HAS_FCNTL = False

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.accounts import role_account_id
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.backoff import Backoff
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.files import write_atomically
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.redaction import hide_userinfo, mask_key_id
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import (
    invalid_express_sync_ids,
    invalid_gateway_ids,
    invalid_regions,
    share_name_problem,
)

JOURNAL_ENV = "ALIBABA_CLOUD_SGW_RESYNC_JOURNAL"
FORMAT_VERSION = 1

# The steps of an entry, in order. "removing": the Remove of the group is about to be sent (or was
# sent, without an answer yet); "removed": its task completed; "adding": the Add was sent; an entry
# is dropped once a read proves its shares members again (or gone). "add_failed": the Add was
# refused or its task failed. "lands_by" (epoch seconds, or null) is when a write sent without an
# answer can no longer land: until then, what a read shows may still change.
STEPS = ("removing", "removed", "adding", "add_failed")
ENTRY_FIELDS = ("id", "created", "updated", "account", "endpoint", "region", "express_sync_id", "shares", "step",
                "task_id", "error", "lands_by")
# Opened so: never through a symbolic link, never handed to a child process.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def share_pairs(shares):
    """``(gateway_id, share_name)`` of each share of a journal entry."""
    return [(s["gateway_id"], s["share_name"]) for s in shares]


def share_dicts(keys):
    """The journal's form of ``(gateway_id, share_name)`` pairs."""
    return [{"gateway_id": k[0], "share_name": k[1]} for k in keys]


def default_path(env=None) -> str:
    """The journal's default path: ``$ALIBABA_CLOUD_SGW_RESYNC_JOURNAL``, else under the Ansible home."""
    env = os.environ if env is None else env
    if env.get(JOURNAL_ENV):
        return os.path.expanduser(env[JOURNAL_ENV])
    home = env.get("ANSIBLE_HOME") or os.path.join(os.path.expanduser("~"), ".ansible")
    return os.path.join(os.path.expanduser(home), "alibabacloud.sgw", "resync-journal.json")


def account_of(credentials, account_id=None, role_arn=None) -> dict:
    """The journal's record of the account an entry's writes are made in.

    ``key_id`` (masked) and ``identity`` (a digest to match it by) are those of the run's own
    credentials: permanent keys are matched by their AccessKey ID; STS key ids change with every
    session, so STS credentials are matched by where they came from (a profile, an ECS role, the
    environment). ``role_arn`` is the role assumed from them for the writes, None for the caller's
    own account (written with those credentials); ``account_id`` the account's id, None when the
    run was told no account (the caller's own). Entries of 1.1.0 have neither: the caller's own.
    """
    if credentials.security_token:
        basis = "sts:" + str(credentials.source)
    else:
        basis = "key:" + credentials.access_key_id
    return {"key_id": mask_key_id(credentials.access_key_id),
            "identity": hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24],
            "account_id": account_id, "role_arn": role_arn}


def role_of(entry):
    """The role that ``entry``'s writes are signed through; None: the credentials of the run itself."""
    return entry["account"].get("role_arn")


TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now_text() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime(TIME_FORMAT)


def epoch_of(text):
    """Epoch seconds of a time the journal wrote (``created``, ``updated``), or None."""
    try:
        return datetime.datetime.strptime(str(text), TIME_FORMAT).replace(tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        return None


def new_entry(account, endpoint, region, express_sync_id, shares) -> dict:
    """An entry at its first step; ``shares`` are ``(gateway_id, share_name)`` pairs."""
    stamp = now_text()
    return {"id": uuid.uuid4().hex[:16], "created": stamp, "updated": stamp, "account": _account_record(account),
            "endpoint": hide_userinfo(endpoint), "region": region, "express_sync_id": express_sync_id,
            "shares": [{"gateway_id": g, "share_name": s} for g, s in shares], "step": "removing",
            "task_id": None, "error": None, "lands_by": None}


# Resume data as one string whose alphabet (letters, digits, '-', '_', '.') holds no template character:
# it travels through variables, files of extra vars and job artifacts without ever being templated.
TOKEN_PREFIX = "sgwresume1."
TOKEN_MAX_BYTES = 4 * 1024 * 1024


def encode_token(entries) -> str:
    """The entries as a resume token ("" for none)."""
    if not entries:
        return ""
    data = json.dumps([clean_entry(e) for e in entries], sort_keys=True, separators=(",", ":")).encode("utf-8")
    return TOKEN_PREFIX + base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")


def decode_token(token) -> list:
    """The entries of a resume token (not checked yet); ValueError when it is not one."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        raise ValueError("it does not start with %s" % TOKEN_PREFIX)
    text = token[len(TOKEN_PREFIX):].strip()
    if not text or text.strip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="):
        raise ValueError("it cannot be decoded (characters outside its alphabet)")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, TOKEN_MAX_BYTES)
        if inflater.unconsumed_tail:
            raise ValueError("it holds more than %d bytes" % TOKEN_MAX_BYTES)
        entries = json.loads(data.decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise ValueError("it cannot be decoded (%s)" % exc.__class__.__name__) from None
    if not isinstance(entries, list):
        raise ValueError("it holds no list of entries")
    return entries


def invalid_entry(entry) -> list:
    """Every problem of one entry (from the file, or given back by the user)."""
    if not isinstance(entry, dict):
        return ["an entry must be a dictionary, not %s" % type(entry).__name__]
    problems = []
    for field in ("region", "express_sync_id", "endpoint", "step"):
        if not isinstance(entry.get(field), str) or not entry.get(field):
            problems.append("%s is missing" % field)
    if problems:
        return problems
    problems += invalid_regions([entry["region"]]) + invalid_express_sync_ids([entry["express_sync_id"]])
    if entry["step"] not in STEPS:
        problems.append("step %r is not one of %s" % (entry["step"], ", ".join(STEPS)))
    problems += _account_problems(entry.get("account"))
    shares = entry.get("shares")
    if not isinstance(shares, list) or not shares:
        problems.append("shares must be a non-empty list")
    else:
        for share in shares:
            if not isinstance(share, dict):
                problems.append("every share needs gateway_id and share_name")
                break
            problem = share_name_problem(share.get("share_name"), share.get("gateway_id"))
            problems += invalid_gateway_ids([share.get("gateway_id")]) + ([problem] if problem else [])
    lands_by = entry.get("lands_by")
    if lands_by is not None and (isinstance(lands_by, bool) or not isinstance(lands_by, (int, float))):
        problems.append("lands_by must be a number of seconds or null")
    return problems


def _account_problems(account) -> list:
    if not isinstance(account, dict) or not all(isinstance(account.get(k), str) for k in ("key_id", "identity")):
        return ["account must have key_id and identity"]
    account_id, role_arn = account.get("account_id"), account.get("role_arn")
    if account_id is not None and not (isinstance(account_id, str) and account_id.isdigit()):
        return ["account.account_id must be an account id (digits) or null"]
    if role_arn is not None and role_account_id(role_arn) is None:
        return ["account.role_arn must be a role ARN such as acs:ram::<account id>:role/<role name>, or null"]
    if role_arn is not None and account_id is not None and role_account_id(role_arn) != account_id:
        return ["account.role_arn %s is not a role of the account %s" % (role_arn, account_id)]
    return []


def _account_record(account) -> dict:
    """Only these fields: never a key, a token or an external id. Without account_id and role_arn (1.1.0),
    the caller's own account."""
    return {"key_id": account["key_id"], "identity": account["identity"], "account_id": account.get("account_id"),
            "role_arn": account.get("role_arn")}


def clean_entry(entry) -> dict:
    """An entry with only the journal's fields (anything else given back by a user is dropped)."""
    cleaned = {field: entry.get(field) for field in ENTRY_FIELDS}
    cleaned["endpoint"] = hide_userinfo(cleaned["endpoint"])  # never a password in the journal
    cleaned["account"] = _account_record(entry["account"])
    cleaned["shares"] = [{"gateway_id": s["gateway_id"], "share_name": s["share_name"]} for s in entry["shares"]]
    cleaned["id"] = str(entry.get("id") or uuid.uuid4().hex[:16])
    return cleaned


class JournalLocked(Exception):
    """Another run holds the journal's lock."""


class Journal:
    """The entries of one journal file; :meth:`lock` before changing it."""

    def __init__(self, path, clock=time.monotonic, sleep=time.sleep):
        self.path = os.path.abspath(os.path.expanduser(str(path)))
        self.lock_path = self.path + ".lock"
        self.entries = []
        self.clock = clock
        self.sleep = sleep
        self._lock_fd = None
        self.writes = 0

    # ------------------------------------------------------------------------------ lock

    def lock(self, timeout):
        """Take the exclusive lock, waiting up to ``timeout`` seconds for another run to release it.

        The lock file is opened without following a symbolic link, and written to only when it is
        a regular file of this user with one link: never a file that somebody else put there.
        """
        if not HAS_FCNTL:  # pragma: no cover
            raise SgwConfigError("the resync journal needs a POSIX system (fcntl) for its lock")
        self._make_directory()
        fd = _open_own(self.lock_path, os.O_RDWR | os.O_CREAT, "the lock of the resync journal")
        backoff = Backoff(timeout=timeout, base=0.05, cap=1.0, jitter=False, clock=self.clock, sleep=self.sleep)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
            delay = next(backoff, None)
            if delay is None:
                holder = _read_text(fd)
                os.close(fd)
                raise JournalLocked(
                    "the resync journal %s is locked by another run (%s) and was not released within %ss "
                    "(wait_timeout); let that run finish, then run again" % (
                        self.path, holder or "holder unknown", timeout))
            backoff.sleep(delay)
        os.ftruncate(fd, 0)
        os.pwrite(fd, ("pid %d since %s" % (os.getpid(), now_text())).encode("ascii"), 0)
        self._lock_fd = fd

    def unlock(self):
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    # ------------------------------------------------------------------------ read, write

    def load(self):
        """Read the entries; a missing file has none. A damaged file is an error, never silently emptied."""
        try:
            fd = _open_own(self.path, os.O_RDONLY, "the resync journal")
        except FileNotFoundError:
            self.entries = []
            return self.entries
        try:
            with os.fdopen(fd, encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, ValueError) as exc:
            raise SgwConfigError("the resync journal %s cannot be read (%s); move it aside after looking at what "
                                 "it holds, then run again" % (self.path, exc)) from None
        entries = document.get("entries") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise SgwConfigError("the resync journal %s is not a journal (no list of entries)" % self.path)
        version = document.get("version")
        if version != FORMAT_VERSION:
            raise SgwConfigError("the resync journal %s is of version %r, and this collection reads version %d "
                                 "only: run the version of the collection that wrote it, or move the file aside "
                                 "after looking at what it holds" % (self.path, version, FORMAT_VERSION))
        for index, entry in enumerate(entries):
            problems = invalid_entry(entry)
            if problems:
                raise SgwConfigError("entry %d of the resync journal %s is damaged: %s" % (
                    index, self.path, "; ".join(problems)))
        self.entries = [clean_entry(entry) for entry in entries]
        return self.entries

    def save(self):
        """Write every entry atomically; the file is removed when no entry is left."""
        self.writes += 1
        if not self.entries:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                return
            self._sync_directory()
            return
        self._make_directory()
        data = json.dumps({"version": FORMAT_VERSION, "entries": self.entries}, indent=1, sort_keys=True)
        write_atomically(self.path, data + "\n")
        self._sync_directory()

    def _make_directory(self):
        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)

    def _sync_directory(self):
        try:
            fd = os.open(os.path.dirname(self.path), os.O_RDONLY)
        except OSError:  # pragma: no cover - a directory that cannot be opened is not synced
            return
        try:
            os.fsync(fd)
        except OSError:  # pragma: no cover - some file systems refuse fsync on directories
            pass
        finally:
            os.close(fd)

    # ----------------------------------------------------------------------------- entries

    def update(self, entries, **fields):
        """Set ``fields`` on each of ``entries`` (entries of this journal)."""
        stamp = now_text()
        for entry in entries:
            entry.update(fields, updated=stamp)

    def drop(self, entries):
        ids = {entry["id"] for entry in entries}
        self.entries = [entry for entry in self.entries if entry["id"] not in ids]


def _open_own(path, flags, what):
    """A file descriptor of ``path``, opened without following a symbolic link, and only when it is a
    regular file of this user with one link (what the module itself creates)."""
    try:
        fd = os.open(path, flags | _NOFOLLOW, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SgwConfigError("%s %s is a symbolic link, which is never followed; remove it, or set the "
                                 "option journal to a path of its own" % (what, path)) from None
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or info.st_uid != os.geteuid():
        os.close(fd)
        raise SgwConfigError("%s %s is not a regular file of this user with a single link, so it was left alone; "
                             "remove it, or set the option journal to a path of its own" % (what, path))
    return fd


def _read_text(fd) -> str:
    try:
        return os.pread(fd, 200, 0).decode("ascii", "replace").strip()
    except OSError:  # pragma: no cover
        return ""
