"""A hostile transport between the client and the simulator, for faults the simulator cannot make.

It forwards every request unchanged (the ``Host`` header too, so that V3 signatures still verify)
and can change the answer on its way back: rewrite the body, or add a header line that does not
parse (which makes urllib3 log the full request URL at WARNING level).
"""

from __future__ import annotations

import http.client
import http.server
import threading
from urllib.parse import urlsplit


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def do_POST(self):  # pylint: disable=invalid-name
        proxy = self.server.proxy
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection(proxy.target.hostname, proxy.target.port, timeout=30)
        try:
            upstream.request(self.command, self.path, body, dict(self.headers.items()))
            answer = upstream.getresponse()
            content = proxy.rewrite(answer.read())
            status, headers = answer.status, answer.getheaders()
        finally:
            upstream.close()
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        if proxy.broken_header:  # last, so that every real header is still read
            self._headers_buffer.append(b"This header line has no colon\r\n")
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST


class HostileProxy:
    """``with HostileProxy(simulator.url, rewrite=..., broken_header=True) as proxy: proxy.url``."""

    def __init__(self, target_url, rewrite=None, broken_header=False):
        self.target = urlsplit(target_url)
        self.rewrite = rewrite or (lambda content: content)
        self.broken_header = broken_header
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.proxy = self
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
