# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One resync run over one or several accounts: one journal, one lock, and each account's groups
read and written with that account's own credentials.

Every journal entry names the account its writes were made in (:func:`.journal.account_of`): the
role they were signed through, or none for the caller's own account. A run completes every pending
entry that it can reach, whatever it was asked to resync:

- an entry without a role is the caller's own account's: it is completed with the run's own
  credentials when they are the ones that wrote it (the identity digest, as in 1.1.0), or when the
  entry names the account the run's credentials belong to;
- an entry with a role is completed with that role assumed again from the run's credentials (the
  module takes the role's external id from its option ``accounts``).

An account whose role cannot be assumed keeps its entries in the journal (and in ``pending`` and
``resume_token``); it is named in a warning and in ``failed_accounts``, and the other accounts go
on. An error that ends one account's steps is that account's alone too. The accounts are done one
after the other, each with the run's pool of ``max_concurrency`` calls; the health of every
account's shares is read once the lock is released.
"""

from __future__ import annotations

import concurrent.futures

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.accounts import role_account_id
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals

CALLER = None     # the account key of the caller's own account; any other account's key is its role ARN
_OTHER = object()  # an entry that this run does not complete (other credentials, another endpoint)
LISTS = ("resumed", "not_members", "skipped_healthy", "orphaned", "task_ids")


class Heal:
    """Runs the :class:`~.resync.Resync` of each account under one lock of the journal.

    ``caller`` is the Resync of the run's own credentials. ``resync_of_role(role_arn)`` returns the
    Resync of the account of ``role_arn`` (its role assumed), or raises :class:`SgwError` when the
    role cannot be assumed; without it, entries with a role are left alone. ``caller_account_id()``
    returns the id of the caller's account (None: unknown); it is asked only for an entry without a
    role written by other credentials. ``names`` maps a role to the name shown for its account.
    """

    def __init__(self, journal, caller, resync_of_role=None, caller_account_id=None, names=None):
        self.journal = journal
        self.caller = caller
        self.check_mode = caller.check_mode
        self.notes = caller.warnings  # the run's own warnings go with the caller's account's
        self.resync_of_role = resync_of_role
        self._caller_account_id = caller_account_id
        self._caller_id_known = caller.account.get("account_id") is not None
        self.names = names or {}
        self.runs = {}     # account key -> its Resync, in the order they ran
        self.failed = {}   # role ARN -> the SgwError of assuming it
        self.given = []    # the entries given back that the journal did not have
        self.given_ids = set()

    # ---------------------------------------------------------------------------- accounts

    def caller_account(self):
        """The id of the caller's account, or None when it is not known."""
        if not self._caller_id_known:
            self._caller_id_known = True
            try:
                found = self._caller_account_id() if self._caller_account_id else None
            except SgwError as error:
                self.notes.append("the account of this run's credentials could not be found (%s); pending "
                                  "entries of other credentials are left alone" % error)
                found = None
            if found is not None:
                self.caller.account["account_id"] = found
        return self.caller.account.get("account_id")

    def key_of(self, entry, given=False):
        """The account key of ``entry``, or ``_OTHER`` when this run does not complete it."""
        if entry["endpoint"] != self.caller.endpoint_of(entry["region"]):
            return _OTHER
        role = journals.role_of(entry)
        if role is not None:
            return role if self.resync_of_role is not None else _OTHER
        if entry["account"]["identity"] == self.caller.account["identity"]:
            return CALLER
        account_id = entry["account"].get("account_id")
        if account_id is None:  # as 1.1.0: entries given back are the caller's, those of the file another's
            return CALLER if given else _OTHER
        return CALLER if account_id == self.caller_account() else _OTHER

    def describe(self, key) -> str:
        if key is CALLER:
            account_id = self.caller.account.get("account_id")
            return "the account of this run's credentials" + (" (%s)" % account_id if account_id else "")
        name = self.names.get(key)
        return "account %s (%srole %s)" % (role_account_id(key), "%s, " % name if name else "", key)

    def _resync_of(self, key, requested, entries):
        """The Resync of the account ``key``; None when its role cannot be assumed (named in a warning)."""
        if key not in self.runs:
            try:
                self.runs[key] = self.caller if key is CALLER else self.resync_of_role(key)
            except SgwError as error:
                self.failed[key] = error
                self.notes.append(
                    "%s was left alone: %s. Its %d pending entries stay in the resync journal %s (and in pending and "
                    "resume_token), and its %d shares to resync were not touched; the other accounts went on" % (
                        self.describe(key), str(error).rstrip("."), len(entries),
                        self.journal.path, sum(len(keys) for keys in requested.values())))
                return None
        return self.runs[key]

    # --------------------------------------------------------------------------------- run

    def run(self, requested, given_entries=(), resume_only=False, pool_factory=None):
        """Resume every pending entry this run reaches, then resync ``requested``: ``{account key:
        {(region, group): [(gateway_id, share_name), ...]}}``. A journal that could not be written after
        an intent is raised at the end (``OSError``), once every share already taken out was sent back."""
        pool = (pool_factory or (lambda: concurrent.futures.ThreadPoolExecutor(
            max_workers=self.caller.params["max_concurrency"])))()
        try:
            if not self.check_mode:
                self.journal.lock(self.caller.timeout)
            try:
                self.journal.load()
                pending = self._pending(given_entries)
                named = {e["account"].get("account_id") for e in pending.get(CALLER, ())} - {None}
                if self.caller.account.get("account_id") is None and len(named) == 1:
                    self.caller.account["account_id"] = named.pop()  # what the caller's own entries say it is
                for key in dict.fromkeys([CALLER] + list(requested) + list(pending)):
                    resync = self._resync_of(key, requested.get(key, {}), pending.get(key, []))
                    if resync is None:
                        continue
                    resync.pool = pool
                    try:
                        resync.steps(requested.get(key, {}), pending.get(key, []), resume_only)
                    except SgwError as error:  # this account's alone: its entries stay, the others go on
                        resync.stopped = error
                        resync.errors.append(error)
            finally:
                if not self.check_mode:
                    self.journal.unlock()
            if not self.check_mode and self.journal_error is None:
                self._wait_healthy()
        finally:
            pool.shutdown(wait=True)
            for resync in self.runs.values():
                resync.pool = None
        if self.journal_error is not None:
            raise self.journal_error
        return self.result()

    def _wait_healthy(self):
        """Each account's shares, one account after the other, all within the one ``healthy_timeout``: an
        account waited for after another has what is left of it (at least one read)."""
        clock = self.caller.waits.clock
        start = clock()
        for resync in self.runs.values():
            if resync.stopped is None:
                left = max(0, resync.params["healthy_timeout"] - (clock() - start))
                resync.params = dict(resync.params, healthy_timeout=left)
                resync._wait_healthy()  # pylint: disable=protected-access

    @property
    def journal_error(self):
        return next((r.journal_error for r in self.runs.values() if r.journal_error is not None), None)

    def _pending(self, given_entries):
        """``{account key: [entries]}`` of the journal and of the entries given back (kept in the journal)."""
        known = {e["id"] for e in self.journal.entries}
        self.given = [e for e in given_entries if e["id"] not in known]
        self.given_ids = {e["id"] for e in self.given}
        if self.given and not self.check_mode:
            self.journal.entries.extend(self.given)
            self.journal.save()
        by_key, other = {}, 0
        entries = self.journal.entries + (self.given if self.check_mode else [])
        for entry in entries:
            given = entry["id"] in self.given_ids
            key = self.key_of(entry, given)
            if key is _OTHER:
                other += 0 if given else 1
                if given:
                    self.notes.append("resume_entries: the entry for %s was recorded in another account (%s) than "
                                      "the one this run can act in: it was left alone, and stays pending" % (
                                          entry["express_sync_id"], entry["account"].get("account_id")
                                          or entry["account"].get("role_arn") or "not named"))
                continue
            if given and key is CALLER and entry["account"]["identity"] != self.caller.account["identity"]:
                self.notes.append("resume_entries: the entry for %s was recorded with AccessKey ID %s, not the one "
                                  "of this run (%s)" % (entry["express_sync_id"], entry["account"]["key_id"],
                                                        self.caller.account["key_id"]))
            by_key.setdefault(key, []).append(entry)
        if other:
            self.notes.append(
                "the resync journal %s holds %d pending entries of other credentials or endpoints; they were left "
                "alone: run the module with those credentials and that endpoint to resume them" % (
                    self.journal.path, other))
        return by_key

    # ------------------------------------------------------------------------------ output

    @property
    def warnings(self) -> list:
        """Every account's warnings, the caller's (and the run's own) first."""
        runs = list(self.runs.values()) or [self.caller]
        return [w for r in runs for w in r.warnings]

    @property
    def errors(self) -> list:
        return [e for r in self.runs.values() for e in r.errors] + list(self.failed.values())

    def failure_message(self) -> str:
        """One message for every failure of the run, account by account."""
        failing = [(k, r) for k, r in self.runs.items() if r.errors]
        if not self.failed and [k for k, dummy in failing] in ([], [CALLER]):
            return self.caller.failure_message()
        parts = ["%s: %s" % (self.describe(k), r.failure_message()) for k, r in failing]
        parts += ["%s: its role could not be assumed (%s); none of its shares was touched, and its pending entries "
                  "stay in the resync journal %s and in resume_token: run again once the role can be assumed." % (
                      self.describe(k), str(e).rstrip("."), self.journal.path) for k, e in self.failed.items()]
        return " ".join(parts)

    def pending(self) -> list:
        """The journal's entries that this run's accounts would complete (the given ones included)."""
        entries = [e for e in self.journal.entries if e["id"] in self.given_ids or self.key_of(e) is not _OTHER]
        if self.check_mode:  # what a real run would have found, the entries given back included
            entries += self.given
        return [dict(e) for e in entries]

    def result(self) -> dict:
        parts = [r.result() for r in self.runs.values()] or [self.caller.result()]
        result = {"changed": any(p["changed"] for p in parts)}
        for field in LISTS:
            result[field] = [item for p in parts for item in p[field]]
        result["shares"] = sorted((s for p in parts for s in p["shares"]), key=lambda r: (
            r["region"], r["express_sync_id"], r["gateway_id"], r["share_name"]))
        for field in ("recovered", "not_recovered"):
            result[field] = sorted(item for p in parts for item in p[field])
        result["health_rounds"] = sum(p["health_rounds"] for p in parts)
        result["diff"] = {side: {k: v for p in parts for k, v in p["diff"][side].items()} for side in ("before", "after")}
        pending = self.pending()
        result.update(pending=pending, resume_token=journals.encode_token(pending), journal=self.journal.path,
                      failed_accounts=[{"account_id": role_account_id(k), "name": self.names.get(k), "role_arn": k,
                                        "error": str(e)} for k, e in self.failed.items()])
        return result
