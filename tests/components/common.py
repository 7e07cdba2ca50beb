"""Helpers shared by the tests of the integration's components."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import timedelta
from types import MappingProxyType
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.const import (
    CONF_API_KEY,
    CONF_URL,
    EVENT_HOMEASSISTANT_START,
    EVENT_HOMEASSISTANT_STARTED,
)
from homeassistant.core import CoreState, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.smsgateway24.const import (
    CONF_BRAND_ID,
    CONF_FAILOVER_AFTER,
    CONF_FALLBACK_ROUTE,
    CONF_PROVIDER,
    CONF_SENDER,
    CONF_SIGNING_SECRET,
    DOMAIN,
)
from custom_components.smsgateway24.entity import subentry_device_info
from custom_components.smsgateway24.logbook import async_describe_events
from custom_components.smsgateway24.tracking import SentMessage, TrackedMessage
from simulator.demo import (
    DEMO_SEVEN_API_KEY,
    DEMO_SEVEN_SIGNING_SECRET,
    DEMO_UBILL_API_KEY,
    DEMO_UBILL_BRAND_ID,
)
from tests.conftest import RunningSimulator


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
    *,
    started: bool = True,
) -> None:
    """Unload the entry, let ``while_stopped`` happen, then set it up again."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    if while_stopped is not None:
        while_stopped()
    await set_up_again(hass, entry, started=started)


async def set_up_again(
    hass: HomeAssistant, entry: MockConfigEntry, *, started: bool = True
) -> None:
    """Set up the unloaded entry again.

    With ``started=False`` it is set up as Home Assistant sets up its
    integrations at a start, before it has started: ``finish_starting`` then
    lets it start.
    """
    if not started:
        hass.set_state(CoreState.not_running)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED


async def finish_starting(hass: HomeAssistant) -> None:
    """Let Home Assistant start as it does: starting, then running and started.

    Automations attach their triggers between the two, in its start-up jobs.
    """
    hass.set_state(CoreState.starting)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_START)
    await hass.async_block_till_done(wait_background_tasks=True)
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done(wait_background_tasks=True)


def on_disk(hass_storage: dict[str, Any], entry: MockConfigEntry) -> dict[str, Any]:
    """A copy of what the entry's stores hold now."""
    prefix = f"{DOMAIN}.{entry.entry_id}."
    return {
        key: deepcopy(value)
        for key, value in hass_storage.items()
        if key.startswith(prefix)
    }


def disk_at_each_event(
    hass: HomeAssistant,
    event_type: str,
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
) -> list[dict[str, Any]]:
    """What the entry's stores hold at the moment each event of a type fires."""
    found: list[dict[str, Any]] = []

    @callback
    def record(_: Event) -> None:
        found.append(on_disk(hass_storage, entry))

    hass.bus.async_listen(event_type, record)
    return found


async def power_cut(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    disk: dict[str, Any],
) -> None:
    """Stop the entry as a power cut would, when its stores held ``disk``.

    Nothing the entry would write as it stops reaches the stores.
    """
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    for key in on_disk(hass_storage, entry):
        del hass_storage[key]
    hass_storage.update(deepcopy(disk))


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


def followed(sms_id: int, phone_id: int, phone: str) -> TrackedMessage:
    """A message a gateway phone sent, followed from now."""
    return TrackedMessage(
        sent=SentMessage(sms_id=sms_id, gateway_device_id=phone_id, phone=phone),
        since=dt_util.utcnow(),
    )


# The requests that send a message, by provider and the API's name for them.
SENDS = {
    ("smsgateway24", "addsms"),
    ("smsgateway24", "addalotofsms"),
    ("seven", "sms"),
    ("ubill", "sms/send"),
}
PHONE = ("smsgateway24", "addsms")
SEVEN = ("seven", "sms")
UBILL = ("ubill", "sms/send")


def route_subentry(simulator: RunningSimulator, provider: str) -> ConfigSubentry:
    """A route to the simulator's demo account of a provider, as the route form stores it."""
    data: dict[str, Any] = (
        {
            CONF_PROVIDER: "seven",
            CONF_API_KEY: DEMO_SEVEN_API_KEY,
            CONF_URL: f"{simulator.url}/seven/api",
            CONF_SENDER: "House",
            CONF_SIGNING_SECRET: DEMO_SEVEN_SIGNING_SECRET,
        }
        if provider == "seven"
        else {
            CONF_PROVIDER: "ubill",
            CONF_API_KEY: DEMO_UBILL_API_KEY,
            CONF_URL: f"{simulator.url}/ubill/v1",
            CONF_BRAND_ID: DEMO_UBILL_BRAND_ID,
        }
    )
    return ConfigSubentry(
        data=MappingProxyType(data),
        subentry_type="route",
        title=f"{provider} backup",
        unique_id=None,
    )


def add_route(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    simulator: RunningSimulator,
    provider: str,
    *,
    fallback: bool = True,
    failover_after: float = 0,
) -> str:
    """Add a route with its device; make it the fallback route unless told not to."""
    subentry = route_subentry(simulator, provider)
    assert hass.config_entries.async_add_subentry(entry, subentry)
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        config_subentry_id=subentry.subentry_id,
        **subentry_device_info(subentry),
    )
    if fallback:
        hass.config_entries.async_update_entry(
            entry,
            options={
                **entry.options,
                CONF_FALLBACK_ROUTE: subentry.subentry_id,
                CONF_FAILOVER_AFTER: failover_after,
            },
        )
    return str(subentry.subentry_id)


def route_device(hass: HomeAssistant, route_id: str) -> str:
    """The Home Assistant device id of a route."""
    (device,) = dr.async_get(hass).async_get_devices(
        identifiers={(DOMAIN, f"route_{route_id}")}
    )
    return device.id


async def go_offline(
    simulator: RunningSimulator, entry: MockConfigEntry, phone_id: int
) -> None:
    """The phone drops off the network, long enough to count as offline."""
    sim = simulator.sim
    sim.set_online(phone_id, online=False)
    sim.phone(phone_id).last_seen = sim.now() - timedelta(minutes=30)
    await entry.runtime_data.async_refresh()


def sends(simulator: RunningSimulator) -> list[tuple[str, str]]:
    """The requests that sent a message, in order: provider and what was called."""
    return [
        (request.provider, request.method)
        for request in simulator.sim.requests
        if (request.provider, request.method) in SENDS
    ]
