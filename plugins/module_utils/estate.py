# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fetch the express sync estate of several regions with the fewest calls, concurrently.

The calls run in three phases, each a batch on one bounded thread pool, so a cold fetch costs
about three round trips of latency whatever the number of regions:

1. ``DescribeExpressSyncs`` for every region;
2. ``DescribeExpressSyncShares`` for every region, all of its group ids in one call (chunked
   only past ``max_ids_per_call``), members and, when asked, candidates;
3. ``DescribeGateways`` for every storage bundle that a share names, 50 per page (the first
   pages together, then any further pages together).

The result is the raw API data (JSON-serialisable, so it can be cached as it is) per region,
or the region's error. Nothing is de-duplicated here: that is the reader's job, so a cache
holds exactly what the API said.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.alibabacloud.sgw.plugins.module_utils import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.client import MAX_PAGE_SIZE
from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwError

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
    """Run the three phases for a list of regions on a pool of ``max_concurrency`` threads."""

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
        regions = list(dict.fromkeys(regions))
        result = {region: {"express_syncs": [], "shares": [], "candidates": [], "gateways": [], "error": None}
                  for region in regions}
        with ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="sgw") as pool:
            self._pool = pool
            self._phase_groups(result)
            self._phase_shares(result)
            if self.gateway_details:
                self._phase_gateways(result)
        return {"format": ESTATE_FORMAT, "regions": result}

    # ---------------------------------------------------------------------------- helpers

    def _run(self, jobs, result):
        """Run ``(region, fn, args)`` jobs concurrently; return ``[(region, value)]`` of those that worked.

        A failed job marks its region as failed (or raises :class:`RegionFailure` at once
        when ``fail_fast``); jobs of regions that already failed are not run.
        """
        jobs = [job for job in jobs if result[job[0]]["error"] is None]

        def run(job):
            region, fn, args = job
            try:
                return region, fn(*args), None
            except SgwError as error:
                return region, None, error

        done = []
        for region, value, error in self._pool.map(run, jobs):
            if error is None:
                done.append((region, value))
                continue
            if self.fail_fast:
                raise RegionFailure(region, error)
            if result[region]["error"] is None:
                result[region]["error"] = error_record(error)
        return [(region, value) for region, value in done if result[region]["error"] is None]

    def _phase_groups(self, result):
        jobs = [(region, api.describe_express_syncs, (self.client, region)) for region in result]
        for region, groups in self._run(jobs, result):
            if self.express_sync_ids:
                groups = [g for g in groups if g.get("ExpressSyncId") in self.express_sync_ids]
            result[region]["express_syncs"] = groups

    def _phase_shares(self, result):
        jobs = []
        kinds = (("shares", False), ("candidates", True)) if self.include_candidates else (("shares", False),)
        for region, data in result.items():
            ids = [g.get("ExpressSyncId") for g in data["express_syncs"] if g.get("ExpressSyncId")]
            for chunk in api.chunked(ids, self.max_ids_per_call):
                for kind, external in kinds:
                    jobs.append((region, self._shares_job, (region, chunk, kind, external)))
        for region, (kind, shares) in self._run(jobs, result):
            result[region][kind].extend(shares)

    def _shares_job(self, region, ids, kind, external):
        return kind, api.describe_express_sync_shares(self.client, region, ids, is_external=external)

    def _phase_gateways(self, result):
        bundles = {}  # storage bundle id -> regions whose shares name it (the first one is asked)
        for region, data in result.items():
            if data["error"] is None:
                for share in data["shares"] + data["candidates"]:
                    bundle = share.get("StorageBundleId")
                    if bundle:
                        bundles.setdefault(bundle, []).append(region)
        first_pages = [(regions[0], self._gateway_page, (regions[0], bundle, 1)) for bundle, regions in
                       sorted(bundles.items())]
        pages = []
        for region, (bundle, gateways, total) in self._run(first_pages, result):
            result[region]["gateways"].extend(gateways)
            last = (total + MAX_PAGE_SIZE - 1) // MAX_PAGE_SIZE
            pages.extend((region, self._gateway_page, (region, bundle, page)) for page in range(2, last + 1))
        for region, (bundle, gateways, total) in self._run(pages, result):
            result[region]["gateways"].extend(gateways)
        for regions in bundles.values():  # a bundle that failed fails every region that needs it
            failure = result[regions[0]]["error"]
            for region in regions[1:]:
                if failure and result[region]["error"] is None:
                    result[region]["error"] = failure

    def _gateway_page(self, region, bundle, page):
        gateways, total = api.describe_gateways_page(self.client, region, bundle, page, MAX_PAGE_SIZE)
        return bundle, gateways, total
