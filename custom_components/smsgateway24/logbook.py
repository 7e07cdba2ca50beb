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

from .clients.smsgateway24 import MessageStatus
from .const import (
    ATTR_ANSWER,
    ATTR_DEVICE_ID,
    ATTR_GATEWAY_DEVICE_ID,
    ATTR_PHONE,
    ATTR_RECIPIENT,
    ATTR_STATUS_CODE,
    ATTR_TEXT,
    DOMAIN,
    EVENT_ASSIST,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_STATUS,
)

# How much of a message the logbook shows.
PREVIEW_LENGTH = 50
# The icons of the lines, those of the phones' SMS event entity: without one,
# the activity log shows an empty square for a custom integration.
ICON_RECEIVED = "mdi:message-text"
ICON_DELIVERED = "mdi:message-check"
ICON_FAILED = "mdi:message-alert"
ICON_SENDING = "mdi:message-arrow-right"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe received messages, status changes of messages sent, Assist by SMS."""

    def phone_name(data: dict[str, Any]) -> str:
        device = (
            dr.async_get(hass).async_get(data[ATTR_DEVICE_ID])
            if data.get(ATTR_DEVICE_ID)
            else None
        )
        return (
            (device.name_by_user or device.name) if device is not None else None
        ) or str(data[ATTR_GATEWAY_DEVICE_ID])

    @callback
    def describe_received(event: Event) -> dict[str, str]:
        data: dict[str, Any] = dict(event.data)
        phone = phone_name(data)
        return {
            LOGBOOK_ENTRY_NAME: "SMSGateway24",
            LOGBOOK_ENTRY_MESSAGE: (
                f"SMS received from {data[ATTR_PHONE]} on {phone}: "
                f"{data[ATTR_TEXT][:PREVIEW_LENGTH]}"
            ),
            LOGBOOK_ENTRY_ICON: ICON_RECEIVED,
        }

    @callback
    def describe_status(event: Event) -> dict[str, str]:
        data: dict[str, Any] = dict(event.data)
        status = MessageStatus(data[ATTR_STATUS_CODE])
        outcome = (
            f"failed ({status.slug})"
            if status.failed
            else status.slug.replace("_", " ")
        )
        if status.failed:
            icon = ICON_FAILED
        elif status is MessageStatus.DELIVERED:
            icon = ICON_DELIVERED
        else:
            icon = ICON_SENDING
        return {
            LOGBOOK_ENTRY_NAME: "SMSGateway24",
            LOGBOOK_ENTRY_MESSAGE: (
                f"SMS to {data[ATTR_PHONE]} {outcome} (from {phone_name(data)})"
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
        }

    async_describe_event(DOMAIN, EVENT_SMS_RECEIVED, describe_received)
    async_describe_event(DOMAIN, EVENT_SMS_STATUS, describe_status)
    async_describe_event(DOMAIN, EVENT_ASSIST, describe_assist)
