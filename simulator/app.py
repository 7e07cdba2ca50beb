"""The simulator's web application: the provider's API and the control API."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web

from . import provider
from .control import ControlApi
from .demo import populate_demo
from .models import UploadInfo
from .state import Simulator

if TYPE_CHECKING:
    from collections.abc import Callable

SIMULATOR_KEY = web.AppKey("simulator", Simulator)

# Images ride in multipart requests; aiohttp's 1 MiB default is too small for photos.
MAX_REQUEST_BYTES = 20 * 1024 * 1024

_BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
    b"<body><h1>Page not found</h1></body></html>\n"
)


class ProviderApi:
    """Serves `/getdata/<method>` the way the provider does."""

    def __init__(self, sim: Simulator) -> None:
        """Serve the world `sim`."""
        self._sim = sim

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one API call, after the configured latency, and log it."""
        sim = self._sim
        method = request.match_info["method"]
        parsed, logged = await _read(request)
        if sim.latency:
            await asyncio.sleep(sim.latency)
        status = 200
        content_type = "application/json"
        if sim.take_html_error():
            status, content_type, body = 502, "text/html", _BAD_GATEWAY_HTML
        elif method not in provider.METHODS:
            status, content_type, body = 404, "text/html", _NOT_FOUND_HTML
        else:
            body = provider.encode(provider.answer(sim, method, parsed))
        sim.record(
            method=method,
            http_method=request.method,
            fields=logged,
            status=status,
            response_bytes=len(body),
        )
        return web.Response(status=status, body=body, content_type=content_type)


async def _read(
    request: web.Request,
) -> tuple[provider.Request, dict[str, str | UploadInfo]]:
    """Merge query and form fields, the form winning, as PHP's $_REQUEST does."""
    fields: dict[str, str] = dict(request.query)
    files: dict[str, provider.Upload] = {}
    if request.method == "POST":
        for name, value in (await request.post()).items():
            if isinstance(value, str):
                fields[name] = value
            elif isinstance(value, bytes | bytearray):
                fields[name] = value.decode(errors="replace")
            else:
                files[name] = provider.Upload(
                    filename=value.filename, data=value.file.read()
                )
    logged: dict[str, str | UploadInfo] = dict(fields)
    for name, upload in files.items():
        logged[name] = UploadInfo(filename=upload.filename, size=len(upload.data))
    return provider.Request(fields=fields, files=files), logged


def create_app(
    sim: Simulator, *, reset: Callable[[Simulator], None] = populate_demo
) -> web.Application:
    """Build the web application serving `sim`.

    `reset` fills an emptied world when `POST /_sim/reset` is called.
    """
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[SIMULATOR_KEY] = sim
    api = ProviderApi(sim)
    app.router.add_get("/getdata/{method}", api.handle)
    app.router.add_post("/getdata/{method}", api.handle)
    ControlApi(sim, reset).add_routes(app.router)
    return app
