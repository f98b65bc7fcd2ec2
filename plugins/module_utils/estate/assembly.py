# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The result of an estate fetch (fetch.py), assembled from the answers once every call has ended:
each region's data, filed by the regions of the groups, or the region's error.

Any exception of a region's calls counts as that region's error: an API or transport error as it
is, anything else (a bug, an answer that cannot be decoded) as an :class:`UnexpectedError`. A
region with an error never looks like a region with nothing in it, and is never cached.
"""

from __future__ import annotations

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.attribution import group_region
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import EXPRESS_SYNC_ID, GATEWAY_ID, STORAGE_BUNDLE_ID
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.redaction import hide_urls

# What DescribeGateways answers for a gateway cluster, or a gateway, that no longer exists.
GONE_CODES = frozenset(("StorageBundleNotExist", "GatewayNotExist"))


class RegionFailure(Exception):
    """A region's calls failed; carries the region and the original error."""

    def __init__(self, region, error):
        self.region = region
        self.error = error
        super().__init__("region %s: %s" % (region, error))


class UnexpectedError(SgwError):
    """An exception of a region's calls that is not an API or transport error."""

    code = request_id = action = None

    def __init__(self, error):
        detail = " ".join(hide_urls(str(error)).split())[:300]
        super().__init__("unexpected %s%s (please report it with the -vvv output)" % (
            type(error).__name__, ": " + detail if detail else ""))


def as_region_error(error) -> SgwError:
    """``error`` as a region's error: an SgwError as it is, anything else as an :class:`UnexpectedError`."""
    return error if isinstance(error, SgwError) else UnexpectedError(error)


def error_record(error) -> dict:
    """An error as JSON-able data (never holding a secret)."""
    return {
        "message": str(error),
        "code": getattr(error, "code", None),
        "request_id": getattr(error, "request_id", None),
        "action": getattr(error, "action", None),
    }


class _Gone:
    """The outcome of a bundle that no longer exists."""

    __slots__ = ("error",)

    def __init__(self, error):
        self.error = error


class Assembly:
    """The result part of a fetch (mixed into fetch.py's ``_Fetch``, whose state it reads)."""

    def result(self) -> dict:
        """The data of every region, filed by the regions of the groups, in the order given."""
        if self.fetcher.fail_fast and self.failures:
            region, error = min(self.failures, key=lambda failure: self.regions.index(failure[0]))
            raise RegionFailure(region, error)
        result = {region: {"express_syncs": [], "shares": [], "candidates": [], "gateways": [],
                           "missing_bundles": [], "file_shares": {}, "gateway_tags": {}, "error": None}
                  for region in self.regions}
        homes = {}
        for region in self.regions:
            for group in self.answers.get(region, ()):
                sync_id = group.get(EXPRESS_SYNC_ID)
                if sync_id and sync_id not in homes and self._wanted(group, region):
                    homes[sync_id] = group_region(group, region)
                    result[homes[sync_id]]["express_syncs"].append(group)
        for sync_id, region in homes.items():
            result[region]["shares"] += self.members.get(sync_id, ())
            result[region]["candidates"] += self.candidates.get(sync_id, ())
        for region, share in self.strays:
            result[region]["shares"].append(share)
        for data in result.values():  # the details of the gateways of each region's member shares
            for gateway_id in sorted({share.get(GATEWAY_ID) for share in data["shares"]}):
                if self.file_shares.get(gateway_id) is not None:
                    data["file_shares"][gateway_id] = self.file_shares[gateway_id]
                if self.gateway_tags.get(gateway_id) is not None:
                    data["gateway_tags"][gateway_id] = self.gateway_tags[gateway_id]
        for region, error in self.errors.items():
            if not self._covered(region):
                result[region]["error"] = error_record(error)
        if self.fetcher.gateway_details:
            self._assign_gateways(result)
        return result

    def _covered(self, region):
        """Whether a region's failed ``DescribeExpressSyncs`` lost nothing: its endpoint answered another
        region's call for the whole account, so the region's groups are known, whether its own call was
        made (and failed) or not made at all. (With ``fail_fast`` the failure has stopped the fetch.)"""
        return (not self.fetcher.fail_fast and region in self.unlisted
                and self.fetcher.endpoint_of(region) in self.account_wide)

    def _assign_gateways(self, result):
        """Fail the regions that need a failed bundle; give each bundle's gateways to the first region
        needing it; list the bundles that no longer exist."""
        owned = {}
        for region, data in result.items():
            if data["error"] is not None:
                continue
            needs = sorted({s.get(STORAGE_BUNDLE_ID) for s in data["shares"] + data["candidates"]
                            if s.get(STORAGE_BUNDLE_ID) in self.bundles})
            failed = [b for b in needs if self.bundles[b].exception() is not None]
            if failed:
                data["error"] = error_record(self.bundles[failed[0]].exception())
                continue
            for bundle in needs:
                outcome = self.bundles[bundle].result()
                if isinstance(outcome, _Gone):
                    data["missing_bundles"].append(dict(error_record(outcome.error), storage_bundle_id=bundle))
                else:
                    owned.setdefault(bundle, region)
        by_region = {}
        for bundle, region in sorted(owned.items()):
            by_region.setdefault(region, []).append(self.bundles[bundle].result())
        for region, bundles in by_region.items():
            gateways = result[region]["gateways"]
            for pages in bundles:  # the first pages, then the further ones, as the calls were made
                gateways.extend(pages.get(1, ()))
            for pages in bundles:
                for page in sorted(pages):
                    if page > 1:
                        gateways.extend(pages[page])
