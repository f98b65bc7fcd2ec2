# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Watch the health of the express sync shares: what changed between two fetches of the estate.

The event source ``alibabacloud.sgw.express_sync_health`` polls the estate with
:class:`~.fetch.EstateFetcher` and hands each result to :meth:`Watch.observe`, which returns the
events to send. Nothing here calls the API or waits, so every rule is tested with plain tables.

* A share is known by its inventory host name, ``<ShareName>@<GatewayId>``; its state is its
  group (id and name), region, health, ``ExpressSyncState`` and ``SyncProgress``.
* A share whose health or state changed is a ``transition``; one that appeared (added to a group)
  comes from ``none``, one that disappeared (removed from its group) goes to ``none``.
* The shares of a region whose calls failed keep their last known state: a failure is never shown
  as a change of health, nor as shares that disappeared.
* Flapping: each transition into ``failed`` is one heal. When a share has gone into ``failed``
  more than ``flap_max_heals`` times within ``flap_window`` seconds, its event says
  ``flapping: true`` and the share is left out of the hosts that the events of its group name.
* The state (shares, the times each went into ``failed``) is JSON, so that it can be written to
  a state file and a restart compares against it.
"""

from __future__ import annotations

import json
import os
import re
import time

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.health import FAILED, health_summary
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.records import express_sync_vars, share_record
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import schema
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.files import write_atomically

STATE_FORMAT = 1
NONE = "none"
# The event types, in the order a poll may send them.
SNAPSHOT, TRANSITION, ERROR, RECOVERED, HEARTBEAT = "snapshot", "transition", "error", "recovered", "heartbeat"
# What a share's state holds (besides its host name).
SHARE_FIELDS = ("share_name", "gateway_id", "express_sync_id", "express_sync_name", "region", "health", "state",
                "progress")
# A host name that is also a plain inventory pattern (no wildcard, range, regex or separator).
_PLAIN_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]+$")


def host_name(share_name, gateway_id) -> str:
    """A share's inventory host name, as the inventory plugin names it by default."""
    return "%s@%s" % (share_name, gateway_id)


