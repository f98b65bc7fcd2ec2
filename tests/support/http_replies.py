"""Answers at the HTTP boundary, for the real client: :func:`http_response` (what a ``requests``
transport adapter returns) and :class:`Replies`, an adapter that answers with given replies.

:class:`Replies` is for answers that no simulator plays because no service should send them:
generated bodies of any shape, broken listings, a page token that comes back. The collection's
real client reads them (``SgwClient.call``: reading, decoding, errors), so that only the bytes on
the wire are made up. Everything a service plausibly answers is played by the simulator instead.
"""

from __future__ import annotations

import io
import json

import requests
import requests.adapters
import urllib3

from ansible_collections.alibabacloud.sgw.plugins.module_utils.credentials.chain import Credentials
from ansible_collections.alibabacloud.sgw.plugins.module_utils.wire.transport import RetryPolicy, SgwClient
from tests.support.sim_process import KEY_ID, KEY_SECRET

ENDPOINT = "http://127.0.0.1:9"  # never contacted: the adapter answers


def http_response(request, status, body: bytes, headers: dict) -> requests.Response:
    """A streamed ``requests.Response`` to ``request``: ``status``, ``headers`` and ``body``."""
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    response.raw = urllib3.HTTPResponse(body=io.BytesIO(body), status=status, headers=dict(response.headers),
                                        preload_content=False)
    response.url = request.url
    response.request = request
    return response


class Replies(requests.adapters.BaseAdapter):
    """Answers each request with the next of ``replies``, the last one again once they run out.

    A reply is ``(status, body bytes, content type)``, or any other value: a 200 with that value as
    its JSON body. ``requests`` lists the prepared requests received.
    """

    def __init__(self, *replies):
        super().__init__()
        self.replies = list(replies)
        self.requests = []

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if not isinstance(reply, tuple):
            reply = (200, json.dumps(reply).encode(), "application/json")
        status, body, content_type = reply
        return http_response(request, status, body, {"Content-Type": content_type})

    def close(self):
        pass


def client_answered_by(*replies, credentials=None):
    """``(client, adapter)``: the real client, retrying nothing, answered by :class:`Replies` of ``replies``."""
    client = SgwClient(credentials or Credentials(KEY_ID, KEY_SECRET), endpoint=ENDPOINT,
                       retry=RetryPolicy(max_retries=0))
    adapter = Replies(*replies)
    client.session.mount(ENDPOINT + "/", adapter)
    return client, adapter
