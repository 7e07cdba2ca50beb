"""Device trigger "SMS received" of a gateway phone, optionally filtered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, Context, HassJob, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .clients.smsgateway24 import digits_of
from .const import (
    ATTR_DEVICE_ID,
    ATTR_PHONE,
    ATTR_TEXT,
    CONF_CONTAINS,
    CONF_SENDER,
    DOMAIN,
    EVENT_SMS_RECEIVED,
    TRIGGER_SMS_RECEIVED,
)
from .coordinator import phone_id_of

FILTERS: dict[vol.Marker, Any] = {
    vol.Optional(CONF_SENDER): cv.string,
    vol.Optional(CONF_CONTAINS): cv.string,
}

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In([TRIGGER_SMS_RECEIVED]), **FILTERS}
)


def same_sender(wanted: str, sender: str) -> bool:
    """Whether two numbers are the same however they are written.

    "+49 151 2345" is "+491512345"; a sender name without digits ("Bank")
    is compared as text, ignoring case.
    """
    if digits := digits_of(wanted):
        return digits == digits_of(sender)
    return wanted.strip().casefold() == sender.strip().casefold()


def matches(config: ConfigType, data: Mapping[str, Any]) -> bool:
    """Whether a received message passes the trigger's filters."""
    if (sender := config.get(CONF_SENDER)) and not same_sender(
        sender, str(data.get(ATTR_PHONE) or "")
    ):
        return False
    contains = config.get(CONF_CONTAINS)
    return not contains or (
        contains.casefold() in str(data.get(ATTR_TEXT) or "").casefold()
    )


async def async_validate_trigger_config(
    hass: HomeAssistant, config: ConfigType
) -> ConfigType:
    """Check the trigger's type and filters."""
    validated: ConfigType = TRIGGER_SCHEMA(config)
    return validated


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, str]]:
    """The trigger of a gateway phone; other devices have none."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None or phone_id_of(device) is None:
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: TRIGGER_SMS_RECEIVED,
        }
    ]


async def async_get_trigger_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """The optional filters, shown by the automation editor."""
    return {"extra_fields": vol.Schema(FILTERS)}


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the phone's received messages that pass the filters."""
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: EVENT_SMS_RECEIVED,
            CONF_EVENT_DATA: {ATTR_DEVICE_ID: config[CONF_DEVICE_ID]},
        }
    )
    job = HassJob(action, f"{DOMAIN} device trigger {trigger_info}")

    @callback
    def filtered(run_variables: dict[str, Any], context: Context | None = None) -> None:
        if matches(config, run_variables["trigger"]["event"].data):
            hass.async_run_hass_job(job, run_variables, context)

    return await event_trigger.async_attach_trigger(
        hass, event_config, filtered, trigger_info, platform_type="device"
    )
