"""Notify entities: one per recipient subentry, so the entity is the recipient.

Each recipient is a device of its own, owned by its subentry, so that it shows
on the integration's page with its entity.
"""

from __future__ import annotations

from homeassistant.components.notify import NotifyEntity, NotifyEntityFeature
from homeassistant.config_entries import (
    ConfigSubentry,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import (
    CHANNEL_SMS,
    CHANNEL_TELEGRAM,
    CONF_ADDRESS,
    CONF_CHANNEL,
    CONF_DEVICE_ID,
    CONF_SIM,
    SUBENTRY_RECIPIENT,
)
from .coordinator import SmsGateway24ConfigEntry
from .entity import (
    async_follow_subentries,
    async_rename_subentry_device,
    subentry_device_info,
)
from .send import async_send_message, async_send_telegram

# Sending is one request each; Home Assistant need not hold calls back.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a notify entity for each recipient, now and whenever one is added.

    A changed recipient's entity takes the change without a reload; a removed
    one's entity and device go with it (Home Assistant clears the subentry's).
    """
    entities: dict[str, RecipientNotifyEntity] = {}

    @callback
    def follow_subentries() -> None:
        for subentry_id in entities.keys() - entry.subentries.keys():
            del entities[subentry_id]
        for subentry_id, subentry in entry.subentries.items():
            if subentry.subentry_type != SUBENTRY_RECIPIENT:
                continue
            if (entity := entities.get(subentry_id)) is not None:
                entity.async_follow(subentry)
                continue
            entities[subentry_id] = RecipientNotifyEntity(entry, subentry)
            async_add_entities([entities[subentry_id]], config_subentry_id=subentry_id)

    async_follow_subentries(hass, entry, follow_subentries)


class RecipientNotifyEntity(NotifyEntity):
    """Send to one recipient: by SMS, WhatsApp, RCS or Telegram."""

    _attr_has_entity_name = True
    # The recipient's device carries its name.
    _attr_name = None
    _attr_supported_features = NotifyEntityFeature.TITLE

    def __init__(
        self, entry: SmsGateway24ConfigEntry, subentry: ConfigSubentry
    ) -> None:
        """Send with the subentry's channel, address, phone and SIM."""
        self._entry = entry
        self._subentry = subentry
        self._attr_unique_id = subentry.subentry_id
        self._attr_device_info = subentry_device_info(subentry)

    @callback
    def async_follow(self, subentry: ConfigSubentry) -> None:
        """Take a change of the recipient: where it sends, and its name."""
        self._subentry = subentry
        # The entity's name follows its device's.
        async_rename_subentry_device(self.hass, self._entry.entry_id, subentry)

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the message; a title leads it, on its own line when it is long."""
        if title:
            separator = "\n" if "\n" in message else ": "
            message = f"{title}{separator}{message}"
        data = self._subentry.data
        if data[CONF_CHANNEL] == CHANNEL_TELEGRAM:
            await async_send_telegram(
                self.hass, self._entry, data[CONF_ADDRESS], message
            )
            return
        device_id = data.get(CONF_DEVICE_ID)
        sim = data.get(CONF_SIM)
        await async_send_message(
            self.hass,
            self._entry,
            [data[CONF_ADDRESS]],
            message,
            phone_id=None if device_id is None else int(device_id),
            channel=data.get(CONF_CHANNEL, CHANNEL_SMS),
            sim=None if sim is None else int(sim),
        )
