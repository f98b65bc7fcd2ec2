# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulated account: regions, gateway clusters, gateways, express sync groups and shares.

The account file (YAML or JSON) mirrors the API's own records, with the API's field names::

    account_id: "1234567890123456"      # optional, used in the MNS endpoints and the resource directory
    display_name: prod                  # optional, the DisplayName that ListAccounts answers
    regions: [cn-hangzhou, ...]
    storage_bundles: [{StorageBundleId, Name, BackendBucketRegionId, Description, CreatedTime}]
    gateways: [{GatewayId, StorageBundleId, Name, Location, ... any documented Gateway field}]
    express_syncs: [{ExpressSyncId, Name, BucketName, BucketRegion, BucketPrefix, MnsTopic, Description}]
    shares: [{GatewayId, ShareName, BucketName, ExpressSyncId, ExpressSyncState, SyncProgress, MnsQueue,
              Protocol, PathPrefix, IndexId, Enabled, OssHealth, LagPeriod, UploadQueue, DownloadQueue,
              ActiveMessages, RemainingMetaSpace}]
    alerts: [{GatewayId, ShareName, Type, Status, FirstTriggerTimestamp}]                  # optional
    roles: [{Arn, MaxSessionDuration, Trust: {Principals, Accounts, OidcProviderArn, ExternalId}}]  # STS, optional
    gateway_tags: {GatewayId: {TagKey: TagValue}}                                          # optional

:func:`Account.from_document` validates the whole file and fills the optional fields, so that the
rest of the simulator can rely on complete records.
"""

from __future__ import annotations

import copy
import json
import pathlib
import random
import re
import string
import zlib

import yaml

# libyaml when PyYAML has it: large accounts load and dump many times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
DEFAULT_ACCOUNT_ID = "1234567890123456"
DEFAULT_CREATED_TIME = 1672531200  # 2023-01-01T00:00:00Z

EXPRESS_SYNC_STATES = ("TopicAndQueueFailure", "TopicFailure", "QueueFailure", "MNSFullSyncInit",
                       "MNSFullSyncing", "MNSNotEnabled", "MNSHealthy")
NOT_ENABLED = "MNSNotEnabled"
EXPRESS_SYNC_NAME = re.compile(r"^[\u4e00-\u9fa5a-zA-Z][\u4e00-\u9fa5a-zA-Z0-9-_.]{0,127}$")
REGION_ID = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")

# Every Gateway field of DescribeGateways, with the value used when the account file leaves it out
# (None: required, or derived from other fields).
GATEWAY_DEFAULTS = {
    "ActivatedTime": None, "BuyURL": "", "Capacity": 0, "Category": "Aliyun", "CommonBuyInstanceId": "",
    "CreatedTime": DEFAULT_CREATED_TIME, "DataLoadInterval": 0, "DataLoadType": "once", "Description": "",
    "EcsInstanceId": "", "ElasticGateway": False, "ElasticNodes": {"ElasticNode": []}, "ExpireStatus": 0,
    "ExpiredTime": 0, "GatewayClass": "Standard", "GatewayId": None, "GatewayRegionId": None,
    "GatewayType": None, "GatewayVersion": "1.7.2", "HighAvailability": False, "InnerIp": "", "InnerIpv6Ip": "",
    "Ip": "", "IsPostPaid": True, "IsReleaseAfterExpiration": False, "LastErrorKey": "", "Location": "Cloud",
    "MaxThroughput": 0, "Name": None, "PublicNetworkBandwidth": 0, "RenewURL": "", "Status": "Running",
    "StorageBundleId": None, "TaskId": "", "Type": "File", "UntrustedEnvInstanceType": "", "VSwitchId": "",
    "VpcId": "",
}
# The health fields of DescribeGatewayFileShares that a share may set, with their defaults (a healthy share).
SHARE_HEALTH_DEFAULTS = {"Enabled": True, "OssHealth": "BucketHealthy", "LagPeriod": 0, "UploadQueue": 0,
                         "DownloadQueue": 0, "ActiveMessages": 0, "RemainingMetaSpace": 102400}
SHARE_FIELDS = ("GatewayId", "ShareName", "BucketName", "ExpressSyncId", "ExpressSyncState", "SyncProgress",
                "MnsQueue", "Protocol", "PathPrefix", "IndexId", *SHARE_HEALTH_DEFAULTS)
# An alert event of ListAlertEvents; ShareName empty: an alert on the whole gateway.
ALERT_FIELDS = ("GatewayId", "ShareName", "Type", "Status", "FirstTriggerTimestamp")
ALERTING = "alerting"
STORAGE_BUNDLE_FIELDS = ("StorageBundleId", "Name", "BackendBucketRegionId", "Description", "CreatedTime")
EXPRESS_SYNC_FIELDS = ("ExpressSyncId", "Name", "BucketName", "BucketRegion", "BucketPrefix", "MnsTopic",
                       "Description")
TOP_LEVEL_KEYS = ("account_id", "display_name", "regions", "storage_bundles", "gateways", "express_syncs", "shares", "roles",
                  "gateway_tags", "alerts")
ROLE_FIELDS = ("Arn", "MaxSessionDuration", "Trust")
TRUST_FIELDS = ("Principals", "Accounts", "OidcProviderArn", "ExternalId")

# Length of the random part of each kind of id, as in the documentation's examples.
ID_LENGTHS = {"sync": 16, "gw": 17, "sb": 17, "t": 17}
ID_ALPHABET = string.ascii_lowercase + string.digits


class AccountError(ValueError):
    """The account file is not valid; the message says where and why."""


def new_id(kind: str, rng: random.Random, taken=()) -> str:
    """A fresh id such as ``sync-0002xetjdlxne2sd``: ``000``, a digit, then random characters."""
    while True:
        tail = "".join(rng.choices(ID_ALPHABET, k=ID_LENGTHS[kind] - 4))
        candidate = f"{kind}-000{rng.randint(1, 9)}{tail}"
        if candidate not in taken:
            return candidate


def mns_topic(express_sync_id: str) -> str:
    return "sgw-express-sync-" + express_sync_id.removeprefix("sync-")


def mns_queue(gateway_id: str, express_sync_id: str, share_name: str) -> str:
    """A stable queue name for a share in a group, like the documentation's examples."""
    suffix = zlib.crc32(f"{express_sync_id}/{share_name}".encode()) % 1000000
    return f"sgw-express-sync-queue-{gateway_id}-{suffix:06d}"


