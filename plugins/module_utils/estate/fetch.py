# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fetch the express sync estate of several regions with the fewest calls, concurrently.

Each region is one plain function, :meth:`_Fetch.region`, run on a thread of its own; it makes
its API calls on one pool of ``max_concurrency`` threads, shared by every region, so a slow
region never holds the others back:

1. ``DescribeExpressSyncs``;
2. ``DescribeExpressSyncShares`` with all the ids of the groups that no other region has asked
   for yet, in one call (chunked only past ``max_ids_per_call``), members and, when asked,
   candidates;
3. ``DescribeGateways`` for every storage bundle that those shares name and that no other region
   has asked for yet, 50 per page (the further pages at once when the first one tells how many
   there are in ``TotalCount``; without it, page after page up to a short one).
   The bundles are shared futures in a dictionary behind one lock: the first region to name a
   bundle fetches it;
4. with ``share_details``, ``DescribeGatewayFileShares`` for each gateway of those members, and
   with ``gateway_tags``, ``ListTagResources`` for 50 of those gateways at a time (each gateway
   once, by the first region to name it), at the same time as step 3.

So a cold fetch costs about three round trips of latency when ``max_concurrency`` covers the
calls of every region at once, and otherwise about ``calls / max_concurrency`` round trips.

The region of a group is its ``BucketRegion`` (see :mod:`attribution`), not the region it was
asked in: when an answer holds groups of other regions, the endpoint answers for the whole
account. Each group is then filed under its own region (the groups of regions not asked for are
left out), and the calls for the other regions of that endpoint that have not started yet are
not made; one of those calls that was made and failed lost nothing, so (without ``fail_fast``) it
is not the region's error. A share belongs to the region of its group.

The result is the API data (JSON-serialisable, so it can be cached as it is) per region, or the
region's error; candidates carry the id of the group they were attributed to. It does not depend
on the order the answers come in: groups are filed in the order of the regions and answers, shares
in the order of their groups, and the gateways of a bundle go, page after page, to the first
region (in the given order) whose shares name it. A bundle that no longer exists
(``StorageBundleNotExist``, ``GatewayNotExist``) is listed in ``missing_bundles`` of the regions
that name it, whose shares are kept without gateway details.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.attribution import (
    candidates_by_group,
    foreign_groups,
    group_region,
    members_by_group,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.assembly import (
    GONE_CODES,
    Assembly,
    UnexpectedError,
    _Gone,
    as_region_error,
)
# Where these used to live; new code imports them from assembly.py.
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.assembly import RegionFailure, error_record  # noqa: F401 pylint: disable=unused-import
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import (
    EXPRESS_SYNC_ID,
    GATEWAY_ID,
    STORAGE_BUNDLE_ID,
)

# The version of the estate's data layout: part of the inventory cache's format, so that a cache
# written by another layout is not read. 2: groups filed by their region, file shares and gateway
# tags per region.
ESTATE_FORMAT = 2


class EstateFetcher:
    """Fetch the estate of a list of regions on a pool of ``max_concurrency`` threads.

    ``endpoint_of(region)`` names the endpoint that serves a region (by default the client's
    ``base_url``): regions of one endpoint are answered alike, account-wide or not.
    """

    def __init__(self, client, max_concurrency=8, max_ids_per_call=0, include_candidates=False,
                 gateway_details=True, express_sync_ids=None, fail_fast=True, endpoint_of=None, bucket_name=None,
                 bucket_prefix=None, share_details=False, gateway_tags=False):
        self.client = client
        self.max_concurrency = max(1, int(max_concurrency))
        self.max_ids_per_call = max_ids_per_call or 0
        self.include_candidates = include_candidates
        self.gateway_details = gateway_details
        self.express_sync_ids = set(express_sync_ids or ())
        self.fail_fast = fail_fast
        self.endpoint_of = endpoint_of or client.base_url
        self.bucket_name = bucket_name or None
        self.bucket_prefix = bucket_prefix if bucket_name else None
        self.share_details = share_details
        self.gateway_tags = gateway_tags

    def fetch(self, regions, calls=None) -> dict:
        """``{"regions": {region: data}}``; raises :class:`RegionFailure` when
        ``fail_fast`` and a call fails (after the calls already in flight have ended).

        ``calls`` is the pool the API calls run on: by default one of ``max_concurrency`` threads of
        this fetch; several fetches (of several accounts) may share one, and so one bound.
        """
        regions = list(dict.fromkeys(regions))
        if calls is None:
            with ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="sgw") as own:
                return self.fetch(regions, own)
        with ThreadPoolExecutor(max_workers=max(1, len(regions)), thread_name_prefix="sgw-region") as chains:
            run = _Fetch(self, regions, calls)
            run.run(chains)
        return {"regions": run.result()}


class _Stopped(Exception):
    """A call not made because another one failed and ``fail_fast`` is set."""


