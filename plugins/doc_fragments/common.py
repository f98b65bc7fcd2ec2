# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by every plugin and module: credentials, endpoint, signing, transport, retries.

Use ``alibabacloud.sgw.common`` (and ``alibabacloud.sgw.common.region``) in modules and plugins
alike; ``.plugins`` and ``.region_plugins``, the plugins' names in 1.1.0, are the same text. Each
option documents the table of ``module_utils/options.py`` (its type, default, aliases, choices and, in "Also read from", its environment variables in
their order of precedence): a unit test keeps the two equal. There is no ``env`` entry: the
plugins read the variables themselves, by the same rules as modules, on every ansible-core.
"""

from __future__ import annotations


class ModuleDocFragment:
    # For modules.
    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - The AccessKey ID of a RAM user or an STS identity.
      - "Credentials are looked for by one rule: what is set explicitly in the options wins over the environment,
        and the environment wins over the implicit C(current) profile of the aliyun CLI file. Explicit: O(access_key_id)
        with O(access_key_secret) (and O(security_token)), OIDC, O(credentials_uri), O(profile), O(ecs_role_name).
        Environment: E(ALIBABA_CLOUD_ACCESS_KEY_ID) with E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) (and
        E(ALIBABA_CLOUD_SECURITY_TOKEN)), else E(ALICLOUD_ACCESS_KEY) with E(ALICLOUD_SECRET_KEY) (an id is always
        paired with the secret of its own family), then OIDC, E(ALIBABA_CLOUD_CREDENTIALS_URI), E(ALIBABA_CLOUD_PROFILE),
        E(ALIBABA_CLOUD_ECS_METADATA). With O(ram_role_arn), the identity found assumes that role."
      - See the full table in the collection's credentials guide (docs/credentials.md).
      - Also read from E(ALIBABA_CLOUD_ACCESS_KEY_ID) or E(ALICLOUD_ACCESS_KEY). For every option, a value written
        in the inventory file, given to a lookup or set on a module wins over its environment variables; among
        those the first one named wins, and an empty variable counts as not set.
    type: str
    aliases: [access_key]
  access_key_secret:
    description:
      - The AccessKey secret that goes with O(access_key_id).
      - Also read from E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) or E(ALICLOUD_SECRET_KEY). It is never printed, logged or cached.
    type: str
    aliases: [secret_key]
  security_token:
    description:
      - The STS security token, for temporary credentials.
      - Also read from E(ALIBABA_CLOUD_SECURITY_TOKEN) or E(ALICLOUD_SECURITY_TOKEN). It is never printed, logged or cached.
    type: str
    aliases: [sts_token]
  profile:
    description:
      - A profile of the aliyun CLI configuration file O(credentials_file). Set as an option it wins over AccessKey
        variables of the environment. Modes C(AK), C(StsToken), C(EcsRamRole), C(RamRoleArn), C(ChainableRamRoleArn)
        (with C(source_profile)), C(OIDC) and C(CredentialsURI) are supported; a profile named here of another mode is
        an error.
      - Also read from E(ALIBABA_CLOUD_PROFILE) or E(ALICLOUD_PROFILE). When no credentials are set at all and the
        file exists, its C(current) profile is used (skipped, with a C(-vvv) note, when its mode is not supported).
    type: str
  credentials_file:
    description:
      - The aliyun CLI configuration file that holds the profiles.
      - Also read from E(ALICLOUD_SHARED_CREDENTIALS_FILE). Defaults to C(~/.aliyun/config.json).
    type: path
    aliases: [shared_credentials_file]
  ecs_role_name:
    description:
      - The RAM role of the ECS instance this runs on; temporary credentials are fetched from the
        instance metadata service and renewed before they expire. Set as an option it wins over the environment
        and the C(current) profile.
      - Also read from E(ALIBABA_CLOUD_ECS_METADATA) or E(ALICLOUD_ECS_ROLE_NAME).
    type: str
    aliases: [role_name]
  ecs_metadata_url:
    description:
      - The base URL of the ECS instance metadata service, for O(ecs_role_name).
      - Also read from E(ALIBABA_CLOUD_ECS_METADATA_URL). Defaults to C(http://100.100.100.200).
    type: str
  ram_role_arn:
    version_added: 1.1.0
    description:
      - The ARN of a RAM role to assume with STS C(AssumeRole), for example C(acs:ram::123456789012****:role/sgw-reader).
        The credentials the chain finds (options, environment, profile, ECS RAM role...) are the identity that assumes
        it; with O(oidc_provider_arn) and O(oidc_token_file) the role is assumed with C(AssumeRoleWithOIDC) instead.
      - The temporary credentials are refreshed before they expire, kept in memory only and never printed.
      - Also read from E(ALIBABA_CLOUD_ROLE_ARN).
    type: str
  role_session_name:
    version_added: 1.1.0
    description:
      - The session name of the assumed role, seen in ActionTrail. Defaults to C(alibabacloud-sgw-<timestamp>).
      - Also read from E(ALIBABA_CLOUD_ROLE_SESSION_NAME).
    type: str
  role_session_expiration:
    version_added: 1.1.0
    description:
      - How many seconds the temporary credentials of the assumed role last, from 900 to 43200 (and at most the
        role's maximum session duration). They are renewed before they expire during long runs.
      - Also read from E(ALIBABA_CLOUD_ROLE_SESSION_EXPIRATION).
    type: int
    default: 3600
  role_policy:
    version_added: 1.1.0
    description:
      - An inline RAM policy (JSON text) that further restricts the assumed role's session.
    type: str
  external_id:
    version_added: 1.1.0
    description:
      - The external ID that the role's trust policy asks for (STS C(AssumeRole) parameter C(ExternalId)).
    type: str
  sts_endpoint:
    version_added: 1.1.0
    description:
      - The STS endpoint for O(ram_role_arn) and OIDC, any http(s) URL. Defaults to the regional endpoint
        C(https://sts.<region>.aliyuncs.com) (for the inventory, of its first region), else C(https://sts.aliyuncs.com).
      - Also read from E(ALIBABA_CLOUD_STS_ENDPOINT).
    type: str
  oidc_provider_arn:
    version_added: 1.1.0
    description:
      - The ARN of the OIDC identity provider, for C(AssumeRoleWithOIDC) of O(ram_role_arn) (RRSA in Kubernetes, CI jobs).
      - Also read from E(ALIBABA_CLOUD_OIDC_PROVIDER_ARN).
    type: str
  oidc_token_file:
    version_added: 1.1.0
    description:
      - The file that holds the OIDC token; it is read again at each renewal, so it may be rotated.
      - Also read from E(ALIBABA_CLOUD_OIDC_TOKEN_FILE).
    type: path
  credentials_uri:
    version_added: 1.1.0
    description:
      - A URL that answers temporary credentials as JSON (C(AccessKeyId), C(AccessKeySecret), C(SecurityToken),
        C(Expiration)), as the official credentials library reads it.
      - Also read from E(ALIBABA_CLOUD_CREDENTIALS_URI). It is never printed or logged (such a URL often carries a
        token); a user and password in a URL (C(https://user:pass@host)) are hidden wherever a URL is shown.
    type: str
  endpoint:
    description:
      - A full URL that overrides the SGW endpoint of every region (but those of O(endpoints)), for example
        a local SGW simulator C(http://127.0.0.1:8080).
      - By default the endpoint map of the SGW documentation's endpoint page is used, for O(endpoint_type).
        Public endpoints - every mainland region and cn-hongkong use C(sgw.cn-shanghai.aliyuncs.com), us-east-1
        uses C(sgw.us-west-1.aliyuncs.com), other regions C(sgw.<region>.aliyuncs.com). This map is not the
        official SDK's, which sends cn-shanghai, cn-wulanchabu, cn-heyuan and cn-guangzhou to
        C(sgw.<region>.aliyuncs.com).
      - Also read from E(ALIBABA_CLOUD_SGW_ENDPOINT).
    type: str
  endpoint_type:
    version_added: 1.1.0
    description:
      - Which endpoints of the map to use. V(public) are the public endpoints above; V(vpc) are the VPC
        endpoints C(sgw-vpc.<region>.aliyuncs.com), one per region, reachable from a VPC of that region.
      - Also read from E(ALIBABA_CLOUD_SGW_ENDPOINT_TYPE).
    type: str
    choices: [public, vpc]
    default: public
  endpoints:
    version_added: 1.1.0
    description:
      - The endpoint of some regions, as a mapping of region ids to URLs (for example C(cn-hangzhou) to
        C(https://sgw-vpc.cn-hangzhou.aliyuncs.com)). It wins over O(endpoint) and O(endpoint_type) for those
        regions, so that a multi-region inventory can use the VPC endpoint of each region.
    type: dict
  signature_version:
    description:
      - How requests are signed. V(v3) is C(ACS3-HMAC-SHA256), V(v1) is the older C(HMAC-SHA1) scheme.
      - Also read from E(ALIBABA_CLOUD_SGW_SIGNATURE_VERSION).
    type: str
    choices: [v3, v1]
    default: v3
  timeout:
    description:
      - Seconds to wait for a connection and then for each answer of the API.
      - Also read from E(ALIBABA_CLOUD_SGW_TIMEOUT).
    type: float
    default: 30
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate. Turn it off only for a test endpoint.
      - Also read from E(ALIBABA_CLOUD_SGW_VALIDATE_CERTS).
    type: bool
    default: true
  ca_bundle:
    description:
      - A PEM file of CA certificates to verify the endpoint's certificate with, for a private CA.
      - Also read from E(ALIBABA_CLOUD_SGW_CA_BUNDLE).
    type: path
  max_retries:
    description:
      - How many times a call is retried after throttling, a server error (5xx), a timeout or a
        connection error, with exponential backoff and full jitter. Authentication, permission and
        business errors are never retried.
      - Also read from E(ALIBABA_CLOUD_SGW_MAX_RETRIES).
    type: int
    default: 5
  max_retry_time:
    description:
      - The most seconds that one call may spend retrying, backoff included.
      - Also read from E(ALIBABA_CLOUD_SGW_MAX_RETRY_TIME).
    type: float
    default: 120
"""

    # The attribute of the modules of the action group sgw (meta/runtime.yml).
    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/alibabacloud.sgw.sgw) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - alibabacloud.sgw.sgw
