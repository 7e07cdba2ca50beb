"""Sensors of the gateway phones and their SIM cards."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from datetime import timedelta
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_platform, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.smsgateway24.const import DOMAIN
from custom_components.smsgateway24.sensor import SimSensor
from simulator.models import Sim
from tests.components.common import poll, state
from tests.conftest import RunningSimulator

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture(autouse=True)
def only_sensors() -> Generator[None]:
    """Set up the sensor platform alone."""
    with patch("custom_components.smsgateway24.PLATFORMS", [Platform.SENSOR]):
        yield


@pytest.fixture
def all_entities_enabled() -> Generator[None]:
    """Enable the entities that are disabled by default, such as the ICCID."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.mark.usefixtures("all_entities_enabled")
async def test_sensors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every sensor of both demo phones: state and registry entry."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_iccid_is_disabled_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The ICCID is registered but disabled until the user enables it."""
    entry = entity_registry.async_get("sensor.pixel_7_sim_1_iccid")
    assert entry is not None
    assert entry == snapshot
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get("sensor.pixel_7_sim_1_iccid") is None


async def test_last_seen_follows_the_phone(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The phones' check-ins move their last seen time."""
    freezer.tick(timedelta(minutes=4))
    simulator.sim.tick()

    await poll(hass, freezer)

    assert state(hass, "sensor.pixel_7_last_seen") == "2026-11-20T12:04:00+00:00"


async def test_sim_changes(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new operator, number or country of a SIM shows at the next poll."""
    sims = simulator.sim.phone(simulator.galaxy).sims
    sims[0] = replace(sims[0], carrier="SFR", number="+33698000000", country="")

    await poll(hass, freezer)

    assert state(hass, "sensor.galaxy_a52_sim_1_operator") == "SFR"
    assert state(hass, "sensor.galaxy_a52_sim_1_phone_number") == "+33698000000"
    assert state(hass, "sensor.galaxy_a52_sim_1_country") == "unknown"


async def test_new_sim_adds_its_sensors(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A SIM put into a phone gets its sensors at the next poll."""
    assert hass.states.get("sensor.galaxy_a52_sim_2_operator") is None
    simulator.sim.phone(simulator.galaxy).sims.append(
        Sim(slot=1, carrier="Bouygues", number="+33611111111", country="fr")
    )

    await poll(hass, freezer)

    assert state(hass, "sensor.galaxy_a52_sim_2_operator") == "Bouygues"
    assert state(hass, "sensor.galaxy_a52_sim_2_phone_number") == "+33611111111"
    assert state(hass, "sensor.galaxy_a52_sim_2_country") == "FR"
    iccid = entity_registry.async_get("sensor.galaxy_a52_sim_2_iccid")
    assert iccid is not None
    assert iccid.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    # The SIM that was already there is not added twice.
    galaxy_sensors = [
        entry.unique_id
        for entry in er.async_entries_for_config_entry(
            entity_registry, init_integration.entry_id
        )
        if entry.unique_id.startswith(f"{simulator.galaxy}_")
    ]
    assert len(galaxy_sensors) == len(set(galaxy_sensors)) == 11


async def test_sim_taken_out(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The sensors of a SIM the phone no longer reports are unavailable until it is back."""
    sims = simulator.sim.phone(simulator.pixel).sims
    second = sims.pop()

    await poll(hass, freezer)

    assert state(hass, "sensor.pixel_7_sim_2_operator") == STATE_UNAVAILABLE
    assert state(hass, "sensor.pixel_7_sim_1_operator") == "Vodafone.de"
    platform = next(
        platform
        for platform in entity_platform.async_get_platforms(hass, DOMAIN)
        if platform.domain == Platform.SENSOR
    )
    sensor = platform.entities["sensor.pixel_7_sim_2_operator"]
    assert isinstance(sensor, SimSensor)
    assert sensor.native_value is None

    sims.append(second)
    await poll(hass, freezer)

    assert state(hass, "sensor.pixel_7_sim_2_operator") == "Telekom.de"
