"""The lookups under injected faults, in one real ansible-playbook run per group of cases.

Throttling heals: the result is the fault-free one. ``on_missing`` and ``on_denied`` apply to
missing groups and denied calls only: with both set to ``skip``, a region answering 503 or an
HTML page, a hung endpoint, a malformed body, a wrong secret or a missing token still fail the
lookup with a clear message, never an empty (and so silently wrong) result.
"""

from __future__ import annotations

import json
import re

from tests.integration.reliability.conftest import HERE, WRONG_SECRET, assert_clean, credentials, Run
from tests.support.sim_process import KEY_ID, STS_KEY_ID, STS_SECRET, Simulator, ansible_env, run_ansible

SHARES = "alibabacloud.sgw.express_sync_shares"
GROUPS = "alibabacloud.sgw.express_syncs"
MEDIA, RENDER = "sync-0002xetjdlxne2sd", "sync-0001xv7je357xn8t"
GONE = "sync-0000doesnotexist"
SKIP = {"on_missing": "skip", "on_denied": "skip", "max_retries": 1, "max_retry_time": 10}


def case(name, faults, lookup=SHARES, terms=(MEDIA, RENDER), **options):
    return {"name": name, "faults": faults, "lookup": lookup, "terms": list(terms), "options": options}


HEALING = [
    case("baseline", {}),
    case("throttled", {"throttle_rate": 0.5, "retry_after_ms": 10}, max_retries=16),
    case("groups_baseline", {}, GROUPS, ()),
    case("groups_throttled", {"throttle_rate": 0.5, "retry_after_ms": 10}, GROUPS, (), max_retries=16),
    case("slow", {"latency_ms": 600}, timeout=2),
    case("missing_warn", {}, terms=(MEDIA, GONE), on_missing="warn"),
    case("denied_warn", {"deny": ["DescribeExpressSyncShares"]}, on_denied="warn"),
    case("denied_error", {"deny": ["DescribeExpressSyncShares"]}),
]
FAILING = [
    case("unavailable", {"unavailable_regions": ["cn-hangzhou"]}, **SKIP),
    case("html", {"html_regions": ["cn-hangzhou"]}, **SKIP),
    case("hung", {"hang_regions": ["cn-hangzhou"]}, timeout=1, **SKIP),
    case("malformed", {"malformed": {"cn-hangzhou": "null-wrapper"}}, **SKIP),
    case("truncated", {"malformed": {"cn-hangzhou": "truncated"}}, **SKIP),
    case("groups_unavailable", {"unavailable_regions": ["cn-hangzhou"]}, GROUPS, (MEDIA,), **SKIP),
    # An id and its secret come from the same place: both are given as options.
    case("wrong_secret", {}, access_key_id=KEY_ID, access_key_secret=WRONG_SECRET, **SKIP),
    case("missing_token", {}, access_key_id=STS_KEY_ID, access_key_secret=STS_SECRET, **SKIP),
]


def play(tmp_path, cases) -> tuple:
    """Run the cases against a simulator of their own; return (outcomes by case name, the run)."""
    report = tmp_path / "report.json"
    with Simulator("--seed", "11") as sim:
        extra = {"report_path": str(report), "sgw_endpoint": sim.url, "cases": cases}
        (tmp_path / "extra.json").write_text(json.dumps(extra))
        env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=sim.url, ALIBABA_CLOUD_REGION_ID="cn-hangzhou", **credentials())
        process = run_ansible("ansible-playbook", "-i", "localhost,", "-e", "@%s" % (tmp_path / "extra.json"),
                              HERE / "playbooks" / "lookup_faults.yml", env=env, cwd=tmp_path)
    run = Run(process)
    assert run.rc == 0, run.explain()
    assert_clean(run)
    return json.loads(report.read_text()), run


def calls(outcome) -> dict:
    """What the simulator saw during a case: requests, errors by code, actions."""
    before, after = outcome["before"], outcome["after"]
    return {
        "requests": after["requests"] - before["requests"],
        "errors": {code: n - before["errors"].get(code, 0) for code, n in after["errors"].items()
                   if n - before["errors"].get(code, 0)},
    }


