# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event source alibabacloud.sgw.express_sync_health: the health of express sync shares, as events."""

from __future__ import annotations

DOCUMENTATION = r"""
name: express_sync_health
short_description: Events when the sync health of Cloud Storage Gateway express sync shares changes
version_added: 1.2.0
author:
  - alibabacloud.sgw maintainers (@alibabacloud-sgw)
description:
  - An event source for ansible-rulebook (Event-Driven Ansible). It polls the express sync estate every
    O(poll_interval) seconds the way the P(alibabacloud.sgw.sgw#inventory) inventory fetches it (the same calls,
    concurrency, regions and filters) and sends an event for each change, not for each level.
  - "C(snapshot): once at start, every watched share (C(share), C(share_name), C(gateway_id), C(express_sync_id),
    C(express_sync_name), C(region), C(health), C(state), C(progress), C(flapping)) and a count per health in
    C(summary); again for the shares of a region fetched for the first time after it had failed."
  - "C(transition): a share whose health or C(ExpressSyncState) changed: C(share) (its inventory host name,
    C(<ShareName>@<GatewayId>)), C(share_name), C(gateway_id), C(express_sync_id), C(express_sync_name), C(region),
    C(from_health), C(to_health), C(from_state), C(to_state), C(progress), C(time), C(failures_in_window) and
    C(flapping). A share added to a group comes C(from_health=none); one removed from its group goes
    C(to_health=none)."
  - "C(heartbeat): every O(heartbeat_polls) polls, the number of shares, the count per health and the regions
    failing. C(error): a region whose calls failed (C(region), C(action), C(code), C(request_id), C(message),
    C(attempt)); its shares keep their last known state, and the next poll comes after a backoff.
    C(recovered): a region that answers again."
  - "C(meta.hosts) of an event names the inventory hosts that an action for it targets: C(localhost), the
    inventory group of the share's express sync group (C(sgw_sync_<id>)) and C(!<host>) for each share of the
    group that flaps."
  - "Flapping: each transition into C(failed) counts as one heal; a share that went into C(failed) more than
    O(flap_max_heals) times within O(flap_window) seconds is C(flapping=true)."
  - With O(state_file), the state is written atomically after each poll, and a restart compares against it, so it
    sends the transitions that happened while it was stopped instead of starting afresh.
  - "Credentials, endpoint and the other shared options are those of the collection's modules, with the same
    environment variables; temporary credentials are renewed before they expire, and after an authentication
    error the credentials are looked for again."
  - "RAM actions: C(hcs-sgw:DescribeExpressSyncs), C(hcs-sgw:DescribeExpressSyncShares), C(hcs-sgw:DescribeRegions)
    without O(regions), and C(hcs-sgw:DescribeGateways) with O(gateway_details=true)."
extends_documentation_fragment:
  - alibabacloud.sgw.common
options:
  regions:
    description:
      - The regions to watch. An empty list means every region that C(DescribeRegions) returns.
    type: list
    elements: str
    default: []
  express_sync_ids:
    description: Only these express sync groups (their C(ExpressSyncId)). An empty list means every group.
    type: list
    elements: str
    default: []
  bucket_name:
    description: Only the express sync groups of this OSS bucket, filtered by the API.
    type: str
  bucket_prefix:
    description: With O(bucket_name), only the group of this prefix of the bucket.
    type: str
  gateway_details:
    description:
      - Read the details of the gateways (C(DescribeGateways)) at each poll; the events do not need them, so this
        only costs calls. Off by default.
    type: bool
    default: false
  max_concurrency:
    description: How many API calls may be in flight at once.
    type: int
    default: 8
  max_ids_per_call:
    description: The most group ids sent in one C(DescribeExpressSyncShares) call; V(0) sends all at once.
    type: int
    default: 0
  poll_interval:
    description: Seconds between two polls.
    type: float
    default: 60
  heartbeat_polls:
    description: Send a C(heartbeat) event every this many polls; V(0) sends none.
    type: int
    default: 10
  retry_max_interval:
    description:
      - While a region fails, the polls come after an exponential backoff (with jitter) from O(poll_interval) up
        to this many seconds.
    type: float
    default: 300
  state_file:
    description:
      - A file to keep the state in (the shares and their recent failures), written atomically after every poll,
        so that a restart compares against it. Not set, the state lives in memory only.
    type: path
  flap_window:
    description: Seconds over which the transitions of a share into C(failed) are counted.
    type: float
    default: 3600
  flap_max_heals:
    description: A share that went into C(failed) more than this many times within O(flap_window) is flapping.
    type: int
    default: 3
"""

