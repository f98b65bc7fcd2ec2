"""The jobs of docs/awx.md through ansible-runner, the way AWX runs them, against the simulator.

A private data directory as AWX lays it out for a job: ``env/envvars`` holds exactly what the
credential type of docs/awx.md injects (its injector templates rendered with the test's
credential), ``inventory/`` the ``*.sgw.yml`` file, ``project/`` the job templates' playbooks
(which import the collection's playbooks by name) and the collection installed into the
project's ``collections/``, as AWX installs ``collections/requirements.yml``.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import ansible_runner
import jinja2
import pytest
import yaml

from ansible_collections.alibabacloud.sgw.plugins.module_utils.writes.journal import JOURNAL_ENV
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import OPTION_ENV, REGION_ENV
from tests.support.sim_process import KEY_ID, KEY_SECRET, REPO_ROOT, SECRETS, Simulator

AWX_DOC = REPO_ROOT / "docs" / "awx.md"
FAILED_SHARES = {"render-frames@gw-0004xq2m7bd1v9hke", "artifacts-cache@gw-0003f6ht0wz8n2lqa",
                 "exports-smb@gw-0002w5nb8dj3u6qcx"}
REPORT_TASK = "Show the group, state and progress of each share"
RESYNC_TASK = "Resync the failed shares, and wait until they are healthy"
RESUME_TASK = "Add back the shares that the journal says are out of their group"
# The groups of the failed shares of the sample account.
FAILED_GROUPS = {"sync-0001xv7je357xn8t", "sync-0004agfrbke1l39p", "sync-0003k2n8dq5w1mzr"}
BIN = pathlib.Path(sys.executable).parent


def doc_blocks(language):
    """The fenced code blocks of docs/awx.md in ``language``, as text."""
    return re.findall(r"^```%s\n(.*?)^```$" % language, AWX_DOC.read_text(encoding="utf-8"), re.M | re.S)


def credential_type():
    """The credential type of docs/awx.md: (inputs, injectors)."""
    blocks = [yaml.safe_load(block) for block in doc_blocks("yaml")]
    (inputs,) = [block for block in blocks if isinstance(block, dict) and "fields" in block]
    (injectors,) = [block for block in blocks if isinstance(block, dict) and set(block) == {"env"}]
    return inputs, injectors


def injected_env(credential):
    """What AWX sets for a credential of that type: each injector rendered, an empty input as ''."""
    inputs, injectors = credential_type()
    values = {field["id"]: credential.get(field["id"], "") for field in inputs["fields"]}
    assert set(inputs["required"]) <= {name for name, value in values.items() if value}
    return {name: jinja2.Template(template).render(**values) for name, template in injectors["env"].items()}


def project_playbooks():
    """The job templates' playbooks of docs/awx.md: {file name: text}."""
    found = {}
    for block in doc_blocks("yaml"):
        first = block.splitlines()[0]
        if first.startswith("# ") and first.endswith(".yml"):
            found[first[2:]] = block
    return found


@pytest.fixture
def simulator():
    with Simulator("--task-seconds", "0.2", "--full-sync-seconds", "1") as sim:
        yield sim


@pytest.fixture(scope="module")
def installed_collection(tmp_path_factory):
    """The collection built and installed as AWX installs a project's collections/requirements.yml."""
    root = tmp_path_factory.mktemp("awx-project-collections")
    build = root / "build"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(root / "collections"))
    subprocess.run([BIN / "ansible-galaxy", "collection", "build", "--output-path", build, REPO_ROOT],
                   check=True, capture_output=True, env=env)
    (tarball,) = build.glob("*.tar.gz")
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", root / "collections", tarball],
                   check=True, capture_output=True, env=env)
    return root / "collections"


def private_data_dir(private, simulator, installed_collection, **extra_env):
    """Lay out ``private`` as AWX does for one job; ``extra_env`` joins what the credential injects."""
    (private / "env").mkdir(parents=True)
    (private / "inventory").mkdir()
    project = private / "project"
    project.mkdir()
    envvars = injected_env({"access_key_id": KEY_ID, "access_key_secret": KEY_SECRET, "endpoint": simulator.url})
    (private / "env" / "envvars").write_text(yaml.safe_dump(dict(envvars, **extra_env)))
    (private / "inventory" / "prod.sgw.yml").write_text(
        "plugin: alibabacloud.sgw.sgw\nregions: []\non_region_error: warn\n")
    for name, text in project_playbooks().items():
        (project / name).write_text(text)
    shutil.copytree(installed_collection, project / "collections")
    return private


