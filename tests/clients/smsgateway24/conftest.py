"""Fixtures of the SMSGateway24 client's tests: its canned provider and clients.

The servers and the session come from the clients' conftest.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from custom_components.smsgateway24.clients.smsgateway24 import SmsGateway24
from simulator.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.clients.common import CannedAnswer, CannedProvider, RunningSimulator

FIXTURES = Path(__file__).parent / "fixtures"
# Credentials the canned provider never checks; they only have to stay secret.
TOKEN = "c0ffee4a11ce5ecre7"
PASSWORD = "Pa55-w0rd!hunter2"


@pytest.fixture
def canned_provider() -> CannedProvider:
    """SMSGateway24's shape: `POST /getdata/<method>`, OK where nothing was chosen."""
    return CannedProvider(
        FIXTURES,
        route="/getdata/{path}",
        http_method="POST",
        unchosen=CannedAnswer(body=b'{"error":0,"message":"OK"}'),
    )


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
def canned_client(
    canned: CannedProvider, session: aiohttp.ClientSession
) -> SmsGateway24:
    """A client holding a token, talking to the canned provider."""
    return SmsGateway24(url=canned.url, token=TOKEN, session=session, request_timeout=5)
