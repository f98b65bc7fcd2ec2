"""The inventory plugin's parse() into a real InventoryData, with a real client, against the simulator
in-process (tests/support/in_process.py: no process, no socket)."""

from __future__ import annotations

import copy

import pytest
import yaml
from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
try:
    from ansible.template import Templar, trust_as_template
except ImportError:  # before ansible-core 2.19 (no data tagging); the core-2.NN sessions collect this module too
    pytest.skip("data tagging: ansible-core 2.19 and later", allow_module_level=True)

from tests.support.sim_process import KEY_ID, KEY_SECRET, SAMPLE_ACCOUNT, SECRETS

FAILED_STATES = {"TopicAndQueueFailure", "TopicFailure", "QueueFailure"}
ACCOUNT = yaml.safe_load(SAMPLE_ACCOUNT.read_text())


def expected_members(states=None, regions=None):
    """Host names computed straight from the account file: an oracle independent of the plugin."""
    groups = {g["ExpressSyncId"]: g for g in ACCOUNT["express_syncs"]}
    return {
        "%s@%s" % (s["ShareName"], s["GatewayId"]) for s in ACCOUNT["shares"]
        if s.get("ExpressSyncId") in groups
        and (states is None or s.get("ExpressSyncState") in states)
        and (regions is None or groups[s["ExpressSyncId"]]["BucketRegion"] in regions)
    }


@pytest.fixture
def sim(in_process):
    with in_process() as simulator:
        yield simulator


@pytest.fixture
def parse(tmp_path, sim):
    def run(parse_cache=True, simulator=None, **options):
        config = {"plugin": "alibabacloud.sgw.sgw", "endpoint": (simulator or sim).url, "access_key_id": KEY_ID,
                  "access_key_secret": KEY_SECRET}
        config.update(options)
        path = tmp_path / "test.sgw.yml"
        path.write_text(yaml.safe_dump(config))
        plugin = inventory_loader.get("alibabacloud.sgw.sgw")
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), str(path), cache=parse_cache)
        if getattr(plugin, "_cache", None):
            plugin.update_cache_if_changed()
        return inventory
    sim.reset()
    return run


def members_of(inventory, group):
    return {host.name for host in inventory.groups[group].get_hosts()} if group in inventory.groups else set()


@pytest.mark.parametrize("name, expected", [
    ("sgw.yml", True), ("prod.sgw.yml", True), ("prod.sgw.yaml", True), ("my-sgw.yml", True),
    ("hosts.yml", False), ("sgw.json", False), ("prod.SGW.yml", False), ("sgw.yml.bak", False),
])
def test_verify_file(tmp_path, name, expected):
    path = tmp_path / name
    path.write_text("plugin: alibabacloud.sgw.sgw\n")
    assert inventory_loader.get("alibabacloud.sgw.sgw").verify_file(str(path)) is expected


def test_default_hosts_groups_and_calls(parse, sim):
    inventory = parse()
    assert members_of(inventory, "sgw") == expected_members()
    assert members_of(inventory, "sgw_health_failed") == expected_members(FAILED_STATES)
    assert members_of(inventory, "sgw_state_QueueFailure") == expected_members({"QueueFailure"})
    for group in ACCOUNT["express_syncs"]:
        name = "sgw_sync_" + group["ExpressSyncId"].replace("-", "_")
        assert members_of(inventory, name) == {
            "%s@%s" % (s["ShareName"], s["GatewayId"]) for s in ACCOUNT["shares"]
            if s.get("ExpressSyncId") == group["ExpressSyncId"]}
    calls = sim.stats()["actions"]
    regions = len(ACCOUNT["regions"])
    assert calls["DescribeRegions"] == 1
    assert calls["DescribeExpressSyncs"] == regions
    assert calls["DescribeExpressSyncShares"] == len({g["BucketRegion"] for g in ACCOUNT["express_syncs"]})
    assert calls["DescribeGateways"] == len({g["StorageBundleId"] for g in ACCOUNT["gateways"]
                                             if any(s["GatewayId"] == g["GatewayId"] and s.get("ExpressSyncId")
                                                    for s in ACCOUNT["shares"])})


def test_host_variables_of_a_share(parse):
    inventory = parse()
    share = next(s for s in ACCOUNT["shares"] if s.get("ExpressSyncState") in FAILED_STATES)
    gateway = next(g for g in ACCOUNT["gateways"] if g["GatewayId"] == share["GatewayId"])
    group = next(g for g in ACCOUNT["express_syncs"] if g["ExpressSyncId"] == share["ExpressSyncId"])
    host = inventory.get_host("%s@%s" % (share["ShareName"], share["GatewayId"]))
    variables = host.get_vars()
    assert variables["sgw_health"] == "failed"
    assert variables["express_sync_state"] == share["ExpressSyncState"]
    assert variables["express_sync_name"] == group["Name"]
    assert variables["express_sync_bucket_name"] == group["BucketName"]
    assert variables["gateway_name"] == gateway["Name"]
    assert variables["gateway_status"] == gateway.get("Status")
    assert variables["ansible_host"] == (gateway.get("InnerIp") or gateway.get("Ip"))
    assert variables["sgw_region"] == group["BucketRegion"]


