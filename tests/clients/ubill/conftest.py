"""Fixtures of the UBill client's tests."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from custom_components.smsgateway24.clients.ubill import UBill
from simulator.demo import DEMO_UBILL_API_KEY
from simulator.ubill import PREFIX
from tests.clients.common import CannedProvider, RunningSimulator

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
def canned_client(canned: CannedProvider, session: aiohttp.ClientSession) -> UBill:
    """A client talking to the canned UBill."""
    return UBill(api_key=API_KEY, url=canned.url, session=session, request_timeout=5)
