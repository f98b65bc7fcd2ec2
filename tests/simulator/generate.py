# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A synthetic account of any size that reads like a real estate, the same for the same seed.

Each region gets one gateway cluster holding all of the region's gateways (every third one
on premises), and its sync groups. A group's member shares are spread over the region's
gateways; a quarter of them are in some state other than MNSHealthy, cycling through every
other state, with a SyncProgress that fits the state. Each group also gets candidate shares:
on its bucket, in no group. With more regions than SGW supports the region ids repeat, and
their records get a numeric suffix.
"""

from __future__ import annotations

import dataclasses
import random

from tests.simulator.account import EXPRESS_SYNC_STATES, ID_ALPHABET, default_progress, mns_queue, mns_topic, new_id

SUPPORTED_REGIONS = (
    "cn-hangzhou", "cn-shanghai", "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu",
    "cn-shenzhen", "cn-heyuan", "cn-chengdu", "cn-hongkong", "ap-southeast-1", "ap-southeast-3", "ap-southeast-5",
    "ap-southeast-6", "ap-northeast-1", "ap-northeast-2", "eu-central-1", "us-west-1", "us-east-1", "me-central-1",
    "cn-shanghai-finance-1", "cn-shenzhen-finance-1", "cn-north-2-gov-1",
)
GROUP_NAMES = ("media-assets", "render-cache", "backup-archive", "ml-datasets", "design-files", "log-ingest",
               "video-proxy", "home-dirs", "build-artifacts", "genomics-raw", "cad-library", "photo-originals")
UNHEALTHY_STATES = tuple(state for state in EXPRESS_SYNC_STATES if state != "MNSHealthy")
CLOUD_CLASSES = ("Standard", "Enhanced", "Advanced")
VERSIONS = ("1.7.2", "1.6.8", "1.5.3")
EPOCH_2022 = 1640995200
EPOCH_2025 = 1735689600


@dataclasses.dataclass(frozen=True)
class Shape:
    """How big the account is; the defaults are those of the command line."""

    regions: int = 2
    groups_per_region: int = 3
    shares_per_group: int = 4
    gateways_per_region: int = 2
    candidates_per_group: int = 1
    seed: int = 1

    def check(self) -> None:
        if self.regions < 1 or min(self.groups_per_region, self.shares_per_group, self.gateways_per_region,
                                   self.candidates_per_group) < 0:
            raise ValueError("--regions must be 1 or more, the other sizes 0 or more")
        if self.gateways_per_region == 0 and self.groups_per_region * (self.shares_per_group
                                                                       + self.candidates_per_group):
            raise ValueError("shares need gateways: set --gateways-per-region to 1 or more")


def generate_account(shape: Shape) -> dict:
    """An account document (the account file format) of the given shape."""
    shape.check()
    builder = _Builder(random.Random(shape.seed))
    for slot in range(shape.regions):
        builder.region(slot, shape)
    return builder.document


def member_state(number: int, rng: random.Random) -> tuple[str, int]:
    """``(ExpressSyncState, SyncProgress)`` of the account's ``number``-th member share."""
    if number % 4 != 3:
        return "MNSHealthy", 100
    state = UNHEALTHY_STATES[(number // 4) % len(UNHEALTHY_STATES)]
    if state == "MNSFullSyncing":
        return state, rng.randint(1, 99)
    if state.endswith("Failure"):
        return state, rng.choice((-1, 100))  # MNS broke before or after the first full sync
    return state, default_progress(state)


def _token(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(ID_ALPHABET, k=length))


def _private_ip(rng: random.Random) -> str:
    return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"


class _Builder:
    """Adds the records of one region after the other to an account document."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.members = 0
        self.taken = set()
        self.document = {"account_id": str(rng.randint(10 ** 15, 10 ** 16 - 1)), "regions": [],
                         "storage_bundles": [], "gateways": [], "express_syncs": [], "shares": []}

    def fresh_id(self, kind: str) -> str:
        new = new_id(kind, self.rng, self.taken)
        self.taken.add(new)
        return new

    def region(self, slot: int, shape: Shape) -> None:
        region = SUPPORTED_REGIONS[slot % len(SUPPORTED_REGIONS)]
        suffix = f"-{slot // len(SUPPORTED_REGIONS)}" if slot >= len(SUPPORTED_REGIONS) else ""
        if region not in self.document["regions"]:
            self.document["regions"].append(region)
        bundle_id = self.bundle(region, suffix)
        gateways = [self.gateway(region, suffix, bundle_id, number) for number in range(shape.gateways_per_region)]
        for number in range(shape.groups_per_region):
            group = self.group(region, suffix, number)
            for index in range(shape.shares_per_group):
                self.member_share(group, gateways[(number + index) % len(gateways)], index)
            for index in range(shape.candidates_per_group):
                self.share(group["BucketName"], gateways[(number + index + 1) % len(gateways)],
                           f"{group['Name']}-spare{index + 1:02d}")

    def bundle(self, region: str, suffix: str) -> str:
        bundle_id = self.fresh_id("sb")
        self.document["storage_bundles"].append({
            "StorageBundleId": bundle_id, "Name": f"{region}-cluster{suffix}", "BackendBucketRegionId": region,
            "Description": f"File gateways in {region}", "CreatedTime": self.rng.randint(EPOCH_2022, EPOCH_2025),
        })
        return bundle_id

    def gateway(self, region: str, suffix: str, bundle_id: str, number: int) -> dict:
        rng = self.rng
        cloud = number % 3 != 2
        created = rng.randint(EPOCH_2022, EPOCH_2025)
        gateway = {
            "GatewayId": self.fresh_id("gw"),
            "Name": f"{region}-{'file' if cloud else 'edge'}{number + 1:02d}{suffix}",
            "StorageBundleId": bundle_id, "GatewayRegionId": region, "Location": "Cloud" if cloud else "On_Premise",
            "Type": "File", "GatewayType": "File", "Category": "Aliyun",
            "GatewayClass": CLOUD_CLASSES[number % len(CLOUD_CLASSES)] if cloud else "",
            "GatewayVersion": rng.choice(VERSIONS), "Status": "Stopped" if number % 7 == 6 else "Running",
            "CreatedTime": created, "ActivatedTime": created + rng.randint(60, 3600),
            "InnerIp": _private_ip(rng), "IsPostPaid": rng.random() < 0.7,
        }
        if cloud:
            gateway.update(Ip=f"47.{rng.randint(90, 120)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}",
                           VpcId="vpc-" + _token(rng, 20), VSwitchId="vsw-" + _token(rng, 20),
                           EcsInstanceId="i-" + _token(rng, 20), PublicNetworkBandwidth=rng.choice((5, 10, 50)),
                           Capacity=rng.choice((0, 500, 1024)))
        self.document["gateways"].append(gateway)
        return gateway

    def group(self, region: str, suffix: str, number: int) -> dict:
        base = GROUP_NAMES[number % len(GROUP_NAMES)]
        name = base if number < len(GROUP_NAMES) else f"{base}-{number // len(GROUP_NAMES)}"
        sync_id = self.fresh_id("sync")
        group = {
            "ExpressSyncId": sync_id, "Name": name, "BucketName": f"acme-{name}-{region}{suffix}",
            "BucketRegion": region, "BucketPrefix": "projects/" if number % 3 == 2 else "",
            "MnsTopic": mns_topic(sync_id), "Description": f"Express sync of {name}",
        }
        self.document["express_syncs"].append(group)
        return group

    def member_share(self, group: dict, gateway: dict, index: int) -> None:
        state, progress = member_state(self.members, self.rng)
        self.members += 1
        name = f"{group['Name']}-{index + 1:02d}"
        self.share(group["BucketName"], gateway, name, ExpressSyncId=group["ExpressSyncId"], ExpressSyncState=state,
                   SyncProgress=progress, MnsQueue=mns_queue(gateway["GatewayId"], group["ExpressSyncId"], name))

    def share(self, bucket: str, gateway: dict, name: str, **membership) -> None:
        protocol = "SMB" if len(self.document["shares"]) % 4 == 3 else "NFS"
        share = {"GatewayId": gateway["GatewayId"], "ShareName": name, "BucketName": bucket, "ExpressSyncId": "",
                 "ExpressSyncState": "MNSNotEnabled", "SyncProgress": -1, "MnsQueue": "", "Protocol": protocol,
                 "PathPrefix": "", "IndexId": protocol + name}
        share.update(membership)
        self.document["shares"].append(share)
