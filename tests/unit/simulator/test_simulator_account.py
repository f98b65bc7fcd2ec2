# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Account files (validation, the sample), the generator and the command line's error handling."""

from __future__ import annotations

import copy
import ipaddress
import re

import pytest

from tests.simulator.account import EXPRESS_SYNC_STATES, Account, AccountError
from tests.simulator.generate import SUPPORTED_REGIONS, Shape, generate_account
from tests.support.simlib import SAMPLE_ACCOUNT, sample_account

ID_PATTERNS = {"StorageBundleId": r"^sb-000\d[0-9a-z]{13}$", "GatewayId": r"^gw-000\d[0-9a-z]{13}$",
               "ExpressSyncId": r"^sync-000\d[0-9a-z]{12}$"}


def broken(change) -> dict:
    document = sample_account()
    change(document)
    return document


def share(**fields) -> dict:
    return {"GatewayId": "gw-0001b2odzvl3b1mhi", "ShareName": "extra", "BucketName": "acme-media-assets", **fields}


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(owner="me"), "unknown field(s) owner"),
    (lambda d: d.pop("regions"), "regions: must be a non-empty list"),
    (lambda d: d["regions"].append("Hangzhou"), "'Hangzhou' is not a region id"),
    (lambda d: d["regions"].append("cn-hangzhou"), "a region is listed twice"),
    (lambda d: d["storage_bundles"][0].update(BackendBucketRegionId="eu-west-1"),
     "storage_bundles[0]: BackendBucketRegionId 'eu-west-1' is not one of the account's regions"),
    (lambda d: d["gateways"].append(dict(d["gateways"][0])), "gateways[7]: duplicate GatewayId 'gw-0001b2odzvl3b1mhi'"),
    (lambda d: d["gateways"][1].update(StorageBundleId="sb-0009nosuchbundle"),
     "gateways[1] (gw-0002c8pz1kq7y4rtd): unknown StorageBundleId 'sb-0009nosuchbundle'"),
    (lambda d: d["gateways"][0].update(Capacity="1 TB"), "Capacity must be of type int"),
    (lambda d: d["gateways"][0].update(IsPostPaid=1), "IsPostPaid must be of type bool"),
    (lambda d: d["gateways"][0].update(Location="Moon"), "Location must be Cloud or On_Premise"),
    (lambda d: d["gateways"][0].update(Colour="red"), "gateways[0]: unknown field(s) Colour"),
    (lambda d: d["gateways"][0].pop("GatewayId"), "gateways[0]: GatewayId is required"),
    (lambda d: d["express_syncs"][0].update(Name="-media"), "breaks the naming rule"),
    (lambda d: d["express_syncs"][0].pop("BucketName"), "express_syncs[0]: BucketName is required"),
    (lambda d: d["shares"].append(share(GatewayId="gw-0009nosuchgateway")), "unknown GatewayId 'gw-0009nosuchgateway'"),
    (lambda d: d["shares"].append(share(ExpressSyncId="sync-0009nosuchgroup")), "unknown ExpressSyncId"),
    (lambda d: d["shares"].append(share(ExpressSyncId="sync-0001xv7je357xn8t")),
     "bucket 'acme-media-assets' is not the bucket of sync-0001xv7je357xn8t"),
    (lambda d: d["shares"].append(share(ExpressSyncState="MNSHealthy")), "a share in no sync group must be MNSNotEnabled"),
    (lambda d: d["shares"].append(share(ExpressSyncId="sync-0002xetjdlxne2sd", ExpressSyncState="Fine")),
     "ExpressSyncState 'Fine' is not one of"),
    (lambda d: d["shares"].append(share(SyncProgress=101)), "SyncProgress must be -2..100"),
    (lambda d: d["shares"].append(share(SyncProgress=True)), "SyncProgress must be an integer"),
    (lambda d: d["shares"].append(share(Protocol="iSCSI")), "Protocol must be NFS or SMB"),
    (lambda d: d["shares"].append(share(ShareName="media-nfs")),
     "duplicate share 'media-nfs' on gateway gw-0001b2odzvl3b1mhi"),
    (lambda d: d.update(shares={"a": 1}), "shares: must be a list"),
    (lambda d: d["shares"].append("media-nfs"), "must be a mapping"),
    (lambda d: d["shares"].append(share(Enabled="yes")), "Enabled must be true or false"),
    (lambda d: d["shares"].append(share(LagPeriod=-1)), "LagPeriod must be an integer, 0 or more"),
    (lambda d: d["shares"].append(share(OssHealth=1)), "OssHealth must be a string"),
    (lambda d: d.update(alerts=[{"GatewayId": "gw-0009nosuchgateway", "Type": "throttling"}]),
     "alerts[0]: unknown GatewayId"),
    (lambda d: d.update(alerts=[{"GatewayId": "gw-0001b2odzvl3b1mhi", "ShareName": "nope", "Type": "throttling"}]),
     "alerts[0]: gateway gw-0001b2odzvl3b1mhi has no share 'nope'"),
    (lambda d: d.update(alerts=[{"GatewayId": "gw-0001b2odzvl3b1mhi"}]), "alerts[0]: Type is required"),
    (lambda d: d.update(alerts=[{"GatewayId": "gw-0001b2odzvl3b1mhi", "Type": "x", "Level": 1}]),
     "alerts[0]: unknown field(s) Level"),
])
def test_invalid_accounts(change, message):
    with pytest.raises(AccountError) as raised:
        Account.from_document(broken(change))
    assert message in str(raised.value)