EXAMPLES = r"""
- name: Watch the express sync shares
  hosts: all
  sources:
    - alibabacloud.sgw.express_sync_health:
        regions:
          - cn-hangzhou
          - cn-shanghai
        poll_interval: 30
        heartbeat_polls: 20
        state_file: /var/lib/eda/sgw-health.json
  rules:
    - name: Say when a share fails
      condition: event.type == "transition" and event.to_health == "failed"
      action:
        debug:
          msg: "{{ event.share }} in {{ event.express_sync_id }}: {{ event.from_state }} -> {{ event.to_state }}"
"""

# The imports come after the documentation, as in a module.
# pylint: disable=wrong-import-position
import asyncio
import logging
import os
import sys


def _collections_root():
    """The directory holding ``ansible_collections/`` of this file (ansible-rulebook loads a source by path)."""
    path = os.path.abspath(__file__)
    for dummy in range(8):  # the file, event_source, plugins, eda, extensions, sgw, alibabacloud, ansible_collections
        path = os.path.dirname(path)
    return path


try:
    import ansible_collections.alibabacloud.sgw.plugins.module_utils.options  # noqa: F401 pylint: disable=unused-import
except ImportError:
    sys.path.append(_collections_root())

from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import build_client, client_options
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.fetch import EstateFetcher
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.watch import Watch, error_event
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.backoff import Backoff
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import (
    KNOWN_REGIONS,
    invalid_express_sync_ids,
    invalid_regions,
)

logger = logging.getLogger(__name__)
# How the source waits between polls (tests replace it to release the polls one by one).
pause = asyncio.sleep

ARGUMENT_SPEC = {
    "regions": {"type": "list", "elements": "str", "default": []},
    "express_sync_ids": {"type": "list", "elements": "str", "default": []},
    "bucket_name": {"type": "str"},
    "bucket_prefix": {"type": "str"},
    "gateway_details": {"type": "bool", "default": False},
    "max_concurrency": {"type": "int", "default": 8},
    "max_ids_per_call": {"type": "int", "default": 0},
    "poll_interval": {"type": "float", "default": 60.0},
    "heartbeat_polls": {"type": "int", "default": 10},
    "retry_max_interval": {"type": "float", "default": 300.0},
    "state_file": {"type": "path"},
    "flap_window": {"type": "float", "default": 3600.0},
    "flap_max_heals": {"type": "int", "default": 3},
}
# Codes after which the credentials are looked for again (a rotated key, an expired token).
CREDENTIAL_CODES = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurityToken", "MissingSecurityToken",
                    "IncompleteSignature")


def settings(args) -> tuple:
    """``(client options, source settings)`` from the source's arguments; ValueError names every problem."""
    options, params = client_options(args, ARGUMENT_SPEC)
    problems = invalid_regions(params["regions"]) + invalid_express_sync_ids(params["express_sync_ids"])
    if params["bucket_prefix"] is not None and not params["bucket_name"]:
        problems.append("bucket_prefix needs bucket_name")
    for name, low in (("max_concurrency", 1), ("max_ids_per_call", 0), ("heartbeat_polls", 0), ("flap_max_heals", 0)):
        if params[name] < low:
            problems.append("%s must be %d or more" % (name, low))
    for name in ("poll_interval", "retry_max_interval", "flap_window"):
        if not params[name] > 0:
            problems.append("%s must be a positive number of seconds" % name)
    if problems:
        raise ValueError("alibabacloud.sgw.express_sync_health: %s." % "; ".join(problems))
    return options, params


