# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fetch the express sync estate of several regions with the fewest calls, concurrently.

Each region is a chain of three steps, and every region's chain runs on one bounded thread
pool as soon as its previous step is done (there is no barrier between regions):

1. ``DescribeExpressSyncs``;
2. ``DescribeExpressSyncShares`` with all of the region's group ids in one call (chunked only
   past ``max_ids_per_call``), members and, when asked, candidates;
3. ``DescribeGateways`` for every storage bundle that the region's shares name and that no
   other region has asked for yet, 50 per page (the further pages once the first one tells
   how many there are).

So a cold fetch costs about three round trips of latency when ``max_concurrency`` covers the
calls of every region at once, and otherwise about ``calls / max_concurrency`` round trips:
the pool never waits for the slowest region of a step before starting the next step of the
others.

The result is the raw API data (JSON-serialisable, so it can be cached as it is) per region,
or the region's error. It does not depend on the order the answers come in: shares are kept
in the order of the calls, and the gateways of a bundle go, page after page, to the first
region (in the given order) whose shares name it. Nothing is de-duplicated here: that is the
reader's job, so a cache holds exactly what the API said.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ansible_collections.alibabacloud.sgw.plugins.module_utils import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwError

# The version of the estate's data layout: part of the inventory cache's format, so that a cache
# written by another layout is not read.
ESTATE_FORMAT = 1


class RegionFailure(Exception):
    """A region's calls failed; carries the region and the original error."""

    def __init__(self, region, error):
        self.region = region
        self.error = error
        super().__init__("region %s: %s" % (region, error))


def error_record(error) -> dict:
    """An error as JSON-able data (never holding a secret)."""
    return {
        "message": str(error),
        "code": getattr(error, "code", None),
        "request_id": getattr(error, "request_id", None),
        "action": getattr(error, "action", None),
    }


class EstateFetcher:
    """Fetch the estate of a list of regions on a pool of ``max_concurrency`` threads."""

    def __init__(self, client, max_concurrency=8, max_ids_per_call=0, include_candidates=False,
                 gateway_details=True, express_sync_ids=None, fail_fast=True):
        self.client = client
        self.max_concurrency = max(1, int(max_concurrency))
        self.max_ids_per_call = max_ids_per_call or 0
        self.include_candidates = include_candidates
        self.gateway_details = gateway_details
        self.express_sync_ids = set(express_sync_ids or ())
        self.fail_fast = fail_fast

    def fetch(self, regions) -> dict:
        """``{"regions": {region: data}}``; raises :class:`RegionFailure` when
        ``fail_fast`` and a call fails (after the calls already in flight have ended)."""
        regions = list(dict.fromkeys(regions))
        result = {region: {"express_syncs": [], "shares": [], "candidates": [], "gateways": [], "error": None}
                  for region in regions}
        with ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="sgw") as pool:
            _Fetch(self, pool, result).run()
        return {"regions": result}


class _Bundle:
    """What is known of one storage bundle's ``DescribeGateways`` pages."""

    __slots__ = ("pages", "error")

    def __init__(self):
        self.pages = {}      # page number -> gateways
        self.error = None    # the first failure