def test_optional_fields_get_defaults():
    account = Account.from_document({
        "regions": ["cn-hangzhou"],
        "storage_bundles": [{"StorageBundleId": "sb-1", "BackendBucketRegionId": "cn-hangzhou"}],
        "gateways": [{"GatewayId": "gw-1", "StorageBundleId": "sb-1"}],
        "express_syncs": [{"ExpressSyncId": "sync-1", "Name": "g", "BucketName": "b", "BucketRegion": "cn-hangzhou"}],
        "shares": [{"GatewayId": "gw-1", "ShareName": "s", "BucketName": "b", "ExpressSyncId": "sync-1"},
                   {"GatewayId": "gw-1", "ShareName": "t", "BucketName": "b"}],
    })
    gateway = account.gateways["gw-1"]
    assert (gateway["Name"], gateway["GatewayRegionId"], gateway["GatewayType"], gateway["Status"]) == \
        ("gw-1", "cn-hangzhou", "File", "Running")
    assert account.express_syncs["sync-1"]["MnsTopic"] == "sgw-express-sync-1"
    member, other = account.shares.values()
    assert (member["ExpressSyncState"], member["SyncProgress"], member["IndexId"]) == ("MNSHealthy", 100, "NFSs")
    assert member["MnsQueue"].startswith("sgw-express-sync-queue-gw-1-")
    assert (other["ExpressSyncId"], other["ExpressSyncState"], other["SyncProgress"], other["MnsQueue"]) == \
        ("", "MNSNotEnabled", -1, "")
    assert account.account_id == "1234567890123456"
    assert {field: member[field] for field in ("Enabled", "OssHealth", "LagPeriod", "UploadQueue")} == {
        "Enabled": True, "OssHealth": "BucketHealthy", "LagPeriod": 0, "UploadQueue": 0}
    assert account.alerts == []


def test_alerts_get_defaults_and_round_trip():
    document = sample_account()
    document["alerts"] = [{"GatewayId": "gw-0001b2odzvl3b1mhi", "ShareName": "media-nfs", "Type": "uploadQueueFull"},
                          {"GatewayId": "gw-0002c8pz1kq7y4rtd", "Type": "throttling", "Status": "closed"}]
    account = Account.from_document(document)
    assert account.alerts[0]["Status"] == "alerting" and account.alerts[1]["ShareName"] == ""
    assert Account.from_document(account.to_document()).alerts == account.alerts


