"""Sensors of the gateway phones and their SIM cards."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from datetime import timedelta
from typing import Any
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    EntityCategory,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_platform, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.smsgateway24.clients.smsgateway24 import (
    MessageList,
    SmsGateway24,
    SmsGateway24ConnectionError,
)
from custom_components.smsgateway24.const import DOMAIN, EVENT_SMS_RECEIVED
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


async def test_last_seen_is_off_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Last seen changes at every poll: it is a diagnostic the user turns on."""
    entry = entity_registry.async_get("sensor.pixel_7_last_seen")
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert entry.entity_category is EntityCategory.DIAGNOSTIC
    assert hass.states.get("sensor.pixel_7_last_seen") is None


@pytest.mark.usefixtures("all_entities_enabled")
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


async def test_sim_number_is_shown_in_international_form(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A number the phone reports without its "+" gets it; a national one stays."""
    # The Pixel reports its SIM 2 as " 4917012345678".
    assert state(hass, "sensor.pixel_7_sim_2_phone_number") == "+4917012345678"
    sims = simulator.sim.phone(simulator.galaxy).sims
    sims[0] = replace(sims[0], number="06 12 34 56 78")

    await poll(hass, freezer)

    assert state(hass, "sensor.galaxy_a52_sim_1_phone_number") == "06 12 34 56 78"


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


async def test_last_message_starts_with_the_newest_received(
    hass: HomeAssistant, simulator: RunningSimulator, config_entry: MockConfigEntry
) -> None:
    """A new Last message sensor shows the phone's newest message, and fires nothing.

    The lookup is apart from the polls: windows from the shortest, until
    every phone has its message (the Pixel's is 5 hours old, the Galaxy's 26).
    """
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    pixel = hass.states.get("sensor.pixel_7_last_message")
    assert pixel is not None
    assert pixel.state == "ALARM OFF"
    assert pixel.attributes["sender"] == "+4915209876543"
    assert pixel.attributes["received_at"] == "2026-11-20T07:00:00+00:00"
    assert pixel.attributes["sim"] == 0
    assert state(hass, "sensor.galaxy_a52_last_message") == "STATUS"
    assert events == []
    lookups = [r.fields for r in simulator.sim.requests[2:]]
    assert [(r["status"], r["begindate"]) for r in lookups] == [
        ("5", "2026-11-19 12:00:00"),
        ("5", "2026-11-13 12:00:00"),
    ]


async def test_known_last_message_sensors_look_nothing_up(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Once the sensors exist, a reload restores them: no lookup, the poll alone."""
    simulator.sim.clear_requests()

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    assert simulator.api_calls() == ["getalldevices", "getallsms"]
    assert state(hass, "sensor.pixel_7_last_message") == "ALARM OFF"


async def test_last_message_lookup_failure_leaves_it_unknown(
    hass: HomeAssistant, simulator: RunningSimulator, config_entry: MockConfigEntry
) -> None:
    """When the lookup fails, the sensors wait for the next message."""
    original = SmsGateway24.get_messages

    async def refuse_history(client: SmsGateway24, **filters: Any) -> MessageList:
        begin = filters.get("begin")
        if begin is not None and dt_util.utcnow() - begin > timedelta(hours=1):
            raise SmsGateway24ConnectionError("down")
        return await original(client, **filters)

    config_entry.add_to_hass(hass)
    with patch.object(SmsGateway24, "get_messages", refuse_history):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()

    assert config_entry.state is ConfigEntryState.LOADED
    assert state(hass, "sensor.pixel_7_last_message") == STATE_UNKNOWN
