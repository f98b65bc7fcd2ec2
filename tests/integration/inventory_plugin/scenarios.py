"""The golden-file scenarios of the inventory plugin, shared by the test and by regenerate_goldens.py.

Each scenario runs the real ``ansible-inventory --list`` on one configuration file of
``configs/`` against the simulator loaded with the sample account, optionally with faults, and
its normalised output is compared with ``golden/<name>.json``.
"""

from __future__ import annotations

import json
import pathlib

from tests.integration.sim_process import KEY_ID, KEY_SECRET, ansible_env, run_ansible

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


def inventory_env(simulator, **extra):
    """Credentials and endpoint through the environment, as a user would pass them."""
    return ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
                       ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET, SGW_GOLDEN_REGIONS="cn-hangzhou,cn-shanghai",
                       **extra)


def normalise(listing: dict) -> dict:
    """Sort every host list, so that the comparison does not depend on the order of API answers."""
    result = {}
    for name, value in listing.items():
        if name == "_meta":
            result[name] = value
        else:
            result[name] = {key: sorted(items) for key, items in value.items()}
    return result


def list_inventory(name, env, *extra_args):
    """Run ``ansible-inventory --list`` on scenario ``name``; return (normalised JSON or None, process)."""
    process = run_ansible("ansible-inventory", "-i", CONFIGS / ("%s.sgw.yml" % name), "--list", *extra_args, env=env)
    listing = normalise(json.loads(process.stdout)) if process.returncode == 0 else None
    return listing, process


def golden_path(name) -> pathlib.Path:
    return GOLDEN / ("%s.json" % name)


def dump(listing) -> str:
    return json.dumps(listing, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
