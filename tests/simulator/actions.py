# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One function per SGW API action, registered in :data:`ACTIONS`.

Each function takes the :class:`~tests.simulator.service.Service` (already locked, its tasks
settled) and the :class:`Call`, and returns the action's own response fields; the common fields
(``RequestId``, ``Code``, ``Message``, ``Success``) are added by the server. Errors are raised
as :class:`~tests.simulator.errors.ApiError`.
"""

from __future__ import annotations

import dataclasses
import json
import math

from tests.simulator.account import EXPRESS_SYNC_NAME, NOT_ENABLED, mns_queue, mns_topic
from tests.simulator.errors import ApiError, invalid, missing
from tests.simulator.faults import Faults

API_VERSION = "2018-05-11"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
MAX_DESCRIPTION_LENGTH = 255

ACTIONS = {}


def action(name: str):
    """Register the decorated function as the API action ``name``."""
    def register(function):
        ACTIONS[name] = function
        return function
    return register


@dataclasses.dataclass(frozen=True)
class Call:
    """The business parameters of one API call, the time it is served at, and the fault and behaviour
    settings it is served under (the groups whose tasks fail, the undocumented behaviours)."""

    params: dict
    now: float
    faults: Faults = Faults()

    @property
    def fail_tasks(self) -> tuple:
        return self.faults.fail_tasks

    def text(self, name: str) -> str:
        return self.params.get(name, "").strip()

    def required(self, name: str, error: ApiError | None = None) -> str:
        value = self.text(name)
        if not value:
            raise error or missing(name)
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        """``true``/``false`` in any case, as the SDKs send ``True`` and the docs ``true``."""
        value = self.text(name).lower()
        if value not in ("", "true", "false"):
            raise invalid(name, "must be true or false")
        return value == "true" if value else default

    def page(self) -> tuple[int, int]:
        """``(PageNumber, PageSize)``: defaults 1 and 10, the size at most 50."""
        number = self._counting_number("PageNumber", 1, "BadPageNumber")
        size = self._counting_number("PageSize", DEFAULT_PAGE_SIZE, "BadPageSize")
        if size > MAX_PAGE_SIZE:
            raise ApiError("BadPageSize")
        return number, size

    def _counting_number(self, name: str, default: int, code: str) -> int:
        value = self.text(name)
        if not value:
            return default
        if not value.isdigit() or int(value) < 1:
            raise ApiError(code)
        return int(value)


def _paged(call: Call, records: list, wrapper: str, item: str) -> dict:
    """One page; ``TotalCount`` is left out with the behaviour ``total_count: absent``."""
    number, size = call.page()
    start = (number - 1) * size
    page = {"TotalCount": len(records), "PageNumber": number, "PageSize": size,
            wrapper: {item: records[start:start + size]}}
    if call.faults.total_count == "absent":
        del page["TotalCount"]
    return page


# ----------------------------------------------------------------------------------- lookups


def _express_sync(service, call: Call) -> dict:
    sync_id = call.required("ExpressSyncId", ApiError("EmptyExpressSyncId"))
    try:
        return service.account.express_syncs[sync_id]
    except KeyError:
        raise ApiError.about("ExpressSyncNotExist", sync_id) from None


def _idle_express_sync(service, call: Call) -> dict:
    """The group of the call, which must have no task running."""
    group = _express_sync(service, call)
    if service.tasks.busy(group["ExpressSyncId"], call.now):
        raise ApiError("ExpressSyncInOperation")
    return group


def _gateway(service, gateway_id: str) -> dict:
    try:
        return service.account.gateways[gateway_id]
    except KeyError:
        raise ApiError.about("GatewayNotExist", gateway_id) from None


def _gateway_shares(service, call: Call) -> list[dict]:
    """The shares named by ``GatewayShares``, a JSON object ``{"gw-id": "share1,share2"}``."""
    text = call.required("GatewayShares")
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(names, str) for names in mapping.values()):
        raise ApiError.about("BadRequest", 'GatewayShares must be a JSON object like {"gw-id": "share1,share2"}')
    shares = []
    for gateway_id, names in mapping.items():
        _gateway(service, gateway_id)
        for name in filter(None, (name.strip() for name in names.split(","))):
            share = service.account.shares.get((gateway_id, name))
            if share is None:
                raise ApiError.about("ShareNotExist", f"{gateway_id}/{name}")
            shares.append(share)
    return shares


def _check_joinable(share: dict, group: dict, strict: bool = False) -> None:
    """A share may join a group of its own bucket, unless it is in another group (or, ``strict``, in this one:
    by default adding a member again is ignored)."""
    subject = f"{share['GatewayId']}/{share['ShareName']}"
    if share["BucketName"] != group["BucketName"]:
        raise ApiError.about("ShareBucketMismatch", f"{subject} is on bucket {share['BucketName']}")
    allowed = ("",) if strict else ("", group["ExpressSyncId"])
    if share["ExpressSyncId"] not in allowed:
        raise ApiError.about("ShareAlreadyInExpressSync", f"{subject} is in {share['ExpressSyncId']}")


def _check_leavable(share: dict, group: dict, strict: bool = False) -> None:
    """A share may leave a group it is in; shares in no group are ignored (or, ``strict``, refused), shares in
    another group refused."""
    allowed = (group["ExpressSyncId"],) if strict else ("", group["ExpressSyncId"])
    if share["ExpressSyncId"] not in allowed:
        raise ApiError.about("ShareNotInExpressSync", f"{share['GatewayId']}/{share['ShareName']} is in "
                                                      f"{share['ExpressSyncId'] or 'no group'}")


def _share_record(service, view: dict) -> dict:
    """A share (as :meth:`Service.share_view` shows it) as a DescribeExpressSyncShares ``Share``."""
    gateway = service.account.gateways[view["GatewayId"]]
    return {
        "ExpressSyncId": view["ExpressSyncId"],
        "ExpressSyncState": view["ExpressSyncState"],
        "GatewayId": gateway["GatewayId"],
        "GatewayName": gateway["Name"],
        "GatewayRegion": gateway["GatewayRegionId"],
        "MnsQueue": view["MnsQueue"],
        "ShareName": view["ShareName"],
        "StorageBundleId": gateway["StorageBundleId"],
        "SyncProgress": view["SyncProgress"],
    }


def _candidate_view(share: dict, group: dict, call: Call) -> dict:
    """A share that can join ``group``, as DescribeExpressSyncShares reports it with IsExternal=true: with the
    group's id, or with an empty one under the behaviour ``candidate_sync_id: empty``."""
    sync_id = group["ExpressSyncId"] if call.faults.candidate_sync_id == "group" else ""
    return {**share, "ExpressSyncId": sync_id, "ExpressSyncState": NOT_ENABLED, "SyncProgress": -1, "MnsQueue": ""}


