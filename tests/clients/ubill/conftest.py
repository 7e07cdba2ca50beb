"""Fixtures of the UBill client's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from custom_components.smsgateway24.clients.ubill import UBill
from simulator.demo import DEMO_UBILL_API_KEY
from simulator.ubill import PREFIX
from tests.clients.common import CannedProvider, RunningSimulator
from tests.clients.conftest import HOST, server_url

FIXTURES = Path(__file__).parent / "fixtures"
# A key the canned provider never checks; it only has to stay secret.
API_KEY = "ub1llk3y0f7h3acc0un7"


@pytest.fixture
def client(sim_server: RunningSimulator, session: aiohttp.ClientSession) -> UBill:
    """A client of the demo UBill account in the simulator."""
    return UBill(
        api_key=DEMO_UBILL_API_KEY,
        url=sim_server.url + PREFIX,
        session=session,
        request_timeout=5,
    )


@pytest.fixture
async def canned(socket_enabled: None) -> AsyncIterator[CannedProvider]:
    """A UBill that answers what the test chose, served on 127.0.0.1."""
    provider = CannedProvider(FIXTURES)
    async with TestServer(
        provider.app(), host=HOST, handler_cancellation=True
    ) as server:
        provider.url = server_url(server)
        yield provider
        provider.stopping.set()


@pytest.fixture
def canned_client(canned: CannedProvider, session: aiohttp.ClientSession) -> UBill:
    """A client talking to the canned UBill."""
    return UBill(api_key=API_KEY, url=canned.url, session=session, request_timeout=5)
