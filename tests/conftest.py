"""Fixtures shared by the Home Assistant tests: the simulator and a config entry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass
import logging

from aiohttp.test_utils import TestServer
from homeassistant.const import (
    CONF_EMAIL,
    CONF_TOKEN,
    CONF_URL,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.smsgateway24.const import (
    CONF_DEVICE_ID,
    CONF_ONLINE_TIMEOUT,
    CONF_SCAN_INTERVAL,
    CONF_SIM,
    DOMAIN,
)
from simulator.app import create_app
from simulator.demo import DEMO_EMAIL, build_demo
from simulator.state import Simulator


@pytest.fixture(autouse=True)
async def auto_enable_custom_integrations(
    hass: HomeAssistant, enable_custom_integrations: None
) -> None:
    """Let Home Assistant load this repository's integration in every test.

    Its core integration runs too, as it always does outside tests: the
    conversation integration the integration depends on needs it.
    """
    assert await async_setup_component(hass, "homeassistant", {})


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's format, alike on every release tested.

    The newest pytest-homeassistant-custom-component's own fixture is not the
    one pytest picks (syrupy's plain one is), so the extension is chosen here.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


# How Home Assistant words a deprecated use it found in this integration: the
# frame helper's "Detected that custom integration 'x' ..." and the deprecation
# helper's "The deprecated function f was called from x."
DEPRECATED_USE = (
    f"Detected that custom integration '{DOMAIN}'",
    f" from {DOMAIN}.",
)


class _DeprecatedUses(logging.Handler):
    """Collect the deprecated uses Home Assistant reports of this integration."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if any(mark in message for mark in DEPRECATED_USE):
            self.found.append(message)


@pytest.fixture(autouse=True)
def no_deprecated_use() -> Generator[None]:
    """Fail any test during which Home Assistant reports a deprecated use by us.

    Home Assistant reports each use once per run; the test plugin forgets
    what it reported after every test, so each test sees its own.
    """
    guard = _DeprecatedUses()
    root = logging.getLogger()
    root.addHandler(guard)
    try:
        yield
    finally:
        root.removeHandler(guard)
    if guard.found:
        pytest.fail(
            "Home Assistant reported a deprecated use by this integration:\n"
            + "\n".join(guard.found),
            pytrace=False,
        )


@dataclass
class RunningSimulator:
    """The simulator's world and the URL it is served at."""

    sim: Simulator
    url: str

    @property
    def pixel(self) -> int:
        """Id of the demo phone with two SIMs."""
        return self.phone_id("Pixel 7")

    @property
    def galaxy(self) -> int:
        """Id of the demo phone with an outdated app."""
        return self.phone_id("Galaxy A52")

    def phone_id(self, title: str) -> int:
        """Id of a demo phone by its title."""
        account = self.sim.account(DEMO_EMAIL)
        return next(p.id for p in account.phones.values() if p.title == title)

    def api_calls(self) -> list[str]:
        """Names of the provider methods called so far."""
        return [request.method for request in self.sim.requests]


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[RunningSimulator]:
    """The demo world served on 127.0.0.1."""
    sim = build_demo()
    server = TestServer(create_app(sim), host="127.0.0.1")
    # Its access log reads the local time, which frozen clocks break.
    await server.start_server(access_log=None)
    try:
        yield RunningSimulator(sim=sim, url=str(server.make_url("")).rstrip("/"))
    finally:
        await server.close()


@pytest.fixture
def config_entry(simulator: RunningSimulator) -> MockConfigEntry:
    """An entry of the demo account, signed in, sending from the Pixel's SIM 1."""
    account = simulator.sim.account(DEMO_EMAIL)
    return MockConfigEntry(
        domain=DOMAIN,
        title=DEMO_EMAIL,
        unique_id=DEMO_EMAIL,
        data={
            CONF_URL: simulator.url,
            CONF_EMAIL: DEMO_EMAIL,
            CONF_TOKEN: simulator.sim.issue_token(account),
        },
        options={
            CONF_DEVICE_ID: simulator.pixel,
            CONF_SIM: 0,
            CONF_SCAN_INTERVAL: 60,
            CONF_ONLINE_TIMEOUT: 10,
        },
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The demo account's entry, set up."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry
