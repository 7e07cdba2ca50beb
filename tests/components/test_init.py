"""Setting up and unloading an account, its failures, and its phones as devices."""

from __future__ import annotations

import logging
import socket

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_URL, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.smsgateway24.const import DOMAIN
from simulator.demo import DEMO_EMAIL
from simulator.models import Sim
from tests.components.common import phone_device, poll, state
from tests.conftest import RunningSimulator

ONLINE = "binary_sensor.pixel_7_online"


pytestmark = pytest.mark.usefixtures("frozen_time")


def closed_port_url() -> str:
    """The URL of a local port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_load(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """The first poll reads the phones and the new messages, two requests.

    The new Last message sensors then look up the phones' newest messages
    once, apart from the polls: the Pixel's is in the last day, the Galaxy's
    in the last week.
    """
    assert init_integration.state is ConfigEntryState.LOADED
    assert simulator.api_calls() == [
        "getalldevices",
        "getallsms",
        "getallsms",
        "getallsms",
    ]
    first_poll, *lookups = [r.fields for r in simulator.sim.requests[1:]]
    assert first_poll["status"] == "5"
    assert [lookup["status"] for lookup in lookups] == ["5", "5"]
    assert state(hass, ONLINE) == "on"


async def test_unload(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unloading leaves the entities unavailable and polls no more."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()

    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert state(hass, ONLINE) == STATE_UNAVAILABLE
    simulator.sim.clear_requests()
    await poll(hass, freezer)
    assert simulator.api_calls() == []


async def test_retry_when_the_server_cannot_be_reached(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """A closed port keeps the entry retrying its setup."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_URL: closed_port_url()}
    )

    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_retry_when_the_server_answers_html(
    hass: HomeAssistant, simulator: RunningSimulator, config_entry: MockConfigEntry
) -> None:
    """A proxy's error page instead of the API keeps the entry retrying."""
    simulator.sim.set_html_errors(-1)
    config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_reauth_when_the_token_expired_before_setup(
    hass: HomeAssistant, simulator: RunningSimulator, config_entry: MockConfigEntry
) -> None:
    """A refused token fails the setup and asks the user to sign in again."""
    simulator.sim.expire_token(DEMO_EMAIL)
    config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = config_entry.async_get_active_flows(hass, {SOURCE_REAUTH})
    assert [flow["step_id"] for flow in flows] == ["reauth_confirm"]


async def test_reauth_when_the_token_expires_later(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A token refused by a later poll starts reauth; the entities go unavailable."""
    simulator.sim.expire_token(DEMO_EMAIL)

    await poll(hass, freezer)

    assert state(hass, ONLINE) == STATE_UNAVAILABLE
    flows = init_integration.async_get_active_flows(hass, {SOURCE_REAUTH})
    assert [flow["step_id"] for flow in flows] == ["reauth_confirm"]


async def test_failed_polls_are_logged_once(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Several failed polls log one error; the recovery is logged once too."""
    caplog.set_level(logging.INFO, logger="custom_components.smsgateway24")
    simulator.sim.set_html_errors(-1)

    for _ in range(3):
        await poll(hass, freezer)
        assert state(hass, ONLINE) == STATE_UNAVAILABLE

    simulator.sim.set_html_errors(0)
    for _ in range(2):
        await poll(hass, freezer)
        assert state(hass, ONLINE) == "on"

    failed = [
        record
        for record in caplog.records
        if record.levelno == logging.ERROR and "Error fetching" in record.message
    ]
    recovered = [record for record in caplog.records if "recovered" in record.message]
    assert len(failed) == 1
    assert "Could not fetch data from SMSGateway24" in failed[0].message
    assert len(recovered) == 1
    assert init_integration.runtime_data.last_update_success


async def test_devices(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every phone of the account is a device, named and versioned as the app says."""
    devices = dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    )
    assert sorted(devices, key=lambda device: device.name or "") == snapshot


async def test_device_follows_app_update(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Updating the app on a phone updates the device's software version."""
    device = phone_device(hass, simulator.galaxy)
    assert device is not None
    assert device.sw_version == "12.1.21"
    galaxy = simulator.sim.phone(simulator.galaxy)
    galaxy.app_version = "12.3.4"
    galaxy.app_version_current = True

    await poll(hass, freezer)

    device = phone_device(hass, simulator.galaxy)
    assert device is not None
    assert device.sw_version == "12.3.4"
    assert state(hass, "sensor.galaxy_a52_app_version") == "12.3.4"


async def test_device_follows_rename(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone renamed at the provider is renamed; a name the user gave stays."""
    pixel_id, galaxy_id = simulator.pixel, simulator.galaxy
    pixel = phone_device(hass, pixel_id)
    galaxy = phone_device(hass, galaxy_id)
    assert pixel is not None
    assert galaxy is not None
    device_registry.async_update_device(galaxy.id, name_by_user="Hall phone")
    simulator.sim.phone(pixel_id).title = "Pixel 7 Pro"
    simulator.sim.phone(galaxy_id).title = "Galaxy A53"

    await poll(hass, freezer)

    pixel = phone_device(hass, pixel_id)
    galaxy = phone_device(hass, galaxy_id)
    assert pixel is not None
    assert galaxy is not None
    assert pixel.name == "Pixel 7 Pro"
    assert (galaxy.name, galaxy.name_by_user) == ("Galaxy A53", "Hall phone")


@pytest.mark.usefixtures("init_integration")
async def test_phone_added_later(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone added to the account appears at the next poll, without a reload."""
    phone = simulator.sim.add_phone(
        DEMO_EMAIL,
        title="Moto G",
        sims=[Sim(slot=0, carrier="Free", number="+33700000001", country="fr")],
        serial="ZY22ABCD",
    )

    await poll(hass, freezer)

    device = phone_device(hass, phone.id)
    assert device is not None
    # The provider names no maker or model: the device claims none.
    assert (device.name, device.manufacturer, device.model, device.serial_number) == (
        "Moto G",
        None,
        None,
        "ZY22ABCD",
    )
    assert state(hass, "binary_sensor.moto_g_online") == "on"
    assert state(hass, "sensor.moto_g_sim_1_operator") == "Free"
    operator = entity_registry.async_get("sensor.moto_g_sim_1_operator")
    assert operator is not None
    assert operator.device_id == device.id


async def test_phone_removed(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone removed from the account leaves the devices, with its entities."""
    galaxy = simulator.galaxy
    assert phone_device(hass, galaxy) is not None
    simulator.sim.remove_phone(galaxy)

    await poll(hass, freezer)

    assert phone_device(hass, galaxy) is None
    entities = er.async_entries_for_config_entry(
        er.async_get(hass), init_integration.entry_id
    )
    assert entities
    assert not [e.entity_id for e in entities if "galaxy" in e.entity_id]
    assert hass.states.get("binary_sensor.galaxy_a52_online") is None
    assert hass.states.get("sensor.galaxy_a52_app_version") is None
    assert state(hass, ONLINE) == "on"

    await poll(hass, freezer)

    assert hass.states.get("binary_sensor.galaxy_a52_online") is None
    assert state(hass, ONLINE) == "on"
