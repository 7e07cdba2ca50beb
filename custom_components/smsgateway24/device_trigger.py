"""Device triggers of a gateway phone: an SMS received, delivered or failed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

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
    CONF_TO,
    DOMAIN,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_STATUS,
    TRIGGER_SMS_DELIVERED,
    TRIGGER_SMS_FAILED,
    TRIGGER_SMS_RECEIVED,
)
from .coordinator import phone_id_of
from .send import international_number
from .tracking import delivered, failed

# The optional filters of each trigger, shown by the automation editor.
FILTERS: Final[dict[str, dict[vol.Marker, Any]]] = {
    TRIGGER_SMS_RECEIVED: {
        vol.Optional(CONF_SENDER): cv.string,
        vol.Optional(CONF_CONTAINS): cv.string,
    },
    TRIGGER_SMS_DELIVERED: {vol.Optional(CONF_TO): cv.string},
    TRIGGER_SMS_FAILED: {vol.Optional(CONF_TO): cv.string},
}
# The bus event each trigger listens to.
EVENT_TYPES: Final = {
    TRIGGER_SMS_RECEIVED: EVENT_SMS_RECEIVED,
    TRIGGER_SMS_DELIVERED: EVENT_SMS_STATUS,
    TRIGGER_SMS_FAILED: EVENT_SMS_STATUS,
}

TYPE_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In(list(FILTERS))}, extra=vol.ALLOW_EXTRA
)


def same_sender(wanted: str, sender: str) -> bool:
    """Whether two numbers are the same however they are written.

    "+49 151 2345 678" and "0049 1512345678" are "+491512345678", as the
    send path reads them; other numbers are compared on their digits, and a
    sender name without digits ("Bank") as text, ignoring case.
    """
    if (number := international_number(wanted)) is not None:
        return number == international_number(sender, reported=True)
    if digits := digits_of(wanted):
        return digits == digits_of(sender)
    return wanted.strip().casefold() == sender.strip().casefold()


def matches(config: ConfigType, data: Mapping[str, Any]) -> bool:
    """Whether a message's event is the trigger's and passes its filters."""
    phone = str(data.get(ATTR_PHONE) or "")
    kind = config[CONF_TYPE]
    if kind == TRIGGER_SMS_RECEIVED:
        if (sender := config.get(CONF_SENDER)) and not same_sender(sender, phone):
            return False
        contains = config.get(CONF_CONTAINS)
        return not contains or (
            contains.casefold() in str(data.get(ATTR_TEXT) or "").casefold()
        )
    outcome = delivered(data) if kind == TRIGGER_SMS_DELIVERED else failed(data)
    return outcome and (not (to := config.get(CONF_TO)) or same_sender(to, phone))


async def async_validate_trigger_config(
    hass: HomeAssistant, config: ConfigType
) -> ConfigType:
    """Check the trigger's type, then the filters of that type."""
    kind = TYPE_SCHEMA(config)[CONF_TYPE]
    schema = DEVICE_TRIGGER_BASE_SCHEMA.extend(
        {vol.Required(CONF_TYPE): kind, **FILTERS[kind]}
    )
    validated: ConfigType = schema(config)
    return validated


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, str]]:
    """The triggers of a gateway phone; other devices have none."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None or phone_id_of(device) is None:
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: kind,
        }
        for kind in FILTERS
    ]


async def async_get_trigger_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """The optional filters of the trigger, shown by the automation editor."""
    return {"extra_fields": vol.Schema(FILTERS[config[CONF_TYPE]])}


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the phone's messages that are the trigger's and pass its filters."""
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: EVENT_TYPES[config[CONF_TYPE]],
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
