"""Binary sensors of the gateway phones: online, app update, subscription, roaming."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_platform, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.smsgateway24.binary_sensor import RoamingBinarySensor
from custom_components.smsgateway24.clients.smsgateway24 import Phone
from custom_components.smsgateway24.const import CONF_ONLINE_TIMEOUT, DOMAIN
from simulator.models import Sim
from tests.components.common import poll, state
from tests.conftest import RunningSimulator

PIXEL_ONLINE = "binary_sensor.pixel_7_online"
GALAXY_ONLINE = "binary_sensor.galaxy_a52_online"


pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture(autouse=True)
def only_binary_sensors() -> Generator[None]:
    """Set up the binary sensor platform alone."""
    with patch("custom_components.smsgateway24.PLATFORMS", [Platform.BINARY_SENSOR]):
        yield


async def test_binary_sensors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every binary sensor of both demo phones: state and registry entry."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_offline_after_the_timeout(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone silent for longer than the online timeout is offline, until it is back."""
    assert init_integration.options[CONF_ONLINE_TIMEOUT] == 10
    simulator.sim.set_online(simulator.pixel, False)
    freezer.tick(timedelta(minutes=9))
    simulator.sim.tick()

    # Exactly ten minutes of silence: still online.
    await poll(hass, freezer)
    assert state(hass, PIXEL_ONLINE) == STATE_ON

    await poll(hass, freezer)
    assert state(hass, PIXEL_ONLINE) == STATE_OFF
    assert state(hass, GALAXY_ONLINE) == STATE_ON
    assert state(hass, "binary_sensor.pixel_7_sim_1_roaming") == STATE_OFF

    simulator.sim.set_online(simulator.pixel, True)
    await poll(hass, freezer)
    assert state(hass, PIXEL_ONLINE) == STATE_ON


async def test_never_seen_phone_is_offline(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone the provider has no last contact for counts as offline."""
    client = init_integration.runtime_data.client
    get_phones = client.get_phones

    async def never_seen_pixel() -> dict[int, Phone]:
        phones = await get_phones()
        pixel = replace(phones[simulator.pixel], last_seen=None)
        return {**phones, pixel.id: pixel}

    with patch.object(client, "get_phones", never_seen_pixel):
        await poll(hass, freezer)

    assert state(hass, PIXEL_ONLINE) == STATE_OFF
    assert state(hass, GALAXY_ONLINE) == STATE_ON


async def test_roaming(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Roaming follows what each SIM reports."""
    assert state(hass, "binary_sensor.pixel_7_sim_1_roaming") == STATE_OFF
    assert state(hass, "binary_sensor.pixel_7_sim_2_roaming") == STATE_ON
    sims = simulator.sim.phone(simulator.pixel).sims
    sims[0] = replace(sims[0], roaming=True)
    sims[1] = replace(sims[1], roaming=False)

    await poll(hass, freezer)

    assert state(hass, "binary_sensor.pixel_7_sim_1_roaming") == STATE_ON
    assert state(hass, "binary_sensor.pixel_7_sim_2_roaming") == STATE_OFF


async def test_app_update(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An update is available while the phone's app is not the current version."""
    assert state(hass, "binary_sensor.galaxy_a52_app_update") == STATE_ON
    assert state(hass, "binary_sensor.pixel_7_app_update") == STATE_OFF
    simulator.sim.phone(simulator.galaxy).app_version_current = True
    simulator.sim.phone(simulator.pixel).app_version_current = False

    await poll(hass, freezer)

    assert state(hass, "binary_sensor.galaxy_a52_app_update") == STATE_OFF
    assert state(hass, "binary_sensor.pixel_7_app_update") == STATE_ON


async def test_subscription(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The subscription sensor turns off when it lapses, on when renewed."""
    assert state(hass, "binary_sensor.pixel_7_subscription") == STATE_ON
    simulator.sim.phone(simulator.pixel).subscription = False

    await poll(hass, freezer)
    assert state(hass, "binary_sensor.pixel_7_subscription") == STATE_OFF
    assert state(hass, "binary_sensor.galaxy_a52_subscription") == STATE_ON

    simulator.sim.phone(simulator.pixel).subscription = True
    await poll(hass, freezer)
    assert state(hass, "binary_sensor.pixel_7_subscription") == STATE_ON


async def test_new_sim_adds_roaming(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A SIM put into a phone gets its roaming sensor at the next poll."""
    assert hass.states.get("binary_sensor.galaxy_a52_sim_2_roaming") is None
    simulator.sim.phone(simulator.galaxy).sims.append(
        Sim(slot=1, carrier="Vodafone ES", country="es", roaming=True)
    )

    await poll(hass, freezer)

    assert state(hass, "binary_sensor.galaxy_a52_sim_2_roaming") == STATE_ON
    assert state(hass, "binary_sensor.galaxy_a52_sim_1_roaming") == STATE_OFF


async def test_sim_taken_out(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Roaming of a SIM the phone no longer reports is unavailable."""
    simulator.sim.phone(simulator.pixel).sims.pop()

    await poll(hass, freezer)

    assert state(hass, "binary_sensor.pixel_7_sim_2_roaming") == STATE_UNAVAILABLE
    assert state(hass, PIXEL_ONLINE) == STATE_ON
    platform = next(
        platform
        for platform in entity_platform.async_get_platforms(hass, DOMAIN)
        if platform.domain == Platform.BINARY_SENSOR
    )
    roaming = platform.entities["binary_sensor.pixel_7_sim_2_roaming"]
    assert isinstance(roaming, RoamingBinarySensor)
    assert roaming.is_on is None
