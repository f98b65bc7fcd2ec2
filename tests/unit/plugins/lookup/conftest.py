"""The lookups' tests: an account for the in-process API (tests/support/fake_api.py), and a Display."""

from __future__ import annotations

import pytest

from ansible.plugins.loader import lookup_loader

from tests.support.fake_api import FakeApi

ENV = ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "ALIBABA_CLOUD_SGW_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_ID",
       "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY")


def share(sync_id, name, state, gateway="gw-1", progress=100, bucket=None):
    return {"GatewayId": gateway, "ShareName": name, "BucketName": bucket or BUCKETS[sync_id],
            "ExpressSyncId": sync_id, "ExpressSyncState": state, "SyncProgress": progress,
            "MnsQueue": "queue-%s-%s" % (gateway, name) if sync_id else ""}


BUCKETS = {"sync-a": "media-bucket", "sync-b": "backup-bucket", "sync-c": "backup-bucket"}

# The account the lookups read (the simulator's account format): three groups of cn-hangzhou, their
# members, and one candidate share for sync-a (on its bucket, in no group).
ACCOUNT = {
    "regions": ["cn-hangzhou", "cn-shanghai", "cn-beijing"],
    "storage_bundles": [{"StorageBundleId": "sb-1", "Name": "edge", "BackendBucketRegionId": "cn-hangzhou"}],
    "gateways": [{"GatewayId": gateway, "Name": "edge-" + gateway, "StorageBundleId": "sb-1"}
                 for gateway in ("gw-1", "gw-2", "gw-3")],
    "express_syncs": [
        {"ExpressSyncId": "sync-a", "Name": "media", "BucketName": "media-bucket", "BucketPrefix": "",
         "BucketRegion": "cn-hangzhou", "MnsTopic": "topic-a", "Description": "media files"},
        {"ExpressSyncId": "sync-b", "Name": "backups", "BucketName": "backup-bucket", "BucketPrefix": "daily",
         "BucketRegion": "cn-hangzhou", "MnsTopic": "topic-b", "Description": ""},
        {"ExpressSyncId": "sync-c", "Name": "weekly", "BucketName": "backup-bucket", "BucketPrefix": "weekly",
         "BucketRegion": "cn-hangzhou", "MnsTopic": "topic-c", "Description": "{{ not templated }}"},
    ],
    "shares": [
        share("sync-a", "media-nfs", "MNSHealthy"),
        share("sync-a", "media-smb", "QueueFailure", gateway="gw-2", progress=40),
        share("sync-b", "daily", "MNSFullSyncing", progress=10),
        share("", "scratch", "MNSNotEnabled", gateway="gw-3", progress=-1, bucket="media-bucket"),
    ],
}


class Recorder:
    """Stands in for the lookup's Display."""

    def __init__(self):
        self.warnings = []
        self.verbose = []

    def warning(self, message, *args, **kwargs):
        self.warnings.append(message)

    def vvv(self, message, *args, **kwargs):
        self.verbose.append(message)

    def vvvv(self, message, *args, **kwargs):
        self.verbose.append(message)


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sgw():
    return FakeApi(ACCOUNT)


@pytest.fixture
def display():
    return Recorder()


@pytest.fixture
def make_lookup(clean_env, sgw, display):
    """``make_lookup(name)``: the real lookup plugin, talking to ``sgw`` and warning into ``display``."""

    def make(name):
        plugin = lookup_loader.get("alibabacloud.sgw.%s" % name)
        assert plugin is not None, name
        plugin.sgw_client = lambda pool_size=10, region=None: sgw
        plugin._display = display
        return plugin

    return make