def test_the_sample_reads_like_a_real_estate():
    account = Account.load(SAMPLE_ACCOUNT)
    assert {"cn-hangzhou", "cn-shanghai", "ap-southeast-1"} <= set(account.regions)
    assert len(account.express_syncs) >= 4 and 15 <= len(account.shares) <= 25
    assert {gateway["Location"] for gateway in account.gateways.values()} == {"Cloud", "On_Premise"}
    assert len({gateway["StorageBundleId"] for gateway in account.gateways.values()}) > 1
    members = [share for share in account.shares.values() if share["ExpressSyncId"]]
    assert {share["ExpressSyncState"] for share in members} == set(EXPRESS_SYNC_STATES)
    for group in account.express_syncs.values():
        assert any(not share["ExpressSyncId"] and share["BucketName"] == group["BucketName"]
                   for share in account.shares.values()), group["Name"]
    for records in (account.storage_bundles, account.gateways, account.express_syncs):
        for record in records.values():
            assert any(re.match(ID_PATTERNS[field], record.get(field, "")) for field in ID_PATTERNS), record


# ------------------------------------------------------------------------------------ generator


def test_generator_is_deterministic_and_valid():
    document = generate_account(Shape(seed=5))
    assert generate_account(Shape(seed=5)) == document
    assert generate_account(Shape(seed=6)) != document
    account = Account.from_document(copy.deepcopy(document))
    assert len(account.express_syncs) == 2 * 3 and len(account.gateways) == 2 * 2
    assert len(account.shares) == 2 * 3 * (4 + 1)


def test_generated_records_look_real():
    document = generate_account(Shape(regions=3, groups_per_region=4, shares_per_group=6, gateways_per_region=5))
    assert document["regions"] == list(SUPPORTED_REGIONS[:3])
    for section, field in (("storage_bundles", "StorageBundleId"), ("gateways", "GatewayId"),
                           ("express_syncs", "ExpressSyncId")):
        for record in document[section]:
            assert re.match(ID_PATTERNS[field], record[field]), record[field]
    assert {gateway["Location"] for gateway in document["gateways"]} == {"Cloud", "On_Premise"}
    for gateway in document["gateways"]:
        assert ipaddress.ip_address(gateway["InnerIp"]) in ipaddress.ip_network("172.16.0.0/12")
        assert bool(gateway.get("Ip")) == (gateway["Location"] == "Cloud")
    members = [share for share in document["shares"] if share["ExpressSyncId"]]
    states = [share["ExpressSyncState"] for share in members]
    assert set(states) == set(EXPRESS_SYNC_STATES)
    assert states.count("MNSHealthy") > len(states) / 2
    for share in members:
        progress = share["SyncProgress"]
        assert {"MNSHealthy": progress == 100, "MNSFullSyncInit": progress == 0, "MNSNotEnabled": progress == -1,
                "MNSFullSyncing": 0 < progress < 100}.get(share["ExpressSyncState"], progress in (-1, 100))
    groups = {group["ExpressSyncId"]: group for group in document["express_syncs"]}
    assert all(groups[share["ExpressSyncId"]]["BucketName"] == share["BucketName"] for share in members)


def test_generator_cycles_regions():
    document = generate_account(Shape(regions=len(SUPPORTED_REGIONS) + 2, groups_per_region=1, shares_per_group=1,
                                      gateways_per_region=1, candidates_per_group=0))
    assert document["regions"] == list(SUPPORTED_REGIONS)
    assert len(document["express_syncs"]) == len(SUPPORTED_REGIONS) + 2
    Account.from_document(document)


@pytest.mark.parametrize("shape", [Shape(regions=0), Shape(shares_per_group=-1), Shape(gateways_per_region=0)])
def test_impossible_shapes(shape):
    with pytest.raises(ValueError):
        generate_account(shape)