class Poller:
    """The blocking part: the client, the regions, one fetch, the watch and its state file."""

    def __init__(self, options, params, clock=None):
        self.options = options
        self.params = params
        self.watch = Watch(params["flap_window"], params["flap_max_heals"], **({"clock": clock} if clock else {}))
        self.client = None
        self.regions = None
        if params["state_file"]:
            self.watch.load(params["state_file"])

    def poll(self) -> list:
        """The events of one poll (an ``error`` event, and no other, when no region could be asked)."""
        try:
            if self.client is None:
                configured = self.params["regions"]
                self.client = build_client(self.options, pool_size=self.params["max_concurrency"],
                                           region=configured[0] if configured else None)
            if self.regions is None:
                self.regions = self._regions()
            fetcher = EstateFetcher(self.client, max_concurrency=self.params["max_concurrency"],
                                    max_ids_per_call=self.params["max_ids_per_call"],
                                    gateway_details=self.params["gateway_details"],
                                    express_sync_ids=self.params["express_sync_ids"],
                                    bucket_name=self.params["bucket_name"], bucket_prefix=self.params["bucket_prefix"],
                                    fail_fast=False)
            estate = fetcher.fetch(self.regions)
        except SgwError as exc:
            self._renew_after(getattr(exc, "code", None), always=self.client is None)
            return [dict(error_event(exc, self.watch.clock()), attempt=None, poll=self.watch.polls)]
        events = self.watch.observe(estate)
        for event in events:
            if event["type"] == "error":
                self._renew_after(event["code"])
        if self.params["state_file"]:
            try:
                self.watch.save(self.params["state_file"])
            except OSError as exc:  # the events are sent all the same; the next poll writes it again
                events.append(dict(error_event({"message": "the state file %s cannot be written: %s" % (
                    self.params["state_file"], exc)}, self.watch.clock()), attempt=None, poll=self.watch.polls))
        return events

    def _regions(self):
        configured = self.params["regions"]
        if not configured:
            return api.describe_regions(self.client)
        unknown = [r for r in configured if r not in KNOWN_REGIONS]
        if unknown:
            valid = api.describe_regions(self.client)
            missing = [r for r in unknown if r not in valid]
            if missing:
                raise ValueError("alibabacloud.sgw.express_sync_health: %s not served by SGW; DescribeRegions "
                                 "lists: %s." % (", ".join(missing), ", ".join(valid)))
        return configured

    def _renew_after(self, code, always=False):
        """Look for the credentials again at the next poll, after an authentication error."""
        if always or (code or "").startswith(CREDENTIAL_CODES):
            self.close()

    def close(self):
        if self.client is not None:
            self.client.close()
            self.client = None


async def main(queue, args):
    """Poll until cancelled; put the events on ``queue``."""
    options, params = settings(args or {})
    loop = asyncio.get_running_loop()
    poller = await loop.run_in_executor(None, Poller, options, params)
    interval = params["poll_interval"]
    backoff, polls = None, 0
    try:
        while True:
            events = await loop.run_in_executor(None, poller.poll)
            polls += 1
            if params["heartbeat_polls"] and polls % params["heartbeat_polls"] == 0:
                events.append(poller.watch.heartbeat(poller.watch.clock()))
            for event in events:
                await queue.put(event)
            if any(event["type"] == "error" for event in events):
                backoff = backoff or Backoff(base=interval, cap=max(interval, params["retry_max_interval"]))
                delay = max(interval, next(backoff))
                logger.info("alibabacloud.sgw.express_sync_health: next poll in %.1f s (errors)", delay)
            else:
                backoff, delay = None, interval
            await pause(delay)
    finally:
        poller.close()


if __name__ == "__main__":

    class _PrintQueue:
        async def put(self, event):
            print(event, flush=True)

    asyncio.run(main(_PrintQueue(), {"poll_interval": 10}))
