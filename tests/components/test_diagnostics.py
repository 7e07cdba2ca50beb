"""Diagnostics of an account: useful for a bug report, with nothing personal in it."""

from __future__ import annotations

import json

from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.smsgateway24.const import CONF_FALLBACK_ROUTE
from simulator.demo import DEMO_EMAIL, DEMO_PASSWORD, DEMO_UBILL_API_KEY
from tests.components.routes_common import add_route, seven_data, ubill_data
from tests.conftest import RunningSimulator

pytestmark = pytest.mark.usefixtures("frozen_time")


# What phones report when they do not know a value: not personal.
PLACEHOLDERS = {"", "null", "unknown"}


def personal_data(simulator: RunningSimulator) -> set[str]:
    """Everything of the demo account that must not leave Home Assistant."""
    account = simulator.sim.account(DEMO_EMAIL)
    assert account.token
    found = {account.email, account.password, account.token}
    numbers: set[str] = set()
    for phone in account.phones.values():
        found |= {phone.imei, phone.serial}
        for sim in phone.sims:
            found.add(sim.iccid)
            numbers.add(sim.number)
    for message in account.messages:
        found.add(message.body)
        numbers.add(message.sendto)
    # A number may be shown with or without its spaces and plus sign.
    found |= {number.strip() for number in numbers}
    found |= {number.strip().lstrip("+") for number in numbers}
    return found - PLACEHOLDERS


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The entry, the phones and the cursor, with personal data redacted."""
    simulator.sim.inject_incoming(simulator.pixel, "+4917699887766", "Gate code 4711")
    coordinator = init_integration.runtime_data
    await coordinator.async_refresh()
    assert coordinator.data.new_incoming

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    # The simulator listens on a port of its own choosing.
    assert diagnostics["entry"]["data"][CONF_URL] == simulator.url
    assert diagnostics == snapshot(exclude=props(CONF_URL))
    dumped = json.dumps(diagnostics)
    secrets = personal_data(simulator)
    assert {DEMO_PASSWORD, "+4917699887766", "Gate code 4711"} <= secrets
    leaked = sorted(secret for secret in secrets if secret in dumped)
    assert not leaked


async def test_diagnostics_of_routes(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Each route: its provider, balance and whether it answers; no key, secret or sender."""
    simulator.sim.seven.add_account("seven-key-of-the-house", balance=4.2)
    backup = await add_route(
        hass,
        init_integration,
        "Backup",
        seven_data(
            simulator,
            api_key="seven-key-of-the-house",
            sender="+4915199990000",
            signing_secret="the-signing-secret",
        ),
    )
    # UBill refuses the key: the route is listed, unavailable.
    simulator.sim.ubill.refuse(401, -1)
    await add_route(hass, init_integration, "Georgia", ubill_data(simulator))
    hass.config_entries.async_update_entry(
        init_integration,
        options={**init_integration.options, CONF_FALLBACK_ROUTE: backup.subentry_id},
    )

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert diagnostics["routes"] == snapshot(exclude=props(CONF_URL))
    dumped = json.dumps(diagnostics)
    for secret in (
        "seven-key-of-the-house",
        "the-signing-secret",
        "+4915199990000",
        "4915199990000",
        DEMO_UBILL_API_KEY,
    ):
        assert secret not in dumped