def warnings(run) -> list:
    return [" ".join(w.split()) for w in re.findall(r"\[WARNING\]: (.*(?:\n(?!\[|\S).*)*)", run.output)]


def test_lookups_heal_and_apply_on_missing_and_on_denied_to_what_they_cover(tmp_path):
    outcomes, run = play(tmp_path, HEALING)
    # Throttling and a slow answer heal: the fault-free result.
    baseline = outcomes["baseline"]["result"]
    assert {s["share_name"] for s in baseline} == {"media-nfs", "media-smb", "render-frames"}
    assert len(baseline) == 5
    assert outcomes["throttled"]["result"] == baseline
    assert outcomes["slow"]["result"] == baseline
    assert calls(outcomes["throttled"])["errors"].get("Throttling.User", 0) >= 1
    groups = outcomes["groups_baseline"]["result"]
    assert len(groups) == 3  # the groups of cn-hangzhou
    assert outcomes["groups_throttled"]["result"] == groups
    # A missing group and a denied call go through on_missing and on_denied.
    media = [s for s in baseline if s["express_sync_id"] == MEDIA]
    assert outcomes["missing_warn"]["result"] == media
    assert outcomes["denied_warn"]["result"] == []
    assert any("express sync group %s does not exist in region cn-hangzhou (ExpressSyncNotExist" % GONE in w
               and "(on_missing=warn)" in w for w in warnings(run)), warnings(run)
    assert any("DescribeExpressSyncShares in region cn-hangzhou failed: Forbidden.RAM (HTTP 403)" in w
               and "(on_denied=warn)" in w for w in warnings(run)), warnings(run)
    error = outcomes["denied_error"]["error"]
    assert "Forbidden.RAM (HTTP 403)" in error and "RequestId " in error and "(on_denied=error)" in error


# case name -> (what the error says, how many requests the case made)
FAILURES = {
    "unavailable": ("DescribeExpressSyncShares in region cn-hangzhou failed: ServiceUnavailable (HTTP 503) after 2 "
                    "attempts. The request has failed due to a temporary failure of the server. RequestId ", 2),
    "html": ("DescribeExpressSyncShares in region cn-hangzhou failed: InvalidResponse.Server (HTTP 502) after 2 "
             "attempts. HTTP 502 with a non-JSON body (text/html): '502 Bad Gateway", 2),
    "hung": ("DescribeExpressSyncShares in region cn-hangzhou failed: could not reach http://127.0.0.1:", 2),
    "malformed": ("DescribeExpressSyncShares in region cn-hangzhou failed: InvalidResponse. Shares is null, not an "
                  "object with the list Share. RequestId ", 1),
    "truncated": ("DescribeExpressSyncShares in region cn-hangzhou failed: InvalidResponse (HTTP 200). HTTP 200 "
                  "with a non-JSON body", 1),
    "groups_unavailable": ("DescribeExpressSyncs in region cn-hangzhou failed: ServiceUnavailable (HTTP 503) after "
                           "2 attempts.", 2),
    "wrong_secret": ("DescribeExpressSyncShares in region cn-hangzhou failed: SignatureDoesNotMatch (HTTP 400). ", 1),
    "missing_token": ("DescribeExpressSyncShares in region cn-hangzhou failed: MissingSecurityToken (HTTP 400). ",
                      1),
}


def test_other_faults_fail_the_lookup_even_with_skip(tmp_path):
    outcomes, dummy = play(tmp_path, FAILING)
    assert set(outcomes) == set(FAILURES)
    for name, (expected, requests) in FAILURES.items():
        outcome = outcomes[name]
        assert "result" not in outcome, (name, outcome)
        assert expected in outcome["error"], (name, outcome["error"])
        assert calls(outcome)["requests"] == requests, (name, calls(outcome))
    assert "(no answer within 1s, the timeout) after 2 attempts" in outcomes["hung"]["error"]
