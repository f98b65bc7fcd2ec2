# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helpers: the simulator as a subprocess, and a tiny signed ``requests`` client of its API.

The signer here is written from the public signature documents (V1:
https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism, V3:
https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature) for the tests alone,
so that it checks the simulator's verifier rather than sharing code with it.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import pathlib
import select
import subprocess
import sys
import tempfile
import uuid
from urllib.parse import quote, urlsplit

import requests
import yaml

from tests.simulator.pytest_plugin import stop_with_parent

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE_ACCOUNT = REPO_ROOT / "tests" / "simulator" / "data" / "sample_account.yml"
LISTENING = "SGW simulator listening on "
START_TIMEOUT = 15
API_VERSION = "2018-05-11"


class SimulatorProcess:
    """``python -m tests.simulator ARGS`` running from the repository root."""

    def __init__(self, *args: str):
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.simulator", *args], cwd=REPO_ROOT,
                                     stdout=subprocess.PIPE, stderr=self._stderr, text=True,
                                     preexec_fn=stop_with_parent)
        ready = select.select([self.proc.stdout], [], [], START_TIMEOUT)[0]
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith(LISTENING):
            self.stop()
            raise RuntimeError(f"the simulator did not start: {line!r} {self.stderr()}")
        self.url = line[len(LISTENING):].strip()
        self.port = urlsplit(self.url).port

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()

    def stop(self, timeout: float = 10) -> int:
        """Terminate the simulator (SIGTERM) and return its exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self._stderr.close()
        return self.proc.returncode

    def control(self, method: str, name: str, json=None, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}/_sim/{name}", json=json, timeout=10, **kwargs)

    def stats(self) -> dict:
        return self.control("GET", "stats").json()

    def set_faults(self, **faults) -> dict:
        response = self.control("PUT", "faults", json=faults)
        assert response.status_code == 200, response.text
        return response.json()

    def client(self, key_id: str = "testid", secret: str = "testsecret", **kwargs) -> Client:
        return Client(self.url, key_id, secret, **kwargs)


def sample_account() -> dict:
    """The sample account file as a document."""
    return yaml.safe_load(SAMPLE_ACCOUNT.read_text(encoding="utf-8"))


def run_simulator(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run ``python -m tests.simulator ARGS`` to completion (for --write and errors)."""
    return subprocess.run([sys.executable, "-m", "tests.simulator", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=timeout, check=False)


# ------------------------------------------------------------------------------------ signing


def encode(value: str) -> str:
    return quote(str(value), safe="-_.~")


def canonical_query(params: dict) -> str:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))


def utc_now(offset_seconds: float = 0) -> str:
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_v1(method: str, params: dict, secret: str) -> str:
    string_to_sign = f"{method}&%2F&{encode(canonical_query(params))}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


def sign_v3(method: str, query: dict, headers: dict, key_id: str, secret: str) -> str:
    """The ``Authorization`` value for lower-case ``headers``, all of them signed."""
    names = sorted(headers)
    canonical = "\n".join((method, "/", canonical_query(query), "".join(f"{n}:{headers[n].strip()}\n" for n in names),
                           ";".join(names), headers["x-acs-content-sha256"]))
    string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={';'.join(names)},Signature={signature}"


class Client:
    """Signed calls with ``requests``; every knob of the request can be turned to break it on purpose."""

    def __init__(self, base_url: str, key_id: str, secret: str, token: str | None = None, scheme: str = "v3",
                 region: str | None = "cn-hangzhou", verify=True, timeout: float = 10):
        self.base_url = base_url
        self.key_id = key_id
        self.secret = secret
        self.token = token
        self.scheme = scheme
        self.region = region
        self.verify = verify
        self.timeout = timeout
        self.session = requests.Session()

    def call(self, action: str, params: dict | None = None, method: str = "POST", version: str = API_VERSION,
             nonce: str | None = None, timestamp: str | None = None, form: dict | None = None,
             tamper=None) -> requests.Response:
        """Send one signed call; ``form`` goes in a form-encoded body, ``tamper(query, headers)`` may
        change the request after signing."""
        query = {"RegionId": self.region} if self.region else {}
        query.update(params or {})
        body = canonical_query(form).encode() if form else b""
        nonce = nonce or uuid.uuid4().hex
        timestamp = timestamp or utc_now()
        if self.scheme == "v1":
            query, headers = self._v1(method, action, version, query, form or {}, nonce, timestamp), {}
        else:
            headers = self._v3(method, action, version, query, body, nonce, timestamp)
        if form:
            headers["content-type"] = "application/x-www-form-urlencoded"
        if tamper:
            tamper(query, headers)
        return self.session.request(method, f"{self.base_url}/?{canonical_query(query)}", headers=headers,
                                    data=body, verify=self.verify, timeout=self.timeout)

    def ok(self, action: str, **params) -> dict:
        response = self.call(action, {k: str(v) for k, v in params.items()})
        assert response.status_code == 200, response.text
        return response.json()

    def error(self, action: str, **params) -> tuple[int, str, dict]:
        response = self.call(action, {k: str(v) for k, v in params.items()})
        body = response.json()
        return response.status_code, body["Code"], body

    def _v1(self, method, action, version, query, form, nonce, timestamp) -> dict:
        """The query of a V1 call; the signature covers the form parameters too."""
        params = dict(query, Action=action, Version=version, Format="JSON", AccessKeyId=self.key_id,
                      SignatureMethod="HMAC-SHA1", SignatureVersion="1.0", SignatureNonce=nonce, Timestamp=timestamp)
        if self.token:
            params["SecurityToken"] = self.token
        params["Signature"] = sign_v1(method, {**params, **form}, self.secret)
        return params

    def _v3(self, method, action, version, query, body, nonce, timestamp) -> dict:
        headers = {
            "host": urlsplit(self.base_url).netloc, "x-acs-action": action, "x-acs-version": version,
            "x-acs-date": timestamp, "x-acs-signature-nonce": nonce, "x-acs-accesskey-id": self.key_id,
            "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        }
        if self.token:
            headers["x-acs-security-token"] = self.token
        headers["authorization"] = sign_v3(method, query, headers, self.key_id, self.secret)
        return headers