def group_host_pattern(express_sync_id) -> str:
    """The inventory group of a group's member shares (``sgw_sync_<id>``, sanitised as the plugin does)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", "sgw_sync_%s" % express_sync_id)


def time_text(epoch) -> str:
    """An epoch as ISO 8601 UTC (``2026-12-02T01:02:03Z``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def share_states(estate) -> tuple:
    """``({host name: state}, {region: error record})`` of a fetched estate (``EstateFetcher.fetch``).

    The shares of a region that failed are not listed; a share listed by two regions (an endpoint
    that answers for the whole account) is kept once, the first region winning.
    """
    states, errors = {}, {}
    for region, data in estate.get("regions", {}).items():
        if data.get("error"):
            errors[region] = data["error"]
            continue
        groups = {group.get(schema.EXPRESS_SYNC_ID): group for group in data.get("express_syncs", ())}
        for share in data.get("shares", ()):
            record = share_record(share)
            name = host_name(record.get("share_name"), record.get("gateway_id"))
            if name in states:
                continue
            group = express_sync_vars(groups.get(share.get(schema.EXPRESS_SYNC_ID), {}))
            states[name] = {
                "share_name": record.get("share_name"),
                "gateway_id": record.get("gateway_id"),
                "express_sync_id": share.get(schema.EXPRESS_SYNC_ID),
                "express_sync_name": group.get("express_sync_name"),
                "region": region,
                "health": record["sgw_health"],
                "state": share.get(schema.EXPRESS_SYNC_STATE),
                "progress": share.get(schema.SYNC_PROGRESS),
            }
    return states, errors


class Watch:
    """The last known state of the watched shares, and the events of each new fetch."""

    def __init__(self, flap_window=3600.0, flap_max_heals=3, clock=time.time):
        self.flap_window = float(flap_window)
        self.flap_max_heals = int(flap_max_heals)
        self.clock = clock
        self.shares = None     # host name -> state; None before the first fetch (and no state file)
        self.failures = {}     # host name -> epochs of its transitions into failed, within the window
        self.failed_regions = {}  # region -> consecutive failed polls
        self.seen_regions = set()  # regions fetched at least once (or in the state file)
        self.polls = 0
        self.restored = False

    # -------------------------------------------------------------------------- state file

    def to_document(self) -> dict:
        return {"format": STATE_FORMAT, "shares": self.shares or {}, "failures": self.failures,
                "regions": sorted(self.seen_regions)}

    def load(self, path) -> bool:
        """Take the state of a state file; False when there is none. A damaged file is an error."""
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except FileNotFoundError:
            return False
        except (OSError, ValueError) as exc:
            raise ValueError("the state file %s cannot be read (%s); move it away to start afresh." % (path, exc)) from None
        if not isinstance(document, dict) or document.get("format") != STATE_FORMAT \
                or not isinstance(document.get("shares"), dict) or not isinstance(document.get("failures"), dict):
            raise ValueError("the state file %s is not a state file of format %d; move it away to start afresh." % (
                path, STATE_FORMAT))
        self.shares = {name: {field: state.get(field) for field in SHARE_FIELDS}
                       for name, state in document["shares"].items() if isinstance(state, dict)}
        self.failures = {name: [float(t) for t in times] for name, times in document["failures"].items()
                         if isinstance(times, list)}
        self.seen_regions = {r for r in document.get("regions") or () if isinstance(r, str)}
        self.seen_regions |= {state.get("region") for state in self.shares.values() if state.get("region")}
        self.restored = True
        return True

    def save(self, path):
        write_state(path, json.dumps(self.to_document(), indent=1, sort_keys=True) + "\n")

    # ---------------------------------------------------------------------------- a fetch

    def observe(self, estate, now=None) -> list:
        """The events of one fetch: the snapshot (first fetch, and the first of a region that failed
        until then), transitions, errors and recoveries."""
        now = self.clock() if now is None else now
        self.polls += 1
        current, errors = share_states(estate)
        failed = set(errors)
        asked = set(estate.get("regions", {}))
        new_regions = sorted(asked - failed - self.seen_regions) if self.polls > 1 or self.restored else []
        previous = dict(self.shares or {})
        merged = dict(current)
        for name, state in previous.items():  # a failed region's shares keep their last known state
            if state.get("region") in failed and name not in merged:
                merged[name] = state
        watched = {name: state for name, state in merged.items() if state.get("region") not in new_regions}
        changes = self._changes(previous, watched, now) if self.polls > 1 or self.restored else []
        self.shares = merged
        self.seen_regions |= asked - failed
        self._forget_old_failures(now)
        events = []
        if self.polls == 1:
            events.append(self.snapshot(now, sorted(failed)))
        elif new_regions:
            events.append(self.snapshot(now, sorted(failed), regions=new_regions))
        events += [self._transition(name, before, after, now) for name, before, after in changes]
        for region, error in sorted(errors.items()):
            self.failed_regions[region] = self.failed_regions.get(region, 0) + 1
            events.append(dict(error_event(error, now, region), attempt=self.failed_regions[region], poll=self.polls))
        for region in sorted(set(self.failed_regions) - failed):
            events.append({"type": RECOVERED, "time": time_text(now), "poll": self.polls, "region": region,
                           "failed_polls": self.failed_regions.pop(region)})
        return events

    def _changes(self, previous, current, now) -> list:
        changes = []
        for name in sorted(set(previous) | set(current)):
            before, after = previous.get(name), current.get(name)
            if before is not None and after is not None and (before["health"], before["state"]) == (
                    after["health"], after["state"]):
                continue
            if after is not None and after["health"] == FAILED and (before is None or before["health"] != FAILED):
                self.failures.setdefault(name, []).append(now)
            changes.append((name, before, after))
        return changes

    def _forget_old_failures(self, now):
        for name in list(self.failures):
            kept = [t for t in self.failures[name] if now - t < self.flap_window]
            if kept:
                self.failures[name] = kept
            else:
                del self.failures[name]

    def flapping(self, name) -> bool:
        return len(self.failures.get(name, ())) > self.flap_max_heals

    def hosts_of(self, express_sync_ids) -> list:
        """``meta.hosts`` of an event about these groups: localhost, their inventory groups, and
        ``!<host>`` for each of their shares that flaps (a host name that is not a plain pattern
        leaves its group out instead, so that it cannot be healed by mistake)."""
        hosts, excluded = ["localhost"], []
        for sync_id in sorted({i for i in express_sync_ids if i}):
            flappers = sorted(name for name, state in (self.shares or {}).items()
                              if state.get("express_sync_id") == sync_id and self.flapping(name))
            if any(not _PLAIN_PATTERN.match(name) for name in flappers):
                continue
            hosts.append(group_host_pattern(sync_id))
            excluded += ["!" + name for name in flappers]
        return hosts + excluded

    def snapshot(self, now, failed_regions, regions=None) -> dict:
        """Every watched share (of ``regions`` only, when given) and its health."""
        shares = [dict(state, share=name, flapping=self.flapping(name)) for name, state in sorted(self.shares.items())
                  if regions is None or state.get("region") in regions]
        failed_groups = [s["express_sync_id"] for s in shares if s["health"] == FAILED and not s["flapping"]]
        return {"type": SNAPSHOT, "time": time_text(now), "poll": self.polls, "restored": self.restored,
                "regions": regions, "shares": shares, "summary": health_summary(s["health"] for s in shares),
                "failed_regions": failed_regions, "meta": {"hosts": self.hosts_of(failed_groups)}}

    def heartbeat(self, now) -> dict:
        shares = self.shares or {}
        return {"type": HEARTBEAT, "time": time_text(now), "poll": self.polls, "shares": len(shares),
                "summary": health_summary(s["health"] for s in shares.values()),
                "failed_regions": sorted(self.failed_regions)}

    def _transition(self, name, before, after, now) -> dict:
        known = after or before
        event = {"type": TRANSITION, "time": time_text(now), "poll": self.polls, "share": name}
        event.update((field, known.get(field)) for field in ("share_name", "gateway_id", "express_sync_id",
                                                             "express_sync_name", "region"))
        event.update({
            "from_health": before["health"] if before else NONE,
            "to_health": after["health"] if after else NONE,
            "from_state": (before["state"] or "") if before else NONE,
            "to_state": (after["state"] or "") if after else NONE,
            "progress": after["progress"] if after else None,
            "failures_in_window": len(self.failures.get(name, ())),
            "flapping": self.flapping(name),
            "meta": {"hosts": self.hosts_of([known.get("express_sync_id")])},
        })
        return event


def error_event(error, now, region=None) -> dict:
    """An ``error`` event from an error record (``fetch.error_record``) or an exception: what failed,
    where, the API Code and RequestId; never a secret (the collection's errors hold none)."""
    if isinstance(error, BaseException):
        record = {"message": str(error), "code": getattr(error, "code", None),
                  "request_id": getattr(error, "request_id", None), "action": getattr(error, "action", None)}
    else:
        record = error
    return {"type": ERROR, "time": time_text(now), "region": region, "code": record.get("code"),
            "request_id": record.get("request_id"), "action": record.get("action"), "message": record.get("message")}


def write_state(path, text):
    """Write the state file, making its directory (readable by its owner only) when it is missing."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    write_atomically(path, text)
