# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure part of the inventory: the raw estate turned into hosts, their variables and groups.

Nothing here talks to the API or to Ansible's inventory, so every rule (de-duplication, host
variables, built-in groups, the gateway view) is tested with plain tables.
"""

from __future__ import annotations

import hashlib
import json
import re

from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.attribution import group_region
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.condition import (
    CONDITION_ORDER,
    reasons_of_signals,
    sorted_reasons,
    worst_condition,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.health import HEALTH_ORDER, worst_health
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.redaction import hide_userinfo
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.records import (
    SHARE_LIST_KEYS,
    express_sync_vars,
    file_share_vars,
    gateway_address,
    gateway_vars,
    member_vars,
    share_key,
    share_label,
    share_record,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.fetch import EstateFetcher
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.signals import (
    CONDITION_KEY,
    REASONS_KEY,
    SignalFetcher,
    SignalIndex,
    merged_signals,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import extra_signals, fails
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.schema import (
    EXPRESS_SYNC_ID,
    GATEWAY_ID,
    NAME,
    STORAGE_BUNDLE_ID,
)

HOSTS_FROM_SHARES = "shares"
HOSTS_FROM_GATEWAYS = "gateways"

# Host variables that hostvars_prefix / hostvars_suffix leave alone.
UNAFFIXED_VARS = frozenset(("ansible_host",))

FULL_SYNC_UNSUPPORTED_GROUP = "sgw_full_sync_unsupported"
# Groups that exist even when empty, so that ``hosts: sgw_health_failed`` works on a healthy estate.
ALWAYS_GROUPS = ("sgw",) + tuple("sgw_health_%s" % health for health in HEALTH_ORDER)


def always_groups(signals=None) -> tuple:
    """The groups made even when empty: with a verdict, also ``sgw_condition_<condition>`` and the
    ``sgw_reason_<code>`` of every reason that the signals can give."""
    if not signals:
        return ALWAYS_GROUPS
    return ALWAYS_GROUPS + tuple("sgw_condition_%s" % c for c in CONDITION_ORDER) + tuple(
        "sgw_reason_%s" % code for code in reasons_of_signals(signals))


_NAMES_THIS_PLUGIN = re.compile(r"^plugin:\s*['\"]?alibabacloud\.sgw\.sgw['\"]?\s*(#.*)?$", re.MULTILINE)


# The options that shape what the inventory fetches (the cache key holds them): a change of any of
# them, of the endpoint settings or of the identity is a cache miss; the others (hosts_from,
# filters, hostnames, constructed groups...) only shape how the cached estate is shown.
FETCH_OPTIONS = ("regions", "express_sync_ids", "bucket_name", "bucket_prefix", "include_candidates",
                 "gateway_details", "share_details", "gateway_tags", "health_signals", "accounts",
                 "resource_directory", "resource_directory_role_name", "account_ids", "resource_manager_endpoint")
ENDPOINT_OPTIONS = ("endpoint", "endpoint_type", "endpoints")


def cache_fingerprint(settings: dict, identity: str) -> str:
    """A one-way digest of what a cached estate was fetched with: ``settings`` (the values of
    :data:`FETCH_OPTIONS` and :data:`ENDPOINT_OPTIONS`) and ``identity`` (what names the
    credentials: an AccessKey ID, or a role and its source; see the credentials' ``identity``).

    Nothing of it can be read back: the identity is digested, and a URL's user and password are
    left out before the digest.
    """
    shown = {name: hide_userinfo(value) if isinstance(value, str) else value for name, value in settings.items()}
    if isinstance(shown.get("endpoints"), dict):
        shown["endpoints"] = {k: hide_userinfo(v) for k, v in shown["endpoints"].items()}
    document = {"settings": shown, "identity": hashlib.sha256(identity.encode("utf-8")).hexdigest()}
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:32]


def cache_key(base, get_option, shared, credentials):
    """The inventory's cache key: ``base`` (the plugin's key of the file) and the :func:`cache_fingerprint` of
    the options (``get_option``), the shared options ``shared`` and the identity of ``credentials``.
    None (no caching) for credentials whose identity is not known without a call."""
    identity = getattr(credentials, "identity", None)
    if not identity:
        return None
    settings = {name: get_option(name) for name in FETCH_OPTIONS}
    settings.update((name, shared.get(name)) for name in ENDPOINT_OPTIONS)
    return "%s_%s" % (base, cache_fingerprint(settings, identity))


def nothing_read(failed) -> str:
    """The message of an inventory whose every region failed (``failed``: region -> error record)."""
    return "every region failed, nothing was read: %s" % "; ".join(
        "%s: %s" % (region, error["message"]) for region, error in failed.items())


def names_this_plugin(path) -> bool:
    """Whether the YAML file at ``path`` says ``plugin: alibabacloud.sgw.sgw`` (a cheap look, no parsing)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    return bool(_NAMES_THIS_PLUGIN.search(head))


