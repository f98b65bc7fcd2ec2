# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the health signals beyond the express sync state, and give each share its facts.

What each signal costs, on top of the express sync calls:

* ``express_sync``: nothing (the state comes with ``DescribeExpressSyncShares``);
* ``gateway``: nothing in the inventory (it comes with the ``DescribeGateways`` calls of
  ``gateway_details``); elsewhere one ``DescribeGateways`` per gateway cluster and page of 50;
* ``file_share``: one ``DescribeGatewayFileShares`` per gateway that has member shares, all at once
  (none more for the gateways that ``share_details`` has read already);
* ``alerts``: one ``ListAlertEvents`` per gateway region and page of 50 alerting events, and one
  ``DescribeGatewayFileShares`` for a gateway whose alert names a share by something that is not the
  name of one of its member shares (an ``IndexId``?), unless the file share signal has read it.

The calls run on one pool of ``max_concurrency`` threads: the caller's pool when it gives one (the
estate's, shared by every account of a multi-account inventory, so that ``max_concurrency`` stays the
one cap of the calls in flight), else one of their own. A read that fails is kept as an error
record, never raised: the shares it concerns get ``unknown`` (see :mod:`condition`), not ``ok``.
The result is JSON data, so that the inventory can cache it with the estate.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.condition import (
    ALERTS,
    EXPRESS_SYNC,
    FILE_SHARE,
    GATEWAY,
    alert_shares,
    alerts_of_share,
    verdict,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.fetch import error_record
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import (
    EXPRESS_SYNC_STATE,
    GATEWAY_ID,
    GATEWAY_REGION,
    INDEX_ID,
    NAME,
    SHARE_NAME,
    STORAGE_BUNDLE_ID,
)

CONDITION_KEY = "sgw_condition"
REASONS_KEY = "sgw_condition_reasons"


def gateway_region(share: dict, region=None):
    """The region of a share's gateway: its ``GatewayRegion``, else ``region``."""
    value = share.get(GATEWAY_REGION)
    return value if isinstance(value, str) and value else region


def empty_signals(signals) -> dict:
    """The signal data before any read."""
    return {"read": list(signals), "file_shares": {}, "file_share_errors": {}, "alerts": {}, "alert_errors": {},
            "gateways": {}, "gateway_errors": {}}


def read_signals(client, signals, shares, max_concurrency=8, file_shares=None, bundles=None, calls=None) -> dict:
    """Read the signals of ``signals`` for ``shares`` (``(region, share record)`` pairs).

    ``file_shares``: the ``DescribeGatewayFileShares`` records already read, by gateway id (not read
    again). ``bundles``: when the gateway signal must be read here (not in the inventory), the gateway
    clusters to read, ``{StorageBundleId: region}``. ``calls``: the pool to make the calls on (by
    default one of ``max_concurrency`` threads); the caller must not be one of its threads.
    """
    if calls is None:
        with ThreadPoolExecutor(max_workers=max(1, int(max_concurrency)), thread_name_prefix="sgw-signal") as own:
            return read_signals(client, signals, shares, max_concurrency, file_shares, bundles, own)
    data = empty_signals(signals)
    data["file_shares"].update(file_shares or {})
    gateways, regions = {}, []
    for region, share in shares:
        gateway_id, where = share.get(GATEWAY_ID), gateway_region(share, region)
        if gateway_id:
            gateways.setdefault(gateway_id, where)
        if where and where not in regions:
            regions.append(where)
    reads = []
    if FILE_SHARE in signals:
        reads += [(_file_shares, gateway_id, where) for gateway_id, where in gateways.items()
                  if gateway_id not in data["file_shares"]]
    if ALERTS in signals:
        reads += [(_alerts, where, where) for where in regions]
    if GATEWAY in signals and bundles:
        reads += [(_gateways, bundle, where) for bundle, where in sorted(bundles.items())]
    _run(client, reads, data, calls)
    if ALERTS in signals:  # alerts that name a share by another name than the member shares': ask the gateway
        _run(client, [(_file_shares, gateway_id, gateways[gateway_id]) for gateway_id in unresolved_gateways(
            data, shares)], data, calls)
    return data


def _run(client, reads, data, pool):
    """Make ``reads`` at once on ``pool``; file each result, or its error, in ``data``."""
    if reads:
        futures = [(kind, key, pool.submit(kind, client, key, where)) for kind, key, where in reads]
        for kind, key, future in futures:
            store, errors = KINDS[kind]
            try:
                result = future.result()
            except SgwError as error:
                data[errors][key] = error_record(error)
                continue
            if kind is _gateways:
                data["gateways"].update((g.get(GATEWAY_ID), g) for g in result if g.get(GATEWAY_ID))
            else:
                data[store][key] = result


def unresolved_gateways(data, shares) -> list:
    """The gateways (with member shares, file shares not read) of an alert that names a share by neither the
    name of one of their member shares: only their file shares tell whether it is one of them by its IndexId."""
    names = {}
    for dummy, share in shares:
        names.setdefault(share.get(GATEWAY_ID), set()).add(share.get(SHARE_NAME))
    found = set()
    for alerts in data["alerts"].values():
        for alert in alerts:
            gateway_id = alert.get(GATEWAY_ID)
            named = alert_shares(alert)
            if gateway_id in names and named and not named & names[gateway_id] and gateway_id not in data[
                    "file_shares"] and gateway_id not in data["file_share_errors"]:
                found.add(gateway_id)
    return sorted(found)


def _file_shares(client, gateway_id, region):
    return api.describe_gateway_file_shares(client, region, gateway_id)


def _alerts(client, region, _region):
    return api.list_alert_events(client, region)


def _gateways(client, bundle, region):
    return api.paginate(client, "DescribeGateways", region, {STORAGE_BUNDLE_ID: bundle}, "Gateways", "Gateway")


KINDS = {_file_shares: ("file_shares", "file_share_errors"), _alerts: ("alerts", "alert_errors"),
         _gateways: ("gateways", "gateway_errors")}


class SignalFetcher:
    """An estate fetcher (:class:`~...estate.fetch.EstateFetcher`) that also reads the health signals of the
    member shares, once the estate is read, and files them with each region's data under ``signals`` (so that
    they are cached with it, per account too)."""

    def __init__(self, fetcher, client, signals):
        self.fetcher = fetcher
        self.client = client
        self.signals = list(signals)

    def fetch(self, regions, calls=None) -> dict:
        """As :meth:`EstateFetcher.fetch`: the signal reads run on the same pool ``calls`` (by default one of
        ``max_concurrency`` threads for both), so that ``max_concurrency`` bounds them with every other call."""
        if calls is None:
            with ThreadPoolExecutor(max_workers=self.fetcher.max_concurrency, thread_name_prefix="sgw") as own:
                return self.fetch(regions, own)
        estate = self.fetcher.fetch(regions, calls)
        read = [(region, data) for region, data in estate["regions"].items() if not data["error"]]
        shares, file_shares = [], {}
        for region, data in read:
            shares += [(region, share) for share in data["shares"]]
            file_shares.update(data["file_shares"])
        found = read_signals(self.client, self.signals, shares, self.fetcher.max_concurrency, file_shares=file_shares,
                             calls=calls)
        for region, data in read:
            data["signals"] = region_signals(found, [(region, share) for share in data["shares"]])
        return estate


def region_signals(found, shares) -> dict:
    """The part of the signal data ``found`` that concerns ``shares`` (of one region)."""
    gateways = {share.get(GATEWAY_ID) for dummy, share in shares}
    regions = {gateway_region(share, region) for region, share in shares}
    part = empty_signals(found["read"])
    for field, keys in (("file_shares", gateways), ("file_share_errors", gateways), ("alerts", regions),
                        ("alert_errors", regions)):
        part[field] = {key: value for key, value in found[field].items() if key in keys}
    return part


def merged_signals(parts) -> dict:
    """The signal data of several regions as one; a region without any (a cache of a configuration without
    signals) adds nothing, so its shares' signals are unread."""
    merged = empty_signals(())
    for part in parts:
        for field, value in (part or {}).items():
            if isinstance(value, dict):
                merged[field].update(value)
    return merged


def signals_read(estate) -> set:
    """The signals that every region of an estate read (none when one has no signal data)."""
    found = None
    for data in (estate or {}).get("regions", {}).values():
        if data.get("error"):
            continue
        read = set(((data.get("signals") or {}).get("read")) or ())
        found = read if found is None else found & read
    return found or set()


def estate_signal_errors(estate) -> list:
    """:func:`signal_errors` of every region of an estate, each once."""
    found = []
    for data in ((estate or {}).get("regions") or {}).values():
        for error in signal_errors(data.get("signals")):
            if error not in found:
                found.append(error)
    return found


def signal_errors(data) -> list:
    """``(what, key, error record)`` of every read that failed, for warnings."""
    found = []
    for what, field in (("DescribeGatewayFileShares of gateway", "file_share_errors"),
                        ("ListAlertEvents of region", "alert_errors"),
                        ("DescribeGateways of gateway cluster", "gateway_errors")):
        found += [(what, key, error) for key, error in sorted((data or {}).get(field, {}).items())]
    return found


def judge_shares(client, signals, thresholds, region, shares, max_concurrency=8):
    """``(verdicts, errors)`` of the member shares ``shares`` (API records) of a lookup or a module: their
    ``sgw_condition`` and ``sgw_condition_reasons`` in the same order, and the reads that failed (see
    :func:`signal_errors`). Here the gateway signal reads ``DescribeGateways`` itself."""
    pairs = [(region, share) for share in shares]
    bundles = {share[STORAGE_BUNDLE_ID]: gateway_region(share, region) for share in shares
               if share.get(STORAGE_BUNDLE_ID)} if GATEWAY in signals else None
    data = read_signals(client, signals, pairs, max_concurrency, bundles=bundles)
    index = SignalIndex(data, thresholds, signals)
    return [index.condition_vars(share, region) for share in shares], signal_errors(data)


def error_warning(what, key, error) -> str:
    """The warning of a signal read that failed."""
    return "%s %s could not be read, so the verdict of its shares is unknown: %s" % (what, key, error["message"])


class SignalIndex:
    """The signal data of an estate, by share: the facts that :func:`condition.verdict` judges."""

    def __init__(self, data, thresholds=None, signals=None):
        self.signals = tuple(signals or data.get("read") or ())
        self.thresholds = thresholds
        self.file_shares = {}
        for gateway_id, records in (data.get("file_shares") or {}).items():
            for record in records or ():
                self.file_shares.setdefault((gateway_id, record.get(NAME)), record)
        self.alerts = data.get("alerts") or {}
        # the gateways whose file shares could not be read while an alert names a share unknown by name
        self.unresolved = set(data.get("file_share_errors") or ()) & {
            alert.get(GATEWAY_ID) for alerts in self.alerts.values() for alert in alerts if alert_shares(alert)}
        self.gateways = data.get("gateways") or {}

    def facts(self, share: dict, region=None, gateway=None) -> dict:
        """The facts of one share. ``gateway``: its ``DescribeGateways`` record when the caller has it
        (the inventory's gateway details), else the one read here; None when it was not read."""
        facts = {}
        if EXPRESS_SYNC in self.signals:
            facts[EXPRESS_SYNC] = share.get(EXPRESS_SYNC_STATE)
        gateway_id, name = share.get(GATEWAY_ID), share.get(SHARE_NAME)
        if GATEWAY in self.signals:
            facts[GATEWAY] = gateway if gateway is not None else self.gateways.get(gateway_id)
        file_share = self.file_shares.get((gateway_id, name))
        if FILE_SHARE in self.signals:
            facts[FILE_SHARE] = file_share
        if ALERTS in self.signals:
            alerts = self.alerts.get(gateway_region(share, region))
            if alerts is not None and gateway_id in self.unresolved:
                alerts = None  # an alert of its gateway may be on this share: it could not be told
            facts[ALERTS] = None if alerts is None else alerts_of_share(
                alerts, gateway_id, name, (file_share or {}).get(INDEX_ID))
        return facts

    def condition_vars(self, share: dict, region=None, gateway=None) -> dict:
        """``sgw_condition`` and ``sgw_condition_reasons`` of one share."""
        condition, reasons = verdict(self.facts(share, region, gateway), self.thresholds)
        return {CONDITION_KEY: condition, REASONS_KEY: reasons}
