# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: sgw
short_description: Cloud Storage Gateway shares as hosts, grouped by express sync group and sync health
version_added: 1.0.0
author:
  - alibabacloud.sgw maintainers (@alibabacloud-sgw)
description:
  - Calls the Alibaba Cloud Cloud Storage Gateway (SGW) API and makes one host per share that is a member of an
    express sync group (or, with O(hosts_from=gateways), one host per gateway).
  - "Hosts are grouped by express sync group, by sync health, by raw C(ExpressSyncState), by region and by
    gateway, so that a play with C(hosts: sgw_health_failed) targets exactly the shares whose sync is broken."
  - Per region it makes one C(DescribeExpressSyncs) call, one C(DescribeExpressSyncShares) call with all the
    group ids of the region, and C(DescribeGateways) calls for the storage bundles that the shares name; regions
    are fetched concurrently.
  - The region of a group (C(sgw_region), C(sgw_region_<region>)) is its C(BucketRegion), and a share's is its
    group's. When an answer holds groups of other regions, the endpoint answers for the whole account - each group
    is filed under its own region, O(regions) filters the groups, and the other regions of that endpoint are not
    asked again.
  - A gateway cluster that no longer exists keeps its shares, without gateway details, with a warning.
  - The inventory file name must end in C(sgw.yml) or C(sgw.yaml), for example C(prod.sgw.yml).
  - Every string that comes from the API is marked unsafe, so it is never templated.
  - "Health (C(sgw_health)): C(MNSHealthy) is V(healthy); C(MNSFullSyncInit) and C(MNSFullSyncing) are V(syncing);
    C(TopicAndQueueFailure), C(TopicFailure) and C(QueueFailure) are V(failed); C(MNSNotEnabled) is V(disabled);
    any other state, the empty one included, is V(unknown)."
  - "A member share whose C(SyncProgress) is V(-2) (its gateway version does not support full sync) has
    C(sgw_full_sync_supported=false) and is in the group C(sgw_full_sync_unsupported); other member shares have
    C(sgw_full_sync_supported=true)."
  - "The options O(regions), O(endpoint), O(sts_endpoint), O(bucket_name), O(bucket_prefix) and the credential and
    role options may be Jinja templates and use lookups, for example
    C(access_key_secret: \"{{ lookup('ansible.builtin.env', 'PROD_SECRET') }}\"). API data is never templated."
  - "A configured region that C(DescribeRegions) does not list is an error that names the valid regions."
  - "With O(cache), the cache key holds the inventory file, the options that shape what is fetched (O(regions),
    O(express_sync_ids), O(bucket_name), O(bucket_prefix), O(include_candidates), O(gateway_details),
    O(share_details), O(gateway_tags), O(health_signals) and the account options), the endpoint settings
    (O(endpoint), O(endpoint_type), O(endpoints)) and a one-way digest of the identity (the AccessKey ID, or the role
    and its source for temporary credentials; never a secret). The same configuration and identity is a hit, with no
    call; any other is fetched afresh."
  - "Groups, always made (names go through the standard sanitiser, so dashes become underscores):
    C(sgw) (every host; made whenever the inventory was read, even with no host, so that a play can tell an empty
    estate from a failed inventory), the five C(sgw_health_<health>) groups (present even when empty, so that
    C(hosts: sgw_health_failed) works on a healthy estate), C(sgw_sync_<ExpressSyncId>) (members of a group),
    C(sgw_state_<ExpressSyncState>), C(sgw_region_<region>), C(sgw_gateway_<GatewayId>),
    C(sgw_full_sync_unsupported), and with
    O(include_candidates) also C(sgw_candidates) and C(sgw_sync_<ExpressSyncId>_candidates)."
  - "Each member share host has the verdict C(sgw_condition) and C(sgw_condition_reasons) of the signals of
    O(health_signals) (by default the express sync state alone, at no extra call), and is in
    C(sgw_condition_<condition>) and C(sgw_reason_<code>); these groups are made even when empty (for the codes
    that the signals can give). A gateway host (O(hosts_from=gateways)) has the worst condition of its
    member shares and all their reasons. Candidate shares have no verdict. A signal that could not be read is
    warned about, gives V(unknown), and keeps the estate out of the inventory cache."
  - "With O(accounts) or O(resource_directory), every host gets C(sgw_account_id), C(sgw_account_name) and
    C(sgw_account_role_arn) (the role it was read through, null for the calling account; give it to modules as
    C(ram_role_arn)) and is in the group C(sgw_account_<id>); use them in O(keyed_groups), O(filters) and
    O(hostnames). Accounts and regions are read side by side, O(max_concurrency) staying the cap of the calls in
    flight. An account fails (O(on_account_error)) when its role cannot be assumed, or, with
    O(on_region_error=fail), when one of its regions failed. With the cache, each account has its own cache
    entry: with O(on_account_error=warn) the other accounts are cached and the skipped one is read again next time."
