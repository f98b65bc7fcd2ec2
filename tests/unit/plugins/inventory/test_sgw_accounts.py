"""The inventory plugin's parse() of several accounts (``resource_directory``) into a real InventoryData, with a
real client, against the simulator in-process: how the calls that find the accounts are scheduled."""

from __future__ import annotations

import pathlib
import threading

import pytest
import yaml
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from tests.support.in_process import record_callers
from tests.support.sim_process import KEY_ID, KEY_SECRET

DATA = pathlib.Path(__file__).resolve().parents[3] / "simulator" / "data"
MEMBERS = (DATA / "member_media.yml", DATA / "member_finance.yml")
ACCOUNTS = {"1638094425718837", "1855000000000001", "1855000000000002"}
FINDING = ("DescribeRegions", "GetCallerIdentity", "ListAccounts")  # none needs another's answer


def parse(tmp_path, simulator, **options):
    config = {"plugin": "alibabacloud.sgw.sgw", "endpoint": simulator.url, "sts_endpoint": simulator.url,
              "resource_manager_endpoint": simulator.url, "access_key_id": KEY_ID, "access_key_secret": KEY_SECRET,
              "resource_directory": True}
    config.update(options)
    path = tmp_path / "accounts.sgw.yml"
    path.write_text(yaml.safe_dump(config))
    inventory = InventoryData()
    inventory_loader.get("alibabacloud.sgw.sgw").parse(inventory, DataLoader(), str(path), cache=False)
    return inventory


def hold_until_together(simulator, actions, timeout=30.0):
    """Hold the first call of each of ``actions`` until the first calls of all of them are under way at once
    (a broken barrier, after ``timeout``, fails the call: they were not side by side). Returns the actions in
    the order their calls were made."""
    barrier = threading.Barrier(len(actions), timeout=timeout)
    made, lock = [], threading.Lock()
    answer = simulator.simulator.api

    def api(request):
        action = request.header("x-acs-action")
        with lock:
            first = action in actions and action not in made
            made.append(action)
        if first:
            barrier.wait()
        return answer(request)
    simulator.simulator.api = api
    return made


def test_the_regions_the_caller_and_the_accounts_are_found_side_by_side(tmp_path, in_process):
    simulator = in_process(members=MEMBERS)
    made = hold_until_together(simulator, FINDING)
    inventory = parse(tmp_path, simulator)
    assert set(made[:3]) == set(FINDING) and made.count("GetCallerIdentity") == 1 and made.count("ListAccounts") == 1
    assert {inventory.get_host(host).vars["sgw_account_id"] for host in inventory.hosts} == ACCOUNTS


@pytest.mark.parametrize("bound", [1, 2])
def test_max_concurrency_bounds_the_calls_that_find_the_accounts_too(tmp_path, in_process, bound):
    simulator = in_process(members=MEMBERS)
    callers = record_callers(simulator)
    inventory = parse(tmp_path, simulator, max_concurrency=bound)
    assert len({id(thread) for action, thread in callers if action in FINDING}) <= bound
    stats = simulator.stats()
    assert stats["actions"]["GetCallerIdentity"] == 1 and stats["actions"]["ListAccounts"] == 1
    assert stats["peak_concurrency"] <= bound
    assert {inventory.get_host(host).vars["sgw_account_id"] for host in inventory.hosts} == ACCOUNTS
