"""The golden-file scenarios of the inventory plugin, shared by the test and by regenerate_goldens.py.

Each scenario runs the real ``ansible-inventory --list`` on one configuration file of
``configs/`` against the simulator loaded with the sample account, optionally with faults, and
its normalised output is compared with ``golden/<name>.json``.
"""

from __future__ import annotations

import json
import pathlib

from tests.support.sim_process import ANSIBLE_CORE, KEY_ID, KEY_SECRET, SCOPES, Simulator, ansible_env, run_ansible

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
}

# The API calls each of these scenarios makes, by action (a cold run, no cache).
CALLS = {
    "share_details": {"DescribeExpressSyncs": 1, "DescribeExpressSyncShares": 1, "DescribeGateways": 2,
                      "DescribeGatewayFileShares": 4},
    "bucket_filters": {"DescribeExpressSyncs": 3, "DescribeExpressSyncShares": 1, "DescribeGateways": 1},
    "templated": {"DescribeExpressSyncs": 2, "DescribeExpressSyncShares": 2, "DescribeGateways": 3},
    "empty_health": {"DescribeExpressSyncs": 1, "DescribeExpressSyncShares": 1, "DescribeGateways": 1},
    "gateway_tags": {"DescribeExpressSyncs": 2, "DescribeExpressSyncShares": 2, "DescribeGateways": 3,
                     "ListTagResources": 2},
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
                simulator.faults(**SCENARIOS[name])
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