def _candidates(service, group: dict) -> list[dict]:
    gateways = service.account.gateways
    return [share for share in service.account.shares.values()
            if not share["ExpressSyncId"] and share["BucketName"] == group["BucketName"]
            and gateways[share["GatewayId"]]["GatewayRegionId"] == group["BucketRegion"]]


def _file_share_record(service, share: dict, now: float) -> dict:
    """A share as a DescribeGatewayFileShares ``FileShare`` (the fields a file gateway always reports)."""
    view = service.share_view(share, now)
    gateway = service.account.gateways[share["GatewayId"]]
    return {
        "Name": view["ShareName"], "IndexId": view["IndexId"], "Protocol": view["Protocol"],
        "State": "clean", "Status": "none", "Address": gateway["InnerIp"], "LocalPath": f"/mnt/{view['ShareName']}",
        "OssBucketName": view["BucketName"], "PathPrefix": view["PathPrefix"], "OssBucketSsl": True,
        "OssEndpoint": f"oss-{gateway['GatewayRegionId']}-internal.aliyuncs.com",
        "ExpressSyncId": view["ExpressSyncId"], "MnsHealth": view["ExpressSyncState"],
        "SyncProgress": view["SyncProgress"], "CacheMode": "Cache", "DiskType": "cloud_efficiency", "DiskId": "",
        "RemoteSync": False, "PollingInterval": 0, "IgnoreDelete": False, "InPlace": False, "Browsable": True,
        "Squash": "none" if view["Protocol"] == "NFS" else "", "WindowsAcl": False, "BypassCacheRead": False,
        "FastReclaim": False, "DirectIO": False, "TransferAcceleration": False, "ServerSideEncryption": False,
        "ClientSideEncryption": False, "Size": 0, "Used": 0, "InRate": 0, "OutRate": 0,
        "Enabled": share["Enabled"], "OssHealth": share["OssHealth"], "LagPeriod": share["LagPeriod"],
        "UploadQueue": share["UploadQueue"], "DownloadQueue": share["DownloadQueue"],
        "ActiveMessages": share["ActiveMessages"], "RemainingMetaSpace": share["RemainingMetaSpace"],
    }


