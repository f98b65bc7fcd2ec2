"""The golden-file scenarios of the inventory plugin, shared by the test and by regenerate_goldens.py.

Each scenario runs the real ``ansible-inventory --list`` on one configuration file of
``configs/`` against the simulator loaded with the sample account, optionally with faults, and
its normalised output is compared with ``golden/<name>.json``.
"""

from __future__ import annotations

import json
import pathlib

from tests.support.sim_process import ANSIBLE_CORE, KEY_ID, KEY_SECRET, SCOPES, Simulator, ansible_env, run_ansible
from tests.support.simlib import sample_account

HERE = pathlib.Path(__file__).resolve().parent
CONFIGS = HERE / "configs"
GOLDEN = HERE / "golden"

# name -> faults to set on the simulator while the scenario runs
SCENARIOS = {
    "defaults": {},
    "gateways": {},
    "candidates": {},
    "constructed": {},
    "hostnames": {},
    "filters": {},
    "cache": {},
    "region_warn": {"unavailable_regions": ["ap-southeast-1"]},
    "share_details": {},
    "bucket_filters": {},
    "templated": {},
    "empty_health": {},
    "gateway_tags": {},
    "health_express_sync": {},
    "health_gateway": {},
    "health_file_share": {},
    "health_alerts": {},
    "health_all": {},
    "health_gateways": {},
    "health_unreadable": {"deny": ["ListAlertEvents"], "missing_gateways": ["gw-0003f6ht0wz8n2lqa"]},
}

RENDER01, EDIT01, EDIT02, BUILD01 = "gw-0001h3vy6gc9o2xzp", "gw-0001b2odzvl3b1mhi", "gw-0002c8pz1kq7y4rtd", \
    "gw-0003f6ht0wz8n2lqa"
ANALYTICS01 = "gw-0001r9ka4ls2e7yvm"


def health_account() -> dict:
    """The sample account with something wrong in every signal: a stopped gateway with two healthy member
    shares (render01), an expiring (edit02) and an expired one (build01); a share with a long upload lag
    and queue, a disabled share, an unreachable bucket; alerts on a share, on a whole gateway, one that has
    ended and one on a share that is in no group."""
    document = sample_account()
    gateway_changes = {RENDER01: {"Status": "Stopped"}, EDIT02: {"ExpireStatus": 1},
                       BUILD01: {"ExpireStatus": 2, "LastErrorKey": "GatewayExpired"}}
    for gateway in document["gateways"]:
        gateway.update(gateway_changes.get(gateway["GatewayId"], {}))
    share_changes = {(EDIT01, "media-nfs"): {"LagPeriod": 7200, "UploadQueue": 500},
                     (EDIT02, "media-nfs"): {"Enabled": False},
                     (ANALYTICS01, "reports"): {"OssHealth": "BucketUnreachable"},
                     (EDIT01, "render-frames"): {"LagPeriod": 900, "UploadQueue": 100}}
    for share in document["shares"]:
        share.update(share_changes.get((share["GatewayId"], share["ShareName"]), {}))
    document["alerts"] = [
        {"GatewayId": EDIT01, "ShareName": "media-nfs", "Type": "uploadQueueFull"},
        {"GatewayId": EDIT01, "Type": "throttling", "Status": "closed"},
        {"GatewayId": RENDER01, "Type": "lowMetaSpace"},
        {"GatewayId": ANALYTICS01, "ShareName": "exports-nfs", "Type": "throttling"},
        {"GatewayId": EDIT02, "ShareName": "media-archive", "Type": "lowMetaSpace"},
    ]
    return document


# name -> the account the scenario runs on (the sample account when not listed)
SCENARIO_ACCOUNTS = {name: health_account for name in SCENARIOS if name.startswith("health_")}


def prepare(simulator, name):
    """Load the scenario's account and set its faults."""
    simulator.control("/_sim/account", "PUT", SCENARIO_ACCOUNTS.get(name, sample_account)())
    simulator.faults(**SCENARIOS[name])


def restore(simulator):
    """The sample account and no faults again."""
    simulator.control("/_sim/account", "PUT", sample_account())
    simulator.faults()


