# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Smoke-test the collection installed from its tarball, against the local SGW simulator.

Usage: ``python tests/utils/smoke_installed.py REPO_ROOT COLLECTIONS_DIR``

``COLLECTIONS_DIR`` is where ``ansible-galaxy collection install -p`` put the collection (it holds
``ansible_collections/<namespace>/<name>``).  The script

* starts the simulator from the checkout (``python -m tests.simulator --port 0 --access-key
  ID:SECRET``, a fresh secret each run) with its sample account;
* writes a ``smoke.sgw.yml`` inventory source in a temporary directory, and runs
  ``ansible-inventory -i smoke.sgw.yml --graph`` there, with ``ANSIBLE_COLLECTIONS_PATH`` naming
  only ``COLLECTIONS_DIR``, no ansible.cfg, and collections in Python's ``sys.path`` not scanned;
* checks that the graph has the groups ``sgw`` and ``sgw_health_failed``, the latter with hosts;
* checks that the inventory plugin that Ansible loads, the file ``ansible-doc -t inventory`` documents
  and the one ``ansible-doc --metadata-dump`` reports all lie in the installed copy, not the checkout;
* loads the event source ``express_sync_health`` of the installed copy by its path, as ansible-rulebook
  does (no collection loader), runs its ``main(queue, args)`` until its snapshot, and checks that the
  code it imported is the installed copy's.