# ----------------------------------------------------------------------------------- reads


@action("DescribeRegions")
def describe_regions(service, _call: Call) -> dict:
    return {"Regions": {"Region": [{"RegionId": region} for region in service.account.regions]}}


@action("DescribeStorageBundles")
def describe_storage_bundles(service, call: Call) -> dict:
    region = call.required("BackendBucketRegionId")
    bundles = [bundle for bundle in service.account.storage_bundles.values()
               if bundle["BackendBucketRegionId"] == region]
    return _paged(call, bundles, "StorageBundles", "StorageBundle")


@action("DescribeGateways")
def describe_gateways(service, call: Call) -> dict:
    """The gateways of a cluster. The ``missing_gateways`` are gone (their shares are still listed); a
    cluster whose every gateway is gone is gone too (``StorageBundleNotExist``)."""
    bundle_id = call.required("StorageBundleId", ApiError("EmptyStorageBundleId"))
    if bundle_id not in service.account.storage_bundles:
        raise ApiError.about("StorageBundleNotExist", bundle_id)
    gateways = [gateway for gateway in service.account.gateways.values() if gateway["StorageBundleId"] == bundle_id]
    present = [gateway for gateway in gateways if gateway["GatewayId"] not in call.faults.missing_gateways]
    if gateways and not present:
        raise ApiError.about("StorageBundleNotExist", bundle_id)
    return _paged(call, present, "Gateways", "Gateway")


@action("DescribeGatewayFileShares")
def describe_gateway_file_shares(service, call: Call) -> dict:
    gateway_id = _gateway(service, call.required("GatewayId", ApiError("EmptyGatewayId")))["GatewayId"]
    if gateway_id in call.faults.missing_gateways:
        raise ApiError.about("GatewayNotExist", gateway_id)
    call.boolean("Refresh")
    index_id = call.text("IndexId")
    shares = [share for share in service.account.shares.values()
              if share["GatewayId"] == gateway_id and (not index_id or share["IndexId"] == index_id)]
    return {"FileShares": {"FileShare": [_file_share_record(service, share, call.now) for share in shares]}}


@action("DescribeExpressSyncs")
def describe_express_syncs(service, call: Call) -> dict:
    """Groups of the call's ``RegionId`` (all groups without one, or under the behaviour
    ``region_scope: account``), filtered by bucket and prefix.

    ``BucketPrefix`` counts only with ``BucketName``; an empty prefix selects the bucket-root group.
    """
    region = call.text("RegionId") if call.faults.region_scope == "region" else ""
    bucket = call.text("BucketName")
    prefix = call.params.get("BucketPrefix") if bucket else None
    groups = [group for group in service.account.express_syncs.values()
              if (not region or group["BucketRegion"] == region) and (not bucket or group["BucketName"] == bucket)
              and (prefix is None or group["BucketPrefix"] == prefix)]
    return {"ExpressSyncs": {"ExpressSync": groups}}


@action("DescribeExpressSyncShares")
def describe_express_sync_shares(service, call: Call) -> dict:
    """Member shares of the groups, or with ``IsExternal=true`` the shares that can join them."""
    text = call.required("ExpressSyncIds", ApiError("EmptyExpressSyncId"))
    sync_ids = list(dict.fromkeys(filter(None, (sync_id.strip() for sync_id in text.split(",")))))
    if not sync_ids:
        raise ApiError("EmptyExpressSyncId")
    unknown = [sync_id for sync_id in sync_ids if sync_id not in service.account.express_syncs]
    if unknown and call.faults.unknown_ids == "error":
        raise ApiError.about("ExpressSyncNotExist", ",".join(unknown))
    sync_ids = [sync_id for sync_id in sync_ids if sync_id not in unknown]  # unknown_ids: omit
    external = call.boolean("IsExternal")
    members = {}  # one pass over the shares for all the groups of the call
    if not external:
        wanted = set(sync_ids)
        for share in service.account.shares.values():
            if share["ExpressSyncId"] in wanted:
                members.setdefault(share["ExpressSyncId"], []).append(share)
    records = []
    for sync_id in sync_ids:
        group = service.account.express_syncs[sync_id]
        if external:
            views = [_candidate_view(share, group, call) for share in _candidates(service, group)]
        else:
            views = [service.share_view(share, call.now) for share in members.get(sync_id, ())]
        records += [_share_record(service, view) for view in views]
    return {"Shares": {"Share": records}}