"""

    # The region of a lookup or module.
    REGION = r"""
options:
  region:
    description:
      - The region to call, for example C(cn-hangzhou).
      - Also read from E(ALIBABA_CLOUD_REGION_ID) or E(ALICLOUD_REGION).
    type: str
    aliases: [region_id]
"""

    # The health verdict of the inventory, the lookups and express_sync_info (no environment variables).
    HEALTH = r"""
options:
  health_signals:
    version_added: 1.2.0
    description:
      - "The health signals to judge each member share by, for one verdict per share: C(sgw_condition) (V(ok),
        V(degraded), V(failed) or V(unknown)) and C(sgw_condition_reasons), a list of stable reason codes (see the
        collection's health guide, docs/health.md, for the table of codes, source fields and thresholds)."
      - V(express_sync) - the share's C(ExpressSyncState) (no extra call).
      - V(gateway) - its gateway's C(Status), C(ExpireStatus) and C(LastErrorKey) (C(DescribeGateways); no extra call
        in the inventory, where it takes the calls of the inventory option C(gateway_details); elsewhere one call per
        gateway cluster and page of 50).
      - V(file_share) - C(Enabled), C(OssHealth), C(LagPeriod), C(UploadQueue), C(DownloadQueue), C(ActiveMessages)
        and C(RemainingMetaSpace) of C(DescribeGatewayFileShares) (one call per gateway with member shares,
        concurrently).
      - V(alerts) - the events of C(ListAlertEvents) that are alerting on the share or its whole gateway (one call per
        gateway region and page of 50 events). The identity needs C(hcs-sgw:ListAlertEvents).
      - A signal that cannot be read (a failed call, a gateway that is not listed, a value the table does not know)
        makes the verdict V(unknown) (reasons C(gateway_unreadable), C(file_share_unreadable), C(alerts_unreadable)),
        never V(ok), with a warning.
      - The default, V(express_sync) alone, gives every member share a verdict from its express sync state, with
        no call beyond those made without a verdict. An empty list is an error (there is always a verdict).
        C(sgw_health) keeps its meaning whatever this option says.
      - Candidates (not members) have no verdict - the C(express_sync_shares) lookup with C(is_external=true), and
        C(express_sync_info) with C(shares=false), give none, and then naming another signal than V(express_sync) is an error.
    type: list
    elements: str
    choices: [express_sync, gateway, file_share, alerts]
    default: [express_sync]
  upload_lag_seconds:
    version_added: 1.2.0
    description:
      - With the V(file_share) signal, a C(LagPeriod) of more than this many seconds is the reason C(upload_lag)
        (V(degraded)). Not set, 3600.
    type: int
  upload_queue_max:
    version_added: 1.2.0
    description:
      - With the V(file_share) signal, an C(UploadQueue) of more than this is the reason C(upload_queue) (V(degraded)).
        Not set, not checked.
    type: int
  download_queue_max:
    version_added: 1.2.0
    description:
      - With the V(file_share) signal, a C(DownloadQueue) of more than this is the reason C(download_queue)
        (V(degraded)). Not set, not checked.
    type: int
  active_messages_max:
    version_added: 1.2.0
    description:
      - With the V(file_share) signal, more C(ActiveMessages) (express sync messages not yet applied) than this is
        the reason C(sync_backlog) (V(degraded)). Not set, not checked.
    type: int
  remaining_meta_space_min:
    version_added: 1.2.0
    description:
      - With the V(file_share) signal, a C(RemainingMetaSpace) of less than this is the reason C(low_meta_space)
        (V(degraded)). Not set, not checked.
    type: int
