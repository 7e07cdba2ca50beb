"""Fixtures of the simulator's own tests: a small world served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
import json
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from simulator.app import create_app
from simulator.clock import ManualClock
from simulator.models import WHATSAPP, Account, Phone, Sim
from simulator.state import Simulator

START = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)
EMAIL = "owner@example.com"
PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Stand in for the Home Assistant fixture: the simulator needs no Home Assistant."""


@dataclass
class World:
    """A simulator with one account and two phones, on a clock that tests move."""

    sim: Simulator
    clock: ManualClock
    account: Account
    phone: Phone
    other: Phone


@pytest.fixture
def world() -> World:
    """Two phones: one with two SIMs and WhatsApp, one with a single SIM."""
    clock = ManualClock(START)
    sim = Simulator(clock)
    account = sim.add_account(EMAIL, PASSWORD, "Europe/Paris")
    phone = sim.add_phone(
        account,
        title="Pixel",
        sims=[
            Sim(slot=0, carrier="Vodafone.de", number="+4915112345678", country="de"),
            Sim(slot=1, carrier="Telekom.de", number=" 4917012345678", roaming=True),
        ],
        channels=[WHATSAPP],
        imei="358240051111110",
    )
    other = sim.add_phone(account, title="Galaxy", app_version_current=False)
    return World(sim=sim, clock=clock, account=account, phone=phone, other=other)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the simulator answered, whole."""

    status: int
    content_type: str
    text: str

    @property
    def json(self) -> Any:
        """The answer decoded."""
        return json.loads(self.text)


@dataclass
class Client:
    """Calls the simulator over HTTP."""

    session: aiohttp.ClientSession
    url: str
    token: str = ""

    async def call(self, method: str, **fields: str | int) -> dict[str, Any]:
        """POST a form to an API method, with the token unless one is given."""
        form = {"token": self.token, **fields}
        async with self.session.post(
            f"{self.url}/getdata/{method}",
            data={key: str(value) for key, value in form.items()},
        ) as response:
            assert response.status == 200
            assert response.content_type == "application/json"
            answer: dict[str, Any] = await response.json()
            return answer

    async def query(self, method: str, **fields: str | int) -> dict[str, Any]:
        """GET an API method with the fields in the query string."""
        async with self.session.get(
            f"{self.url}/getdata/{method}",
            params={key: str(value) for key, value in fields.items()},
        ) as response:
            assert response.status == 200
            answer: dict[str, Any] = await response.json()
            return answer

    async def request(
        self, method: str, path: str, headers: dict[str, str], **options: Any
    ) -> Answer:
        """Call any path of the simulator; return its answer."""
        async with self.session.request(
            method, f"{self.url}{path}", headers=headers, **options
        ) as response:
            return Answer(response.status, response.content_type, await response.text())

    async def control(
        self, verb: str, path: str, body: object = None
    ) -> tuple[int, Any]:
        """Call the control API; return the status and the decoded JSON."""
        async with self.session.request(
            verb, f"{self.url}/_sim/{path}", json=body
        ) as response:
            return response.status, await response.json()


@pytest.fixture
async def client(world: World, socket_enabled: None) -> AsyncIterator[Client]:
    """A client of the small world, holding its token."""
    async with (
        TestServer(
            create_app(world.sim), host="127.0.0.1", handler_cancellation=True
        ) as server,
        aiohttp.ClientSession() as session,
    ):
        client = Client(session=session, url=str(server.make_url("")).rstrip("/"))
        client.token = world.sim.issue_token(world.account)
        yield client