@action("ListAlertEvents")
def list_alert_events(service, call: Call) -> dict:
    """The alert events of the account, filtered by ``GatewayId``, ``ShareIndexId`` (a share's name, or its
    ``IndexId``), ``GatewayRegionId``, ``Status`` (``alerting``: those still alerting) and the window of their
    first trigger (milliseconds); paged. The events name their share by ``ShareName`` or, under the behaviour
    ``alert_share: index_id``, by ``ShareIndexId`` (its IndexId); ``AlertEvents`` is a plain list, or under
    ``alert_events: wrapped`` an object ``{"AlertEvent": [...]}``."""
    account = service.account
    gateway_id, share, region = call.text("GatewayId"), call.text("ShareIndexId"), call.text("GatewayRegionId")
    status = call.text("Status")
    start, end = _millis(call, "FirstTriggerTimestampStartTime"), _millis(call, "FirstTriggerTimestampEndTime")
    events = []
    for alert in account.alerts:
        gateway = account.gateways[alert["GatewayId"]]
        record = account.shares.get((alert["GatewayId"], alert["ShareName"]))
        names = {alert["ShareName"], record["IndexId"]} if record else {""}
        if (gateway_id and alert["GatewayId"] != gateway_id) or (share and share not in names) \
                or (region and gateway["GatewayRegionId"] != region) or (status and alert["Status"] != status) \
                or (start is not None and alert["FirstTriggerTimestamp"] < start) \
                or (end is not None and alert["FirstTriggerTimestamp"] > end):
            continue
        event = {"GatewayId": alert["GatewayId"], "GatewayRegionId": gateway["GatewayRegionId"], "Type": alert["Type"],
                 "Status": alert["Status"], "FirstTriggerTimestamp": alert["FirstTriggerTimestamp"]}
        if call.faults.alert_share == "index_id":
            event["ShareIndexId"] = record["IndexId"] if record else ""
        else:
            event["ShareName"] = alert["ShareName"]
        events.append(event)
    page = _paged(call, events, "AlertEvents", "AlertEvent")
    if call.faults.alert_events == "list":
        page["AlertEvents"] = page["AlertEvents"]["AlertEvent"]
    return page


def _millis(call: Call, name: str):
    value = call.text(name)
    if not value:
        return None
    if not value.isdigit():
        raise invalid(name, "must be a timestamp in milliseconds")
    return int(value)


TAG_PAGE_SIZE = 50


@action("ListTagResources")
def list_tag_resources(service, call: Call) -> dict:
    """The tags of the gateways ``ResourceId.1..N`` (at most 50), in pages of 50 tags chained by ``NextToken``."""
    if call.text("ResourceType").upper() != "GATEWAY":
        raise invalid("ResourceType", "must be GATEWAY")
    ids = [value for name, value in sorted(call.params.items(), key=lambda item: _member_number(item[0]))
           if _member_number(name) and value.strip()]
    if not ids:
        raise missing("ResourceId.1")
    if len(ids) > 50:
        raise invalid("ResourceId", "at most 50 gateways")
    tags = [{"ResourceId": gateway_id, "ResourceType": "ALIYUN::HCS_SGW::GATEWAY", "TagKey": key, "TagValue": value}
            for gateway_id in ids for key, value in sorted(service.account.gateway_tags.get(gateway_id, {}).items())]
    token = call.text("NextToken")
    start = int(token) if token.isdigit() else 0
    if token and not token.isdigit():
        raise invalid("NextToken", "not a token of this listing")
    page = tags[start:start + TAG_PAGE_SIZE]
    following = start + TAG_PAGE_SIZE
    return {"NextToken": str(following) if following < len(tags) else "", "TagResources": {"TagResource": page}}