def test_regions_option_limits_calls_and_hosts(parse, sim):
    region = ACCOUNT["express_syncs"][0]["BucketRegion"]
    inventory = parse(regions=[region])
    assert members_of(inventory, "sgw") == expected_members(regions={region})
    calls = sim.stats()["actions"]
    assert "DescribeRegions" not in calls and calls["DescribeExpressSyncs"] == 1


def test_max_ids_per_call_chunks_the_shares_call(parse, sim):
    parse(max_ids_per_call=1, gateway_details=False)
    calls = sim.stats()["actions"]
    assert calls["DescribeExpressSyncShares"] == len(ACCOUNT["express_syncs"])
    assert "DescribeGateways" not in calls


def test_express_sync_ids_option(parse):
    wanted = ACCOUNT["express_syncs"][0]["ExpressSyncId"]
    inventory = parse(express_sync_ids=[wanted])
    assert members_of(inventory, "sgw") == {"%s@%s" % (s["ShareName"], s["GatewayId"]) for s in ACCOUNT["shares"]
                                            if s.get("ExpressSyncId") == wanted}


def test_hosts_from_gateways(parse):
    inventory = parse(hosts_from="gateways")
    gateways = {s["GatewayId"] for s in ACCOUNT["shares"] if s.get("ExpressSyncId")}
    assert members_of(inventory, "sgw") == gateways
    failed_gateways = {s["GatewayId"] for s in ACCOUNT["shares"]
                       if s.get("ExpressSyncId") and s.get("ExpressSyncState") in FAILED_STATES}
    assert members_of(inventory, "sgw_health_failed") == failed_gateways
    some = sorted(gateways)[0]
    shares = inventory.get_host(some).get_vars()["sgw_shares"]
    assert sorted(s["share_name"] for s in shares) == sorted(
        s["ShareName"] for s in ACCOUNT["shares"] if s["GatewayId"] == some and s.get("ExpressSyncId"))


def test_include_candidates(parse):
    inventory = parse(include_candidates=True)
    candidates = members_of(inventory, "sgw_candidates")
    assert candidates and not candidates & expected_members()
    for name in candidates:
        variables = inventory.get_host(name).get_vars()
        assert variables["sgw_candidate"] is True and variables["sgw_candidate_for"]


def test_health_filters_hostnames_prefix_and_constructed(parse):
    inventory = parse(health=["failed", "syncing"], exclude_filters=["express_sync_state == 'TopicFailure'"],
                      hostnames=["gateway_name ~ '/' ~ share_name"], hostvars_prefix="sgw_",
                      keyed_groups=[{"key": "sgw_gateway_location", "prefix": "location"}],
                      compose={"sync_done": "sgw_sync_progress == 100"}, groups={"busy": "sgw_sgw_health == 'syncing'"})
    expected = [s for s in ACCOUNT["shares"] if s.get("ExpressSyncId") and s.get("ExpressSyncState") in (
        FAILED_STATES - {"TopicFailure"}) | {"MNSFullSyncInit", "MNSFullSyncing"}]
    assert len(members_of(inventory, "sgw")) == len(expected)
    host = inventory.get_host(sorted(members_of(inventory, "busy"))[0])
    assert "/" in host.name
    variables = host.get_vars()
    assert "sgw_share_name" in variables and "share_name" not in variables and "ansible_host" in variables
    assert variables["sync_done"] is False
    assert any(g.startswith("location_") for g in inventory.groups)


def test_group_names_are_sanitised(parse):
    inventory = parse()
    assert all("-" not in name for name in inventory.groups)


