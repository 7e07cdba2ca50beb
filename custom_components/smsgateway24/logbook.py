"""Describe the events of SMSGateway24 in the logbook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .assist import pin_hidden
from .const import (
    ATTR_ANSWER,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DEVICE_ID,
    ATTR_GATEWAY_DEVICE_ID,
    ATTR_PHONE,
    ATTR_RECIPIENT,
    ATTR_ROUTE,
    ATTR_STATUS,
    ATTR_TEXT,
    DOMAIN,
    EVENT_ASSIST,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_STATUS,
    PROVIDER_SEVEN,
    PROVIDER_UBILL,
    ROUTE_PHONE,
)
from .tracking import delivered, failed

# How much of a message the logbook shows.
PREVIEW_LENGTH = 50
# The icons of the lines, those of the phones' SMS event entity: without one,
# the activity log shows an empty square for a custom integration.
ICON_RECEIVED = "mdi:message-text"
ICON_DELIVERED = "mdi:message-check"
ICON_FAILED = "mdi:message-alert"
ICON_SENDING = "mdi:message-arrow-right"
ICON_ASSIST = "mdi:message-question"
# How the logbook names the backup routes' providers.
PROVIDER_NAMES = {PROVIDER_SEVEN: "seven.io", PROVIDER_UBILL: "UBill"}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe received messages, status changes of messages sent, Assist by SMS."""

    def device_name(data: dict[str, Any]) -> str | None:
        device = (
            dr.async_get(hass).async_get(data[ATTR_DEVICE_ID])
            if data.get(ATTR_DEVICE_ID)
            else None
        )
        return (device.name_by_user or device.name) if device is not None else None

    def phone_name(data: dict[str, Any]) -> str:
        return device_name(data) or str(data[ATTR_GATEWAY_DEVICE_ID])

    def sender(data: dict[str, Any]) -> str:
        """The phone, or the backup route and the phone it stood in for."""
        route = data.get(ATTR_ROUTE, ROUTE_PHONE)
        if route == ROUTE_PHONE:
            return f"from {phone_name(data)}"
        provider = PROVIDER_NAMES.get(route, route)
        if data[ATTR_GATEWAY_DEVICE_ID] is not None:
            return f"via {provider} backup, instead of {phone_name(data)}"
        name = device_name(data)
        return f"via {provider} backup {name}" if name else f"via {provider} backup"

    @callback
    def describe_received(event: Event) -> dict[str, str]:
        data: dict[str, Any] = dict(event.data)
        phone = phone_name(data)
        text: str = data[ATTR_TEXT]
        if entry := hass.config_entries.async_get_entry(data[ATTR_CONFIG_ENTRY_ID]):
            text = pin_hidden(entry, data[ATTR_PHONE], text)
        return {
            LOGBOOK_ENTRY_NAME: "SMSGateway24",
            LOGBOOK_ENTRY_MESSAGE: (
                f"SMS received from {data[ATTR_PHONE]} on {phone}: "
                f"{text[:PREVIEW_LENGTH]}"
            ),
            LOGBOOK_ENTRY_ICON: ICON_RECEIVED,
        }

    @callback
    def describe_status(event: Event) -> dict[str, str]:
        data: dict[str, Any] = dict(event.data)
        slug: str = data[ATTR_STATUS]
        if failed(data):
            outcome, icon = f"failed ({slug})", ICON_FAILED
        elif delivered(data):
            outcome, icon = slug, ICON_DELIVERED
        else:
            outcome, icon = slug.replace("_", " "), ICON_SENDING
        return {
            LOGBOOK_ENTRY_NAME: "SMSGateway24",
            LOGBOOK_ENTRY_MESSAGE: (
                f"SMS to {data[ATTR_PHONE]} {outcome} ({sender(data)})"
            ),
            LOGBOOK_ENTRY_ICON: icon,
        }

    @callback
    def describe_assist(event: Event) -> dict[str, str]:
        data: dict[str, Any] = dict(event.data)
        return {
            LOGBOOK_ENTRY_NAME: "SMSGateway24",
            LOGBOOK_ENTRY_MESSAGE: (
                f"{data[ATTR_RECIPIENT]} ({data[ATTR_PHONE]}) asked Assist by SMS: "
                f"{data[ATTR_TEXT][:PREVIEW_LENGTH]}; answer: "
                f"{data[ATTR_ANSWER][:PREVIEW_LENGTH]}"
            ),
            LOGBOOK_ENTRY_ICON: ICON_ASSIST,
        }

    async_describe_event(DOMAIN, EVENT_SMS_RECEIVED, describe_received)
    async_describe_event(DOMAIN, EVENT_SMS_STATUS, describe_status)
    async_describe_event(DOMAIN, EVENT_ASSIST, describe_assist)