class _Fetch:
    """One fetch: the API calls run on the pool; this bookkeeping runs in the calling thread only."""

    def __init__(self, fetcher, pool, result):
        self.fetcher = fetcher
        self.pool = pool
        self.result = result
        self.pending = {}      # future -> (sequence number, region, callback, context)
        self.sequence = 0
        self.parts = {}        # region -> the answers of its DescribeExpressSyncShares calls, by call
        self.needs = {}        # region -> the storage bundles its shares name
        self.bundles = {}      # storage bundle id -> _Bundle
        self.failures = []     # (region, error) that stop the fetch (fail_fast)

    # The calls, run on the pool threads.

    def _groups_call(self, region):
        return api.describe_express_syncs(self.fetcher.client, region)

    def _shares_call(self, region, ids, external):
        return api.describe_express_sync_shares(self.fetcher.client, region, ids, is_external=external)

    def _page_call(self, region, bundle, page):
        return api.describe_gateways_page(self.fetcher.client, region, bundle, page, api.MAX_PAGE_SIZE)

    # The bookkeeping, in the calling thread.

    def run(self):
        for region in self.result:
            self._submit(region, self._groups_call, (region,), self._groups_done)
        while self.pending:
            done, dummy = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: self.pending[f][0]):  # in the order of the calls
                dummy, region, callback, context = self.pending.pop(future)
                if future.cancelled():
                    continue
                try:
                    value = future.result()
                except SgwError as error:
                    self._failed(region, error, callback, context)
                    continue
                if not self.failures:
                    callback(region, context, value)
        if self.failures:
            order = list(self.result)
            region, error = min(self.failures, key=lambda failure: order.index(failure[0]))
            raise RegionFailure(region, error)
        if self.fetcher.gateway_details:
            self._assign_gateways()

    def _submit(self, region, call, args, callback, context=None):
        self.sequence += 1
        self.pending[self.pool.submit(call, *args)] = (self.sequence, region, callback, context)

    def _failed(self, region, error, callback, context):
        if callback == self._page_done:  # the bundle fails, and with it every region that needs it
            bundle = self.bundles[context[0]]
            bundle.error = bundle.error or error
        elif self.result[region]["error"] is None:
            self.result[region]["error"] = error_record(error)
        if self.fetcher.fail_fast:
            self.failures.append((region, error))
            for future in self.pending:
                future.cancel()

    def _groups_done(self, region, dummy, groups):
        data = self.result[region]
        if data["error"] is not None:
            return
        if self.fetcher.express_sync_ids:
            groups = [g for g in groups if g.get("ExpressSyncId") in self.fetcher.express_sync_ids]
        data["express_syncs"] = groups
        kinds = ((("shares", False), ("candidates", True)) if self.fetcher.include_candidates
                 else (("shares", False),))
        ids = [g.get("ExpressSyncId") for g in groups if g.get("ExpressSyncId")]
        calls = [(chunk, kind, external) for chunk in api.chunked(ids, self.fetcher.max_ids_per_call)
                 for kind, external in kinds]
        self.parts[region] = [None] * len(calls)
        for index, (chunk, kind, external) in enumerate(calls):
            self._submit(region, self._shares_call, (region, chunk, external), self._shares_done,
                         (index, kind))
        if not calls:
            self._shares_complete(region)

    def _shares_done(self, region, context, shares):
        parts = self.parts[region]
        if self.result[region]["error"] is not None:
            return
        index, kind = context
        parts[index] = (kind, shares)
        if all(part is not None for part in parts):
            self._shares_complete(region)

    def _shares_complete(self, region):
        data = self.result[region]
        for kind, shares in self.parts.pop(region):
            data[kind].extend(shares)
        if not self.fetcher.gateway_details:
            return
        needs = set()
        for share in data["shares"] + data["candidates"]:
            bundle = share.get("StorageBundleId")
            if bundle:
                needs.add(bundle)
        self.needs[region] = needs
        for bundle in sorted(needs):
            if bundle not in self.bundles:
                self.bundles[bundle] = _Bundle()
                self._submit(region, self._page_call, (region, bundle, 1), self._page_done, (bundle, 1))

    def _page_done(self, region, context, answer):
        bundle_id, page = context
        bundle = self.bundles[bundle_id]
        gateways, total = answer
        bundle.pages[page] = gateways
        if page == 1 and bundle.error is None:
            for number in api.further_pages(len(gateways), total):
                self._submit(region, self._page_call, (region, bundle_id, number), self._page_done,
                             (bundle_id, number))

    def _assign_gateways(self):
        """Fail the regions that need a failed bundle; give each bundle's gateways to the first region needing it."""
        owned = {}
        for region, data in self.result.items():
            if data["error"] is not None or region not in self.needs:
                continue
            failed = [b for b in sorted(self.needs[region]) if self.bundles[b].error is not None]
            if failed:
                data["error"] = error_record(self.bundles[failed[0]].error)
                continue
            for bundle in sorted(self.needs[region]):
                owned.setdefault(bundle, region)
        by_region = {}
        for bundle, region in sorted(owned.items()):
            by_region.setdefault(region, []).append(self.bundles[bundle])
        for region, bundles in by_region.items():
            gateways = self.result[region]["gateways"]
            for bundle in bundles:  # the first pages, then the further ones, as the calls were made
                gateways.extend(bundle.pages.get(1, ()))
            for bundle in bundles:
                for page in sorted(bundle.pages):
                    if page > 1:
                        gateways.extend(bundle.pages[page])
