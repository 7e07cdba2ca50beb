"""What the tests of the backup routes' clients share: servers and checks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
from pathlib import Path
import socket
import traceback
from typing import Any

from aiohttp import web

from simulator.clock import ManualClock
from simulator.models import RecordedRequest
from simulator.state import Simulator


@dataclass(frozen=True, slots=True)
class RunningSimulator:
    """The demo world on a clock the test moves, served on a local port."""

    url: str
    sim: Simulator
    clock: ManualClock


@dataclass(frozen=True, slots=True, kw_only=True)
class CannedAnswer:
    """What the canned provider sends back to one path."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"
    charset: str | None = None
    # Seconds to wait before answering; the wait ends when the server stops.
    delay: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceivedRequest:
    """One request the canned provider received."""

    method: str
    path: str
    raw_path: str
    headers: dict[str, str]
    content_type: str
    query: dict[str, str]
    fields: dict[str, str]
    # Uploaded files by field: file name, content and content type.
    files: dict[str, tuple[str, bytes, str]]
    json: object


@dataclass(slots=True)
class CannedProvider:
    """Answers the requests `route` matches with whatever a test chose for each path.

    By default any path, 404 where nothing was chosen; SMSGateway24's provider
    answers `POST /getdata/{path}` only, with `unchosen` where nothing was chosen.
    """

    fixtures: Path
    route: str = "/{path:.*}"
    http_method: str = "*"
    unchosen: CannedAnswer | None = None
    answers: dict[str, CannedAnswer] = field(default_factory=dict)
    received: list[ReceivedRequest] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    def reply(
        self,
        path: str,
        body: str | bytes,
        *,
        status: int = 200,
        content_type: str = "application/json",
        charset: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer `path` (what `route` matches as `{path}`) with exactly this body."""
        self.answers[path] = CannedAnswer(
            body=body.encode() if isinstance(body, str) else body,
            status=status,
            content_type=content_type,
            charset=charset,
            delay=delay,
        )

    def reply_json(self, path: str, data: object, *, status: int = 200) -> None:
        """Answer `path` with this value as JSON."""
        self.reply(path, json.dumps(data), status=status)

    def reply_fixture(self, path: str, name: str) -> None:
        """Answer `path` with one of the documented example answers."""
        self.reply(path, (self.fixtures / name).read_bytes())

    @property
    def last(self) -> ReceivedRequest:
        """The request received last."""
        return self.received[-1]

    def app(self) -> web.Application:
        """The web application serving the canned answers."""
        app = web.Application()
        app.router.add_route(self.http_method, self.route, self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        fields: dict[str, str] = {}
        files: dict[str, tuple[str, bytes, str]] = {}
        decoded: object = None
        if request.content_type == "application/json":
            decoded = json.loads(await request.read())
        elif request.method == "POST":
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[name] = (
                        value.filename,
                        value.file.read(),
                        value.content_type,
                    )
                else:
                    fields[name] = str(value)
        self.received.append(
            ReceivedRequest(
                method=request.method,
                path=request.path,
                raw_path=request.raw_path,
                headers=dict(request.headers),
                content_type=request.content_type,
                query=dict(request.query),
                fields=fields,
                files=files,
                json=decoded,
            )
        )
        answer = self.answers.get(request.match_info["path"], self.unchosen)
        if answer is None:
            return web.Response(status=404, text="no answer chosen")
        if answer.delay:
            try:
                async with asyncio.timeout(answer.delay):
                    await self.stopping.wait()
            except TimeoutError:
                pass
        return web.Response(
            body=answer.body,
            status=answer.status,
            content_type=answer.content_type,
            charset=answer.charset,
        )


def only_request(sim_server: RunningSimulator, provider: str) -> RecordedRequest:
    """The one request the simulator received, checked to be `provider`'s and answered."""
    (request,) = sim_server.sim.requests
    assert request.provider == provider
    assert request.status == 200
    return request


def load_fixture(folder: Path, name: str) -> Any:
    """One documented answer, decoded."""
    return json.loads((folder / name).read_text(encoding="utf-8"))


def closed_port() -> int:
    """A port of 127.0.0.1 nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def every_text(err: BaseException) -> str:
    """Everything an exception can show: its text, repr, args and traceback."""
    return "\n".join(
        [
            str(err),
            repr(err),
            repr(err.args),
            "".join(traceback.format_exception(err)),
            str(getattr(err, "provider_message", "")),
        ]
    )