The ``ansible-*`` commands are those next to the running Python (the test virtualenv's).
"""

from __future__ import annotations

import json
import os
import pathlib
import secrets
import subprocess
import sys
import tempfile

import yaml

READY_PREFIX = "SGW simulator listening on "
KEY_ID = "LTAI5tSgwSmokeTest01"


def fail(message: str) -> None:
    print("ERROR: %s" % message)
    sys.exit(1)


def start_simulator(repo: pathlib.Path, secret: str, log) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "tests.simulator", "--port", "0", "--access-key", "%s:%s" % (KEY_ID, secret)]
    process = subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith(READY_PREFIX):
        process.kill()
        process.wait()
        log.seek(0)
        fail("the simulator did not start: %r %s" % (line, log.read()))
    return process, line[len(READY_PREFIX):]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.stdout.close()


def ansible_env(collections_dir: pathlib.Path, workdir: pathlib.Path, fqcn: str, endpoint: str, secret: str) -> dict:
    """The environment of the ansible-* commands: only the installed copy, only the simulator."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
    env.pop("PYTHONPATH", None)
    config = workdir / "ansible.cfg"
    config.write_text("", encoding="utf-8")
    env.update({
        "ANSIBLE_CONFIG": str(config),
        "ANSIBLE_COLLECTIONS_PATH": str(collections_dir),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_HOME": str(workdir / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(workdir / "ansible-tmp"),
        "ANSIBLE_INVENTORY_ENABLED": fqcn,
        "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true",
        "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "true",
        "ANSIBLE_NOCOLOR": "1",
        "ALIBABA_CLOUD_SGW_ENDPOINT": endpoint,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret,
        "LC_ALL": env.get("LC_ALL") or "C.UTF-8",
    })
    return env


def run(command: list, env: dict, cwd: pathlib.Path) -> str:
    bindir = pathlib.Path(sys.executable).parent
    result = subprocess.run([str(bindir / command[0])] + command[1:], env=env, cwd=cwd, capture_output=True,
                            text=True, timeout=120, check=False)
    if result.returncode != 0:
        fail("%s exited with %d:\n%s%s" % (" ".join(command), result.returncode, result.stdout, result.stderr))
    return result.stdout


def graph_groups(graph: str) -> dict[str, list[str]]:
    """``{group: [its direct hosts]}`` from ``ansible-inventory --graph``."""
    groups, stack = {}, []
    for line in graph.splitlines():
        if not line.strip():
            continue
        rest = line.lstrip(" |")
        depth = (len(line) - len(rest)) // 3  # "@all:", "  |--@sgw:", "  |  |--host"...
        name = rest.lstrip("-")
        del stack[depth:]
        if name.startswith("@"):
            name = name[1:].rstrip(":")
            groups.setdefault(name, [])
            stack.append(name)
        elif stack:
            groups[stack[-1]].append(name)
    return groups


# The event source as ansible-rulebook runs it: loaded by path, main(queue, args) until the first event.
SOURCE_PROBE = """
import asyncio, json, runpy, sys
module = runpy.run_path(sys.argv[1])

async def first_event():
    queue = asyncio.Queue()
    task = asyncio.create_task(module["main"](queue, {"poll_interval": 60, "heartbeat_polls": 0}))
    try:
        return await asyncio.wait_for(queue.get(), 60)
    finally:
        task.cancel()

event = asyncio.run(first_event())
watch = sys.modules["ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.watch"]
print(json.dumps({"type": event["type"], "failed": event.get("summary", {}).get("failed"), "imported": watch.__file__}))
"""


def probe_source(installed: pathlib.Path, env: dict, workdir: pathlib.Path) -> dict:
    source = installed / "extensions" / "eda" / "plugins" / "event_source" / "express_sync_health.py"
    if not source.is_file():
        fail("the event source is not installed: no %s" % source)
    result = subprocess.run([sys.executable, "-c", SOURCE_PROBE, str(source)], env=env, cwd=workdir,
                            capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        fail("the installed event source failed:\n%s%s" % (result.stdout, result.stderr))
    found = json.loads(result.stdout.strip().splitlines()[-1])
    if found["type"] != "snapshot" or not found["failed"]:
        fail("the installed event source's first event is not a snapshot with failed shares: %s" % found)
    if not found["imported"].startswith(str(installed)):
        fail("the installed event source imported %s, not the installed copy's code" % found["imported"])
    return found


def main() -> int:
    repo, collections_dir = (pathlib.Path(arg).resolve() for arg in sys.argv[1:3])
    galaxy = yaml.safe_load((repo / "galaxy.yml").read_text(encoding="utf-8"))
    fqcn = "%s.%s.sgw" % (galaxy["namespace"], galaxy["name"])
    installed = collections_dir / "ansible_collections" / galaxy["namespace"] / galaxy["name"]
    plugin_file = installed / "plugins" / "inventory" / "sgw.py"
    if not plugin_file.is_file():
        fail("%s is not installed: no %s" % (fqcn, plugin_file))

    secret = secrets.token_hex(12)
    with tempfile.TemporaryDirectory(prefix="sgw-smoke-") as tmp, tempfile.TemporaryFile(mode="w+") as log:
        workdir = pathlib.Path(tmp)
        source = workdir / "smoke.sgw.yml"
        source.write_text("---\nplugin: %s\nregions: []\n" % fqcn, encoding="utf-8")
        simulator, endpoint = start_simulator(repo, secret, log)
        try:
            env = ansible_env(collections_dir, workdir, fqcn, endpoint, secret)
            graph = run(["ansible-inventory", "-i", str(source), "--graph"], env, workdir)
            documented = run(["ansible-doc", "-t", "inventory", fqcn], env, workdir)
            dump = json.loads(run(["ansible-doc", "--metadata-dump", "--no-fail-on-errors", fqcn.rsplit(".", 1)[0]],
                                  env, workdir))
            probe = ("from ansible.plugins.loader import init_plugin_loader, inventory_loader\n"
                     "init_plugin_loader()\n"
                     "print(inventory_loader.find_plugin_with_context(%r).plugin_resolved_path)\n" % fqcn)
            loaded = subprocess.run([sys.executable, "-c", probe], env=env, cwd=workdir, capture_output=True,
                                    text=True, timeout=60, check=False)
            source = probe_source(installed, env, workdir)
        finally:
            stop(simulator)
        if secret in graph + documented or secret in loaded.stdout + loaded.stderr:
            fail("the AccessKey secret shows up in the output")

    groups = graph_groups(graph)
    failed = groups.get("sgw_health_failed", [])
    if "sgw" not in groups or not failed:
        fail("the inventory graph has no hosts in sgw_health_failed:\n%s" % graph)

    where = {
        "the plugin Ansible loads": loaded.stdout.strip() if loaded.returncode == 0 else loaded.stderr.strip(),
        "ansible-doc -t inventory": documented.splitlines()[0] if documented else "",
        "ansible-doc --metadata-dump": str(dump.get("all", {}).get("inventory", {}).get(fqcn, {}).get("doc", {})
                                           .get("filename", "")),
    }
    for what, text in where.items():
        if str(plugin_file) not in text:
            fail("%s is not the installed copy %s: %r" % (what, plugin_file, text))

    print("installed %s against the simulator: %d hosts in %d groups, sgw_health_failed: %s" % (
        fqcn, len({h for hosts in groups.values() for h in hosts}), len(groups), ", ".join(sorted(failed))))
    print("plugin loaded and documented from %s" % plugin_file)
    print("event source express_sync_health loaded by path from the installed copy: a snapshot with %d failed "
          "shares" % source["failed"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
