# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the inventory plugin's own time goes: one parse through Ansible's InventoryManager, timed by step.

    python tests/perf/parse_probe.py SOURCE {cold|cached|floor}

Run by bench_inventory.py in a fresh process (ANSIBLE_COLLECTIONS_PATH and the credentials come
from the environment). It prints one JSON object of seconds:

- ``parse``: the whole ``InventoryManager`` parse of CONFIG (what ``ansible-inventory`` does
  before it renders anything), including Ansible's own work of storing hosts, groups and
  variables;
- ``fetch``: the API calls (``cold``; 0 on a cache hit);
- ``cache_read``: reading and decoding the cached estate (``cached``);
- ``populate``: building hosts, groups and variables from the estate;
- ``cache_write``: encoding and writing the estate to the cache (``cold``);
- ``fetch_cpu``: the CPU seconds of this process during ``fetch`` (signing, decoding answers).

``cold`` parses as ``--flush-cache`` does (the cache is refreshed, so the next ``cached`` probe
or ``ansible-inventory`` run hits it). ``floor`` parses another SOURCE (the floor's inventory
script): only ``parse`` counts then.
"""

from __future__ import annotations

import functools
import json
import sys
import time


def main(argv) -> int:
    source, mode = argv
    from ansible.inventory.manager import InventoryManager  # pylint: disable=import-outside-toplevel
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel

    init_plugin_loader([])
    from ansible_collections.alibabacloud.sgw.plugins.inventory import sgw  # pylint: disable=import-outside-toplevel

    timings = {"fetch": 0.0, "cache_read": 0.0, "populate": 0.0, "cache_write": 0.0, "fetch_cpu": 0.0}

    def timed(name, method):
        @functools.wraps(method)
        def wrapper(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                timings[name] += time.perf_counter() - start
                if name == "fetch":
                    timings["fetch_cpu"] += time.process_time() - cpu
        return wrapper

    plugin_class = sgw.InventoryModule
    plugin_class._fetch_estate = timed("fetch", plugin_class._fetch_estate)
    plugin_class._fetch_accounts = timed("fetch", plugin_class._fetch_accounts)  # several accounts
    plugin_class._cached_estate = timed("cache_read", plugin_class._cached_estate)
    plugin_class._populate = timed("populate", plugin_class._populate)
    plugin_class.update_cache_if_changed = timed("cache_write", plugin_class.update_cache_if_changed)
    start = time.perf_counter()
    inventory = InventoryManager(DataLoader(), sources=[source], cache=(mode != "cold"))
    timings["parse"] = time.perf_counter() - start
    timings["hosts"] = len(inventory.hosts)
    print(json.dumps(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