class EstateIndex:
    """The estate of several regions, de-duplicated, each record in the region its data says.

    The same endpoint serves several mainland regions, so an express sync group can come back from
    more than one region: express sync groups are kept once by ``ExpressSyncId``, shares by
    (GatewayId, ShareName) and gateways by ``GatewayId``, the first region (in the configured
    order) winning. The region of an express sync group is its ``BucketRegion`` (the region it was
    filed under when it has none), and the region of a share is its express sync group's. A share
    that is a member of a group is never also a candidate.
    """

    def __init__(self, estate: dict, thresholds=None, signals=None):
        # the verdict (health_signals) of the signals asked for, from what each region read
        self.signals = SignalIndex(merged_signals(data.get("signals") for data in estate.get("regions", {}).values()
                                                  if not data.get("error")), thresholds, signals) if signals else None
        self.syncs = {}       # ExpressSyncId -> (region, express sync group)
        self.gateways = {}    # GatewayId -> gateway
        self.members = {}     # (GatewayId, ShareName) -> (region, share)
        self.candidates = {}  # (GatewayId, ShareName) -> (region, share, [ExpressSyncId])
        self.file_shares = {}  # (GatewayId, share Name) -> DescribeGatewayFileShares record (share_details)
        self.gateway_tags = {}  # GatewayId -> {TagKey: TagValue} (gateway_tags)
        regions = [(name, data) for name, data in estate.get("regions", {}).items() if not data.get("error")]
        self.missing_bundles = []  # (region, record) of the gateway clusters that no longer exist
        for region, data in regions:
            for gateway_id, tags in (data.get("gateway_tags") or {}).items():
                self.gateway_tags.setdefault(gateway_id, tags)
            for gateway_id, file_shares in (data.get("file_shares") or {}).items():
                for file_share in file_shares:
                    self.file_shares.setdefault((gateway_id, file_share.get(NAME)), file_share)
            for express_sync in data.get("express_syncs", ()):
                self.syncs.setdefault(express_sync.get(EXPRESS_SYNC_ID),
                                      (group_region(express_sync, region), express_sync))
            for gateway in data.get("gateways", ()):
                self.gateways.setdefault(gateway.get(GATEWAY_ID), gateway)
            self.missing_bundles += [(region, record) for record in data.get("missing_bundles", ())]
        for region, data in regions:
            for share in data.get("shares", ()):
                self.members.setdefault(share_key(share), (self._region_of(share.get(EXPRESS_SYNC_ID), region), share))
        for region, data in regions:
            for share in data.get("candidates", ()):
                key = share_key(share)
                if key in self.members:
                    continue
                sync_id = share.get(EXPRESS_SYNC_ID)
                entry = self.candidates.setdefault(key, (self._region_of(sync_id, region), share, []))
                if sync_id and sync_id not in entry[2]:
                    entry[2].append(sync_id)
        # Many shares name the same group and gateway: their variables are worked out once each.
        self._sync_vars = {}     # ExpressSyncId -> the express_sync_* variables
        self._gateway_vars = {}  # GatewayId -> (the gateway_* variables, ansible_host or None), or None

    def _region_of(self, sync_id, region):
        """The region of the group ``sync_id``; ``region`` when the group is not known."""
        return self.syncs[sync_id][0] if sync_id in self.syncs else region

    def gateways_without_details(self) -> list:
        """``(gateway id, storage bundle id)`` of the member shares' gateways that their cluster's
        ``DescribeGateways`` did not list (the gateway no longer exists), sorted."""
        listed_bundles = {gateway.get(STORAGE_BUNDLE_ID) for gateway in self.gateways.values()}
        return sorted({(share.get(GATEWAY_ID), share.get(STORAGE_BUNDLE_ID)) for dummy, share in self.members.values()
                       if share.get(GATEWAY_ID) not in self.gateways
                       and share.get(STORAGE_BUNDLE_ID) in listed_bundles})

    def share_vars(self, region, share, candidate_for=None) -> dict:
        """The host variables of one share."""
        variables = share_record(share)
        if candidate_for is None:
            sync_id = share.get(EXPRESS_SYNC_ID)
            sync_vars = self._sync_vars.get(sync_id)
            if sync_vars is None:
                sync_vars = self._sync_vars[sync_id] = express_sync_vars(self.syncs.get(sync_id, (None, {}))[1])
            variables.update(sync_vars)
            variables.update(member_vars(share))
            file_share = self.file_shares.get(share_key(share))
            if file_share is not None:
                variables.update(file_share_vars(file_share))
            if self.signals is not None:
                variables.update(self.signals.condition_vars(share, region, self.gateways.get(share.get(GATEWAY_ID))))
            variables["sgw_candidate"] = False
        else:
            variables["express_sync_id"] = ""
            variables["sgw_candidate"] = True
            variables["sgw_candidate_for"] = sorted(candidate_for)
        variables["sgw_region"] = region
        gateway_id = share.get(GATEWAY_ID)
        try:
            gateway = self._gateway_vars[gateway_id]
        except KeyError:
            gateway = self._gateway_vars[gateway_id] = self._gateway_details(gateway_id)
        if gateway:
            variables.update(gateway[0])
            if gateway[1]:
                variables["ansible_host"] = gateway[1]
        tags = self.gateway_tags.get(gateway_id)
        if tags is not None:
            variables["gateway_tags"] = tags
        return variables

    def _gateway_details(self, gateway_id):
        gateway = self.gateways.get(gateway_id)
        return (gateway_vars(gateway), gateway_address(gateway)) if gateway else None

    def share_hosts(self, include_candidates=False):
        """``(variables, raw group names)`` for every member share, then every candidate share."""
        for region, share in self.members.values():
            variables = self.share_vars(region, share)
            yield variables, share_groups(variables)
        if include_candidates:
            for region, share, sync_ids in self.candidates.values():
                variables = self.share_vars(region, share, candidate_for=sync_ids)
                yield variables, share_groups(variables)

    def gateway_hosts(self, include_candidates=False):
        """``(variables, raw group names)`` for every gateway that has a share in the estate."""
        by_gateway = {}
        for variables, dummy in self.share_hosts(include_candidates):
            by_gateway.setdefault(variables["gateway_id"], []).append(variables)
        for gateway_id, shares in by_gateway.items():
            variables = gateway_host_vars(gateway_id, shares, self.gateways.get(gateway_id))
            yield variables, gateway_groups(variables, shares)