def default_progress(state: str) -> int:
    return {"MNSHealthy": 100, "MNSFullSyncing": 50, "MNSFullSyncInit": 0}.get(state, -1)


class Account:
    """The records of one account, keyed by id; the order of the file is kept."""

    def __init__(self, account_id, regions, storage_bundles, gateways, express_syncs, shares, roles=None,
                 gateway_tags=None, display_name=None, alerts=None):
        self.display_name = display_name
        self.roles = roles or {}
        self.alerts = alerts or []
        self.gateway_tags = gateway_tags or {}
        self.account_id = account_id
        self.regions = regions
        self.storage_bundles = storage_bundles
        self.gateways = gateways
        self.express_syncs = express_syncs
        self.shares = shares

    @classmethod
    def from_document(cls, document) -> Account:
        """Validate an account document and fill in the optional fields."""
        if not isinstance(document, dict):
            raise AccountError("the account must be a mapping with the keys " + ", ".join(TOP_LEVEL_KEYS))
        _reject_unknown("the account", document, TOP_LEVEL_KEYS)
        regions = _regions(document.get("regions"))
        bundles = _index("storage_bundles", document, "StorageBundleId", lambda r, w: _bundle(r, w, regions))
        gateways = _index("gateways", document, "GatewayId", lambda r, w: _gateway(r, w, bundles))
        syncs = _index("express_syncs", document, "ExpressSyncId", lambda r, w: _express_sync(r, w, regions))
        shares = {}
        for where, record in _records("shares", document):
            share = _share(record, where, gateways, syncs)
            key = (share["GatewayId"], share["ShareName"])
            if key in shares:
                raise AccountError(f"{where}: duplicate share {share['ShareName']!r} on gateway {key[0]}")
            shares[key] = share
        roles = _index("roles", document, "Arn", _role)
        alerts = [_alert(record, where, gateways, shares) for where, record in _records("alerts", document)]
        display_name = document.get("display_name")
        if display_name is not None:
            display_name = _text(document, "display_name", "the account")
        return cls(str(document.get("account_id", DEFAULT_ACCOUNT_ID)), regions, bundles, gateways, syncs, shares,
                   roles, _gateway_tags(document.get("gateway_tags"), gateways), display_name, alerts)

    @classmethod
    def load(cls, path) -> Account:
        """Read and validate an account file; ``.json`` files are JSON, anything else YAML."""
        path = pathlib.Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            document = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=YAML_LOADER)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise AccountError(f"cannot read {path}: {exc}".replace("\n", " ")) from None
        try:
            return cls.from_document(document)
        except AccountError as exc:
            raise AccountError(f"{path}: {exc}") from None

    def to_document(self) -> dict:
        return {
            "account_id": self.account_id,
            **({"display_name": self.display_name} if self.display_name else {}),
            "regions": list(self.regions),
            "storage_bundles": list(self.storage_bundles.values()),
            "gateways": list(self.gateways.values()),
            "express_syncs": list(self.express_syncs.values()),
            "shares": list(self.shares.values()),
            **({"roles": list(self.roles.values())} if self.roles else {}),
            **({"gateway_tags": copy.deepcopy(self.gateway_tags)} if self.gateway_tags else {}),
            **({"alerts": copy.deepcopy(self.alerts)} if self.alerts else {}),
        }

    def members(self, express_sync_id: str) -> list[dict]:
        return [share for share in self.shares.values() if share["ExpressSyncId"] == express_sync_id]

    def ids(self) -> set:
        return {*self.storage_bundles, *self.gateways, *self.express_syncs}


