"""Fixtures of the seven client's tests."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from custom_components.smsgateway24.clients.seven import Seven
from simulator.demo import DEMO_SEVEN_API_KEY
from simulator.seven import PREFIX
from tests.clients.common import CannedProvider, RunningSimulator

FIXTURES = Path(__file__).parent / "fixtures"
# A key the canned provider never checks; it only has to stay secret.
API_KEY = "k3y0f7h3s3v3nacc0un7xx"


@pytest.fixture
def client(sim_server: RunningSimulator, session: aiohttp.ClientSession) -> Seven:
    """A client of the demo seven account in the simulator."""
    return Seven(
        api_key=DEMO_SEVEN_API_KEY,
        url=sim_server.url + PREFIX,
        session=session,
        request_timeout=5,
    )


@pytest.fixture
def canned_client(canned: CannedProvider, session: aiohttp.ClientSession) -> Seven:
    """A client talking to the canned seven."""
    return Seven(api_key=API_KEY, url=canned.url, session=session, request_timeout=5)