def _member_number(name: str) -> int:
    """N of a ``ResourceId.N`` parameter, 0 for any other parameter."""
    prefix, dot, number = name.partition(".")
    return int(number) if prefix == "ResourceId" and dot and number.isdigit() else 0


@action("DescribeTasks")
def describe_tasks(service, call: Call) -> dict:
    tasks = service.tasks.find(target_id=call.text("TargetId"), task_id=call.text("TaskId"))
    return _paged(call, [task.record(call.now) for task in tasks], "Tasks", "SimpleTask")


# ----------------------------------------------------------------------------------- writes


@action("CreateExpressSync")
def create_express_sync(service, call: Call) -> dict:
    """Create a group at once (no task); one group per bucket, region and prefix."""
    name = call.required("Name", ApiError("EmptyExpressSyncName"))
    if not EXPRESS_SYNC_NAME.match(name):
        raise invalid("Name", "1-128 letters, CJK characters, digits, '.', '_' or '-', starting with a letter")
    region = call.required("BucketRegion")
    if region not in service.account.regions:
        raise invalid("BucketRegion", f"{region} is not a region of this account")
    bucket = call.required("BucketName")
    prefix = call.text("BucketPrefix")
    description = call.text("Description")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise invalid("Description", f"at most {MAX_DESCRIPTION_LENGTH} characters")
    for group in service.account.express_syncs.values():
        if (group["BucketRegion"], group["BucketName"], group["BucketPrefix"]) == (region, bucket, prefix):
            raise ApiError.about("ExpressSyncAlreadyExist", group["ExpressSyncId"])
    sync_id = service.new_id("sync")
    service.account.express_syncs[sync_id] = {
        "ExpressSyncId": sync_id, "Name": name, "BucketName": bucket, "BucketRegion": region,
        "BucketPrefix": prefix, "MnsTopic": mns_topic(sync_id), "Description": description,
    }
    return {"ExpressSyncId": sync_id}


@action("DeleteExpressSync")
def delete_express_sync(service, call: Call) -> dict:
    """Delete a group when its task ends; its member shares leave it."""
    sync_id = _idle_express_sync(service, call)["ExpressSyncId"]

    def apply(_ended: float) -> None:
        for share in service.account.members(sync_id):
            service.leave_group(share)
        del service.account.express_syncs[sync_id]

    return {"TaskId": service.start_task("DeleteExpressSync", sync_id, call, apply)}


@action("AddSharesToExpressSync")
def add_shares_to_express_sync(service, call: Call) -> dict:
    """Add shares of the group's bucket when the task ends; each then runs a full sync."""
    group = _idle_express_sync(service, call)
    sync_id = group["ExpressSyncId"]
    shares = _gateway_shares(service, call)
    for share in shares:
        _check_joinable(share, group, service.strict_membership)
    joining = [(share, mns_queue(share["GatewayId"], sync_id, share["ShareName"]))
               for share in shares if not share["ExpressSyncId"]]

    def apply(ended: float) -> None:
        for share, queue in joining:
            if not share["ExpressSyncId"]:
                service.join_group(share, sync_id, queue, ended)

    region = group["BucketRegion"]
    account_id = service.account.account_id
    return {
        "TaskId": service.start_task("AddSharesToExpressSync", sync_id, call, apply),
        "MnsTopic": group["MnsTopic"],
        "MnsQueues": ",".join(queue for _share, queue in joining),
        "MnsFullSyncDelay": math.ceil(service.full_sync_seconds),
        "MnsPublicEndpoint": f"http://{account_id}.mns.{region}.aliyuncs.com/",
        "MnsInnerEndpoint": f"http://{account_id}.mns.{region}-internal.aliyuncs.com/",
    }


@action("RemoveSharesFromExpressSync")
def remove_shares_from_express_sync(service, call: Call) -> dict:
    """Take shares out of the group when the task ends; shares in no group are ignored."""
    group = _idle_express_sync(service, call)
    sync_id = group["ExpressSyncId"]
    shares = _gateway_shares(service, call)
    for share in shares:
        _check_leavable(share, group, service.strict_membership)
    leaving = [share for share in shares if share["ExpressSyncId"]]

    def apply(_ended: float) -> None:
        for share in leaving:
            if share["ExpressSyncId"] == sync_id:
                service.leave_group(share)

    return {"TaskId": service.start_task("RemoveSharesFromExpressSync", sync_id, call, apply)}
