"""What the client tests share: servers' handles and the documented answers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from simulator.state import Simulator

FIXTURES = Path(__file__).parent / "fixtures"

# Credentials the canned provider never checks; they only have to stay secret.
TOKEN = "c0ffee4a11ce5ecre7"
PASSWORD = "Pa55-w0rd!hunter2"


def load_fixture(name: str) -> Any:
    """One documented answer, decoded."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_text(name: str) -> str:
    """One documented answer, as the provider sends it."""
    return (FIXTURES / name).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class RunningSimulator:
    """The simulator serving the demo world on a local port."""

    url: str
    sim: Simulator


@dataclass(frozen=True, slots=True, kw_only=True)
class CannedAnswer:
    """What the canned provider sends back to one method."""

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
    content_type: str
    fields: dict[str, str]
    files: dict[str, tuple[str, bytes, str]]


@dataclass(slots=True)
class CannedProvider:
    """Answers `/getdata/<method>` with whatever a test chose.

    Methods without a chosen answer get `{"error": 0, "message": "OK"}`.
    """

    answers: dict[str, CannedAnswer] = field(default_factory=dict)
    received: list[ReceivedRequest] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    def reply(
        self,
        method: str,
        body: str | bytes,
        *,
        status: int = 200,
        content_type: str = "application/json",
        charset: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer `method` with exactly this body."""
        self.answers[method] = CannedAnswer(
            body=body.encode() if isinstance(body, str) else body,
            status=status,
            content_type=content_type,
            charset=charset,
            delay=delay,
        )

    def reply_json(self, method: str, data: object, *, status: int = 200) -> None:
        """Answer `method` with this value as JSON."""
        self.reply(method, json.dumps(data), status=status)

    def reply_fixture(self, method: str, name: str) -> None:
        """Answer `method` with one of the documented example answers."""
        self.reply(method, fixture_text(name))

    def app(self) -> web.Application:
        """The web application serving the canned answers."""
        app = web.Application()
        app.router.add_post("/getdata/{method}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        fields: dict[str, str] = {}
        files: dict[str, tuple[str, bytes, str]] = {}
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = (value.filename, value.file.read(), value.content_type)
            else:
                fields[name] = str(value)
        self.received.append(
            ReceivedRequest(
                method=method,
                content_type=request.content_type,
                fields=fields,
                files=files,
            )
        )
        answer = self.answers.get(
            method, CannedAnswer(body=b'{"error":0,"message":"OK"}')
        )
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
