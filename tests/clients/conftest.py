"""Fixtures of the client tests: the simulator, a canned provider, a session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
from aiohttp.test_utils import BaseTestServer, TestServer
import pytest

from simulator.app import create_app
from simulator.clock import ManualClock
from simulator.demo import build_demo

from .common import CannedProvider, RunningSimulator

HOST = "127.0.0.1"
START = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)


def server_url(server: BaseTestServer) -> str:
    """The base URL a test server listens on."""
    return str(server.make_url("")).rstrip("/")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace the Home Assistant fixture of the same name: the clients need none."""


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A client session of the test, closed at its end."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def sim_server(socket_enabled: None) -> AsyncIterator[RunningSimulator]:
    """The demo world on a clock the test moves, served on 127.0.0.1."""
    clock = ManualClock(START)
    sim = build_demo(clock)
    # A handler still sleeping through latency ends when its client gives up.
    async with TestServer(
        create_app(sim), host=HOST, handler_cancellation=True
    ) as server:
        yield RunningSimulator(url=server_url(server), sim=sim, clock=clock)


@pytest.fixture
def canned_provider(request: pytest.FixtureRequest) -> CannedProvider:
    """A provider answering any path, its documented answers beside the test."""
    return CannedProvider(request.path.parent / "fixtures")


@pytest.fixture
async def canned(
    canned_provider: CannedProvider, socket_enabled: None
) -> AsyncIterator[CannedProvider]:
    """The canned provider of the test's client, served on 127.0.0.1."""
    async with TestServer(
        canned_provider.app(), host=HOST, handler_cancellation=True
    ) as server:
        canned_provider.url = server_url(server)
        yield canned_provider
        canned_provider.stopping.set()
