"""Transport faults the simulator does not make, against the real client over real sockets.

A raw socket server answers each request with a script: an answer dripped a byte at a time (each
read within the timeout, the whole never), a redirect elsewhere carrying the query, an endless
body, a connection closed mid-body. Each must end within its bound with a clear error that holds
no secret, no token and no query string.
"""

from __future__ import annotations

import socket
import threading

import pytest

from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import RetryPolicy, SgwClient
from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.errors import SgwApiError, SgwTransportError
from tests.support.sim_process import STS_KEY_ID, STS_SECRET, STS_TOKEN

OK_BODY = b'{"RequestId": "R-1", "Success": true, "Regions": {"Region": []}}'


class ScriptedServer:
    """Accepts connections on 127.0.0.1 and hands each socket to ``script(connection)``."""

    def __init__(self, script):
        self.script = script
        self.requests = 0
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.1)
        self.url = "http://127.0.0.1:%d" % self.socket.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self.stopping.is_set():
            try:
                connection, dummy = self.socket.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.requests += 1
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection):
        with connection:
            try:
                connection.recv(65536)
                self.script(connection, self.stopping)
            except OSError:
                pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.socket.close()
        self.thread.join(timeout=5)


def client(url, version="v1", max_retries=1, timeout=0.5):
    credentials = Credentials(STS_KEY_ID, STS_SECRET, STS_TOKEN, "options")
    return SgwClient(credentials, endpoint=url, signature_version=version, timeout=timeout,
                     retry=RetryPolicy(max_retries=max_retries, base_delay=0.01))


def assert_clean(text):
    for secret in (STS_SECRET, STS_TOKEN, "Signature=", "SignatureNonce", "?AccessKeyId"):
        assert secret not in text, text
    assert "Traceback" not in text


def drip(connection, stopping):
    """Headers at once, then the body one byte every 0.2 s: no read ever waits 0.5 s."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                       % len(OK_BODY))
    for byte in OK_BODY:
        if stopping.wait(0.2):
            return
        connection.sendall(bytes([byte]))


def redirect(connection, stopping):
    connection.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://attacker.invalid/?SecurityToken=%s&x=1\r\n"
                       b"Content-Length: 0\r\n\r\n" % STS_TOKEN.encode())


def endless(connection, stopping):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 1024 * 1024
    while not stopping.is_set():
        connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def stall(connection, stopping):
    """Headers and part of the body, then nothing until the client gives up."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                       % len(OK_BODY) + OK_BODY[:10])
    stopping.wait(30)


def cut_short(connection, stopping):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                       + OK_BODY[:20])


def test_an_answer_dripped_slower_than_the_timeout_allows_is_bounded():
    with ScriptedServer(drip) as server:
        with pytest.raises(SgwTransportError) as info:
            client(server.url).call("DescribeRegions", "cn-hangzhou")
    # An unbounded read would have got the whole answer (after 13 s) and succeeded.
    message = str(info.value)
    assert "the answer did not arrive within 0.5s, the timeout" in message and "after 2 attempts" in message
    assert server.requests == 2
    assert_clean(message)


def test_an_answer_that_stops_mid_body_times_out():
    with ScriptedServer(stall) as server:
        with pytest.raises(SgwTransportError) as info:
            client(server.url).call("DescribeRegions", "cn-hangzhou")
    message = str(info.value)
    assert "(no answer within 0.5s, the timeout) after 2 attempts" in message
    assert server.requests == 2
    assert_clean(message)


def test_a_redirect_is_not_followed_and_not_repeated():
    with ScriptedServer(redirect) as server:
        with pytest.raises(SgwApiError) as info:
            client(server.url).call("DescribeRegions", "cn-hangzhou")
    message = str(info.value)
    assert ("DescribeRegions in region cn-hangzhou failed: InvalidResponse (HTTP 302). HTTP 302 redirect to "
            "http://attacker.invalid/?<query hidden>, which is not followed; set endpoint to the URL that answers"
            ) in message
    assert server.requests == 1
    assert_clean(message)


def test_an_endless_body_is_cut_off():
    with ScriptedServer(endless) as server:
        with pytest.raises((SgwApiError, SgwTransportError)) as info:
            client(server.url, max_retries=0, timeout=5).call("DescribeRegions", "cn-hangzhou")
    message = str(info.value)
    assert "the answer is larger than 32 MiB" in message or "the answer did not arrive within 5s" in message
    assert_clean(message)


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_a_connection_closed_mid_body_is_a_retried_transport_error(version):
    with ScriptedServer(cut_short) as server:
        with pytest.raises(SgwTransportError) as info:
            client(server.url, version=version).call("DescribeRegions", "cn-hangzhou")
    message = str(info.value)
    assert message.startswith("DescribeRegions in region cn-hangzhou failed: could not reach %s (" % server.url)
    assert "after 2 attempts" in message and server.requests == 2
    assert_clean(message)


def test_a_refused_connection_names_the_endpoint_not_the_url():
    with ScriptedServer(cut_short) as server:
        url = server.url
    with pytest.raises(SgwTransportError) as info:
        client(url).call("DescribeRegions", "cn-hangzhou")
    message = str(info.value)
    assert message.startswith("DescribeRegions in region cn-hangzhou failed: could not reach %s (" % url)
    assert "Connection refused" in message and "after 2 attempts" in message
    assert_clean(message)
