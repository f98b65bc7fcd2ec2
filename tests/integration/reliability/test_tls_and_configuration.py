"""TLS verification against the simulator's self-signed HTTPS, and bad configuration.

Verification is on by default and refuses the simulator's certificate; the CA bundle option, or
``validate_certs: false``, makes the same run give the fault-free inventory, even when the
environment names another CA bundle (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``), which
``requests`` would otherwise let win. Bad configuration fails before any API call, with one line
saying what to change.
"""

from __future__ import annotations

import pathlib
import re

import certifi
import pytest

from tests.integration.reliability.conftest import Run, assert_clean, credentials, golden, inventory, write_config
from tests.support.sim_process import Simulator, ansible_env, run_ansible

# What a machine's environment may say about CA bundles; neither knows the simulator's CA.
OTHER_BUNDLES = {"REQUESTS_CA_BUNDLE": certifi.where(), "CURL_CA_BUNDLE": certifi.where()}


@pytest.fixture(scope="module")
def tls_simulator(tmp_path_factory):
    ca_file = tmp_path_factory.mktemp("tls") / "simulator-ca.pem"
    with Simulator("--tls", "--cert-out", ca_file) as sim:
        sim.ca_file = ca_file
        yield sim


def test_the_simulator_certificate_is_refused_by_default(tls_simulator, tmp_path):
    run = inventory(tls_simulator.url, tmp_path, env=credentials(**OTHER_BUNDLES))
    assert run.rc != 0
    line = run.error_line()
    assert ("DescribeExpressSyncs in region cn-hangzhou failed: TLS verification of %s failed (SSLError: "
            "certificate verify failed: self-signed certificate in certificate chain" % tls_simulator.url) in line
    assert "Use the option ca_bundle for a private CA, or validate_certs: false for a test endpoint." in line
    assert ", retry " not in run.stdout
    assert_clean(run)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_the_ca_bundle_makes_it_accepted(tls_simulator, tmp_path, how):
    if how == "option":  # a path under ~ (expanded)
        home = tmp_path / "home"
        (home / ".sgw").mkdir(parents=True)
        pathlib.Path(home / ".sgw" / "ca.pem").write_bytes(tls_simulator.ca_file.read_bytes())
        run = inventory(tls_simulator.url, tmp_path, env=credentials(HOME=home, **OTHER_BUNDLES),
                        ca_bundle="~/.sgw/ca.pem")
    else:
        env = credentials(ALIBABA_CLOUD_SGW_CA_BUNDLE=tls_simulator.ca_file, **OTHER_BUNDLES)
        run = inventory(tls_simulator.url, tmp_path, env=env)
    assert run.rc == 0, run.explain()
    assert run.listing == golden()
    assert_clean(run)


def test_validate_certs_false_makes_it_accepted(tls_simulator, tmp_path):
    run = inventory(tls_simulator.url, tmp_path, env=credentials(**OTHER_BUNDLES), validate_certs=False)
    assert run.rc == 0, run.explain()
    assert run.listing == golden()
    assert_clean(run)


