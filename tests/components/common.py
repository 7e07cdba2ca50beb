"""Helpers shared by the tests of the integration's components."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.smsgateway24.const import DOMAIN
from custom_components.smsgateway24.logbook import async_describe_events


async def poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: int = 60
) -> None:
    """Let time pass, by default the scan interval, so that the coordinator polls once."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    # The coordinator polls in a background task.
    await hass.async_block_till_done(wait_background_tasks=True)


def state(hass: HomeAssistant, entity_id: str) -> str:
    """The state of an entity that must exist."""
    found = hass.states.get(entity_id)
    assert found is not None, entity_id
    return found.state


def phone_device(hass: HomeAssistant, phone_id: int) -> dr.DeviceEntry | None:
    """The device of a gateway phone, if it has one (of one account at most)."""
    devices = dr.async_get(hass).async_get_devices(
        identifiers={(DOMAIN, str(phone_id))}
    )
    assert len(devices) <= 1, devices
    return devices[0] if devices else None


def device_id(hass: HomeAssistant, phone_id: int) -> str:
    """The Home Assistant device id of a gateway phone."""
    device = phone_device(hass, phone_id)
    assert device is not None
    return device.id


async def restart(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    while_stopped: Callable[[], None] | None = None,
) -> None:
    """Unload the entry, let ``while_stopped`` happen, then set it up again."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    if while_stopped is not None:
        while_stopped()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED


def logbook_describer(
    hass: HomeAssistant, event_type: str
) -> Callable[[Event], dict[str, str]]:
    """How the integration describes an event of ``event_type`` in the logbook."""
    described: dict[tuple[str, str], Callable[[Event], dict[str, str]]] = {}

    def describe_event(
        domain: str, event_type: str, describe: Callable[[Event], dict[str, str]]
    ) -> None:
        described[domain, event_type] = describe

    async_describe_events(hass, describe_event)
    return described[DOMAIN, event_type]
