"""Answering an API call as every simulated provider does.

After the configured latency, now and then with the HTML page of a failing
proxy in front of the provider, and recorded in the one request log.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from collections.abc import Callable

    from .models import UploadInfo
    from .state import Simulator

BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
    b"<body><h1>Page not found</h1></body></html>\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """An answer, before it is sent."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"

    @classmethod
    def json(cls, data: object, status: int = 200) -> Reply:
        """Answer `data` as compact JSON."""
        return cls(body=json.dumps(data, separators=(",", ":")).encode(), status=status)

    @classmethod
    def text(cls, text: str, status: int = 200) -> Reply:
        """Answer plain text."""
        return cls(body=text.encode(), status=status, content_type="text/plain")


BAD_GATEWAY = Reply(body=BAD_GATEWAY_HTML, status=502, content_type="text/html")
NOT_FOUND = Reply(body=NOT_FOUND_HTML, status=404, content_type="text/html")


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """What the request log keeps of a call: who was asked what, and how."""

    provider: str
    method: str
    request: web.Request
    fields: dict[str, str | UploadInfo]
    # The headers the provider reads, as sent.
    headers: dict[str, str] = field(default_factory=dict)
    # The decoded JSON body, when the call has one.
    body: object = None


async def respond(
    sim: Simulator, call: Call, answer: Callable[[], Reply]
) -> web.Response:
    """Answer a call after the latency, or with the proxy's error page; log it."""
    if sim.latency:
        await asyncio.sleep(sim.latency)
    reply = BAD_GATEWAY if sim.take_html_error() else answer()
    sim.record(
        provider=call.provider,
        method=call.method,
        http_method=call.request.method,
        path=call.request.path,
        headers=call.headers,
        fields=call.fields,
        body=call.body,
        status=reply.status,
        response_bytes=len(reply.body),
    )
    return web.Response(
        status=reply.status, body=reply.body, content_type=reply.content_type
    )