def share_groups(variables: dict) -> list:
    """The raw (unsanitised) names of the built-in groups of a share host."""
    names = ["sgw", "sgw_health_%s" % variables["sgw_health"], "sgw_region_%s" % variables["sgw_region"]]
    if variables.get("express_sync_state"):
        names.append("sgw_state_%s" % variables["express_sync_state"])
    if variables.get("gateway_id"):
        names.append("sgw_gateway_%s" % variables["gateway_id"])
    if variables.get("sgw_candidate"):
        names.append("sgw_candidates")
        names.extend("sgw_sync_%s_candidates" % sync_id for sync_id in variables["sgw_candidate_for"])
    elif variables.get("express_sync_id"):
        names.append("sgw_sync_%s" % variables["express_sync_id"])
    if variables.get("sgw_full_sync_supported") is False:
        names.append(FULL_SYNC_UNSUPPORTED_GROUP)
    return names + condition_groups(variables)


def condition_groups(variables: dict) -> list:
    """``sgw_condition_<condition>`` and ``sgw_reason_<code>`` of a host that has a verdict."""
    if CONDITION_KEY not in variables:
        return []
    return ["sgw_condition_%s" % variables[CONDITION_KEY]] + ["sgw_reason_%s" % r for r in variables[REASONS_KEY]]


