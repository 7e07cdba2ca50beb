"""Event entities: what each gateway phone received, and what became of what it sent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .assist import pin_hidden
from .clients.smsgateway24 import Phone
from .const import ATTR_CONFIG_ENTRY_ID, ATTR_PHONE, ATTR_TEXT
from .coordinator import SmsGateway24ConfigEntry
from .entity import PhoneEntity, async_add_phone_entities
from .tracking import delivered, failed

PARALLEL_UPDATES = 0

EVENT_TYPE_SMS_RECEIVED = "sms_received"
EVENT_TYPE_SMS_DELIVERED = "sms_delivered"
EVENT_TYPE_SMS_FAILED = "sms_failed"

SMS_EVENT = EventEntityDescription(
    key="sms",
    translation_key="sms",
    event_types=[
        EVENT_TYPE_SMS_RECEIVED,
        EVENT_TYPE_SMS_DELIVERED,
        EVENT_TYPE_SMS_FAILED,
    ],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the SMS event entity of every phone of the account."""
    coordinator = entry.runtime_data

    def build(phone: Phone) -> Iterable[PhoneEntity]:
        yield SmsEvent(coordinator, phone.id, SMS_EVENT)

    async_add_phone_entities(coordinator, async_add_entities, build)


class SmsEvent(PhoneEntity, EventEntity):
    """The messages a gateway phone receives, and the outcome of those it sends."""

    async def async_added_to_hass(self) -> None:
        """Follow the messages this phone receives and sends."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_listen_received(self.phone_id, self._async_received)
        )
        self.async_on_remove(
            self.coordinator.async_listen_status(self.phone_id, self._async_status)
        )

    @callback
    def _async_received(self, event: Event[Mapping[str, Any]]) -> None:
        """Record the message with the bus event's data, a leading PIN hidden."""
        text = pin_hidden(
            self.coordinator.config_entry, event.data[ATTR_PHONE], event.data[ATTR_TEXT]
        )
        self._record(EVENT_TYPE_SMS_RECEIVED, event, text=text)

    @callback
    def _async_status(self, event: Event[Mapping[str, Any]]) -> None:
        """Record a message sent that was delivered or failed; not the steps before.

        A message a backup route sent in the phone's place counts too: its
        data names the route and the message it replaces.
        """
        if delivered(event.data):
            self._record(EVENT_TYPE_SMS_DELIVERED, event)
        elif failed(event.data):
            self._record(EVENT_TYPE_SMS_FAILED, event)

    @callback
    def _record(
        self, event_type: str, event: Event[Mapping[str, Any]], **shown: Any
    ) -> None:
        """Take the bus event's data, but the entry, as the entity's event."""
        data = {
            key: value
            for key, value in event.data.items()
            if key != ATTR_CONFIG_ENTRY_ID
        } | shown
        self._trigger_event(event_type, data)
        self.async_write_ha_state()
