"""One resolution of credentials and region for every plugin and module: the same table runs through
the inventory, a lookup and a module, and each row must end the same way in all three.

Rules shown: documented ``ALIBABA_CLOUD_*`` names win over the older ``ALICLOUD_*`` ones; an id and
its secret always come from the same source (an option id never takes an environment secret); an
error names the real source of the credentials.
"""

from __future__ import annotations

import json
import pathlib

import pytest
import yaml

from tests.support.sim_process import KEY_ID, KEY_SECRET, SECRETS, Simulator, ansible_env, run_ansible

pytestmark = pytest.mark.core_matrix

GOOD = {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET}
REGION = {"ALIBABA_CLOUD_REGION_ID": "cn-hangzhou"}

# id, environment, explicit options, expected: "ok" or a text every error must hold.
MATRIX = [
    ("documented-pair", dict(GOOD, **REGION), {}, "ok"),
    ("older-pair", dict(REGION, ALICLOUD_ACCESS_KEY=KEY_ID, ALICLOUD_SECRET_KEY=KEY_SECRET), {}, "ok"),
    ("documented-pair-and-a-stale-older-id", dict(GOOD, ALICLOUD_ACCESS_KEY="LTAI5tStaleOldKey0001", **REGION), {},
     "ok"),
    ("documented-pair-and-a-stale-older-pair",
     dict(GOOD, ALICLOUD_ACCESS_KEY="LTAI5tStaleOldKey0001", ALICLOUD_SECRET_KEY="stale-secret-0001", **REGION), {},
     "ok"),
    ("option-id-with-the-secret-only-in-the-environment",
     dict(REGION, ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET), {"access_key_id": KEY_ID},
     "Incomplete credentials in options access_key_id/access_key_secret: access_key_id is set but access_key_secret "
     "is not. The environment has ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
    ("an-id-without-its-secret-in-the-environment",
     dict(REGION, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID, ALICLOUD_SECRET_KEY=KEY_SECRET), {},
     "Incomplete credentials in the environment: ALIBABA_CLOUD_ACCESS_KEY_ID is set but "
     "ALIBABA_CLOUD_ACCESS_KEY_SECRET is not"),
    ("a-wrong-id-in-the-environment-is-reported-as-the-environment",
     dict(REGION, ALIBABA_CLOUD_ACCESS_KEY_ID="LTAI5tNoSuchKey000001", ALIBABA_CLOUD_ACCESS_KEY_SECRET=KEY_SECRET), {},
     "credentials from environment ALIBABA_CLOUD_ACCESS_KEY_ID (AccessKey ID LTAI****0001)"),
]


@pytest.fixture(scope="module")
def sim():
    with Simulator() as running:
        yield running


def run_inventory(sim, directory, env, options):
    config = {"plugin": "alibabacloud.sgw.sgw", "regions": ["cn-hangzhou"], "max_retries": 0, **options}
    path = pathlib.Path(directory) / "matrix.sgw.yml"
    path.write_text(yaml.safe_dump(config))
    return run_ansible("ansible-inventory", "-i", path, "--list", env=env)


def run_lookup(sim, directory, env, options):
    kwargs = ", ".join("%s=%s" % (k, json.dumps(v)) for k, v in dict(options, max_retries=0).items())
    msg = "{{ lookup('alibabacloud.sgw.express_syncs', %s) | length }}" % kwargs
    return run_ansible("ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", "ansible.builtin.debug",
                       "-a", json.dumps({"msg": msg}), env=env)


def run_module(sim, directory, env, options):
    return run_ansible("ansible", "localhost", "-i", "localhost,", "-c", "local", "-m",
                       "alibabacloud.sgw.express_sync_info", "-a", json.dumps(dict(options, max_retries=0)), env=env)


RUNNERS = {"inventory": run_inventory, "lookup": run_lookup, "module": run_module}


@pytest.mark.parametrize("kind", sorted(RUNNERS))
@pytest.mark.parametrize("row, environment, options, expected", MATRIX, ids=[row[0] for row in MATRIX])
def test_the_same_row_ends_the_same_way_everywhere(sim, tmp_path, kind, row, environment, options, expected):
    sim.reset()
    env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=sim.url, **environment)
    run = RUNNERS[kind](sim, tmp_path, env, options)
    text = " ".join((run.stdout + run.stderr).split())
    if expected == "ok":
        assert run.returncode == 0, text
        assert sim.stats()["errors"] == {}
    else:
        assert run.returncode != 0, text
        assert expected in text
    assert "Traceback" not in text
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize("kind", ["lookup", "module"])
def test_the_documented_region_variable_wins_in_lookups_and_modules(sim, tmp_path, kind):
    sim.reset()
    env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=sim.url, ALIBABA_CLOUD_REGION_ID="cn-shanghai",
                      ALICLOUD_REGION="cn-hangzhou", **GOOD)
    run = RUNNERS[kind](sim, tmp_path, env, {})
    assert run.returncode == 0, run.stdout + run.stderr
    assert set(sim.stats()["regions"]) == {"cn-shanghai"}