class _Fetch(Assembly):
    """One fetch. The region functions run on their own threads; every API call runs on ``calls``."""

    def __init__(self, fetcher, regions, calls):
        self.fetcher = fetcher
        self.client = fetcher.client
        self.regions = regions
        self.calls = calls
        self.stop = threading.Event()
        self.lock = threading.Lock()  # guards everything below
        self.account_wide = set()     # endpoints seen answering for the whole account
        self.answers = {}             # region -> its DescribeExpressSyncs answer (none: skipped or failed)
        self.claimed = set()          # ids of the groups whose shares a region asks for
        self.members = {}             # group id -> its member shares
        self.candidates = {}          # group id -> its candidate shares
        self.strays = []              # (region asked, member share naming no group asked)
        self.bundles = {}             # storage bundle id -> Future of {page number: gateways}, or of _Gone
        self.failures = []            # (region, error) of every failure
        self.unlisted = set()         # regions whose DescribeExpressSyncs failed
        self.errors = {}              # region -> its first error
        self.file_shares = {}         # gateway id -> its DescribeGatewayFileShares records (share_details)
        self.gateway_tags = {}        # gateway id -> {TagKey: TagValue} (gateway_tags)

    # ------------------------------------------------------------------------------ threads

    def run(self, chains):
        # The first calls are queued in the order of the regions, before any region runs.
        first = [self._submit(self._groups_call, region) for region in self.regions]
        wait([chains.submit(self.region, region, answer) for region, answer in zip(self.regions, first)])

    def _submit(self, function, *args):
        return self.calls.submit(self._guarded, function, *args)

    def _guarded(self, function, *args):
        if self.stop.is_set():
            raise _Stopped()
        try:
            return function(*args)
        except (SgwError, _Stopped):
            raise
        except Exception as error:  # pylint: disable=broad-except  # a bug or an undecodable answer
            raise as_region_error(error) from error

    def _fail(self, regions, error, bundle=False):
        """Record a failure of the calls of ``regions`` (of a bundle: the regions needing it fail later)."""
        with self.lock:
            if not bundle:
                for region in regions:
                    self.errors.setdefault(region, error)
            self.failures.append((regions[0], error))
        if self.fetcher.fail_fast:
            self.stop.set()

    # ----------------------------------------------------------------------- one region

    def region(self, region, answer):
        """The chain of one region: its groups, the shares of the groups no other region asked for,
        and the bundles those shares name that no other region fetches."""
        asked = [region]
        try:
            try:
                groups = answer.result()
            except SgwError as error:
                if not isinstance(error, UnexpectedError):  # only a failed call may be covered by another answer
                    with self.lock:
                        self.unlisted.add(region)
                raise
            if groups is None:  # its endpoint answers for the whole account, and did already
                return
            mine = self._claim(region, groups)
            asked += [group_region(group, region) for group in mine]
            shares = self._shares(region, mine)
            details = [self._submit(call, region, gateways) for call, gateways in self._detail_calls(mine)]
            if self.fetcher.gateway_details:
                self._gateways(region, sorted({s.get(STORAGE_BUNDLE_ID) for s in shares if s.get(STORAGE_BUNDLE_ID)}))
            for future in details:
                future.result()
        except _Stopped:
            return
        except Exception as error:  # pylint: disable=broad-except  # whatever it is, it is this region's error
            self._fail(list(dict.fromkeys(asked)), as_region_error(error))

    def _groups_call(self, region):
        """The groups of ``region``; None when its endpoint has already answered for the whole account."""
        endpoint = self.fetcher.endpoint_of(region)
        with self.lock:
            if endpoint in self.account_wide:
                return None
        groups = api.describe_express_syncs(self.client, region, self.fetcher.bucket_name,
                                            self.fetcher.bucket_prefix)
        if foreign_groups(groups, region):
            with self.lock:
                self.account_wide.add(endpoint)
        return groups

    def _wanted(self, group, region):
        """Whether a group of an answer for ``region`` is fetched: its own region is asked for, and
        ``express_sync_ids`` names it (when set)."""
        ids = self.fetcher.express_sync_ids
        return (not ids or group.get(EXPRESS_SYNC_ID) in ids) and group_region(group, region) in self.regions

    def _claim(self, region, groups):
        """The wanted groups of an answer whose shares no other region asks for."""
        mine = []
        with self.lock:
            self.answers[region] = groups
            for group in groups:
                sync_id = group.get(EXPRESS_SYNC_ID)
                if sync_id and sync_id not in self.claimed and self._wanted(group, region):
                    self.claimed.add(sync_id)
                    mine.append(group)
        return mine

    def _shares(self, region, groups):
        """Ask for the members (and candidates) of ``groups``; return every share found."""
        chunks = api.chunked(groups, self.fetcher.max_ids_per_call)
        kinds = (False, True) if self.fetcher.include_candidates else (False,)
        asked = [(chunk, external, self._submit(self._shares_call, region, chunk, external))
                 for chunk in chunks for external in kinds]
        found = []

        def ask_each(chunk):  # the candidates of each group of ``chunk``, asked at once
            futures = [self._submit(self._shares_call, region, [group], True) for group in chunk]
            answers = [future.result() for future in futures]
            found.extend(share for answer in answers for share in answer)
            return answers

        for chunk, external, future in asked:
            shares = future.result()
            found += shares
            if external:
                self._keep(self.candidates, candidates_by_group(shares, chunk, ask_each))
            else:
                by_group, strays = members_by_group(shares, [group.get(EXPRESS_SYNC_ID) for group in chunk])
                self._keep(self.members, by_group)
                with self.lock:
                    self.strays += [(region, share) for share in strays]
        return found

    def _shares_call(self, region, groups, external):
        return api.describe_express_sync_shares(self.client, region, [g.get(EXPRESS_SYNC_ID) for g in groups],
                                                is_external=external)

    def _detail_calls(self, groups):
        """The calls of share_details (one DescribeGatewayFileShares per gateway) and gateway_tags (one
        ListTagResources per 50 gateways) for the gateways of the members of ``groups`` that no other
        region has asked about."""
        calls = []
        with self.lock:
            gateways = sorted({share.get(GATEWAY_ID) for group in groups
                               for share in self.members.get(group.get(EXPRESS_SYNC_ID), ()) if share.get(GATEWAY_ID)})
            if self.fetcher.share_details:
                new = [g for g in gateways if g not in self.file_shares]
                calls += [(self._file_shares_call, [g]) for g in new]
                self.file_shares.update((g, None) for g in new)
            if self.fetcher.gateway_tags:
                untagged = [g for g in gateways if g not in self.gateway_tags]
                calls += [(self._tags_call, chunk) for chunk in api.chunked(untagged, api.MAX_TAG_RESOURCES)]
                self.gateway_tags.update((g, None) for g in untagged)
        return calls

    def _file_shares_call(self, region, gateways):
        file_shares = api.describe_gateway_file_shares(self.client, region, gateways[0])
        with self.lock:
            self.file_shares[gateways[0]] = file_shares

    def _tags_call(self, region, gateways):
        tags = api.list_gateway_tags(self.client, region, gateways)
        with self.lock:
            self.gateway_tags.update((g, tags.get(g, {})) for g in gateways)

    def _keep(self, store, by_group):
        with self.lock:
            for sync_id, shares in by_group.items():
                store.setdefault(sync_id, []).extend(shares)

    def _gateways(self, region, bundles):
        """Fetch the bundles that no other region has claimed; each one's future gets its pages."""
        owned = []
        with self.lock:
            for bundle in bundles:
                if bundle not in self.bundles:
                    self.bundles[bundle] = Future()
                    owned.append(bundle)
        pages = {bundle: {} for bundle in owned}
        failed = {}
        first = {self._submit(self._page_call, region, bundle, 1): bundle for bundle in owned}
        further = {}
        untold = []  # bundles whose first page has no TotalCount: read page after page
        stopped = None
        try:
            for future in as_completed(first):
                bundle = first[future]
                try:
                    gateways, total = future.result()
                except SgwError as error:
                    failed[bundle] = error
                    continue
                pages[bundle][1] = gateways
                if total is None:
                    untold.append(bundle)
                    continue
                for number in api.further_pages(len(gateways), total):
                    further[self._submit(self._page_call, region, bundle, number)] = (bundle, number)
            for future in as_completed(further):
                bundle, number = further[future]
                try:
                    pages[bundle][number] = future.result()[0]
                except SgwError as error:
                    failed.setdefault(bundle, error)
            for bundle in untold:
                try:
                    pages[bundle][2] = api.pages_without_total(  # pages 2 and after, in order
                        lambda number, bundle=bundle: self._submit(self._page_call, region, bundle, number).result()[0],
                        pages[bundle][1], api.MAX_PAGE_SIZE, "DescribeGateways", region)
                except SgwError as error:
                    failed[bundle] = error
        except Exception as exc:  # pylint: disable=broad-except  # the claimed bundles fail with it, then the region
            stopped = exc if isinstance(exc, _Stopped) else as_region_error(exc)
            raise
        finally:  # every claimed bundle gets its outcome, whatever happens
            for bundle in owned:
                error = stopped or failed.get(bundle)
                if error is None:
                    self.bundles[bundle].set_result(pages[bundle])
                elif isinstance(error, SgwApiError) and error.code in GONE_CODES:
                    self.bundles[bundle].set_result(_Gone(error))
                else:
                    self.bundles[bundle].set_exception(error)
        for bundle in owned:  # the regions that need a failed bundle fail when the result is made
            error = self.bundles[bundle].exception()
            if error is not None:
                self._fail([region], error, bundle=True)
                break

    def _page_call(self, region, bundle, page):
        return api.describe_gateways_page(self.client, region, bundle, page, api.MAX_PAGE_SIZE)
