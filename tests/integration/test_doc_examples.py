"""Every YAML example of docs/*.md and of the plugins' and modules' EXAMPLES that uses only the sample
account (tests/simulator/data/sample_account.yml), or the resource directory it manages (with the member
accounts of tests/simulator/data), runs, as written, against the simulator: inventory files with
``ansible-inventory``, playbooks and task lists with ``ansible-playbook``.

The examples that cannot run there are listed in ``NOT_RUN`` with the reason, or name resources
that the sample account does not have (ids of other groups and gateways). A new example is run, or
listed: the collection test fails for an example that is neither. The values an example leaves to
the reader (``sync_group``...) come from ``VARIABLES``.
"""

from __future__ import annotations

import ast
import collections
import functools
import json
import re
import textwrap

import pytest
import yaml

from tests.support.sim_process import (
    KEY_ID,
    KEY_SECRET,
    REPO_ROOT,
    SAMPLE_ACCOUNT,
    Simulator,
    ansible_env,
    run_ansible,
)

Example = collections.namedtuple("Example", "source title text")

# The examples that do not run against the sample account, by source file and the start of their title
# (the name of the first play or task, or the first line), and why.
NOT_RUN = {
    ("docs/eda.md", "# heal-vars.yml"): "extra variables of a rulebook, read by ansible-rulebook",
    ("docs/awx.md", "fields:"): "an AWX credential type's input configuration, not Ansible's",
    ("docs/awx.md", "env:"): "an AWX credential type's injector configuration, not Ansible's",
    ("docs/awx.md", "sgw_heal_resume_entries:"): "the pending entries of an earlier heal job (another account)",
    ("docs/credentials.md", "Heal express sync groups"): "an outline (tasks: ...) with a credentials profile",
    ("docs/lookups.md", "# the member shares of every group of a bucket: two calls in all"):
        "a Jinja expression, shown as it reads inside the recipes that use it",
    ("docs/simulator.md", "---"): "a simulator account file, not an Ansible example",
    ("docs/simulator.md", "roles:"): "the RAM roles section of a simulator account file",
}
# Examples that share a title are told apart by a line of their own.
DISTINCT = {
    ("docs/credentials.md", "plugin: alibabacloud.sgw.sgw"): {
        "access_key_id: \"{{ lookup('ansible.builtin.env', 'SGW_KEY_ID') }}\"": None,
        "endpoint_type: vpc": "VPC endpoints, which resolve only inside a VPC",
    },
}
# The values an example leaves to the reader, and the environment it expects (the region of a task list;
# endpoint and credentials always come from the environment, as the examples say).
VARIABLES = {
    "Report each failed share of the group": {"sync_group": "sync-0001xv7je357xn8t"},
    "Count the shares of the group per health": {"sync_group": "sync-0001xv7je357xn8t"},
    "Read the group and its shares": {"sync_group": "sync-0002p9t4hz6c3yxe"},
    "No share of the group is anything but healthy": {"sync_group": "sync-0002p9t4hz6c3yxe"},
    "Shares of the groups that still exist, with a warning for the others": {
        "old_group_ids": ["sync-0001xv7je357xn8t", "sync-0009gonegroup0001"]},
    "The member shares of a group, against a local simulator": {"sim_key_id": KEY_ID, "sim_key_secret": KEY_SECRET},
}
REGION = {
    "Read the group and its shares": "ap-southeast-1",
    "No share of the group is anything but healthy": "ap-southeast-1",
}
ENVIRONMENT = {
    "plugin: alibabacloud.sgw.sgw": {"SGW_KEY_ID": KEY_ID, "SGW_KEY_SECRET": KEY_SECRET},
    "# prod.sgw.yml: the secret from an environment variable of another name (templated options)": {
        "SGW_REGIONS": "cn-hangzhou,cn-shanghai", "PROD_KEY_ID": KEY_ID, "PROD_SECRET": KEY_SECRET},
    "# simulator.sgw.yml: against a local SGW simulator, with candidates, cache and constructed groups": {
        "SGW_SIM_SECRET": KEY_SECRET},
}
# The hosts of the play that runs a task list (localhost by default).
PLAY_HOSTS = {"Resync every share of the play, once, from the controller": "sgw_health_failed",
              "Describe the group of a share, in the share's own account": "sgw_health_failed"}
# The ansible-playbook arguments of a playbook example (the heal job of AWX as its Check job type).
PLAYBOOK_ARGS = {"# heal.yml": ["--check"]}
# The local simulator's address in the examples: the test's simulator answers there.
SIMULATOR_URL = "http://127.0.0.1:8080"
SIMULATOR_KEY = "LTAI5tSimulatorKey"
# The member accounts of the sample account's resource directory (resource_directory: true).
MEMBERS = ("--member-account", str(REPO_ROOT / "tests" / "simulator" / "data" / "member_media.yml"),
           "--member-account", str(REPO_ROOT / "tests" / "simulator" / "data" / "member_finance.yml"))
# Inventory options that a snippet of inventory.md adds to an inventory file.
BASE_INVENTORY = {"plugin": "alibabacloud.sgw.sgw", "regions": ["cn-hangzhou", "cn-shanghai"]}