requirements:
  - requests
extends_documentation_fragment:
  - alibabacloud.sgw.common
  - alibabacloud.sgw.common.health
  - alibabacloud.sgw.common.accounts
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; it makes the file an C(alibabacloud.sgw.sgw) inventory source.
    type: str
    required: true
    choices: [alibabacloud.sgw.sgw]
  regions:
    description:
      - The regions to query. An empty list means every region that C(DescribeRegions) returns.
      - When an endpoint answers for the whole account, the regions filter the groups (by C(BucketRegion)) rather
        than select the calls.
    type: list
    elements: str
    default: []
  express_sync_ids:
    description:
      - Only these express sync groups (their C(ExpressSyncId)). An empty list means every group.
    type: list
    elements: str
    default: []
  bucket_name:
    version_added: 1.1.0
    description:
      - Only the express sync groups of this OSS bucket, filtered by the API (C(DescribeExpressSyncs) with
        C(BucketName)), so that the other groups are never described.
    type: str
  bucket_prefix:
    version_added: 1.1.0
    description:
      - With O(bucket_name), only the group of this prefix of the bucket; an empty string selects the group of the
        bucket's root.
    type: str
  share_details:
    version_added: 1.1.0
    description:
      - Add the details of each member share from C(DescribeGatewayFileShares), one call per gateway that has member
        shares (concurrently, like the other calls) - C(share_protocol), C(share_oss_bucket), C(share_oss_endpoint),
        C(share_path_prefix), C(share_oss_health), C(share_mns_health), C(share_index_id), C(share_enabled),
        C(share_state), C(share_address), C(share_local_path), C(share_cache_mode), C(share_size), C(share_used),
        C(share_in_rate), C(share_out_rate) and C(share_remote_sync).
    type: bool
    default: false
  gateway_tags:
    version_added: 1.1.0
    description:
      - "Read the tags of each gateway that has member shares with C(ListTagResources) (one call per region and per
        50 gateways) into C(gateway_tags), a dict of tag key to value (empty when the gateway has none), on share
        and gateway hosts; use it in O(keyed_groups), for example C(key: gateway_tags) with C(prefix: tag)."
    type: bool
    default: false
  hosts_from:
    description:
      - V(shares) makes one host per member share, named C(<ShareName>@<GatewayId>) by default.
      - V(gateways) makes one host per gateway, named by its C(GatewayId), with its shares in C(sgw_shares)
        and the worst health of them in C(sgw_health) (V(failed) > V(unknown) > V(syncing) > V(disabled) > V(healthy)).
    type: str
    choices: [shares, gateways]
    default: shares
  hostnames:
    description:
      - Jinja expressions over the host's variables (the names without O(hostvars_prefix) and O(hostvars_suffix));
        the first one that gives a non-empty string names the host.
      - When none does, the default name is used (C(<ShareName>@<GatewayId>), or the C(GatewayId)).
    type: list
    elements: str
    default: []
  hostvars_prefix:
    description: A prefix for the name of every host variable but C(ansible_host).
    type: str
    default: ''
  hostvars_suffix:
    description: A suffix for the name of every host variable but C(ansible_host).
    type: str
    default: ''
  include_candidates:
    description:
      - Also make hosts of the shares that could join each group (C(DescribeExpressSyncShares) with
        C(IsExternal=true)), in the groups C(sgw_candidates) and C(sgw_sync_<ExpressSyncId>_candidates).
    type: bool
    default: false
  gateway_details:
    description:
      - Read each gateway's details with C(DescribeGateways) (its status, addresses, class, version...) and set
        C(ansible_host) to its C(InnerIp), else its C(Ip). Turn off to save those calls.
    type: bool
    default: true
  health:
    description:
      - Keep only the hosts whose C(sgw_health) is one of these. An empty list keeps every host.
    type: list
    elements: str
    choices: [healthy, syncing, failed, disabled, unknown]
    default: []
  filters:
    description:
      - Jinja conditionals over the host's variables (without prefix and suffix); a host is kept only when every
        one of them is true.
    type: list
    elements: str
    default: []
  exclude_filters:
    description:
      - Jinja conditionals over the host's variables (without prefix and suffix); a host is dropped when any one of
        them is true. They win over O(filters).
    type: list
    elements: str
    default: []
  max_ids_per_call:
    description:
      - The most group ids sent in one C(DescribeExpressSyncShares) call; V(0) sends all the groups of a region in
        one call.
    type: int
    default: 0
  max_concurrency:
    description:
      - How many API calls may be in flight at once (regions, id batches, storage bundles and pages are fetched
        concurrently). V(1) makes every call one after another.
    type: int
    default: 8
  on_region_error:
    description:
      - What to do when the calls of a region fail (after retries).
      - V(fail) fails the inventory with a message naming the region, the action, the API C(Code) and C(RequestId).
      - V(warn) warns the same way and keeps the other regions. The inventory cache is not written then. When every
        region fails, nothing was read, and the inventory fails all the same, so that no play mistakes it for an
        empty estate.
      - V(error) is the same as V(fail) (its name before 1.2.0).
    type: str
    choices: [fail, warn, error]
    default: fail
