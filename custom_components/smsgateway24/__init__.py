"""The SMSGateway24 integration: an Android phone as Home Assistant's SMS gateway."""

from __future__ import annotations

from homeassistant.components import webhook
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.typing import ConfigType

from .assist import async_forget_assist, async_setup_assist
from .const import CONF_WEBHOOK_ID, DOMAIN
from .coordinator import (
    SmsGateway24ConfigEntry,
    SmsGateway24Coordinator,
    async_delete_repairs,
)
from .incoming import incoming_store
from .push import async_setup_push
from .routes import async_setup_routes
from .services import async_setup_services
from .tracking import sent_store

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
PLATFORMS = [Platform.BINARY_SENSOR, Platform.EVENT, Platform.NOTIFY, Platform.SENSOR]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, which serve every account."""
    async_setup_services(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry
) -> bool:
    """Poll the account once, then set up its phones' entities.

    What the polls and pushes take fires once Home Assistant has started, when
    automations listen, and the entities and devices it concerns exist.
    """
    coordinator = SmsGateway24Coordinator(hass, entry)
    await coordinator.async_config_entry_first_refresh()
    await coordinator.async_commit()
    entry.runtime_data = coordinator
    async_setup_routes(hass, entry)
    # What the phone did not send in time while Home Assistant was stopped.
    coordinator.async_fail_over_later()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Before the first messages fire: those received just before a restart too.
    async_setup_assist(hass, entry)
    entry.async_on_unload(
        coordinator.async_add_listener(coordinator.async_commit_later)
    )
    entry.async_on_unload(async_at_started(hass, coordinator.async_start_firing))
    async_setup_push(hass, entry)
    return True


async def async_migrate_entry(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry
) -> bool:
    """Bring an entry made by an earlier version up to date.

    1.2: the push address is made with the entry, not when the options are
    first saved, so that an address pasted into the phones stays valid.
    (Home Assistant itself refuses an entry of a later version.)
    """
    if entry.minor_version < 2:
        hass.config_entries.async_update_entry(
            entry,
            options={CONF_WEBHOOK_ID: webhook.async_generate_id(), **entry.options},
            minor_version=2,
        )
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry
) -> bool:
    """Unload the account's entities; keep what it took and did not fire yet."""
    await entry.runtime_data.async_stop_firing()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry
) -> None:
    """Withdraw the account's repair issues, stores and Assist memory with the account."""
    async_delete_repairs(hass, entry.entry_id)
    async_forget_assist(hass, entry.entry_id)
    await incoming_store(hass, entry.entry_id).async_remove()
    await sent_store(hass, entry.entry_id).async_remove()
