# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resync of express sync shares: out of their group and back in, many groups side by side.

One run goes through phases, each for every group at once: resume the journal's pending entries,
read the members, send every group's Remove, wait for all those tasks together, send every Add,
wait for those, then poll the health of every share with one DescribeExpressSyncShares call per
region per round. ``max_concurrency`` bounds the calls in flight, not the tasks running.

Nothing is lost when a run dies: the journal (:mod:`.journal`) has an entry for a group before
its Remove is sent and keeps it until a read proves its shares members again (or gone). Resuming
an entry never trusts what the dead run knew: it waits until a write sent without an answer can no
longer land, then for the tasks still running on the group, reads its members, and adds back the
entry's shares that are not members, so it is right whether or not the Remove or the Add of the
dead run happened. The steps themselves are in :mod:`.restore`, the outcome of each write in
:mod:`.outcomes`.

Just before taking a share out, its state is read: a share that is not in one of ``heal_states``
any more (healthy, or already syncing again) is left alone and reported in ``skipped_healthy``.

A :class:`Resync` acts in one account, with one client; :class:`~.heal.Heal` runs those of
several accounts under one lock of the journal (:meth:`Resync.run` is a run of one account).
"""

from __future__ import annotations

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.health import (
    FAILED,
    HEALTH_BY_STATE,
    HEALTHY,
    health_of,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import outcomes
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.heal import Heal
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.journal import share_dicts, share_pairs
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import EXPRESS_SYNC_STATE, SYNC_PROGRESS
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.restore import (
    NOT_REMOVED,
    STRANDED,
    UNTOUCHED,
    Group,
    Steps,
    label,
)

# Health polling: the first delay between two rounds and the most once doubled, in seconds.
HEALTH_POLL_FIRST = 0.5
HEALTH_POLL_MOST = 5.0
# The states a share is resynced in unless heal_states says otherwise: those of a failed sync.
HEAL_STATES = tuple(state for state, health in HEALTH_BY_STATE.items() if health == FAILED)


class Resync(Steps):
    """Resumes pending journal entries, then resyncs the requested shares, in the account of ``client``
    (``account``: its journal record, :func:`.journal.account_of`); see the module's documentation."""

    def __init__(self, client, journal, account, endpoint_of, params, check_mode=False, waits=None):
        self.client = client
        self.journal = journal
        self.account = dict(account)
        self.endpoint_of = endpoint_of
        self.params = params
        self.check_mode = check_mode
        self.waits = waits or tasks.Waits()
        self.timeout = params["wait_timeout"]
        heal_states = params.get("heal_states")
        self.heal_states = HEAL_STATES if heal_states is None else tuple(heal_states)
        self.pool = None
        self.changed = False
        self.task_ids = []
        self.errors = []          # SgwError, in the order they happened
        self.failures = []        # (group, what became of its shares)
        self.warnings = []
        self.resumed = []
        self.skipped = []         # not members of the group given for them
        self.skipped_healthy = []  # members no longer in a state to heal
        self.orphaned = []        # shares of the journal whose group, gateway or share no longer exists
        self.records = {}         # (region, group, gateway, share) -> the share's result
        self.before = {}          # group key -> member labels before
        self.after = {}
        self.failed_groups = set()
        self.health_rounds = 0
        self.journal_error = None  # the first OSError of a journal write after the intent
        self.stopped = None        # the SgwError that ended this account's steps before their end

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
        by_outcome = {outcome: sorted({g.express_sync_id for g, o in self.failures if o == outcome})
                      for outcome in (STRANDED, UNTOUCHED, NOT_REMOVED)}
        if by_outcome[NOT_REMOVED]:
            parts.append("The shares of %s were not resynced (their Remove task failed); any share that it took out "
                         "is added back" % ", ".join(by_outcome[NOT_REMOVED]))
        if by_outcome[UNTOUCHED]:
            parts.append("Nothing was removed from %s (the members read afterwards say so)" % ", ".join(
                by_outcome[UNTOUCHED]))
        stranded = [g for g, outcome in self.failures if outcome == STRANDED and g.entries]
        if stranded:
            parts.append(
                "These shares may be out of their express sync group, and are recorded in the resync journal %s: %s. "
                "Run the module again (or with resume_only: true) to add them back" % (self.journal.path, "; ".join(
                    "%s in region %s (%s)" % (g.express_sync_id, g.region, ", ".join(
                        label(k) for k in (g.to_add or g.shares))) for g in stranded)))
        if self.stopped is not None:
            parts.append("The run stopped there: what it had taken out is recorded in the resync journal %s; run the "
                         "module again (or with resume_only: true) to add it back" % self.journal.path)
        return ". ".join(parts) + "."

    # ---------------------------------------------------------------------------------- run

    def run(self, requested, given_entries=(), resume_only=False, pool_factory=None):
        """Resume, then resync ``requested`` (``{(region, group): [(gateway_id, share_name), ...]}``), in this
        account alone (see :class:`~.heal.Heal`).

        A journal that could not be written after the intent is raised at the end (``OSError``),
        once every share already taken out was sent back.
        """
        heal = Heal(self.journal, self)
        return heal.run({None: requested}, given_entries, resume_only=resume_only, pool_factory=pool_factory)

    def steps(self, requested, entries, resume_only=False):
        """Under the journal's lock: resume ``entries`` (this account's pending ones), then resync ``requested``."""
        resumed_groups = self._resume(entries)
        resumed = {(g.region, g.express_sync_id, k) for g in resumed_groups for k in g.to_add}
        if not resume_only:
            self._resync(requested, resumed)

    # -------------------------------------------------------------------------------- resume

    def _resume(self, entries):
        """Add back the shares of pending entries that are not members of their group, once what a
        write of the run that left them may still do can no longer change what is read."""
        groups = {}
        for entry in entries:
            group = groups.setdefault((entry["region"], entry["express_sync_id"]),
                                      Group(entry["region"], entry["express_sync_id"]))
            group.entries.append(entry)
            for key in share_pairs(entry["shares"]):
                group.add_share(key)
        if not groups:
            return []
        read = self.missing_after_settling(list(groups.values()))
        for group in read:
            self.resumed.append({"express_sync_id": group.express_sync_id, "region": group.region,
                                 "account_id": self.account.get("account_id"),
                                 "shares": share_dicts(group.shares), "added": share_dicts(group.to_add)})
            self.before.setdefault(group.key, sorted(label(k) for k in group.members))
            for key in group.to_add:
                self._record(group, key, None, resumed=True)
        self.persist()
        self.add([g for g in read if g.to_add])
        return [g for g in read if g.to_add]

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
        members, errors = self.read_members([g.key for g in groups])
        for group in groups:
            if group.key in errors:
                if getattr(errors[group.key], "code", None) == outcomes.GROUP_GONE:
                    present = {}
                else:
                    self._fail(group, errors[group.key], UNTOUCHED)
                    continue
            else:
                present = members[group.key]
            self.before.setdefault(group.key, sorted(label(k) for k in present))
            for key in list(group.shares):
                state = present[key].get(EXPRESS_SYNC_STATE) if key in present else None
                if key not in present:
                    self.skipped.append(self._share(group, key, reason="not a member of %s" % group.express_sync_id))
                elif state not in self.heal_states:
                    self.skipped_healthy.append(self._share(group, key, state=state))
                else:
                    self._record(group, key, present[key])
                    continue
                group.shares.remove(key)
        groups = [g for g in groups if g.shares and g.error is None]
        if self.skipped:
            self.warnings.append("%d shares are not members of the express sync group given for them and were left "
                                 "alone: %s" % (len(self.skipped), ", ".join(
                                     "%s@%s (%s)" % (s["share_name"], s["gateway_id"], s["express_sync_id"])
                                     for s in self.skipped)))
        if not groups:
            return
        self.changed = True
        if self.check_mode:
            return
        # Intent first: an entry per group before any Remove is sent; a journal that cannot say so stops here.
        lands_by = outcomes.lands_by_ahead(self.client, self.waits.wall())
        for group in groups:
            group.entries = [journals.new_entry(self.account, self.endpoint_of(group.region), group.region,
                                                group.express_sync_id, group.shares)]
            group.entries[0]["lands_by"] = lands_by
            self.journal.entries.extend(group.entries)
        self.journal.save()
        self.remove(groups)
        self.add([g for g in groups if g.to_add])

    @staticmethod
    def _share(group, key, **fields):
        return dict({"express_sync_id": group.express_sync_id, "region": group.region, "gateway_id": key[0],
                     "share_name": key[1]}, **fields)

    # -------------------------------------------------------------------------------- health

    def _record(self, group, key, share, resumed=False):
        state = share.get(EXPRESS_SYNC_STATE) if share else None
        self.records[(group.region, group.express_sync_id) + key] = dict(self._share(group, key), **{
            "state_before": state if share else "not a member", "state_after": None, "sgw_health": None,
            "sync_progress": None, "resumed": resumed, "account_id": self.account.get("account_id")})

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
            members, errors = self.read_members(keys)
            self.errors += [errors[k] for k in sorted(errors)]
            keys = [k for k in keys if k not in errors]
            self.health_rounds += 1
            for group_key, present in members.items():
                self.after[group_key] = sorted(label(k) for k in present)
            for key, record in self.records.items():
                if key[:2] not in members:
                    continue
                share = members[key[:2]].get(key[2:])
                record["state_after"] = share.get(EXPRESS_SYNC_STATE) if share else "not a member"
                record["sgw_health"] = health_of(share.get(EXPRESS_SYNC_STATE)) if share else "unknown"
                record["sync_progress"] = share.get(SYNC_PROGRESS) if share else None
            delay = None if all(self.records[k]["sgw_health"] == HEALTHY for k in watched) else next(backoff, None)
            if delay is None or not keys:
                return
            backoff.sleep(delay)

    # -------------------------------------------------------------------------------- output

    def result(self) -> dict:
        """What this account's run did (:meth:`.heal.Heal.result` adds what is pending in the journal)."""
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
            "skipped_healthy": self.skipped_healthy,
            "orphaned": self.orphaned,
            "task_ids": self.task_ids,
            "health_rounds": self.health_rounds,
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