def dump_document(document: dict, path) -> None:
    """Write an account document as JSON (``.json``) or YAML (anything else)."""
    path = pathlib.Path(path)
    if path.suffix == ".json":
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    else:
        text = "---\n" + yaml.dump(document, Dumper=YAML_DUMPER, sort_keys=False, allow_unicode=True, width=120)
    path.write_text(text, encoding="utf-8")


def _reject_unknown(where: str, record: dict, allowed) -> None:
    unknown = sorted(set(record) - set(allowed))
    if unknown:
        raise AccountError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")


def _regions(value) -> list[str]:
    if not isinstance(value, list) or not value:
        raise AccountError("regions: must be a non-empty list of region ids")
    for region in value:
        if not isinstance(region, str) or not REGION_ID.match(region):
            raise AccountError(f"regions: {region!r} is not a region id such as cn-hangzhou")
    if len(set(value)) != len(value):
        raise AccountError("regions: a region is listed twice")
    return list(value)


def _records(section: str, document: dict):
    records = document.get(section) or []
    if not isinstance(records, list):
        raise AccountError(f"{section}: must be a list")
    for number, record in enumerate(records):
        where = f"{section}[{number}]"
        if not isinstance(record, dict):
            raise AccountError(f"{where}: must be a mapping")
        yield where, record


def _index(section: str, document: dict, id_field: str, build) -> dict:
    index = {}
    for where, record in _records(section, document):
        entry = build(record, where)
        if entry[id_field] in index:
            raise AccountError(f"{where}: duplicate {id_field} {entry[id_field]!r}")
        index[entry[id_field]] = entry
    return index


def _text(record: dict, field: str, where: str, default=None) -> str:
    value = record.get(field, default)
    if value is None:
        raise AccountError(f"{where}: {field} is required")
    if not isinstance(value, str):
        raise AccountError(f"{where}: {field} must be a string, not {value!r}")
    return value


def _integer(record: dict, field: str, where: str, default: int) -> int:
    value = record.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AccountError(f"{where}: {field} must be an integer, not {value!r}")
    return value


def _has_type(value, default) -> bool:
    """``isinstance`` of the default's type, where a bool is no integer."""
    return isinstance(value, type(default)) and isinstance(value, bool) == isinstance(default, bool)


def _region(record: dict, field: str, where: str, regions: list[str]) -> str:
    region = _text(record, field, where)
    if region not in regions:
        raise AccountError(f"{where}: {field} {region!r} is not one of the account's regions")
    return region


def _bundle(record: dict, where: str, regions: list[str]) -> dict:
    _reject_unknown(where, record, STORAGE_BUNDLE_FIELDS)
    bundle_id = _text(record, "StorageBundleId", where)
    return {
        "StorageBundleId": bundle_id,
        "Name": _text(record, "Name", where, bundle_id),
        "BackendBucketRegionId": _region(record, "BackendBucketRegionId", where, regions),
        "Description": _text(record, "Description", where, ""),
        "CreatedTime": _integer(record, "CreatedTime", where, DEFAULT_CREATED_TIME),
    }