# options -> the line that says what to change
BAD_CONFIGURATIONS = [
    ({"max_concurency": 4},
     "Invalid alibabacloud.sgw.sgw configuration: unknown option 'max_concurency' (did you mean 'max_concurrency'?)."),
    ({"max_retries": "lots"},
     "Config 'max_retries' for 'ansible_collections.alibabacloud.sgw.plugins.inventory.sgw' inventory plugin from "
     "'Direct' has an invalid value: Invalid value provided for 'int': 'lots'"),
    ({"timeout": "soon"},
     "Config 'timeout' for 'ansible_collections.alibabacloud.sgw.plugins.inventory.sgw' inventory plugin from "
     "'Direct' has an invalid value: Invalid value provided for 'float': 'soon'"),
    ({"validate_certs": "maybe"},
     "Invalid alibabacloud.sgw.sgw configuration: validate_certs must be true or false, not 'maybe'."),
    ({"regions": ["cn-hangzhou", "cn_shanghai"]},
     "Invalid alibabacloud.sgw.sgw configuration: 'cn_shanghai' is not a region id (for example cn-hangzhou)."),
    ({"express_sync_ids": ["sync-0002xetjdlxne2sd", "0002p9t4hz6c3yxe"]},
     "Invalid alibabacloud.sgw.sgw configuration: '0002p9t4hz6c3yxe' is not an express sync group id (sync-...)."),
    ({"signature_version": "v2"},
     "Invalid value 'v2' for config 'signature_version' for 'ansible_collections.alibabacloud.sgw.plugins.inventory."
     "sgw' inventory plugin. Valid values are: v3, v1"),
    ({"max_concurrency": 0},
     "Invalid alibabacloud.sgw.sgw configuration: max_concurrency must be 1 or more (1 makes the calls one after "
     "another)."),
    ({"timeout": 0}, "timeout must be a positive number of seconds, not 0.0."),
    ({"timeout": float("inf")}, "timeout must be a finite number of seconds, not inf."),
    ({"max_retries": -1}, "max_retries must be a whole number, 0 or more, not -1."),
    ({"max_retry_time": -5}, "max_retry_time must be 0 or more seconds (0: no retries), not -5.0."),
    ({"ca_bundle": "/nonexistent/ca.pem"},
     "ca_bundle /nonexistent/ca.pem is not a file; set it to a PEM file of CA certificates."),
    ({"endpoint": "ftp://127.0.0.1"}, "The endpoint 'ftp://127.0.0.1' is not a valid http(s) URL."),
]


def test_bad_configuration_fails_before_any_call_with_one_line(sim, tmp_path):
    # One ansible-inventory run with every bad file as a source: each one fails on its own.
    sources = [write_config(tmp_path, name="bad%02d" % number, **options)
               for number, (options, dummy) in enumerate(BAD_CONFIGURATIONS)]
    arguments = [argument for source in sources for argument in ("-i", source)]
    env = ansible_env(ALIBABA_CLOUD_SGW_ENDPOINT=sim.url, ANSIBLE_INVENTORY_UNPARSED_FAILED="false", **credentials())
    process = run_ansible("ansible-inventory", *arguments, "--list", env=env)
    run = Run(process)
    messages = {}
    block = []
    for line in run.stderr.splitlines():
        block.append(line)
        unparsed = re.match(r"\[WARNING\]: Unable to parse (.+) as an inventory source", line)
        if unparsed:
            errors = [b.split(" plugin: ", 1)[1] for b in block
                      if b.startswith("[WARNING]: Failed to parse inventory with 'auto' plugin: ")]
            messages[unparsed.group(1)] = errors
            block = []
    for source, (options, expected) in zip(sources, BAD_CONFIGURATIONS):
        assert messages.get(str(source)) == [expected], (options, messages.get(str(source)))
    assert sim.stats()["requests"] == 0
    assert_clean(run)


def test_a_bad_boolean_in_the_environment_fails_before_any_call(sim, tmp_path):
    run = inventory(sim.url, tmp_path, env=credentials(ALIBABA_CLOUD_SGW_VALIDATE_CERTS="nah"))
    assert run.rc != 0
    assert run.error_line() == ("Invalid configuration: validate_certs must be true or false, not 'nah' (from the "
                                "environment variable ALIBABA_CLOUD_SGW_VALIDATE_CERTS).")
    assert sim.stats()["requests"] == 0
    assert_clean(run)


def test_max_retry_time_zero_means_one_attempt(sim, tmp_path):
    sim.faults(unavailable_regions=["cn-hangzhou"])
    run = inventory(sim.url, tmp_path, max_retries=5, max_retry_time=0, max_concurrency=1,
                    regions=["cn-hangzhou"])
    assert run.rc != 0
    assert "ServiceUnavailable (HTTP 503). " in run.error_line()
    assert sim.stats()["errors"] == {"ServiceUnavailable": 1}