# The API calls each of these scenarios makes, by action (a cold run, no cache).
CALLS = {
    "share_details": {"DescribeExpressSyncs": 1, "DescribeExpressSyncShares": 1, "DescribeGateways": 2,
                      "DescribeGatewayFileShares": 4},
    "bucket_filters": {"DescribeExpressSyncs": 3, "DescribeExpressSyncShares": 1, "DescribeGateways": 1},
    "templated": {"DescribeExpressSyncs": 2, "DescribeExpressSyncShares": 2, "DescribeGateways": 3},
    "empty_health": {"DescribeExpressSyncs": 1, "DescribeExpressSyncShares": 1, "DescribeGateways": 1},
    "gateway_tags": {"DescribeExpressSyncs": 2, "DescribeExpressSyncShares": 2, "DescribeGateways": 3,
                     "ListTagResources": 2},
    # The cost of each health signal: express_sync and gateway none, file_share one call per gateway with
    # member shares, alerts one per gateway region (of three regions, seven gateways), and one
    # DescribeGatewayFileShares for the gateway whose alert names a share that is in no group.
    "health_express_sync": {"DescribeRegions": 1, "DescribeExpressSyncs": 3, "DescribeExpressSyncShares": 3,
                            "DescribeGateways": 4},
    "health_gateway": {"DescribeRegions": 1, "DescribeExpressSyncs": 3, "DescribeExpressSyncShares": 3,
                       "DescribeGateways": 4},
    "health_file_share": {"DescribeRegions": 1, "DescribeExpressSyncs": 3, "DescribeExpressSyncShares": 3,
                          "DescribeGateways": 4, "DescribeGatewayFileShares": 7},
    "health_alerts": {"DescribeRegions": 1, "DescribeExpressSyncs": 3, "DescribeExpressSyncShares": 3,
                      "DescribeGateways": 4, "ListAlertEvents": 3, "DescribeGatewayFileShares": 1},
    "health_all": {"DescribeRegions": 1, "DescribeExpressSyncs": 3, "DescribeExpressSyncShares": 3,
                   "DescribeGateways": 4, "DescribeGatewayFileShares": 7, "ListAlertEvents": 3},
}

# Where an account-wide service gives another (right) answer than a region-scoped one: the region that
# fails in region_warn is on the same endpoint as the others, whose account-wide answers hold its groups,
# so nothing is lost and the inventory is the one of all regions.
GOLDEN_UNDER_ACCOUNT_SCOPE = {"region_warn": "defaults"}


def golden_name(name, scope):
    """The golden file of scenario ``name`` under ``scope``."""
    return GOLDEN_UNDER_ACCOUNT_SCOPE.get(name, name) if scope == "account" else name


def inventory_env(simulator, **extra):
    """Credentials and endpoint through the environment, as a user would pass them."""
    return ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
                       ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET, SGW_GOLDEN_REGIONS="cn-hangzhou,cn-shanghai",
                       **extra)


def normalise(listing: dict) -> dict:
    """Sort every host list, so that the comparison does not depend on the order of API answers.

    ansible-core 2.19+ writes host names into the groups' lists as plain strings; before 2.19, an
    unsafe host name is written there as ``{"__ansible_unsafe": name}``: both become the name.
    ``_meta`` (host variables and their markers) is compared as it is.
    """
    result = {}
    for name, value in listing.items():
        if name == "_meta":
            result[name] = value
        else:
            result[name] = {key: sorted(unmarked(item) for item in items) for key, items in value.items()}
    return result


def unmarked(item):
    """A group's member as its name, without the unsafe marker of ansible-core before 2.19."""
    if isinstance(item, dict) and list(item) == ["__ansible_unsafe"]:
        return item["__ansible_unsafe"]
    return item


def list_inventory(name, env, *extra_args):
    """Run ``ansible-inventory --list`` on scenario ``name``; return (normalised JSON or None, process)."""
    process = run_ansible("ansible-inventory", "-i", CONFIGS / ("%s.sgw.yml" % name), "--list", *extra_args, env=env)
    listing = normalise(json.loads(process.stdout)) if process.returncode == 0 else None
    return listing, process


def golden_path(name) -> pathlib.Path:
    return GOLDEN / ("%s.json" % name)


def golden_listing(name) -> dict:
    """The golden listing of scenario ``name`` as the ansible-core running the tests writes it.

    The goldens are ansible-core 2.19+'s output; before 2.19, ``_meta`` has no ``profile`` (the
    serialization profile of 2.19's ``--list``), and everything else is the same.
    """
    listing = json.loads(golden_path(name).read_text())
    if ANSIBLE_CORE < (2, 19):
        listing["_meta"].pop("profile", None)
    return listing


def dump(listing) -> str:
    return json.dumps(listing, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def calls_by_scope(names, cache_dir):
    """Run each scenario of ``names`` once per scope of ``SCOPES``, each on a simulator of its own.

    Returns ``{name: {scope: (normalised listing, API calls, process)}}``.
    """
    found = {name: {} for name in names}
    for scope in SCOPES:
        with Simulator(scope=scope) as simulator:
            for name in names:
                prepare(simulator, name)
                simulator.reset()
                # a cache directory of its own per run: every run is cold (ansible-inventory has
                # --flush-cache only from ansible-core 2.17 on)
                env = inventory_env(simulator,
                                    ANSIBLE_INVENTORY_CACHE_CONNECTION=pathlib.Path(cache_dir) / scope / name)
                listing, process = list_inventory(name, env)
                found[name][scope] = (listing, simulator.stats()["total"], process)
    return found


def calls_table(found) -> str:
    """The API calls of each scenario per scope, as a text table."""
    lines = ["%-12s %s" % ("scenario", " ".join("%8s" % scope for scope in SCOPES))]
    for name, by_scope in found.items():
        lines.append("%-12s %s" % (name, " ".join("%8d" % by_scope[scope][1] for scope in SCOPES)))
    return "\n".join(lines)