def test_hostile_names_stay_inert(tmp_path, in_process):
    account = copy.deepcopy(ACCOUNT)
    gateway = account["gateways"][0]
    gateway["Name"] = "{{ lookup('pipe', 'touch %s') }}" % (tmp_path / "pwned")
    data = tmp_path / "account.yml"
    data.write_text(yaml.safe_dump(account, allow_unicode=True))
    with in_process(data=data) as simulator:
        config = tmp_path / "hostile.sgw.yml"
        config.write_text(yaml.safe_dump({"plugin": "alibabacloud.sgw.sgw", "endpoint": simulator.url,
                                          "access_key_id": KEY_ID, "access_key_secret": KEY_SECRET,
                                          "compose": {"copied": "gateway_name"}}))
        inventory = InventoryData()
        plugin = inventory_loader.get("alibabacloud.sgw.sgw")
        plugin.parse(inventory, DataLoader(), str(config), cache=False)
    hosts = [h for h in inventory.hosts.values() if h.get_vars().get("gateway_name") == gateway["Name"]]
    assert hosts
    templar = Templar(loader=DataLoader(), variables=hosts[0].get_vars())
    assert templar.template(trust_as_template("{{ gateway_name }}")) == gateway["Name"]
    assert templar.template(trust_as_template("{{ copied }}")) == gateway["Name"]
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("options, message", [
    ({"regions": ["Hangzhou!"]}, "is not a region id"),
    ({"express_sync_ids": ["gw-123"]}, "is not an express sync group id"),
    ({"max_concurrency": 0}, "max_concurrency must be 1 or more"),
    ({"max_ids_per_call": -1}, "max_ids_per_call must be 0"),
    ({"signature_version": "v2"}, "Invalid value 'v2' for config 'signature_version'"),
    ({"hosts_from": "buckets"}, "Invalid value 'buckets' for config 'hosts_from'"),
    ({"plugin": "alibabacloud.sgw.other"}, "plugin: alibabacloud.sgw.sgw"),
    ({"access_key_secret": None}, "access_key_id is set but access_key_secret is not"),
    ({"region": ["cn-hangzhou"]}, "unknown option 'region' \\(did you mean 'regions'\\?\\)"),
])
def test_bad_configuration_fails_before_any_call(parse, sim, options, message):
    with pytest.raises(AnsibleError, match=message) as info:
        parse(**options)
    assert not any(secret in str(info.value) for secret in SECRETS)
    assert sim.stats()["total"] == 0


def test_wrong_secret_names_the_code_and_request_id(parse):
    with pytest.raises(AnsibleParserError) as info:
        parse(access_key_secret="not-the-secret", regions=["cn-hangzhou"], max_retries=0)
    message = str(info.value)
    assert "SignatureDoesNotMatch" in message and "RequestId" in message and "cn-hangzhou" in message
    assert "not-the-secret" not in message


@pytest.mark.parametrize("failing", [{}, {"on_region_error": "fail"}, {"on_region_error": "error"}],
                         ids=["default", "fail", "error-of-1.1.0"])
def test_on_region_error(parse, sim, failing):
    broken = ACCOUNT["regions"][0]
    sim.faults(unavailable_regions=[broken])
    try:
        with pytest.raises(AnsibleParserError, match="region %s failed.*ServiceUnavailable" % broken):
            parse(max_retries=0, regions=ACCOUNT["regions"], **failing)
        inventory = parse(max_retries=0, on_region_error="warn", regions=ACCOUNT["regions"])
    finally:
        sim.faults()
    assert members_of(inventory, "sgw") == expected_members(regions=set(ACCOUNT["regions"]) - {broken})


def test_cache_hit_makes_no_call_and_keeps_groups(parse, tmp_path, in_process):
    cache_options = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile",
                     "cache_connection": str(tmp_path / "cache"), "include_candidates": True}
    with in_process() as simulator:
        first = parse(simulator=simulator, **cache_options)
        assert simulator.stats()["total"] > 0
        simulator.reset()
        second = parse(simulator=simulator, **cache_options)
        assert simulator.stats()["total"] == 0
    assert set(second.hosts) == set(first.hosts)
    assert set(second.groups) == set(first.groups)
    assert members_of(second, "sgw_health_failed") == members_of(first, "sgw_health_failed")
    cached = "".join(p.read_text() for p in (tmp_path / "cache").iterdir())
    assert not any(secret in cached for secret in SECRETS)
    # The simulator is gone: a cache hit still works, a refresh (--flush-cache) must refetch and fails.
    third = parse(simulator=simulator, **cache_options)
    assert set(third.hosts) == set(first.hosts)
    with pytest.raises(AnsibleParserError, match="could not reach"):
        parse(parse_cache=False, simulator=simulator, max_retries=0, **cache_options)


def test_health_groups_exist_even_when_empty(parse):
    inventory = parse(health=["healthy"])
    for health in ("healthy", "syncing", "failed", "disabled", "unknown"):
        assert "sgw_health_%s" % health in inventory.groups
    assert members_of(inventory, "sgw_health_failed") == set()


def test_bucket_filters_go_to_the_api(parse, sim):
    bucket = ACCOUNT["express_syncs"][0]["BucketName"]
    inventory = parse(regions=["cn-hangzhou", "cn-shanghai", "ap-southeast-1"], bucket_name=bucket)
    wanted = {g["ExpressSyncId"] for g in ACCOUNT["express_syncs"] if g["BucketName"] == bucket}
    assert {h.get_vars()["express_sync_id"] for h in inventory.groups["sgw"].get_hosts()} == wanted
    assert sim.stats()["actions"]["DescribeExpressSyncShares"] == 1  # only the bucket's region had groups