def _gateway(record: dict, where: str, bundles: dict) -> dict:
    _reject_unknown(where, record, GATEWAY_DEFAULTS)
    gateway_id = _text(record, "GatewayId", where)
    bundle_id = _text(record, "StorageBundleId", where)
    if bundle_id not in bundles:
        raise AccountError(f"{where} ({gateway_id}): unknown StorageBundleId {bundle_id!r}")
    gateway = dict(record)
    for field, default in GATEWAY_DEFAULTS.items():
        gateway.setdefault(field, copy.deepcopy(default))
    gateway["Name"] = _text(record, "Name", where, gateway_id)
    gateway["GatewayRegionId"] = _text(record, "GatewayRegionId", where, bundles[bundle_id]["BackendBucketRegionId"])
    gateway["GatewayType"] = _text(record, "GatewayType", where, gateway["Type"])
    gateway["ActivatedTime"] = _integer(record, "ActivatedTime", where, gateway["CreatedTime"])
    for field, default in GATEWAY_DEFAULTS.items():
        if default is not None and not _has_type(gateway[field], default):
            raise AccountError(f"{where} ({gateway_id}): {field} must be of type {type(default).__name__}")
    if gateway["Location"] not in ("Cloud", "On_Premise"):
        raise AccountError(f"{where} ({gateway_id}): Location must be Cloud or On_Premise")
    return gateway


def _express_sync(record: dict, where: str, regions: list[str]) -> dict:
    _reject_unknown(where, record, EXPRESS_SYNC_FIELDS)
    sync_id = _text(record, "ExpressSyncId", where)
    name = _text(record, "Name", where)
    if not EXPRESS_SYNC_NAME.match(name):
        raise AccountError(f"{where} ({sync_id}): Name {name!r} breaks the naming rule {EXPRESS_SYNC_NAME.pattern}")
    return {
        "ExpressSyncId": sync_id,
        "Name": name,
        "BucketName": _text(record, "BucketName", where),
        "BucketRegion": _region(record, "BucketRegion", where, regions),
        "BucketPrefix": _text(record, "BucketPrefix", where, ""),
        "MnsTopic": _text(record, "MnsTopic", where, mns_topic(sync_id)),
        "Description": _text(record, "Description", where, ""),
    }


def _share(record: dict, where: str, gateways: dict, syncs: dict) -> dict:
    _reject_unknown(where, record, SHARE_FIELDS)
    gateway_id = _text(record, "GatewayId", where)
    name = _text(record, "ShareName", where)
    where = f"{where} ({gateway_id}/{name})"
    if gateway_id not in gateways:
        raise AccountError(f"{where}: unknown GatewayId {gateway_id!r}")
    bucket = _text(record, "BucketName", where)
    sync_id = _text(record, "ExpressSyncId", where, "")
    if sync_id and sync_id not in syncs:
        raise AccountError(f"{where}: unknown ExpressSyncId {sync_id!r}")
    if sync_id and syncs[sync_id]["BucketName"] != bucket:
        raise AccountError(f"{where}: bucket {bucket!r} is not the bucket of {sync_id}")
    state = _text(record, "ExpressSyncState", where, "MNSHealthy" if sync_id else NOT_ENABLED)
    if state not in EXPRESS_SYNC_STATES:
        raise AccountError(f"{where}: ExpressSyncState {state!r} is not one of {', '.join(EXPRESS_SYNC_STATES)}")
    if not sync_id and state != NOT_ENABLED:
        raise AccountError(f"{where}: a share in no sync group must be {NOT_ENABLED}, not {state}")
    progress = _integer(record, "SyncProgress", where, default_progress(state))
    if not -2 <= progress <= 100:
        raise AccountError(f"{where}: SyncProgress must be -2..100, not {progress}")
    protocol = _text(record, "Protocol", where, "NFS")
    if protocol not in ("NFS", "SMB"):
        raise AccountError(f"{where}: Protocol must be NFS or SMB")
    health = {}
    for field, default in SHARE_HEALTH_DEFAULTS.items():
        health[field] = record.get(field, default)
        if not _has_type(health[field], default) or (isinstance(default, int) and not isinstance(default, bool)
                                                     and health[field] < 0):
            raise AccountError(f"{where}: {field} must be {_kind(default)}, not {health[field]!r}")
    return {
        "GatewayId": gateway_id,
        "ShareName": name,
        "BucketName": bucket,
        "ExpressSyncId": sync_id,
        "ExpressSyncState": state,
        "SyncProgress": progress,
        "MnsQueue": _text(record, "MnsQueue", where, mns_queue(gateway_id, sync_id, name) if sync_id else ""),
        "Protocol": protocol,
        "PathPrefix": _text(record, "PathPrefix", where, ""),
        "IndexId": _text(record, "IndexId", where, protocol + name),
        **health,
    }


