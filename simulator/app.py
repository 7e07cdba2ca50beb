"""The simulator's web application: the providers' APIs and the control API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import provider
from .cloud_control import CloudControl
from .control import ControlApi
from .demo import populate_demo
from .models import UploadInfo
from .serving import NOT_FOUND, Call, Reply, respond
from .seven import SevenApi
from .state import Simulator
from .ubill import UBillApi

if TYPE_CHECKING:
    from collections.abc import Callable

SIMULATOR_KEY = web.AppKey("simulator", Simulator)
# The provider's name in the request log.
PROVIDER = "smsgateway24"

# Images ride in multipart requests; aiohttp's 1 MiB default is too small for photos.
MAX_REQUEST_BYTES = 20 * 1024 * 1024


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

        def answer() -> Reply:
            if method not in provider.METHODS:
                return NOT_FOUND
            return Reply(body=provider.encode(provider.answer(sim, method, parsed)))

        call = Call(provider=PROVIDER, method=method, request=request, fields=logged)
        return await respond(sim, call, answer)


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
    SevenApi(sim).add_routes(app.router)
    UBillApi(sim).add_routes(app.router)
    ControlApi(sim, reset).add_routes(app.router)
    CloudControl(sim).add_routes(app.router)
    return app