def test_bucket_prefix_needs_a_bucket(parse, sim):
    with pytest.raises(AnsibleError, match="bucket_prefix needs bucket_name"):
        parse(bucket_prefix="frames/")
    assert sim.stats()["total"] == 0


def test_share_details_one_call_per_gateway_with_member_shares(parse, sim):
    inventory = parse(regions=["cn-hangzhou"], share_details=True)
    gateways = {h.get_vars()["gateway_id"] for h in inventory.groups["sgw"].get_hosts()}
    assert sim.stats()["actions"]["DescribeGatewayFileShares"] == len(gateways)
    for host in inventory.groups["sgw"].get_hosts():
        variables = host.get_vars()
        record = next(s for s in ACCOUNT["shares"]
                      if s["GatewayId"] == variables["gateway_id"] and s["ShareName"] == variables["share_name"])
        assert variables["share_protocol"] == record.get("Protocol", "NFS")
        assert variables["share_oss_bucket"] == record["BucketName"]
        assert variables["share_path_prefix"] == record.get("PathPrefix", "")


def test_templated_options_use_lookups(parse, sim, monkeypatch):
    monkeypatch.setenv("SGW_TEST_PROD_SECRET", KEY_SECRET)
    monkeypatch.setenv("SGW_TEST_REGIONS", "cn-hangzhou")
    inventory = parse(access_key_secret="{{ lookup('ansible.builtin.env', 'SGW_TEST_PROD_SECRET') }}",
                      regions="{{ lookup('ansible.builtin.env', 'SGW_TEST_REGIONS') | split(',') }}")
    assert members_of(inventory, "sgw") == expected_members(regions={"cn-hangzhou"})
    assert sim.stats()["actions"]["DescribeExpressSyncs"] == 1


def test_a_region_typo_names_the_valid_regions(parse, sim):
    with pytest.raises(AnsibleError) as info:
        parse(regions=["cn-hangzou"])
    assert "'cn-hangzou' is not served by SGW; DescribeRegions lists: %s." % ", ".join(ACCOUNT["regions"]) in str(
        info.value)
    assert sim.stats()["actions"] == {"DescribeRegions": 1}


def test_an_invalid_choice_lists_the_valid_values(parse):
    with pytest.raises(AnsibleError, match="Invalid value 'share' for config .*hosts_from.*Valid values are: shares, "
                                           "gateways"):
        parse(hosts_from="share")


@pytest.mark.parametrize("hosts_from, expected", [("shares", "share media-nfs@gw-0001b2odzvl3b1mhi"),
                                                  ("gateways", "gateway gw-0001b2odzvl3b1mhi")])
def test_a_failing_filter_names_the_host_as_it_is_named(parse, hosts_from, expected):
    with pytest.raises(AnsibleError, match="a filter failed on %s" % expected):
        parse(regions=["cn-hangzhou"], hosts_from=hosts_from, filters=["undefined_variable_xyz > 1"])


def test_gateway_tags_one_call_per_region_and_keyed_groups(parse, sim):
    keyed_groups = [{"key": "gateway_tags", "prefix": "tag"}]
    inventory = parse(regions=["cn-hangzhou"], gateway_tags=True, keyed_groups=keyed_groups)
    tags = ACCOUNT.get("gateway_tags", {})
    assert sim.stats()["actions"]["ListTagResources"] == 1
    for host in inventory.groups["sgw"].get_hosts():
        variables = host.get_vars()
        assert variables["gateway_tags"] == tags.get(variables["gateway_id"], {})
    assert members_of(inventory, "tag_env_prod") == {
        h.name for h in inventory.groups["sgw"].get_hosts() if tags.get(h.get_vars()["gateway_id"], {}).get("env")
        == "prod"}
    plain = parse(regions=["cn-hangzhou"])
    assert all("gateway_tags" not in h.get_vars() for h in plain.groups["sgw"].get_hosts())


def test_the_sgw_group_is_made_even_with_no_share(parse):
    """A play tells an empty estate (the group sgw exists, empty) from a failed inventory (no group sgw)."""
    inventory = parse(express_sync_ids=["sync-nosuchgroup0000"], regions=["cn-hangzhou"])
    assert "sgw" in inventory.groups and members_of(inventory, "sgw") == set()


def test_every_region_failing_fails_the_inventory_even_with_warn(parse, sim):
    """With on_region_error: warn, a region that fails is skipped; when every region fails nothing was
    read, and an inventory with empty groups would look like a healthy estate."""
    sim.faults(unavailable_regions=list(ACCOUNT["regions"]))
    try:
        with pytest.raises(AnsibleParserError, match="every region failed, nothing was read") as info:
            parse(max_retries=0, on_region_error="warn", regions=ACCOUNT["regions"])
    finally:
        sim.faults()
    assert all(region in str(info.value) for region in ACCOUNT["regions"])