def _kind(default) -> str:
    if isinstance(default, bool):
        return "true or false"
    return "an integer, 0 or more" if isinstance(default, int) else "a string"


def _alert(record: dict, where: str, gateways: dict, shares: dict) -> dict:
    """An alert event: on a gateway, or on one of its shares; alerting unless its Status says otherwise."""
    _reject_unknown(where, record, ALERT_FIELDS)
    gateway_id = _text(record, "GatewayId", where)
    if gateway_id not in gateways:
        raise AccountError(f"{where}: unknown GatewayId {gateway_id!r}")
    share = _text(record, "ShareName", where, "")
    if share and (gateway_id, share) not in shares:
        raise AccountError(f"{where}: gateway {gateway_id} has no share {share!r}")
    kind = _text(record, "Type", where)
    if not kind:
        raise AccountError(f"{where}: Type must not be empty (throttling, uploadQueueFull, lowMetaSpace...)")
    status = _text(record, "Status", where, ALERTING)
    triggered = _integer(record, "FirstTriggerTimestamp", where, DEFAULT_CREATED_TIME * 1000)
    return {"GatewayId": gateway_id, "ShareName": share, "Type": kind, "Status": status,
            "FirstTriggerTimestamp": triggered}


def _role(record: dict, where: str) -> dict:
    """A role that the simulator's STS lets callers assume (see tests/simulator/sts.py)."""
    _reject_unknown(where, record, ROLE_FIELDS)
    arn = _text(record, "Arn", where)
    if not arn.startswith("acs:ram::") or ":role/" not in arn:
        raise AccountError(f"{where}: Arn {arn!r} is not a role ARN such as acs:ram::<account>:role/<name>")
    duration = _integer(record, "MaxSessionDuration", where, 3600)
    if not 900 <= duration <= 43200:
        raise AccountError(f"{where}: MaxSessionDuration must be 900..43200, not {duration}")
    trust = record.get("Trust")
    if trust is not None:
        if not isinstance(trust, dict):
            raise AccountError(f"{where}: Trust must be a mapping")
        _reject_unknown(f"{where}.Trust", trust, TRUST_FIELDS)
        principals = trust.get("Principals")
        if principals is not None and (not isinstance(principals, list)
                                       or not all(isinstance(p, str) for p in principals)):
            raise AccountError(f"{where}.Trust: Principals must be a list of AccessKey ids or role ARNs")
        accounts = trust.get("Accounts")
        if accounts is not None and (not isinstance(accounts, list)
                                     or not all(isinstance(a, str) and a.isdigit() for a in accounts)):
            raise AccountError(f"{where}.Trust: Accounts must be a list of account ids (strings of digits)")
        for field in ("OidcProviderArn", "ExternalId"):
            if field in trust:
                _text(trust, field, f"{where}.Trust")
    return {"Arn": arn, "MaxSessionDuration": duration, "Trust": copy.deepcopy(trust)}


def _gateway_tags(value, gateways: dict) -> dict:
    """``{GatewayId: {TagKey: TagValue}}``, the tags that ListTagResources reports."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AccountError("gateway_tags: must be a mapping of gateway id to {tag key: tag value}")
    for gateway_id, tags in value.items():
        if gateway_id not in gateways:
            raise AccountError(f"gateway_tags: unknown GatewayId {gateway_id!r}")
        if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
            raise AccountError(f"gateway_tags.{gateway_id}: must be a mapping of tag keys to string values")
    return copy.deepcopy(value)
