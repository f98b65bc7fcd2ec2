"""Property: any parameters, signed by the client (V1 and V3), verify with the simulator's own verifier.

The request goes through the real ``SgwClient.call`` and ``requests`` (URL preparation and all),
to a transport adapter that hands the prepared request to ``tests.simulator.signature.Verifier``,
written independently of the client's signer. A signature made with another secret must not
verify, so the property cannot hold by accident. A parameter named as one of the signature's
(``SecurityToken``, once found here by the generator, would have been taken as the STS token) is
refused before anything is sent.
"""

from __future__ import annotations

import json
import string
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import requests.adapters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import RetryPolicy, SgwClient
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwConfigError
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.signing import SIGNATURE_PARAMS
from tests.simulator.errors import ApiError
from tests.simulator.signature import AccessKey, SignedRequest, Verifier
from tests.support.http_replies import http_response

# Any unicode text but lone surrogates, which no UTF-8 request can carry.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
NAMES = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20)
PARAMS = st.dictionaries(NAMES, TEXT, max_size=6)
# AccessKey secrets and STS tokens: printable ASCII without spaces, any of it.
SECRET = st.text(st.sampled_from(string.ascii_letters + string.digits + string.punctuation), min_size=8,
                 max_size=40)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class VerifyingAdapter(requests.adapters.BaseAdapter):
    """Answers each request with the verifier's verdict: 200 with what it saw, or its error."""

    def __init__(self, verifier):
        super().__init__()
        self.verifier = verifier
        self.seen = []

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        url = urlsplit(request.url)
        headers = {}
        for name, value in request.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        headers.setdefault("host", [url.netloc])  # http.client adds Host on the wire
        body = request.body or b""
        signed = SignedRequest(request.method, url.path, tuple(parse_qsl(url.query, keep_blank_values=True)),
                               headers, body if isinstance(body, bytes) else body.encode())
        try:
            identity = self.verifier.verify(signed)
            status, payload = 200, {"Success": True, "RequestId": "R-OK", "Action": identity.action,
                                    "Query": dict(signed.query)}
        except ApiError as error:
            status, payload = error.status, {"Code": error.code, "Message": error.message, "RequestId": "R-ERR"}
        self.seen.append(signed)
        return http_response(request, status, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    def close(self):
        pass


def client_for(version, key_id, secret, token, verifier):
    client = SgwClient(Credentials(key_id, secret, token), endpoint="https://sgw.cn-shanghai.aliyuncs.com",
                       signature_version=version, timeout=5, retry=RetryPolicy(max_retries=0))
    adapter = VerifyingAdapter(verifier)
    client.session.mount("https://", adapter)
    return client, adapter


@SETTINGS
@given(version=st.sampled_from(["v1", "v3"]), params=PARAMS, secret=SECRET, token=st.none() | SECRET)
def test_any_parameters_verify_and_arrive_unchanged(version, params, secret, token):
    key_id = "LTAI5tPropertyKey01"
    verifier = Verifier([AccessKey(key_id, secret, token)])
    client, adapter = client_for(version, key_id, secret, token, verifier)
    if SIGNATURE_PARAMS.intersection(params):
        with pytest.raises(SgwConfigError, match="a parameter of the request's signature"):
            client.call("DescribeExpressSyncs", "cn-hangzhou", params)
        assert adapter.seen == []
        return
    body = client.call("DescribeExpressSyncs", "cn-hangzhou", params)
    assert body["Action"] == "DescribeExpressSyncs"
    received = body["Query"]
    for name, value in params.items():
        assert received[name] == ("cn-hangzhou" if name == "RegionId" else value)
    assert len(adapter.seen) == 1


@pytest.mark.parametrize("version", ["v1", "v3"])
@pytest.mark.parametrize("token", [None, "STS.tok"], ids=["key", "sts"])
@pytest.mark.parametrize("name", sorted(SIGNATURE_PARAMS))
def test_a_parameter_named_as_one_of_the_signature_is_refused_before_sending(name, token, version):
    key_id = "LTAI5tPropertyKey03"
    verifier = Verifier([AccessKey(key_id, "Zq9-secret", token)])
    client, adapter = client_for(version, key_id, "Zq9-secret", token, verifier)
    with pytest.raises(SgwConfigError) as raised:
        client.call("DescribeExpressSyncs", "cn-hangzhou", {name: "x", "BucketRegion": "cn-hangzhou"})
    assert str(raised.value) == (
        "DescribeExpressSyncs in region cn-hangzhou was not sent: %s is a parameter of the request's signature, "
        "which cannot be sent as an API parameter; leave it out." % name)
    assert adapter.seen == []
    # without it, the same call goes through
    assert client.call("DescribeExpressSyncs", "cn-hangzhou", {"BucketRegion": "cn-hangzhou"})["Action"] == \
        "DescribeExpressSyncs"


@SETTINGS
@given(version=st.sampled_from(["v1", "v3"]), params=PARAMS, secret=SECRET, other=SECRET)
def test_another_secret_never_verifies(version, params, secret, other):
    # A marker no message contains, so that "not in the message" means "not echoed" (a bare secret
    # such as "ExpressS" would also match the action name of every message).
    secret, other = "Zq9" + secret, "Zq9" + other
    params = {name: value for name, value in params.items() if name not in SIGNATURE_PARAMS}  # refused unsent
    if other == secret:
        other += "x"
    key_id = "LTAI5tPropertyKey02"
    verifier = Verifier([AccessKey(key_id, secret)])
    client, adapter = client_for(version, key_id, other, None, verifier)
    try:
        client.call("DescribeExpressSyncs", "cn-hangzhou", params)
    except SgwApiError as error:
        assert error.code == "SignatureDoesNotMatch"
        assert other not in str(error) and secret not in str(error)
    else:
        raise AssertionError("a request signed with another secret was accepted")
    assert len(adapter.seen) == 1  # never retried
