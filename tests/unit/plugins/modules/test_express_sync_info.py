"""express_sync_info's candidates attributed to their group, against the API in process, whether the
service names a candidate's group or not (the simulator's ``candidate_sync_id``)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.sgw.plugins.modules import express_sync_info
from tests.support.fake_api import FakeApi

MEDIA, RENDER, BUILD = "sync-0002xetjdlxne2sd", "sync-0001xv7je357xn8t", "sync-0004agfrbke1l39p"


@pytest.mark.parametrize("candidate_sync_id, calls", [
    ("group", [[MEDIA, RENDER, BUILD]]),
    # candidates that do not name their group: the groups are asked about one by one
    ("empty", [[MEDIA, RENDER, BUILD], [MEDIA], [RENDER], [BUILD]]),
])
def test_candidates_by_group(candidate_sync_id, calls):
    sgw = FakeApi()
    sgw.behaviours["candidate_sync_id"] = candidate_sync_id
    # the build group's one candidate can join the render group instead: two there, none for the build group
    sgw.service.account.shares[("gw-0001b2odzvl3b1mhi", "artifacts-ro")]["BucketName"] = "acme-render-cache"
    found = express_sync_info.candidates_by_group(sgw, "cn-hangzhou", [MEDIA, RENDER, BUILD])
    assert {sync_id: [(s["share_name"], s["express_sync_id"]) for s in shares] for sync_id, shares in found.items()} \
        == {MEDIA: [("media-archive", MEDIA)], RENDER: [("render-scratch", RENDER), ("artifacts-ro", RENDER)],
            BUILD: []}
    assert [params["ExpressSyncIds"].split(",") for dummy, dummy, params in sgw.calls] == calls
