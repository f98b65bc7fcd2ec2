# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resync of express sync shares: out of their group and back in, many groups side by side.

One run goes through phases, each for every group at once: resume the journal's pending entries,
read the members, send every group's Remove, wait for all those tasks together, send every Add,
wait for those, then poll the health of every share with one DescribeExpressSyncShares call per
region per round. ``max_concurrency`` bounds the calls in flight, not the tasks running.

Nothing is lost when a run dies: the journal (:mod:`.journal`) has an entry for a group before
its Remove is sent and keeps it until its Add task has completed. Resuming an entry never trusts
what the dead run knew: it waits for the tasks still running on the group, reads its members,
and adds back the entry's shares that are not members, so it is right whether or not the Remove
or the Add of the dead run happened.
"""

from __future__ import annotations

import concurrent.futures

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.health import HEALTHY, health_of
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.records import share_key, share_label as label
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import (
    EXPRESS_SYNC_ID,
    EXPRESS_SYNC_STATE,
    SYNC_PROGRESS,
)

REMOVE = "RemoveSharesFromExpressSync"
ADD = "AddSharesToExpressSync"
# Health polling: the first delay between two rounds and the most once doubled, in seconds.
HEALTH_POLL_FIRST = 0.5
HEALTH_POLL_MOST = 5.0


def share_pairs(shares):
    return [(s["gateway_id"], s["share_name"]) for s in shares]


class Group:
    """One express sync group of the run and what happens to it."""

    def __init__(self, region, express_sync_id):
        self.region = region
        self.express_sync_id = express_sync_id
        self.shares = []          # (gateway_id, share_name), in order
        self.entries = []         # its journal entries
        self.to_add = []
        self.error = None
        self.task_id = None

    @property
    def key(self):
        return self.region, self.express_sync_id

    def add_share(self, key):
        if key not in self.shares:
            self.shares.append(key)


class Resync:
    """Resumes pending journal entries, then resyncs the requested shares; see the module's documentation."""

    def __init__(self, client, journal, account, endpoint_of, params, check_mode=False, waits=None):
        self.client = client
        self.journal = journal
        self.account = account
        self.endpoint_of = endpoint_of
        self.params = params
        self.check_mode = check_mode
        self.waits = waits or tasks.Waits()
        self.timeout = params["wait_timeout"]
        self.pool = None
        self.changed = False
        self.task_ids = []
        self.errors = []          # SgwError, in the order they happened
        self.failures = []        # (group, what became of its shares)
        self.warnings = []
        self.resumed = []
        self.skipped = []
        self.records = {}         # (region, group, gateway, share) -> the share's result
        self.before = {}          # group key -> member labels before
        self.after = {}
        self.other_pending = 0
        self.failed_groups = set()
        self.given = []
        self.health_rounds = 0

    # --------------------------------------------------------------------------- concurrency

    def run_all(self, calls):
        """Run the no-argument functions ``calls`` at most ``max_concurrency`` at a time; raise the first error."""
        return [outcome.result() for outcome in self._submit(calls)]

    def run_each(self, calls):
        """Like :meth:`run_all`, but ``(True, result)`` or ``(False, error)`` for each call."""
        results = []
        for future in self._submit(calls):
            try:
                results.append((True, future.result()))
            except SgwError as error:
                results.append((False, error))
        return results

    def _submit(self, calls):
        if len(calls) <= 1 or self.pool is None:
            futures = []
            for call in calls:
                future = concurrent.futures.Future()
                try:
                    future.set_result(call())
                except SgwError as error:
                    future.set_exception(error)
                futures.append(future)
            return futures
        return [self.pool.submit(call) for call in calls]

    # --------------------------------------------------------------------------------- reads

    def read_members(self, keys):
        """``{group key: {(gateway_id, share_name): record}}``: one DescribeExpressSyncShares per region."""
        by_region = {}
        for region, group_id in keys:
            by_region.setdefault(region, []).append(group_id)
        regions = sorted(by_region)

        def reader(region):
            return lambda: api.describe_express_sync_shares(self.client, region, by_region[region], is_external=False)

        members = {key: {} for key in keys}
        for region, shares in zip(regions, self.run_all([reader(r) for r in regions])):
            for share in shares:
                key = (region, share.get(EXPRESS_SYNC_ID))
                if key in members:
                    members[key][share_key(share)] = share
        return members

    # ------------------------------------------------------------------------------- journal

    def entry_is_ours(self, entry) -> bool:
        return (entry["account"]["identity"] == self.account["identity"]
                and entry["endpoint"] == self.endpoint_of(entry["region"]))

    def _save(self):
        if not self.check_mode:
            self.journal.save()

    # What became of the shares of a group whose step failed.
    STRANDED = "stranded"          # possibly out of their group, recorded in the journal
    UNTOUCHED = "untouched"        # the Remove was refused: nothing changed
    NOT_REMOVED = "not_removed"    # the Remove task failed: what it took out is added back

    def _fail(self, group, error, outcome):
        group.error = error
        self.failed_groups.add(group.key)
        self.errors.append(error)
        self.failures.append((group, outcome))

    def failure_message(self) -> str:
        """One message for every failure of the run: each distinct error once, then what became of the shares."""
        parts, seen = [], set()
        for error in self.errors:
            kind = (getattr(error, "code", None), getattr(error, "action", None), type(error).__name__)
            if kind not in seen:
                seen.add(kind)
                parts.append(str(error).rstrip("."))
        stranded = [g for g, outcome in self.failures if outcome == self.STRANDED]
        untouched = [g for g, outcome in self.failures if outcome == self.UNTOUCHED]
        not_removed = [g for g, outcome in self.failures if outcome == self.NOT_REMOVED]
        if not_removed:
            parts.append("The shares of %s were not resynced (their Remove task failed); any share that it took out "
                         "is added back" % ", ".join(g.express_sync_id for g in not_removed))
        if untouched:
            parts.append("Nothing was removed from %s" % ", ".join(g.express_sync_id for g in untouched))
        if stranded:
            parts.append(
                "These shares may be out of their express sync group, and are recorded in the resync journal %s: %s. "
                "Run the module again (or with resume_only: true) to add them back" % (self.journal.path, "; ".join(
                    "%s in region %s (%s)" % (g.express_sync_id, g.region, ", ".join(
                        label(k) for k in (g.to_add or g.shares))) for g in stranded)))
        return ". ".join(parts) + "."

    # ---------------------------------------------------------------------------------- run

    def run(self, requested, given_entries=(), resume_only=False, pool_factory=None):
        """Resume, then resync ``requested`` (``{(region, group): [(gateway_id, share_name), ...]}``)."""
        pool_factory = pool_factory or (lambda: concurrent.futures.ThreadPoolExecutor(
            max_workers=self.params["max_concurrency"]))
        self.pool = pool_factory()
        try:
            if not self.check_mode:
                self.journal.lock(self.timeout)
            try:
                self.journal.load()
                pending = self._pending(given_entries)
                resumed_groups = self._resume(pending)
                resumed = {(g.region, g.express_sync_id, k) for g in resumed_groups for k in g.to_add}
                if not resume_only:
                    self._resync(requested, resumed)
            finally:
                if not self.check_mode:
                    self.journal.unlock()
            if not self.check_mode:
                self._wait_healthy()
        finally:
            self.pool.shutdown(wait=True)
            self.pool = None
        return self.result()

    def _pending(self, given_entries):
        """The entries to resume: the journal's of this account and endpoint, and those given back."""
        ours = [e for e in self.journal.entries if self.entry_is_ours(e)]
        self.other_pending = len(self.journal.entries) - len(ours)
        if self.other_pending:
            self.warnings.append(
                "the resync journal %s holds %d pending entries of other credentials or endpoints; they were left "
                "alone: run the module with those credentials and that endpoint to resume them" % (
                    self.journal.path, self.other_pending))
        known = {e["id"] for e in self.journal.entries}
        given = [e for e in given_entries if e["id"] not in known]
        for entry in given:
            if entry["account"]["identity"] != self.account["identity"]:
                self.warnings.append("resume_entries: the entry for %s was recorded with AccessKey ID %s, not the one "
                                     "of this run (%s)" % (entry["express_sync_id"], entry["account"]["key_id"],
                                                           self.account["key_id"]))
        self.given = given
        if given and not self.check_mode:
            self.journal.entries.extend(given)
            self.journal.save()
        return ours + given

    # -------------------------------------------------------------------------------- resume

    def _resume(self, entries):
        """Add back the shares of pending entries that are not members of their group."""
        groups = {}
        for entry in entries:
            group = groups.setdefault((entry["region"], entry["express_sync_id"]),
                                      Group(entry["region"], entry["express_sync_id"]))
            group.entries.append(entry)
            for key in share_pairs(entry["shares"]):
                group.add_share(key)
        groups = list(groups.values())
        if not groups:
            return []
        if not self.check_mode:
            # A task of the run that died (its Remove, its Add) may still be running: let it end first.
            running = [t for found in self.run_all([
                (lambda g=g: tasks.running_tasks(self.client, g.region, g.express_sync_id)) for g in groups])
                for t in found]
            if running:
                outcome = self.waits.wait_for_tasks(self.client, running, self.timeout, run_all=self.run_all)
                late = {t[1] for t in running if outcome[t[2]][0] == tasks.TIMEOUT}
                for group in groups:
                    if group.express_sync_id in late:
                        self._fail(group, SgwApiError(tasks.TASK_TIMEOUT, "resuming %s: a task on the group was still "
                                                      "running after %ss (wait_timeout)" % (
                                                          group.express_sync_id, self.timeout),
                                                      action="DescribeTasks", region=group.region), self.STRANDED)
                groups = [g for g in groups if g.error is None]
        members = self.read_members([g.key for g in groups])
        for group in groups:
            group.to_add = [k for k in group.shares if k not in members[group.key]]
            self.resumed.append({"express_sync_id": group.express_sync_id, "region": group.region,
                                 "shares": [{"gateway_id": k[0], "share_name": k[1]} for k in group.shares],
                                 "added": [{"gateway_id": k[0], "share_name": k[1]} for k in group.to_add]})
            self.before.setdefault(group.key, sorted(label(k) for k in members[group.key]))
            for key in group.to_add:
                self._record(group, key, None, resumed=True)
        idle = [g for g in groups if not g.to_add]
        if not self.check_mode and idle:
            for group in idle:
                self.journal.drop(group.entries)
            self.journal.save()
        self._add([g for g in groups if g.to_add])
        return [g for g in groups if g.to_add]

    # -------------------------------------------------------------------------------- resync

    def _resync(self, requested, resumed):
        groups = []
        for (region, group_id), keys in requested.items():
            group = Group(region, group_id)
            for key in keys:
                if (region, group_id, key) not in resumed:
                    group.add_share(key)
            if group.shares:
                groups.append(group)
        if not groups:
            return
        members = self.read_members([g.key for g in groups])
        for group in groups:
            present = members[group.key]
            self.before.setdefault(group.key, sorted(label(k) for k in present))
            for key in list(group.shares):
                if key not in present:
                    group.shares.remove(key)
                    self.skipped.append({"express_sync_id": group.express_sync_id, "region": group.region,
                                         "gateway_id": key[0], "share_name": key[1],
                                         "reason": "not a member of %s" % group.express_sync_id})
                else:
                    self._record(group, key, present[key])
        groups = [g for g in groups if g.shares]
        if self.skipped:
            self.warnings.append("%d shares are not members of the express sync group given for them and were left "
                                 "alone: %s" % (len(self.skipped), ", ".join(
                                     "%s (%s)" % (label((s["gateway_id"], s["share_name"])), s["express_sync_id"])
                                     for s in self.skipped)))
        if not groups:
            return
        self.changed = True
        if self.check_mode:
            return
        # Intent first: an entry per group before any Remove is sent.
        for group in groups:
            group.entries = [journals.new_entry(self.account, self.endpoint_of(group.region), group.region,
                                                group.express_sync_id, group.shares)]
            self.journal.entries.extend(group.entries)
        self.journal.save()
        self._remove(groups)
        self._add([g for g in groups if g.to_add])

    def _remove(self, groups):
        results = self.run_each([self._writer(REMOVE, api.remove_shares_from_express_sync, g, g.shares)
                                 for g in groups])
        for group, (ok, value) in zip(groups, results):
            if ok:
                group.task_id = value
                self.task_ids.append(value)
                self.journal.update(group.entries, task_id=value)
            elif isinstance(value, SgwApiError):
                # The service refused the call: nothing was removed, nothing to remember.
                self._fail(group, value, self.UNTOUCHED)
                self.journal.drop(group.entries)
            else:
                self._fail(group, value, self.STRANDED)
        self.journal.save()
        sent = [g for g in groups if g.error is None and g.task_id]
        outcome = self.waits.wait_for_tasks(self.client, [(g.region, g.express_sync_id, g.task_id) for g in sent],
                                            self.timeout, run_all=self.run_all)
        unsure = [g for g in groups if g.error is None and not g.task_id]
        for group in sent:
            state = outcome[group.task_id]
            if state[0] == tasks.COMPLETED:
                group.to_add = list(group.shares)
                self.journal.update(group.entries, step="removed")
            elif state[0] == tasks.FAILED:
                # A failed Remove may have taken some shares out: the members tell.
                error = tasks.task_error(state, group.task_id, REMOVE, group.region, group.express_sync_id,
                                         self.timeout)
                self._fail(group, error, self.NOT_REMOVED)
                unsure.append(group)
            else:
                error = tasks.task_error(state, group.task_id, REMOVE, group.region, group.express_sync_id,
                                         self.timeout)
                self._fail(group, error, self.STRANDED)
        if unsure:
            members = self.read_members([g.key for g in unsure])
            for group in unsure:
                group.to_add = [k for k in group.shares if k not in members[group.key]]
                if not group.to_add:
                    self.journal.drop(group.entries)
        self.journal.save()

    def _add(self, groups):
        """Add ``to_add`` of each group back, and drop its entries once its Add task has completed."""
        if not groups:
            return
        self.changed = True
        if self.check_mode:
            return
        for group in groups:
            group.task_id = None
            self.journal.update(group.entries, step="adding", task_id=None)
        self.journal.save()
        results = self.run_each([self._writer(ADD, api.add_shares_to_express_sync, g, g.to_add) for g in groups])
        sent = []
        for group, (ok, value) in zip(groups, results):
            if ok and value:
                group.task_id = value
                self.task_ids.append(value)
                self.journal.update(group.entries, task_id=value)
                sent.append(group)
            else:
                error = value if not ok else SgwApiError("InvalidResponse", "AddSharesToExpressSync returned no TaskId",
                                                         action=ADD, region=group.region)
                self._fail(group, error, self.STRANDED)
                self.journal.update(group.entries, step="add_failed", error=str(error)[:500])
        self.journal.save()
        outcome = self.waits.wait_for_tasks(self.client, [(g.region, g.express_sync_id, g.task_id) for g in sent],
                                            self.timeout, run_all=self.run_all)
        for group in sent:
            state = outcome[group.task_id]
            if state[0] == tasks.COMPLETED:
                self.journal.drop(group.entries)
                continue
            error = tasks.task_error(state, group.task_id, ADD, group.region, group.express_sync_id, self.timeout)
            self._fail(group, error, self.STRANDED)
            if state[0] == tasks.FAILED:
                self.journal.update(group.entries, step="add_failed", error=str(error)[:500])
        self.journal.save()

    def _writer(self, action, function, group, keys):
        def write():
            return self.waits.call_while_busy(
                lambda: function(self.client, group.region, group.express_sync_id, keys),
                self.timeout, action, group.region, group.express_sync_id)
        return write

    # -------------------------------------------------------------------------------- health

    def _record(self, group, key, share, resumed=False):
        state = share.get(EXPRESS_SYNC_STATE) if share else None
        self.records[(group.region, group.express_sync_id) + key] = {
            "express_sync_id": group.express_sync_id, "region": group.region, "gateway_id": key[0],
            "share_name": key[1], "state_before": state if share else "not a member",
            "state_after": None, "sgw_health": None, "sync_progress": None, "resumed": resumed,
        }

    def _wait_healthy(self):
        """Poll the members of every group of the run once per region per round until every share is healthy."""
        # The shares of a group whose Add failed are not waited for: they are not members.
        watched = [k for k in self.records if k[:2] not in self.failed_groups]
        keys = sorted({k[:2] for k in self.records} | set(self.before))
        if not keys:
            return
        backoff = self.waits.poll_backoff(timeout=self.params["healthy_timeout"] if self.params["wait_healthy"] else 0,
                                          first=HEALTH_POLL_FIRST, most=HEALTH_POLL_MOST)
        while True:
            try:
                members = self.read_members(keys)
            except SgwError as error:
                self.errors.append(error)
                return
            self.health_rounds += 1
            for group_key, present in members.items():
                self.after[group_key] = sorted(label(k) for k in present)
            for key, record in self.records.items():
                share = members.get(key[:2], {}).get(key[2:])
                record["state_after"] = share.get(EXPRESS_SYNC_STATE) if share else "not a member"
                record["sgw_health"] = health_of(share.get(EXPRESS_SYNC_STATE)) if share else "unknown"
                record["sync_progress"] = share.get(SYNC_PROGRESS) if share else None
            delay = None if all(self.records[k]["sgw_health"] == HEALTHY for k in watched) else next(backoff, None)
            if delay is None:
                return
            backoff.sleep(delay)

    # -------------------------------------------------------------------------------- output

    def pending(self):
        """The entries of this account and endpoint still in the journal, as the module returns them."""
        entries = [dict(e) for e in self.journal.entries if self.entry_is_ours(e)]
        if self.check_mode:  # what a real run would have found, the entries given back included
            entries += [dict(e) for e in self.given]
        return entries

    def result(self) -> dict:
        shares = [self.records[k] for k in sorted(self.records)]
        recovered = sorted(label((r["gateway_id"], r["share_name"])) for r in shares if r["sgw_health"] == HEALTHY)
        not_recovered = sorted(label((r["gateway_id"], r["share_name"])) for r in shares
                               if r["sgw_health"] != HEALTHY)
        groups = sorted(set(self.before) | set(self.after))
        return {
            "changed": self.changed,
            "shares": shares,
            "recovered": [] if self.check_mode else recovered,
            "not_recovered": [] if self.check_mode else not_recovered,
            "resumed": self.resumed,
            "not_members": self.skipped,
            "pending": self.pending(),
            "task_ids": self.task_ids,
            "health_rounds": self.health_rounds,
            "journal": self.journal.path,
            "diff": {
                "before": {"%s (%s)" % (k[1], k[0]): self.before.get(k, []) for k in groups},
                "after": {"%s (%s)" % (k[1], k[0]): self._after(k) for k in groups},
            },
        }

    def _after(self, key):
        if key in self.after:
            return self.after[key]
        added = [label(k) for g in self.resumed if (g["region"], g["express_sync_id"]) == key
                 for k in share_pairs(g["added"])]
        return sorted(set(self.before.get(key, [])) | set(added))