@pytest.fixture
def job(tmp_path, simulator, installed_collection, monkeypatch):
    """A private data directory, and the environment that AWX itself gives the job (not the credential's)."""
    private = private_data_dir(tmp_path / "job", simulator, installed_collection)
    project = private / "project"
    for name in [n for n in os.environ if n.startswith(("ANSIBLE_", "ALIBABA_CLOUD_", "ALICLOUD_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", str(project / "collections"))
    monkeypatch.setenv("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
    monkeypatch.setenv("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
    monkeypatch.setenv("ANSIBLE_LOCAL_TEMP", str(tmp_path / "ansible-tmp"))
    monkeypatch.setenv("ANSIBLE_HOME", str(tmp_path / "ansible-home"))
    monkeypatch.setenv("PATH", "%s%s%s" % (BIN, os.pathsep, os.environ["PATH"]))
    simulator.reset()
    return private


def assert_no_secret(private, runner):
    """No secret in any event of the job, nor in any file it wrote (artifacts, the inventory update's output).

    ``env/envvars`` holds the credential as the job's input, ``project/collections`` is the collection,
    and ansible-runner records the environment it started the job with (credential included) in the
    ``env`` of ``artifacts/<ident>/command``, a file only its owner may read: the rest of that file counts.
    """
    texts = [json.dumps(event) for event in runner.events]
    for path in sorted(private.rglob("*")):
        relative = path.relative_to(private).parts
        if not path.is_file() or relative[0] == "env" or relative[:2] == ("project", "collections"):
            continue
        text = path.read_text(errors="replace")
        if relative[0] == "artifacts" and relative[-1] == "command":
            assert path.stat().st_mode & 0o077 == 0
            text = json.dumps({k: v for k, v in json.loads(text).items() if k != "env"})
        texts.append(text)
    assert len(texts) > 5
    for text in texts:
        assert not any(secret in text for secret in SECRETS)


def inventory_update(private):
    """``ansible-inventory --list --export`` as AWX's inventory update runs it; the runner and the JSON."""
    output = private / "inventory_update.json"
    runner = ansible_runner.interface.init_command_config(
        str(BIN / "ansible-inventory"), cmdline_args=["-i", str(private / "inventory" / "prod.sgw.yml"), "--list",
                                                      "--export", "--output", str(output)],
        private_data_dir=str(private), ident="inventory_update", quiet=True)
    runner.run()
    return runner, (json.loads(output.read_text()) if output.exists() else None)


def report(private, limit, ident):
    # ansible-playbook is the one of PATH (the tests' Python first, see the job fixture).
    return ansible_runner.run(private_data_dir=str(private), playbook="report.yml", limit=limit, ident=ident,
                              quiet=True)


def ok_hosts(runner, task):
    hosts = [event["event_data"]["host"] for event in runner.events
             if event["event"] == "runner_on_ok" and event["event_data"].get("task") == task]
    assert len(hosts) == len(set(hosts)), hosts
    return set(hosts)


def test_the_credential_type_injects_the_collections_variables():
    inputs, injectors = credential_type()
    assert [field["id"] for field in inputs["fields"]] == [
        "access_key_id", "access_key_secret", "security_token", "role_arn", "endpoint"]
    assert {field["id"] for field in inputs["fields"] if field.get("secret")} == {"access_key_secret", "security_token"}
    assert set(injectors["env"]) == {"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                                     "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_ROLE_ARN",
                                     "ALIBABA_CLOUD_SGW_ENDPOINT"}


def test_the_guide_names_only_variables_that_exist():
    """Every environment variable and heal playbook variable that docs/awx.md names is one the code reads."""
    text = AWX_DOC.read_text(encoding="utf-8")
    read = {name for names in OPTION_ENV.values() for name in names} | set(REGION_ENV) | {JOURNAL_ENV}
    cited = set(re.findall(r"\b(?:ALIBABA_CLOUD|ALICLOUD)_[A-Z_]+\b", text))
    assert JOURNAL_ENV in cited and cited <= read, cited - read
    playbook = (REPO_ROOT / "playbooks" / "heal_failed_shares.yml").read_text(encoding="utf-8")
    heal_variables = set(re.findall(r"\bsgw_heal_[a-z_]+\b", text))
    assert "sgw_heal_resume_entries" in heal_variables
    assert {name for name in heal_variables if not re.search(r"\b%s\b" % name, playbook)} == set()


def test_inventory_update_through_ansible_runner(job, simulator):
    envvars = yaml.safe_load((job / "env" / "envvars").read_text())
    assert envvars["ALIBABA_CLOUD_SECURITY_TOKEN"] == "" and envvars["ALIBABA_CLOUD_ROLE_ARN"] == ""
    runner, listing = inventory_update(job)
    assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()
    assert set(listing["sgw_health_failed"]["hosts"]) == FAILED_SHARES
    hostvars = listing["_meta"]["hostvars"]
    assert len(hostvars) == 12
    # What AWX stores and shows: every string variable with its untrusted marker, on every ansible-core.
    variables = hostvars["render-frames@gw-0004xq2m7bd1v9hke"]
    assert variables["share_name"] == {"__ansible_unsafe": "render-frames"}
    assert variables["sgw_health"] == {"__ansible_unsafe": "failed"}
    assert simulator.stats()["total"] > 0
    assert_no_secret(job, runner)


def test_report_job_limited_to_the_failed_shares(job):
    runner = report(job, "sgw_health_failed", "report")
    assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()
    assert ok_hosts(runner, REPORT_TASK) == FAILED_SHARES
    stdout = (job / "artifacts" / "report" / "stdout").read_text()
    assert "render-frames@gw-0004xq2m7bd1v9hke: group render-cache (sync-0001xv7je357xn8t), state QueueFailure" \
           in stdout
    assert (job / "artifacts" / "report" / "job_events").is_dir()
    assert_no_secret(job, runner)


def test_two_job_slices_report_every_failed_share_exactly_once(job):
    """AWX slices the inventory's hosts by order (slice i of n: hosts i-1, i-1+n, ...), then applies the limit."""
    runner, listing = inventory_update(job)
    assert runner.status == "successful"
    hosts = sorted(listing["_meta"]["hostvars"])
    slices = [hosts[offset::2] for offset in range(2)]
    reported = []
    for number, members in enumerate(slices, 1):
        # The slice's hosts, then the job template's limit: as with AWX's sliced inventory.
        sliced = report(job, ",".join(members) + ",&sgw_health_failed", "slice%d" % number)
        assert (sliced.status, sliced.rc) == ("successful", 0), sliced.stdout.read()
        found = ok_hosts(sliced, REPORT_TASK)
        assert found <= set(members)
        reported.append(found)
        assert_no_secret(job, sliced)
    assert reported[0].isdisjoint(reported[1])
    assert reported[0] | reported[1] == FAILED_SHARES
    assert all(reported)


def heal(private, ident, **extravars):
    """The heal job template of docs/awx.md: no limit (the playbook targets sgw_health_failed itself, and its
    first play, on localhost, must run even when no share is failed), and its extra variables."""
    extravars = {"sgw_heal_delay": 1, "sgw_heal_retries": 60, "sgw_heal_wait_timeout": 120, **extravars}
    return ansible_runner.run(private_data_dir=str(private), playbook="heal.yml", ident=ident, quiet=True,
                              extravars=extravars)


def task_results(runner, task, event):
    return [e["event_data"]["res"] for e in runner.events
            if e["event"] == event and e["event_data"].get("task") == task]


def memberships(simulator):
    """``{"<share>@<gateway>": group id}`` of every share, None for a share that is a member of nothing."""
    return {"%s@%s" % (s["ShareName"], s["GatewayId"]): s.get("ExpressSyncId") or None
            for s in simulator.account()["shares"]}


def test_heal_job_heals_exactly_the_failed_shares(job, simulator):
    runner = heal(job, "heal")
    assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()
    assert ok_hosts(runner, "Report the share") == FAILED_SHARES
    actions = simulator.stats()["actions"]
    assert actions.get("RemoveSharesFromExpressSync") == 3 and actions.get("AddSharesToExpressSync") == 3
    account = simulator.account()
    healthy = {"%s@%s" % (s["ShareName"], s["GatewayId"]) for s in account["shares"]
               if s.get("ExpressSyncState") == "MNSHealthy"}
    assert FAILED_SHARES <= healthy
    assert_no_secret(job, runner)


def test_heal_on_ephemeral_controllers_resumes_from_the_first_jobs_result(
        tmp_path, job, simulator, installed_collection):
    """A heal job whose adds are denied strands the shares, and its journal is lost with its private data
    directory (AWX's fresh container); a second job, in a fresh directory without any journal, puts them
    back from the first job's result alone (its resume_token), given as extra variable sgw_heal_resume_entries."""
    default_journal = tmp_path / "ansible-home" / "alibabacloud.sgw" / "resync-journal.json"
    before = memberships(simulator)
    assert {label for label, group in before.items() if group} >= FAILED_SHARES
    simulator.faults(deny=["AddSharesToExpressSync"])

    # Job 1: the journal on a job-private path, thrown away with the job's private data directory.
    first = private_data_dir(tmp_path / "job1", simulator, installed_collection,
                             ALIBABA_CLOUD_SGW_RESYNC_JOURNAL=str(tmp_path / "job1" / "tmp" / "resync-journal.json"))
    runner = heal(first, "heal1")
    assert (runner.status, runner.rc) == ("failed", 2), runner.stdout.read()
    (failed,) = task_results(runner, RESYNC_TASK, "runner_on_failed")
    assert failed["error_code"] == "Forbidden.RAM"
    pending = failed["pending"]
    assert {entry["express_sync_id"] for entry in pending} == FAILED_GROUPS
    assert {entry["step"] for entry in pending} == {"add_failed"}
    assert {"%s@%s" % (s["share_name"], s["gateway_id"]) for e in pending for s in e["shares"]} == FAILED_SHARES
    # the shares are out of their group, and only the job's own journal knows it
    assert all(memberships(simulator)[label] is None for label in FAILED_SHARES)
    journal = json.loads((first / "tmp" / "resync-journal.json").read_text())
    assert sorted(e["id"] for e in journal["entries"]) == sorted(e["id"] for e in pending)
    assert not default_journal.exists()
    assert_no_secret(first, runner)
    shutil.rmtree(first)

    simulator.faults()  # the right to add is granted
    start = simulator.stats()["actions"]

    # Job 2: a fresh private data directory, no journal; the pending entries of job 1 as extra variable.
    second = private_data_dir(tmp_path / "job2", simulator, installed_collection,
                              ALIBABA_CLOUD_SGW_RESYNC_JOURNAL=str(tmp_path / "job2" / "tmp" / "resync-journal.json"))
    # As the AWX guide says: the resume token of job 1's failed task, whose characters no template can change.
    runner = heal(second, "heal2", sgw_heal_resume_entries=failed["resume_token"])
    assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()
    (resumed,) = task_results(runner, RESUME_TASK, "runner_on_ok")
    assert sorted(entry["express_sync_id"] for entry in resumed["resumed"]) == sorted(FAILED_GROUPS)
    assert {"%s@%s" % (s["share_name"], s["gateway_id"]) for e in resumed["resumed"] for s in e["added"]} \
        == FAILED_SHARES
    assert resumed["pending"] == []
    assert task_results(runner, RESYNC_TASK, "runner_on_ok") == []  # no share is failed any more
    # Every share is a member of its group again; three Add calls for three groups, each of which needed one.
    assert memberships(simulator) == before
    actions = simulator.stats()["actions"]
    calls = {name: actions.get(name, 0) - start.get(name, 0)
             for name in ("AddSharesToExpressSync", "RemoveSharesFromExpressSync")}
    assert calls == {"AddSharesToExpressSync": len(FAILED_GROUPS), "RemoveSharesFromExpressSync": 0}
    assert not (second / "tmp" / "resync-journal.json").exists() and not default_journal.exists()
    assert_no_secret(second, runner)
