# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by every plugin and module: credentials, endpoint, signing, transport, retries.

Use ``alibabacloud.sgw.common`` in modules and ``alibabacloud.sgw.common.plugins`` in inventory
and lookup plugins; the plugin variant adds the environment variables each option reads (a
module reads the same variables, but from the host that runs it).
"""

from __future__ import annotations

_OPTIONS = r"""
options:
  access_key_id:
    description:
      - The AccessKey ID of a RAM user or an STS identity.
      - Credentials are looked for in this order, the first found wins. The options O(access_key_id),
        O(access_key_secret) and O(security_token); the environment variables E(ALIBABA_CLOUD_ACCESS_KEY_ID),
        E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) and E(ALIBABA_CLOUD_SECURITY_TOKEN) (or E(ALICLOUD_ACCESS_KEY),
        E(ALICLOUD_SECRET_KEY) and E(ALICLOUD_SECURITY_TOKEN)); a O(profile) of the aliyun CLI file
        O(credentials_file); an ECS RAM role named by O(ecs_role_name).
    type: str
    aliases: [access_key]{env_access_key_id}
  access_key_secret:
    description:
      - The AccessKey secret that goes with O(access_key_id).
      - Also read from E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) or E(ALICLOUD_SECRET_KEY). It is never printed, logged or cached.
    type: str
    aliases: [secret_key]{env_access_key_secret}
  security_token:
    description:
      - The STS security token, for temporary credentials.
      - Also read from E(ALIBABA_CLOUD_SECURITY_TOKEN) or E(ALICLOUD_SECURITY_TOKEN). It is never printed, logged or cached.
    type: str
    aliases: [sts_token]{env_security_token}
  profile:
    description:
      - A profile of the aliyun CLI configuration file O(credentials_file), used when no AccessKey is set
        by option or environment. Modes C(AK), C(StsToken) and C(EcsRamRole) are supported.
      - Also read from E(ALIBABA_CLOUD_PROFILE) or E(ALICLOUD_PROFILE). When unset and the file exists,
        its C(current) profile is used.
    type: str{env_profile}
  credentials_file:
    description:
      - The aliyun CLI configuration file that holds the profiles.
      - Also read from E(ALICLOUD_SHARED_CREDENTIALS_FILE). Defaults to C(~/.aliyun/config.json).
    type: path
    aliases: [shared_credentials_file]{env_credentials_file}
  ecs_role_name:
    description:
      - The RAM role of the ECS instance this runs on; temporary credentials are fetched from the
        instance metadata service. Used when no AccessKey or profile is found.
      - Also read from E(ALIBABA_CLOUD_ECS_METADATA) or E(ALICLOUD_ECS_ROLE_NAME).
    type: str
    aliases: [role_name]{env_ecs_role_name}
  ecs_metadata_url:
    description:
      - The base URL of the ECS instance metadata service, for O(ecs_role_name).
      - Also read from E(ALIBABA_CLOUD_ECS_METADATA_URL). Defaults to C(http://100.100.100.200).
    type: str{env_ecs_metadata_url}
  endpoint:
    description:
      - A full URL that overrides the SGW endpoint of every region, for example a VPC endpoint
        C(https://sgw-vpc.cn-hangzhou.aliyuncs.com) or a local SGW simulator C(http://127.0.0.1:8080).
      - By default the SDK's regional map is used (every mainland region and cn-hongkong use
        C(sgw.cn-shanghai.aliyuncs.com), us-east-1 uses C(sgw.us-west-1.aliyuncs.com), other regions
        C(sgw.<region>.aliyuncs.com)).
      - Also read from E(ALIBABA_CLOUD_SGW_ENDPOINT).
    type: str{env_endpoint}
  signature_version:
    description:
      - How requests are signed. V(v3) is C(ACS3-HMAC-SHA256), V(v1) is the older C(HMAC-SHA1) scheme.
    type: str
    choices: [v3, v1]
    default: v3{env_signature_version}
  timeout:
    description:
      - Seconds to wait for a connection and then for each answer of the API.
    type: float
    default: 30{env_timeout}
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate. Turn it off only for a test endpoint.
    type: bool
    default: true{env_validate_certs}
  ca_bundle:
    description:
      - A PEM file of CA certificates to verify the endpoint's certificate with, for a private CA.
    type: path{env_ca_bundle}
  max_retries:
    description:
      - How many times a call is retried after throttling, a server error (5xx), a timeout or a
        connection error, with exponential backoff and full jitter. Authentication, permission and
        business errors are never retried.
    type: int
    default: 5{env_max_retries}
  max_retry_time:
    description:
      - The most seconds that one call may spend retrying, backoff included.
    type: float
    default: 120{env_max_retry_time}
"""

_PLUGIN_ENV = {
    "access_key_id": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"),
    "access_key_secret": ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"),
    "security_token": ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"),
    "profile": ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"),
    "credentials_file": ("ALICLOUD_SHARED_CREDENTIALS_FILE",),
    "ecs_role_name": ("ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME"),
    "ecs_metadata_url": ("ALIBABA_CLOUD_ECS_METADATA_URL",),
    "endpoint": ("ALIBABA_CLOUD_SGW_ENDPOINT",),
    "signature_version": ("ALIBABA_CLOUD_SGW_SIGNATURE_VERSION",),
    "timeout": ("ALIBABA_CLOUD_SGW_TIMEOUT",),
    "validate_certs": ("ALIBABA_CLOUD_SGW_VALIDATE_CERTS",),
    "ca_bundle": ("ALIBABA_CLOUD_SGW_CA_BUNDLE",),
    "max_retries": ("ALIBABA_CLOUD_SGW_MAX_RETRIES",),
    "max_retry_time": ("ALIBABA_CLOUD_SGW_MAX_RETRY_TIME",),
}


def _env_block(names) -> str:
    return "\n    env:" + "".join("\n      - name: %s" % name for name in names)


def _render(with_env: bool) -> str:
    return _OPTIONS.format(**{"env_" + option: _env_block(names) if with_env else ""
                              for option, names in _PLUGIN_ENV.items()})


class ModuleDocFragment:
    # For modules.
    DOCUMENTATION = _render(with_env=False)

    # For inventory and lookup plugins: the same options, read from the environment too.
    PLUGINS = _render(with_env=True)

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

    REGION_PLUGINS = r"""
options:
  region:
    description:
      - The region to call, for example C(cn-hangzhou).
    type: str
    aliases: [region_id]
    env:
      - name: ALIBABA_CLOUD_REGION_ID
      - name: ALICLOUD_REGION
"""