@functools.lru_cache(maxsize=None)
def sample_ids() -> frozenset:
    account = yaml.safe_load(SAMPLE_ACCOUNT.read_text(encoding="utf-8"))
    ids = {g["GatewayId"] for g in account["gateways"]} | {g["ExpressSyncId"] for g in account["express_syncs"]}
    return frozenset(ids | {b["StorageBundleId"] for b in account["storage_bundles"]})


def doc_examples():
    for path in sorted((REPO_ROOT / "docs").glob("*.md")):
        for block in re.findall(r"^```yaml\n(.*?)^```$", path.read_text(encoding="utf-8"), re.M | re.S):
            yield Example("docs/" + path.name, title(block), block)


def plugin_examples():
    for path in sorted((REPO_ROOT / "plugins").glob("*/*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        text = next((node.value.value for node in tree.body if isinstance(node, ast.Assign)
                     and getattr(node.targets[0], "id", None) == "EXAMPLES"), None)
        if text is None:
            continue
        source = str(path.relative_to(REPO_ROOT))
        if "/inventory/" in source:  # inventory files, one per paragraph, all but the first commented out
            for paragraph in text.strip().split("\n\n"):
                head, body = paragraph.split("\n", 1)
                lines = [line for line in body.splitlines() if not line.startswith("# (")]  # a remark in parentheses
                body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines)
                yield Example(source, head, body + "\n")
        else:
            yield Example(source, title(text), text)


def title(text):
    first = text.strip().splitlines()[0]
    match = re.match(r"- name: (.*)", first)
    return match.group(1) if match else first


def reason_not_run(example):
    """Why ``example`` does not run against the sample account, or None."""
    key = (example.source, example.title)
    reason = next((r for (source, start), r in NOT_RUN.items()
                   if source == example.source and example.title.startswith(start)), None)
    if key in DISTINCT:
        reason = next((r for line, r in DISTINCT[key].items() if line in example.text), reason)
    if reason:
        return reason
    if re.search(r"role_arn: \"?acs:ram::", example.text):
        return "RAM roles, which the sample account does not have"
    foreign = sorted(set(re.findall(r"\b(?:sync|gw|sb)-[0-9a-z*]+", example.text)) - sample_ids())
    if foreign:
        return "names resources that the sample account does not have: %s" % ", ".join(foreign)
    return None


EXAMPLES = list(doc_examples()) + list(plugin_examples())
RUN = [e for e in EXAMPLES if reason_not_run(e) is None]


def test_every_example_is_run_or_says_why_not():
    gone = [(source, start) for source, start in list(NOT_RUN) + list(DISTINCT)
            if not any(e.source == source and e.title.startswith(start) for e in EXAMPLES)]
    assert gone == [], "examples listed here are gone"
    assert len(RUN) >= 15
    assert any(e.source.startswith("plugins/") for e in RUN)


@pytest.fixture
def simulator():
    """The sample account, as it is (an example may change it), the management account of a resource directory
    with the members of tests/simulator/data, for the examples of several accounts."""
    with Simulator("--task-seconds", "0.2", "--full-sync-seconds", "1", *MEMBERS) as sim:
        yield sim


@pytest.mark.parametrize("example", RUN, ids=lambda e: "%s: %s" % (e.source, e.title[:60]))
def test_the_example_runs_against_the_sample_account(example, simulator, tmp_path):
    text = example.text.replace(SIMULATOR_URL, simulator.url).replace(SIMULATOR_KEY, KEY_ID)
    document = yaml.safe_load(text)
    env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=simulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
                      ALIBABA_CLOUD_STS_ENDPOINT=simulator.url, ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT=simulator.url,
                      ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET, HOME=tmp_path,
                      ALIBABA_CLOUD_SGW_RESYNC_JOURNAL=tmp_path / "resync-journal.json",
                      ALIBABA_CLOUD_REGION_ID=REGION.get(example.title, "cn-hangzhou"),
                      **ENVIRONMENT.get(example.title, {}))
    inventory = tmp_path / "sample.sgw.yml"
    inventory.write_text(yaml.safe_dump(BASE_INVENTORY), encoding="utf-8")
    if isinstance(document, dict):  # an inventory file, or options added to one
        config = document if "plugin" in document else dict(BASE_INVENTORY, **document)
        inventory.write_text(yaml.safe_dump(config) if "plugin" not in document else text, encoding="utf-8")
        process = run_ansible("ansible-inventory", "-i", inventory, "--list", env=env)
        assert process.returncode == 0, process.stderr
        listing = json.loads(process.stdout)
        assert listing["_meta"]["hostvars"], "no host"
        return
    if not any("hosts" in item or "ansible.builtin.import_playbook" in item for item in document):
        text = yaml.safe_dump([{"name": "The example", "hosts": PLAY_HOSTS.get(example.title, "localhost"),
                                "gather_facts": False,
                                "vars": VARIABLES.get(example.title, {}), "tasks": document}], sort_keys=False)
    elif example.title in VARIABLES:
        raise AssertionError("variables for a playbook example go in its play")
    playbook = tmp_path / "example.yml"
    playbook.write_text(textwrap.dedent(text), encoding="utf-8")
    process = run_ansible("ansible-playbook", "-i", inventory, playbook, *PLAYBOOK_ARGS.get(example.title, []),
                          env=env, timeout=300)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "failed=0" in process.stdout and "unreachable=0" in process.stdout
