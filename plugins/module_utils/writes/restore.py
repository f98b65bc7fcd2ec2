# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The steps of a resync, group by group: read, take out, put back, and settle what is not known.

Every step is done for many groups at once, and what goes wrong with one group is that group's
alone: members are read with one call per region, and a region whose call fails is read again
group by group; every write has its own outcome (:mod:`.outcomes`).

What a write did is never guessed. A write whose answer never came is settled by reading, once it
can no longer land (``lands_by`` in the journal): the tasks still running on its group are waited
for, then the members are read. An entry of the journal is dropped only once a read proves it done:
its shares are members again, or they no longer exist (a deleted group, gateway or share: they are
named in ``orphaned``, and the rest of the entry goes on).
"""

from __future__ import annotations

import threading

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.records import share_key, share_label as label
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import EXPRESS_SYNC_ID, NAME
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import journal as journals
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import outcomes
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes import tasks
from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.concurrent import Concurrent

REMOVE = "RemoveSharesFromExpressSync"
ADD = "AddSharesToExpressSync"

# What became of the shares of a group whose step failed.
STRANDED = "stranded"          # possibly out of their group, recorded in the journal
UNTOUCHED = "untouched"        # nothing was removed (the Remove was refused, or a read proved it did nothing)
NOT_REMOVED = "not_removed"    # the Remove task failed: what it took out is added back


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("-inf")


# Journal writes made from the writers of a pool, one at a time.
_JOURNAL_WRITES = threading.Lock()


class Group:
    """One express sync group of the run and what happens to it."""

    def __init__(self, region, express_sync_id):
        self.region = region
        self.express_sync_id = express_sync_id
        self.shares = []          # (gateway_id, share_name), in order
        self.entries = []         # its journal entries
        self.to_add = []
        self.members = {}         # as last read
        self.error = None
        self.task_id = None

    @property
    def key(self):
        return self.region, self.express_sync_id

    def add_share(self, key):
        if key not in self.shares:
            self.shares.append(key)


class Steps(Concurrent):
    """The steps of :class:`.resync.Resync`; it sets the attributes used here."""

    # ----------------------------------------------------------------------------- reads

    def read_members(self, keys):
        """``({group key: {(gateway_id, share_name): record}}, {group key: error})``.

        One DescribeExpressSyncShares per region; a region whose call fails is read again one
        group per call, so that a deleted or unreadable group fails alone.
        """
        by_region = {}
        for region, group_id in keys:
            by_region.setdefault(region, []).append(group_id)
        members, errors = {}, {}

        def reader(region, ids):
            return lambda: api.describe_express_sync_shares(self.client, region, ids, is_external=False)

        def spread(region, ids, shares):
            for group_id in ids:
                members[(region, group_id)] = {}
            for share in shares:
                key = (region, share.get(EXPRESS_SYNC_ID))
                if key in members:
                    members[key][share_key(share)] = share

        regions = sorted(by_region)
        again = []
        for region, (ok, value) in zip(regions, self.run_each([reader(r, by_region[r]) for r in regions])):
            if ok:
                spread(region, by_region[region], value)
            elif len(by_region[region]) == 1:
                errors[(region, by_region[region][0])] = value
            else:
                again += [(region, group_id) for group_id in by_region[region]]
        for key, (ok, value) in zip(again, self.run_each([reader(k[0], [k[1]]) for k in again])):
            if ok:
                spread(key[0], [key[1]], value)
            else:
                errors[key] = value
        return members, errors

    def read_groups(self, groups):
        """The members of each group of ``groups``; a group that cannot be read fails, or is orphaned
        when it no longer exists. Returns ``{group key: members}`` of the groups read."""
        members, errors = self.read_members([g.key for g in groups])
        for group in groups:
            error = errors.get(group.key)
            if error is None:
                continue
            if getattr(error, "code", None) == outcomes.GROUP_GONE:
                self.orphan(group, group.shares, "the express sync group %s no longer exists" % group.express_sync_id)
            else:
                self._fail(group, error, STRANDED if group.entries else UNTOUCHED)
        return members

    def gone_shares(self, group, keys):
        """The shares of ``keys`` that no longer exist (their gateway or the share itself), read with
        DescribeGatewayFileShares; None when a gateway could not be read."""
        gateways = sorted({k[0] for k in keys})
        results = self.run_each([(lambda gw=gw: api.describe_gateway_file_shares(self.client, group.region, gw))
                                 for gw in gateways])
        existing = set()
        for gateway, (ok, value) in zip(gateways, results):
            if ok:
                existing.update((gateway, s.get(NAME)) for s in value)
            elif getattr(value, "code", None) != "GatewayNotExist":
                return None
        return [k for k in keys if k not in existing]

    # ----------------------------------------------------------------------- the journal

    def persist(self):
        """Write the journal; when that fails (a full disk), the run goes on putting shares back and
        fails at its end (``journal_error``): the file still holds what was last written."""
        if self.check_mode:
            return
        try:
            self.journal.save()
        except OSError as error:
            if self.journal_error is None:
                self.journal_error = error

    def orphan(self, group, keys, reason):
        """``keys`` of ``group`` no longer exist: name them, and drop them from the group's entries."""
        keys = [k for k in keys if k in group.shares or k in group.to_add]
        for key in keys:
            self.orphaned.append({"express_sync_id": group.express_sync_id, "region": group.region,
                                  "gateway_id": key[0], "share_name": key[1], "reason": reason})
        if keys:
            self.warnings.append("%s: %s, so these shares cannot be put back and are dropped from the resync "
                                 "journal: %s" % (group.express_sync_id, reason, ", ".join(label(k) for k in keys)))
        for key in keys:
            self.records.pop(group.key + key, None)
        group.shares = [k for k in group.shares if k not in keys]
        group.to_add = [k for k in group.to_add if k not in keys]
        for entry in group.entries:
            entry["shares"] = [s for s in entry["shares"] if (s["gateway_id"], s["share_name"]) not in keys]
        self.journal.drop([e for e in group.entries if not e["shares"]])
        group.entries = [e for e in group.entries if e["shares"]]

    # ------------------------------------------------------------------------- settling

    def settle(self, groups):
        """Make what a read shows final for ``groups``: wait until their writes sent without an answer can
        no longer land, then for the tasks running on them. Returns the groups that may be read now."""
        wall = self.waits.wall()
        landed = self.landed([g for g in groups if self.lands_by(g) > wall])
        ready, latest = [], wall
        for group in groups:
            lands_by = 0 if group.key in landed else self.lands_by(group)
            if lands_by - wall > self.timeout and not self.check_mode:
                self._fail(group, SgwApiError(outcomes.UNKNOWN_CODE, "a write on %s whose answer never came may "
                                              "still land for %ds; run again after that" % (
                                                  group.express_sync_id, lands_by - wall),
                                              region=group.region), STRANDED)
                continue
            ready.append(group)
            latest = max(latest, lands_by)
        if ready and latest > wall and not self.check_mode:
            self.waits.sleep(latest - wall)
        if not ready or self.check_mode:
            return ready
        found = self.run_each([(lambda g=g: tasks.running_tasks(self.client, g.region, g.express_sync_id))
                               for g in ready])
        running, failed = [], set()
        for group, (ok, value) in zip(ready, found):
            if ok:
                running += value
            else:
                failed.add(group.key)
                self._fail(group, value, STRANDED)
        if running:
            outcome = self.waits.wait_for_tasks(self.client, running, self.timeout, run_all=self.run_all)
            late = {t[1] for t in running if outcome[t[2]][0] == tasks.TIMEOUT}
            for group in ready:
                if group.express_sync_id in late:
                    failed.add(group.key)
                    self._fail(group, SgwApiError(tasks.TASK_TIMEOUT, "a task on %s was still running after %ss "
                                                  "(wait_timeout)" % (group.express_sync_id, self.timeout),
                                                  action="DescribeTasks", region=group.region), STRANDED)
        return [g for g in ready if g.key not in failed]

    @staticmethod
    def lands_by(group):
        return max([e.get("lands_by") or 0 for e in group.entries] + [0])

    def landed(self, groups):
        """The keys of ``groups`` whose write sent without an answer has landed already: the group has a
        task of that action created since the entry's step was written (so nothing is left to wait for)."""
        if not groups or self.check_mode:
            return set()
        found = self.run_each([(lambda g=g: api.describe_tasks(self.client, g.region, target_id=g.express_sync_id))
                               for g in groups])
        landed = set()
        for group, (ok, records) in zip(groups, found):
            writes = [(REMOVE if e["step"] == "removing" else ADD, journals.epoch_of(e["updated"]))
                      for e in group.entries if e.get("lands_by")]
            if ok and writes and all(since is not None and any(
                    t.get(NAME) == action and _number(t.get("CreatedTime")) >= since - 1 for t in records)
                    for action, since in writes):
                landed.add(group.key)
        return landed

    def missing_after_settling(self, groups):
        """Settle ``groups``, then set ``to_add`` of each to its shares that are not members; groups
        with nothing left to add have their entries dropped. Returns the groups read."""
        groups = self.settle(groups)
        members = self.read_groups(groups)
        read = [g for g in groups if g.key in members]
        for group in read:
            group.members = members[group.key]
            group.to_add = [k for k in group.shares if k not in group.members]
            if not group.to_add and not self.check_mode:
                self.journal.drop(group.entries)
        return read

    # -------------------------------------------------------------------------------- remove

    def remove(self, groups):
        """Send every group's Remove (their entries written before), wait for the tasks, and set ``to_add``."""
        results = self.run_all([self.writer(REMOVE, api.remove_shares_from_express_sync, g, g.shares)
                                for g in groups])
        sent, unsure, lost = [], [], {}
        for group, outcome in zip(groups, results):
            if outcome.state == outcomes.DONE:
                self._sent(group, outcome, sent)
            elif outcome.state == outcomes.REFUSED:
                self.refused_remove(group, outcome.error)
            else:  # the Remove may have been applied, or may still be: read once it cannot land any more
                lost[group.key] = outcome.error
                unsure.append(group)
        for group, state in self._ended(sent):
            if state[0] == tasks.COMPLETED:
                group.to_add = list(group.shares)
                self.journal.update(group.entries, step="removed")
                continue
            error = tasks.task_error(state, group.task_id, REMOVE, group.region, group.express_sync_id, self.timeout)
            if state[0] == tasks.FAILED:  # a failed Remove may have taken some shares out: the members tell
                self._fail(group, error, NOT_REMOVED)
                unsure.append(group)
            else:
                self._fail(group, error, STRANDED)
        for group in self.missing_after_settling(unsure):
            if not group.to_add and group.key in lost:  # the lost Remove did nothing
                self._fail(group, lost[group.key], UNTOUCHED)
        self.persist()

    def _sent(self, group, outcome, sent):
        """A write the service took: its task is recorded, its entries no longer wait for it to land."""
        group.task_id = outcome.task_id
        self.task_ids.append(outcome.task_id)
        self.journal.update(group.entries, task_id=outcome.task_id, lands_by=None)
        sent.append(group)

    def _ended(self, groups):
        """The journal written, each group's task waited for (side by side, up to ``timeout``):
        ``(group, end state of its task)`` of each group, in order."""
        self.persist()
        done = self.waits.wait_for_tasks(self.client, [(g.region, g.express_sync_id, g.task_id) for g in groups],
                                         self.timeout, run_all=self.run_all)
        return [(group, done[group.task_id]) for group in groups]

    def refused_remove(self, group, error):
        """A refused Remove changed nothing: its entries go; shares that no longer exist are named."""
        if error.code == outcomes.GROUP_GONE:
            self.orphan(group, group.shares, "the express sync group %s no longer exists" % group.express_sync_id)
            return
        if error.code in outcomes.MEMBER_GONE:
            gone = self.gone_shares(group, group.shares) or []
            self.orphan(group, gone, "the share or its gateway no longer exists")
        self._fail(group, error, UNTOUCHED)
        self.journal.drop(group.entries)

    # ----------------------------------------------------------------------------------- add

    def add(self, groups):
        """Add ``to_add`` of each group back; drop its entries once a read proves them members again."""
        if not groups:
            return
        self.changed = True
        if self.check_mode:
            return
        for round_ in (1, 2):  # a second round only for the groups whose Add named a share that is gone
            groups = self._add_round(groups, last=round_ == 2)
            if not groups:
                return

    def _add_round(self, groups, last):
        lands_by = outcomes.lands_by_ahead(self.client, self.waits.wall())
        for group in groups:
            group.task_id = None
            self.journal.update(group.entries, step="adding", task_id=None, lands_by=lands_by)
        self.persist()
        results = self.run_all([self.writer(ADD, api.add_shares_to_express_sync, g, g.to_add) for g in groups])
        sent, unsure, again, errors = [], [], [], {}
        for group, outcome in zip(groups, results):
            if outcome.state == outcomes.DONE:
                self._sent(group, outcome, sent)
                continue
            if outcome.state == outcomes.REFUSED:
                self.journal.update(group.entries, lands_by=None)
                if outcome.code == outcomes.GROUP_GONE:
                    self.orphan(group, group.to_add, "the express sync group %s no longer exists" % (
                        group.express_sync_id))
                    continue
                gone = self.gone_shares(group, group.to_add) if outcome.code in outcomes.MEMBER_GONE else None
                if gone and not last:
                    self.orphan(group, gone, "the share or its gateway no longer exists")
                    if group.to_add:
                        again.append(group)
                    else:  # the rest of its shares were members when read
                        self.journal.drop(group.entries)
                    continue
            errors[group.key] = outcome.error
            unsure.append(group)
        for group, state in self._ended(sent):
            if state[0] == tasks.COMPLETED:
                self.journal.drop(group.entries)
            else:
                errors[group.key] = tasks.task_error(state, group.task_id, ADD, group.region, group.express_sync_id,
                                                     self.timeout)
                unsure.append(group)
        # A refused, failed or unanswered Add is settled by reading: what is a member again is done.
        for group in self.missing_after_settling(unsure):
            if group.to_add:
                self._fail(group, errors[group.key], STRANDED)
                self.journal.update(group.entries, step="add_failed", error=str(errors[group.key])[:500])
        self.persist()
        return again

    def writer(self, action, function, group, keys):
        """A function that sends ``action`` for ``keys`` of ``group`` (retried while the group is busy) and
        returns its :class:`.outcomes.Outcome`."""
        sent = []  # when each attempt was sent

        def send():
            self.cover_landing(group)
            sent.append(self.waits.wall())
            return function(self.client, group.region, group.express_sync_id, keys)

        def write():
            outcome = outcomes.write(lambda: self.waits.call_while_busy(
                send, self.timeout, action, group.region, group.express_sync_id), action, group.region)
            if outcome.state == outcomes.UNKNOWN and sent:  # it lands a window after it was sent, at the latest
                self.journal.update(group.entries, lands_by=outcomes.lands_by(self.client, sent[-1]))
            return outcome
        return write

    def cover_landing(self, group):
        """Before each attempt of a write: the group's entries must say that it can land until a
        landing window from now. One that waited for its turn (a slot of the pool, a busy group)
        past what they say has them written anew first, so that a run that dies meanwhile leaves a
        journal that waits long enough for it."""
        needed = outcomes.lands_by(self.client, self.waits.wall())
        if not self.check_mode and min([e.get("lands_by") or 0 for e in group.entries] or [needed]) < needed:
            with _JOURNAL_WRITES:
                self.journal.update(group.entries, lands_by=outcomes.lands_by_ahead(self.client, self.waits.wall()))
                self.persist()