def gateway_host_vars(gateway_id, shares, gateway=None) -> dict:
    """The host variables of a gateway host: its details, its shares and their worst health."""
    first = shares[0]
    members = [s for s in shares if not s["sgw_candidate"]]
    variables = {
        "gateway_id": gateway_id,
        "gateway_name": first.get("gateway_name"),
        "gateway_region": first.get("gateway_region"),
        "storage_bundle_id": first.get("storage_bundle_id"),
        "sgw_region": first["sgw_region"],
        "sgw_shares": [{k: s[k] for k in SHARE_LIST_KEYS + (CONDITION_KEY, REASONS_KEY) if k in s or k in SHARE_LIST_KEYS
                        } if CONDITION_KEY in s else {k: s.get(k) for k in SHARE_LIST_KEYS} for s in members],
        "sgw_health": worst_health(s["sgw_health"] for s in (members or shares)),
    }
    judged = [s for s in members if CONDITION_KEY in s]
    if judged:  # the gateway's verdict: the worst of its member shares', with all their reasons
        variables[CONDITION_KEY] = worst_condition(s[CONDITION_KEY] for s in judged)
        variables[REASONS_KEY] = sorted_reasons(r for s in judged for r in s[REASONS_KEY])
    if "gateway_tags" in first:
        variables["gateway_tags"] = first["gateway_tags"]
    candidates = [s for s in shares if s["sgw_candidate"]]
    if candidates:
        variables["sgw_candidate_shares"] = [
            {"share_name": s["share_name"], "sgw_candidate_for": s["sgw_candidate_for"]} for s in candidates]
    if gateway:
        variables.update(gateway_vars(gateway))
        address = gateway_address(gateway)
        if address:
            variables["ansible_host"] = address
    return variables


def gateway_groups(variables: dict, shares: list) -> list:
    """The raw names of the built-in groups of a gateway host."""
    names = ["sgw", "sgw_health_%s" % variables["sgw_health"], "sgw_region_%s" % variables["sgw_region"],
             "sgw_gateway_%s" % variables["gateway_id"]]
    names += condition_groups(variables)
    seen = set(names)
    for share in shares:
        for name in share_groups(share):
            if name.startswith(("sgw_sync_", "sgw_state_", "sgw_candidates", FULL_SYNC_UNSUPPORTED_GROUP)) \
                    and name not in seen:
                seen.add(name)
                names.append(name)
    return names


def default_hostname(variables: dict, hosts_from=HOSTS_FROM_SHARES) -> str:
    """``<ShareName>@<GatewayId>`` for a share, the ``GatewayId`` for a gateway."""
    if hosts_from == HOSTS_FROM_GATEWAYS:
        return variables.get("gateway_id") or ""
    share, gateway = variables.get("share_name"), variables.get("gateway_id")
    return share_label((gateway, share)) if share and gateway else ""


PLAIN_SCALARS = frozenset((str, int, float, bool, type(None)))


def is_plain(data) -> bool:
    """Whether ``data`` is made of nothing but ``dict``, ``list``, ``str``, ``int``, ``float``, ``bool`` and None.

    Exactly those types, not subclasses: JSON read from the API or from the cache is plain, while
    a value that carries a tag (a subclass) is not.
    """
    stack = [data]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind in PLAIN_SCALARS:
            continue
        if kind is dict:
            for key in value:
                if type(key) not in PLAIN_SCALARS:
                    return False
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
        else:
            return False
    return True


def affix_vars(variables: dict, prefix: str = "", suffix: str = "") -> dict:
    """The variables renamed ``<prefix><name><suffix>`` (``ansible_host`` keeps its name)."""
    if not prefix and not suffix:
        return variables
    return {(k if k in UNAFFIXED_VARS else "%s%s%s" % (prefix, k, suffix)): v for k, v in variables.items()}


def estate_fetcher(client, option, signals):
    """The estate fetcher of one account as the inventory options (``option(name)``) say; with health
    signals beyond the express sync states, the :class:`SignalFetcher` that reads them too."""
    fetcher = EstateFetcher(client, max_concurrency=option("max_concurrency"),
                            max_ids_per_call=option("max_ids_per_call"),
                            include_candidates=option("include_candidates"),
                            gateway_details=option("gateway_details"),
                            express_sync_ids=option("express_sync_ids"),
                            bucket_name=option("bucket_name"), bucket_prefix=option("bucket_prefix"),
                            share_details=option("share_details"), gateway_tags=option("gateway_tags"),
                            fail_fast=fails(option("on_region_error")))
    return SignalFetcher(fetcher, client, signals) if extra_signals(signals) else fetcher


def missing_gateway_warnings(index) -> list:
    """The warnings of the gateways and clusters that no longer exist: their shares are kept without gateway details."""
    messages = ["alibabacloud.sgw.sgw: region %s: the gateway cluster %s no longer exists (%s); its shares are kept "
                "without gateway details." % (region, record.get("storage_bundle_id"), record.get("message"))
                for region, record in index.missing_bundles]
    return messages + [
        "alibabacloud.sgw.sgw: the gateway %s is not listed by DescribeGateways of its cluster %s (it no longer "
        "exists?); its shares are kept without gateway details." % (gateway_id, bundle_id)
        for gateway_id, bundle_id in index.gateways_without_details()]