"""

    # The accounts of a read of several accounts: the inventory, the lookups and express_sync_info.
    ACCOUNTS = r"""
options:
  accounts:
    version_added: 1.2.0
    description:
      - Read several accounts, each through a RAM role assumed (STS C(AssumeRole)) with the configured credentials
        and renewed before it expires. Each entry has C(role_arn) (required, C(acs:ram::<account id>:role/<role
        name>)), C(name) (optional, the account's name in the results; its id when left out) and C(external_id)
        (optional, when the role's trust policy asks for one).
      - The calling account (STS C(GetCallerIdentity)) is read with its own credentials when it is one of them.
      - Accounts are read side by side, C(max_concurrency) staying the cap of the calls in flight. Every result
        names its account - the inventory's host variables C(sgw_account_id) and C(sgw_account_name), the
        C(account_id) and C(account_name) of each lookup row and of each group of C(express_sync_info). See the
        collection's accounts guide (docs/accounts.md).
      - Excludes O(resource_directory). Left empty (and without O(resource_directory)), one account is read with
        the configured credentials (and O(ram_role_arn)), as before.
    type: list
    elements: dict
    default: []
  resource_directory:
    version_added: 1.2.0
    description:
      - Read every account of the caller's resource directory, listed with Resource Manager C(ListAccounts)
        (paged; the caller must be the management account or a delegated administrator), each through the role
        O(resource_directory_role_name) of the account, as O(accounts) does.
    type: bool
    default: false
  resource_directory_role_name:
    version_added: 1.2.0
    description:
      - With O(resource_directory), the name of the role assumed in each member account.
    type: str
    default: ResourceDirectoryAccountAccessRole
  account_ids:
    version_added: 1.2.0
    description:
      - With O(resource_directory), only these accounts (their ids). An empty list means every listed account.
    type: list
    elements: str
    default: []
  on_account_error:
    version_added: 1.2.0
    description:
      - With O(accounts) or O(resource_directory), what to do when an account cannot be read (its role cannot be
        assumed, or one of its calls failed after retries).
      - V(fail) fails with one message naming the account, the API C(Code) and C(RequestId), and what to do.
      - V(warn) warns the same way, names the account skipped and keeps the other accounts.
      - V(error) is the same as V(fail) (the word that C(on_region_error) has used since 1.0.0).
    type: str
    choices: [fail, warn, error]
    default: fail
  resource_manager_endpoint:
    version_added: 1.2.0
    description:
      - The Resource Manager endpoint that O(resource_directory) calls C(ListAccounts) at.
      - Also read from E(ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT).
    type: str
    default: https://resourcemanager.aliyuncs.com
"""

    # The cap of the calls in flight of the lookups and express_sync_info (the inventory has its own, of 1.0.0).
    CONCURRENCY = r"""
options:
  max_concurrency:
    version_added: 1.2.0
    description:
      - How many API calls may be in flight at once. With O(accounts) or O(resource_directory), the accounts are
        read side by side, each account's calls one after another, so that this stays the cap of the calls in
        flight (the C(AssumeRole) calls included) however many accounts there are. For one account, the calls of
        the health signals that need them are made this many at once. V(1) makes every call one after another.
    type: int
    default: 8
"""


# The names of 1.1.0 for the inventory and lookup plugins' variants, kept for plugins of other collections
# that extend them: the same text, since the plugins read their environment variables themselves
# (not through ansible-core's configuration), by the same rules as modules.
ModuleDocFragment.PLUGINS = ModuleDocFragment.DOCUMENTATION
ModuleDocFragment.REGION_PLUGINS = ModuleDocFragment.REGION
