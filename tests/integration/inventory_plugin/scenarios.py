"""The golden-file scenarios of the inventory plugin, shared by the test and by regenerate_goldens.py.

Each scenario runs the real ``ansible-inventory --list`` on one configuration file of
``configs/`` against the simulator loaded with the sample account, optionally with faults, and
its normalised output is compared with ``golden/<name>.json``.
"""

from __future__ import annotations

import json
import pathlib

from tests.integration.sim_process import ANSIBLE_CORE, KEY_ID, KEY_SECRET, ansible_env, run_ansible

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
}


def inventory_env(simulator, **extra):
    """Credentials and endpoint through the environment, as a user would pass them."""
    return ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
                       ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET, **extra)


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