"""

EXAMPLES = r"""
# prod.sgw.yml: every share of two regions, credentials from the environment
plugin: alibabacloud.sgw.sgw
regions:
  - cn-hangzhou
  - cn-shanghai

# prod.sgw.yml: the secret from an environment variable of another name (templated options)
# plugin: alibabacloud.sgw.sgw
# regions: "{{ lookup('ansible.builtin.env', 'SGW_REGIONS') | split(',') }}"
# access_key_id: "{{ lookup('ansible.builtin.env', 'PROD_KEY_ID') }}"
# access_key_secret: "{{ lookup('ansible.builtin.env', 'PROD_SECRET') }}"

# account-b.sgw.yml: another account through a RAM role, only one bucket's groups, with share details
# plugin: alibabacloud.sgw.sgw
# regions: [cn-hangzhou]
# ram_role_arn: acs:ram::123456789012****:role/sgw-reader
# bucket_name: acme-media-assets
# share_details: true
# gateway_tags: true
# keyed_groups:
#   - key: share_protocol
#     prefix: protocol
#   - key: gateway_tags       # tag_env_prod, tag_team_media...
#     prefix: tag

# estate.sgw.yml: every account of the resource directory (management account's credentials), failed shares by account
# plugin: alibabacloud.sgw.sgw
# regions: [cn-hangzhou, cn-shanghai]
# resource_directory: true
# on_account_error: warn
# health: [failed]
# keyed_groups:
#   - key: sgw_account_name
#     prefix: account

# two-accounts.sgw.yml: two named accounts, each through its role
# plugin: alibabacloud.sgw.sgw
# regions: [cn-hangzhou]
# accounts:
#   - role_arn: acs:ram::123456789012****:role/sgw-reader
#     name: media
#   - role_arn: acs:ram::210987654321****:role/sgw-reader
#     name: finance
#     external_id: sgw-finance

