"""A scripted in-memory SGW for the lookup tests: every call is recorded, errors carry a RequestId."""

from __future__ import annotations

import itertools

import pytest

from ansible.plugins.loader import lookup_loader

from ansible_collections.alibabacloud.sgw.plugins.module_utils.errors import SgwApiError

ENV = ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "ALIBABA_CLOUD_SGW_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_ID",
       "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY")

GROUPS = [
    {"ExpressSyncId": "sync-a", "Name": "media", "BucketName": "media-bucket", "BucketPrefix": "",
     "BucketRegion": "cn-hangzhou", "MnsTopic": "topic-a", "Description": "media files"},
    {"ExpressSyncId": "sync-b", "Name": "backups", "BucketName": "backup-bucket", "BucketPrefix": "daily",
     "BucketRegion": "cn-hangzhou", "MnsTopic": "topic-b", "Description": ""},
    {"ExpressSyncId": "sync-c", "Name": "weekly", "BucketName": "backup-bucket", "BucketPrefix": "weekly",
     "BucketRegion": "cn-hangzhou", "MnsTopic": "topic-c", "Description": "{{ not templated }}"},
]


def share(sync_id, name, state, gateway="gw-1", progress=100):
    return {"ExpressSyncId": sync_id, "ExpressSyncState": state, "GatewayId": gateway, "GatewayName": "edge-" + gateway,
            "GatewayRegion": "cn-hangzhou", "MnsQueue": "queue-%s-%s" % (gateway, name), "ShareName": name,
            "StorageBundleId": "sb-1", "SyncProgress": progress}


MEMBERS = [
    share("sync-a", "media-nfs", "MNSHealthy"),
    share("sync-a", "media-smb", "QueueFailure", gateway="gw-2", progress=40),
    share("sync-b", "daily", "MNSFullSyncing", progress=10),
]
CANDIDATES = [share("sync-a", "scratch", "MNSNotEnabled", gateway="gw-3", progress=-1)]


class FakeSgw:
    """Answers DescribeExpressSyncs and DescribeExpressSyncShares like the API, from the tables above."""

    def __init__(self, groups=None, members=None, candidates=None):
        self.groups = list(GROUPS if groups is None else groups)
        self.members = list(MEMBERS if members is None else members)
        self.candidates = list(CANDIDATES if candidates is None else candidates)
        self.calls = []
        self.denied = set()
        self.fail = {}  # action -> SgwApiError raised on every call
        self.delete_after = {}  # action -> group ids deleted right after that action answers
        self.closed = False
        self._request_ids = itertools.count(1)

    def actions(self):
        return [action for action, dummy, dummy in self.calls]

    def _error(self, code, action, region, status=400, message=""):
        return SgwApiError(code, message, action=action, region=region, status=status,
                           request_id="REQ-%d" % next(self._request_ids))

    def call(self, action, region, params=None):
        params = dict(params or {})
        self.calls.append((action, region, params))
        if action in self.fail:
            raise self.fail[action]
        if action in self.denied:
            raise self._error("Forbidden.RAM", action, region, 403, "User not authorized")
        if action == "DescribeExpressSyncs":
            groups = self.groups
            if "BucketName" in params:
                groups = [g for g in groups if g["BucketName"] == params["BucketName"]]
            if "BucketPrefix" in params:
                groups = [g for g in groups if g["BucketPrefix"] == params["BucketPrefix"]]
            body = {"RequestId": "REQ-OK", "ExpressSyncs": {"ExpressSync": list(groups)}}
            gone = self.delete_after.get(action, ())
            self.groups = [g for g in self.groups if g["ExpressSyncId"] not in gone]
            return body
        if action == "DescribeExpressSyncShares":
            ids = params["ExpressSyncIds"].split(",")
            known = {g["ExpressSyncId"] for g in self.groups}
            if any(i not in known for i in ids):
                raise self._error("ExpressSyncNotExist", action, region, message="The specified sync group does "
                                  "not exist")
            table = self.candidates if params.get("IsExternal") else self.members
            return {"RequestId": "REQ-OK", "Shares": {"Share": [s for s in table if s["ExpressSyncId"] in ids]}}
        raise AssertionError("unexpected action %s" % action)

    def close(self):
        self.closed = True


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
    return FakeSgw()


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
