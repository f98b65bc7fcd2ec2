"""The estate of the several-account heal tests: the sample account (the management account of a
resource directory) and two members, media (both of whose shares are failed, so that a heal that takes
them out leaves the account no share for an inventory to find) and finance, reached through its role
sgw-healer, whose trust policy asks for an external id."""

from __future__ import annotations

import yaml

from tests.support.sim_process import REPO_ROOT

DATA = REPO_ROOT / "tests" / "simulator" / "data"
MANAGEMENT, MEDIA, FINANCE = "1638094425718837", "1855000000000001", "1855000000000002"
MEDIA_ROLE = "acs:ram::%s:role/ResourceDirectoryAccountAccessRole" % MEDIA
FINANCE_ROLE = "acs:ram::%s:role/sgw-healer" % FINANCE
EXTERNAL_ID = "finance-ext-7Q"
# the accounts' role options, as the inventory and the module take them
ACCOUNTS = [{"role_arn": MEDIA_ROLE, "name": "media"},
            {"role_arn": FINANCE_ROLE, "name": "finance", "external_id": EXTERNAL_ID}]


def member_files(directory) -> list:
    """The two member account files, written to ``directory``."""
    media = yaml.safe_load((DATA / "member_media.yml").read_text())
    for share in media["shares"]:
        share["ExpressSyncState"] = "QueueFailure"
    finance = yaml.safe_load((DATA / "member_finance.yml").read_text())
    finance["roles"] = [{"Arn": FINANCE_ROLE, "Trust": {"Accounts": [MANAGEMENT], "ExternalId": EXTERNAL_ID}}]
    paths = []
    for name, document in (("media", media), ("finance", finance)):
        path = directory / ("member_%s.yml" % name)
        path.write_text(yaml.safe_dump(document))
        paths.append(path)
    return paths