# health.sgw.yml: one verdict per share from every signal, a longer upload lag allowed
# plugin: alibabacloud.sgw.sgw
# health_signals: [express_sync, gateway, file_share, alerts]
# upload_lag_seconds: 7200
# (then: ansible-playbook -i health.sgw.yml site.yml -l sgw_condition_failed)

# gateways.sgw.yml: one host per gateway, only those with a broken share
# plugin: alibabacloud.sgw.sgw
# hosts_from: gateways
# health: [failed]

# simulator.sgw.yml: against a local SGW simulator, with candidates, cache and constructed groups
# plugin: alibabacloud.sgw.sgw
# endpoint: http://127.0.0.1:8080
# access_key_id: LTAI5tSimulatorKey
# access_key_secret: "{{ lookup('ansible.builtin.env', 'SGW_SIM_SECRET') }}"
# include_candidates: true
# hostnames:
#   - gateway_name ~ '-' ~ share_name
# keyed_groups:
#   - key: gateway_location
#     prefix: location
# compose:
#   sync_done: sync_progress == 100
# filters:
#   - gateway_status == 'Running'
# cache: true
# cache_plugin: ansible.builtin.jsonfile
# cache_connection: ~/.cache/sgw-inventory
# cache_timeout: 600
"""

from ansible.errors import AnsibleError, AnsibleOptionsError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import TEMPLATED_OPTIONS as SHARED_TEMPLATED_OPTIONS
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire import api
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.assembly import RegionFailure
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.fetch import ESTATE_FORMAT
from ansible_collections.alibabacloud.sgw.plugins.module_utils.estate.signals import (
    error_warning,
    estate_signal_errors,
    signals_read,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.options import (
    account_settings,
    concurrency_problem,
    extra_signals,
    health_argument_spec,
    health_settings,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.accounts import is_multi_account, option_problems
from ansible_collections.alibabacloud.sgw.plugins.plugin_utils import accounts as multi
from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.base import (
    DATA_TAGGING,
    SgwPluginMixin,
    evaluate_conditional,
    make_unsafe,
    may_be_template,
    unknown_options,
)
from ansible_collections.alibabacloud.sgw.plugins.plugin_utils.inventory import (
    HOSTS_FROM_GATEWAYS,
    cache_key,
    nothing_read,
    always_groups,
    EstateIndex,
    affix_vars,
    default_hostname,
    estate_fetcher,
    is_plain,
    missing_gateway_warnings,
    names_this_plugin,
)
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.validation import (
    invalid_bucket_filter,
    invalid_express_sync_ids,
    invalid_regions,
)

CACHE_FORMAT = "alibabacloud.sgw.sgw/%d" % ESTATE_FORMAT
FILE_SUFFIXES = ("sgw.yml", "sgw.yaml")
# Options that may be Jinja templates (with lookups), as aws_ec2's templatable options.
TEMPLATED_OPTIONS = ("regions", "bucket_name", "bucket_prefix") + SHARED_TEMPLATED_OPTIONS


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable, SgwPluginMixin):

    NAME = "alibabacloud.sgw.sgw"
    sgw_error_class = AnsibleParserError

    def verify_file(self, path):
        if not super().verify_file(path):
            return False
        if path.endswith(FILE_SUFFIXES):
            return True
        message = ("alibabacloud.sgw.sgw skips %s: its file name must end in sgw.yml or sgw.yaml "
                   "(for example prod.sgw.yml)" % path)
        if names_this_plugin(path):
            self.display.warning(message)  # meant for this plugin: say why it is not read, at every verbosity
        else:
            self.display.vvv(message)
        return False

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        try:
            config = self._read_config_data(path)
        except AnsibleParserError as exc:
            if "Incorrect plugin name" in str(exc):
                raise AnsibleParserError("%s: %s; it must be 'plugin: %s'." % (path, exc, self.NAME)) from None
            raise
        except AnsibleOptionsError as exc:  # an invalid choice: say which values are valid
            help_text = getattr(exc, "_help_text", None)  # ansible-core 2.19 and later
            raise AnsibleParserError(exc.message + (" " + help_text if help_text else "")) from None
        self._template_options(config)
        self._check_options(config)
        shared = self.sgw_client_options()
        configured = self.get_option("regions")
        # Lazy: temporary credentials are fetched only on a cache miss; their identity is known before.
        client = self.sgw_client(pool_size=self.get_option("max_concurrency"), options=shared, lazy=True,
                                 region=configured[0] if configured else None)
        try:
            key = cache_key(self.get_cache_key(path), self._option, shared, client.credentials) \
                if self.get_option("cache") else None
            if is_multi_account(self._accounts):
                estate = self._fetch_accounts(client, key, cache)
            else:
                estate = self._cached_estate(key, path) if cache and key else None
                if estate is None:
                    estate = self._fetch_estate(client)
                    if key and not any(r["error"] for r in estate["regions"].values()) \
                            and not estate_signal_errors(estate):
                        self._cache[key] = {"format": CACHE_FORMAT, "estate": estate}
        finally:
            client.close()
        self._populate(estate)

    # ------------------------------------------------------------------------------ data

    def _check_options(self, config):
        """Fail on bad settings before any API call."""
        problems = unknown_options(config, self.option_definitions)
        problems += invalid_regions(self.get_option("regions"))
        problems += invalid_express_sync_ids(self.get_option("express_sync_ids"))
        problems += invalid_bucket_filter(self.get_option("bucket_name"), self.get_option("bucket_prefix"))
        try:
            self._accounts = account_settings(self.sgw_given)
        except SgwError as exc:
            raise AnsibleParserError("alibabacloud.sgw.sgw: %s" % exc) from None
        problems += option_problems(self._accounts)
        self._signals, self._thresholds, health_problems = health_settings(
            {name: self.get_option(name) for name in health_argument_spec()})
        problems += health_problems
        if "gateway" in (self._signals or ()) and not self.get_option("gateway_details"):
            problems.append("the gateway health signal comes with the calls of gateway_details: set gateway_details "
                            "to true, or leave gateway out of health_signals")
        problems += [p for p in (concurrency_problem(self.get_option("max_concurrency")),) if p]
        if self.get_option("max_ids_per_call") < 0:
            problems.append("max_ids_per_call must be 0 (no limit) or more")
        if problems:
            raise AnsibleParserError("Invalid alibabacloud.sgw.sgw configuration: %s." % "; ".join(problems))

    def _option(self, name):
        """An option's value: an account option as the shared table resolves it, any other as Ansible does."""
        return self._accounts[name] if name in self._accounts else self.get_option(name)

    def _template_options(self, config):
        """Render the options written as templates (never API data, never values from the environment).

        The value as written is templated (Ansible has already split a list option's string on
        commas). The shared options, rendered, are what the plugin resolves its client from.
        """
        given = dict(config)
        for name in TEMPLATED_OPTIONS:
            definition = self.option_definitions.get(name) or {}
            for key in [name] + list(definition.get("aliases") or ()):
                value = config.get(key)
                if value is None or not self.templar.is_template(value):
                    continue
                try:
                    rendered = self.templar.template(value)
                except AnsibleError as exc:
                    raise AnsibleParserError("alibabacloud.sgw.sgw: the option %s could not be templated: %s" % (
                        name, exc.message)) from None
                given[key] = rendered
                self.set_option(name, rendered)
        self.sgw_given = given

    def _cached_estate(self, key, path):
        """The estate cached under ``key`` (this configuration and identity), when it is of this format."""
        try:
            cached = self._cache[key]
        except KeyError:
            return None
        if isinstance(cached, dict) and cached.get("format") == CACHE_FORMAT:
            estate = cached.get("estate")
            if not set(extra_signals(self._signals)) <= signals_read(estate):  # nor signals it did not read
                return None
            self.display.vvv("alibabacloud.sgw.sgw: using the cached estate of %s" % path)
            return estate
        return None

    def _fetcher(self, client):
        """The estate fetcher of one account, as the options say (with health_signals, the signals too)."""
        return estate_fetcher(client, self.get_option, self._signals)

    def _regions(self, client):
        """The regions to read (configured ones checked, else DescribeRegions'), the client's credentials
        fetched first (a lazy client's): their errors are the plugin's, as they were."""
        self.sgw_credentials_ready(client)
        configured = self.get_option("regions")
        try:
            return api.check_regions(client, configured) if configured else self._discover_regions(client)
        except SgwError as exc:
            raise AnsibleParserError("alibabacloud.sgw.sgw: %s" % exc) from None

    def _fetch_accounts(self, client, key, cache):
        """The estate of several accounts (see plugin_utils/accounts.py), each cached on its own under ``key``."""
        self.sgw_credentials_ready(client)  # once, before the calls that need them run side by side
        try:
            reader = multi.AccountsReader(self, client, self._fetcher, self._accounts, self._cache if key else None,
                                          key, refresh=not cache)
            estate = reader.read(lambda: self._regions(client))
        except multi.AccountFailure as failure:
            raise AnsibleParserError(multi.failure_message(failure)) from None
        except SgwError as exc:
            raise AnsibleParserError("alibabacloud.sgw.sgw: %s" % exc) from None
        for message in multi.warnings_of(estate):
            self.display.warning(message)
        for entry in estate["accounts"]:
            self._warn_signals(entry)
        return estate

    def _fetch_estate(self, client):
        regions = self._regions(client)
        try:
            estate = self._fetcher(client).fetch(regions)
        except RegionFailure as failure:
            raise AnsibleParserError("alibabacloud.sgw.sgw: region %s failed: %s Set on_region_error: warn to keep "
                                     "the other regions." % (failure.region, failure.error)) from None
        except SgwError as exc:
            raise AnsibleParserError("alibabacloud.sgw.sgw: %s" % exc) from None
        failed = {region: data["error"] for region, data in estate["regions"].items() if data["error"]}
        if failed and len(failed) == len(estate["regions"]):  # nothing read: no group, never an empty estate
            raise AnsibleParserError("alibabacloud.sgw.sgw: " + nothing_read(failed))
        for region, error in failed.items():
            self.display.warning("alibabacloud.sgw.sgw: region %s skipped: %s" % (region, error["message"]))
        self._warn_signals(estate)
        return estate

    def _warn_signals(self, estate):
        for what, key, error in estate_signal_errors(estate):
            self.display.warning("alibabacloud.sgw.sgw: " + error_warning(what, key, error))

    def _discover_regions(self, client):
        regions = api.describe_regions(client)
        self.display.vvv("alibabacloud.sgw.sgw: regions from DescribeRegions: %s" % ", ".join(regions))
        return regions

    # ----------------------------------------------------------------------------- hosts

    def _populate(self, estate):
        # With ansible-core 2.19+ a string is templated only when it is tagged TrustedAsTemplate. JSON
        # from the API or from the cache is plain (nothing is tagged), so it is unsafe as it is: only
        # data that carries tags (a cache written by hand) is made unsafe, once for the whole estate
        # rather than per host (that deep copy was a quarter of the host building). Before 2.19 every
        # string is a template unless it is wrapped unsafe, so there the whole estate always is.
        if not (DATA_TAGGING and is_plain(estate)):
            estate = make_unsafe(estate)
        hosts_from = self.get_option("hosts_from")
        hosts = self._hosts(estate, hosts_from)
        health = set(self.get_option("health"))
        prefix, suffix = self.get_option("hostvars_prefix"), self.get_option("hostvars_suffix")
        constructed = any(self.get_option(o) for o in ("compose", "groups", "keyed_groups"))
        filtered = bool(self.get_option("filters") or self.get_option("exclude_filters"))
        named = bool(self.get_option("hostnames"))
        inventory = self.inventory
        add_host, add_child, set_variable = inventory.add_host, inventory.add_child, inventory.set_variable
        group_names = {raw: inventory.add_group(self._sanitize_group_name(raw)) for raw in always_groups(self._signals)}
        seen = set()
        for variables, raw_groups in hosts:
            if health and variables["sgw_health"] not in health:
                continue
            if filtered and not self._passes_filters(variables, hosts_from, named):
                continue
            hostname = self._hostname(variables, hosts_from) if named else default_hostname(variables, hosts_from)
            if hostname in seen:
                self.display.warning("alibabacloud.sgw.sgw: two hosts are named %r; the second is skipped. Make "
                                     "hostnames unique." % hostname)
                continue
            seen.add(hostname)
            host_vars = affix_vars(variables, prefix, suffix)
            if not DATA_TAGGING:
                # Before 2.19 what the plugin derives (sgw_health...) is plain strings, templated unless
                # wrapped: every variable is, as 2.19 leaves every string untrusted. A host name that
                # could be a template is too (groups and inventory_hostname would template it); the
                # others stay plain, as 2.19's ansible-inventory --list writes them.
                host_vars = make_unsafe(host_vars)
                hostname = make_unsafe(hostname) if may_be_template(hostname) else str(hostname)
            add_host(hostname)
            for name, value in host_vars.items():
                set_variable(hostname, name, value)
            for raw in raw_groups:
                group = group_names.get(raw)
                if group is None:
                    group = group_names[raw] = inventory.add_group(self._sanitize_group_name(raw))
                add_child(group, hostname)
            if constructed:
                self._construct(host_vars, hostname)

    def _hosts(self, estate, hosts_from):
        """``(variables, raw groups)`` of every host: of one account, or of each account in turn."""
        include_candidates = self.get_option("include_candidates")
        if "accounts" in estate:
            accounts = [(multi.account_vars(e), {"regions": e["regions"]}) for e in estate["accounts"] if e["regions"]]
        else:
            accounts = [(None, estate)]
        for extra, data in accounts:
            index = EstateIndex(data, self._thresholds, self._signals)
            self._warn_missing_gateways(index)
            if hosts_from == HOSTS_FROM_GATEWAYS:
                hosts = index.gateway_hosts(include_candidates)
            else:
                hosts = index.share_hosts(include_candidates)
            for variables, raw_groups in hosts:
                if extra:
                    variables.update(extra)
                    raw_groups = raw_groups + [multi.ACCOUNT_GROUP % extra["sgw_account_id"]]
                yield variables, raw_groups

    def _warn_missing_gateways(self, index):
        """A gateway or cluster that no longer exists keeps its shares, without gateway details, with a warning."""
        if self.get_option("gateway_details"):
            for message in missing_gateway_warnings(index):
                self.display.warning(message)

    def _construct(self, host_vars, hostname):
        strict = self.get_option("strict")
        compose = self.get_option("compose")
        self._set_composite_vars(compose, host_vars, hostname, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), host_vars, hostname, strict=strict,
                                          fetch_hostvars=bool(compose))
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, hostname, strict=strict,
                                       fetch_hostvars=bool(compose))

    def _hostname(self, variables, hosts_from):
        for expression in self.get_option("hostnames"):
            try:
                name = self._compose(expression, variables)
            except Exception as exc:  # pylint: disable=broad-except  # a bad expression is the user's to fix
                if self.get_option("strict"):
                    raise AnsibleParserError("hostnames entry %r failed: %s" % (expression, exc)) from None
                continue
            if name:
                return str(name)
        return default_hostname(variables, hosts_from)

    def _passes_filters(self, variables, hosts_from=None, named=False):
        includes, excludes = self.get_option("filters"), self.get_option("exclude_filters")
        if not includes and not excludes:
            return True
        self.templar.available_variables = variables
        try:
            if any(evaluate_conditional(self.templar, c) for c in excludes):
                return False
            return all(evaluate_conditional(self.templar, c) for c in includes)
        except Exception as exc:  # pylint: disable=broad-except
            kind = "gateway" if hosts_from == HOSTS_FROM_GATEWAYS else "share"
            name = self._hostname(variables, hosts_from) if named else default_hostname(variables, hosts_from)
            raise AnsibleParserError("alibabacloud.sgw.sgw: a filter failed on %s %s: %s" % (kind, name, exc)) from None
