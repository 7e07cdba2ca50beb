"""Fixtures of the SMSGateway24 client's tests: its canned provider and clients.

The session and the Home Assistant stand-in come from the clients' conftest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from custom_components.smsgateway24.clients.smsgateway24 import SmsGateway24
from simulator.app import create_app
from simulator.demo import DEMO_EMAIL, DEMO_PASSWORD, build_demo
from tests.clients.conftest import server_url

from .common import TOKEN, CannedProvider, RunningSimulator

HOST = "127.0.0.1"


@pytest.fixture
async def sim_server(socket_enabled: None) -> AsyncIterator[RunningSimulator]:
    """The demo world on the real clock, served on 127.0.0.1."""
    sim = build_demo()
    # A handler still sleeping through latency ends when its client gives up.
    async with TestServer(
        create_app(sim), host=HOST, handler_cancellation=True
    ) as server:
        yield RunningSimulator(url=server_url(server), sim=sim)


@pytest.fixture
async def client(
    sim_server: RunningSimulator, session: aiohttp.ClientSession
) -> SmsGateway24:
    """A client signed in to the demo account, its sign-in left out of the log."""
    api = SmsGateway24(url=sim_server.url, session=session, request_timeout=5)
    await api.get_token(DEMO_EMAIL, DEMO_PASSWORD)
    sim_server.sim.clear_requests()
    return api


@pytest.fixture
async def canned(socket_enabled: None) -> AsyncIterator[CannedProvider]:
    """A provider that answers what the test chose, served on 127.0.0.1."""
    provider = CannedProvider()
    async with TestServer(
        provider.app(), host=HOST, handler_cancellation=True
    ) as server:
        provider.url = server_url(server)
        yield provider
        provider.stopping.set()


@pytest.fixture
def canned_client(
    canned: CannedProvider, session: aiohttp.ClientSession
) -> SmsGateway24:
    """A client holding a token, talking to the canned provider."""
    return SmsGateway24(url=canned.url, token=TOKEN, session=session, request_timeout=5)
