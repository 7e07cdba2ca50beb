"""The actions of SMSGateway24: schemas, and thin handlers over the send path."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv, device_registry as dr
import voluptuous as vol

from .const import CHANNEL_SMS, DOMAIN, MESSAGE_CHANNELS, SUBENTRY_ROUTE
from .coordinator import SmsGateway24ConfigEntry, phone_id_of, subentry_device_key
from .send import (
    async_send_message,
    async_send_messages,
    async_send_telegram,
    check_numbers,
    check_phone,
    check_send_at,
    invalid,
    provider_call,
)

SERVICE_SEND_SMS: Final = "send_sms"
SERVICE_SEND_TELEGRAM: Final = "send_telegram"
SERVICE_CREATE_TAG: Final = "create_tag"
SERVICE_ADD_CONTACT: Final = "add_contact"
SERVICE_SEND_NEWSLETTER: Final = "send_newsletter"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_DEVICE_ID: Final = "device_id"
ATTR_PHONE: Final = "phone"
ATTR_MESSAGE: Final = "message"
ATTR_MESSAGES: Final = "messages"
ATTR_FAILOVER: Final = "failover"
ATTR_CHANNEL: Final = "channel"
ATTR_SIM: Final = "sim"
ATTR_SEND_AT: Final = "send_at"
ATTR_URGENT: Final = "urgent"
ATTR_CUSTOMER_ID: Final = "customer_id"
ATTR_IMAGE: Final = "image"
ATTR_TELEGRAM_ID: Final = "telegram_id"
ATTR_TITLE: Final = "title"
ATTR_TAG_ID: Final = "tag_id"
ATTR_TAG_IDS: Final = "tag_ids"
ATTR_NAME: Final = "name"

SIM_SCHEMA = vol.All(vol.Coerce(int), vol.In([0, 1]))
ENTRY_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string
}

SEND_SMS_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELDS,
        vol.Optional(ATTR_PHONE): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_MESSAGES): vol.All(
            cv.ensure_list,
            [
                vol.Schema(
                    {
                        vol.Required(ATTR_PHONE): cv.string,
                        vol.Required(ATTR_MESSAGE): cv.string,
                    }
                )
            ],
        ),
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_CHANNEL, default=CHANNEL_SMS): vol.In(MESSAGE_CHANNELS),
        vol.Optional(ATTR_SIM): SIM_SCHEMA,
        vol.Optional(ATTR_SEND_AT): cv.datetime,
        vol.Optional(ATTR_URGENT, default=False): cv.boolean,
        vol.Optional(ATTR_CUSTOMER_ID): vol.Coerce(int),
        vol.Optional(ATTR_IMAGE): cv.string,
        vol.Optional(ATTR_FAILOVER, default=True): cv.boolean,
    }
)
SEND_TELEGRAM_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELDS,
        vol.Required(ATTR_TELEGRAM_ID): cv.string,
        vol.Required(ATTR_MESSAGE): cv.string,
    }
)
CREATE_TAG_SCHEMA = vol.Schema({**ENTRY_FIELDS, vol.Required(ATTR_TITLE): cv.string})
ADD_CONTACT_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELDS,
        vol.Required(ATTR_PHONE): cv.string,
        vol.Required(ATTR_TAG_ID): vol.Coerce(int),
        vol.Optional(ATTR_NAME): cv.string,
    }
)
SEND_NEWSLETTER_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELDS,
        vol.Required(ATTR_TITLE): cv.string,
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Required(ATTR_TAG_IDS): vol.All(
            cv.ensure_list, [vol.Coerce(int)], vol.Length(min=1)
        ),
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_SIM): SIM_SCHEMA,
        vol.Optional(ATTR_SEND_AT): cv.datetime,
    }
)


def resolve_entry(hass: HomeAssistant, entry_id: str | None) -> SmsGateway24ConfigEntry:
    """The loaded entry named, or the only one loaded when none is named."""
    if entry_id is None:
        loaded = [
            entry
            for entry in hass.config_entries.async_entries(DOMAIN)
            if entry.state is ConfigEntryState.LOADED
        ]
        if len(loaded) != 1:
            raise invalid("entry_required" if loaded else "entry_not_loaded")
        entry: SmsGateway24ConfigEntry = loaded[0]
        return entry
    found = hass.config_entries.async_get_entry(entry_id)
    if found is None or found.domain != DOMAIN:
        raise invalid("entry_not_found", entry_id=entry_id)
    if found.state is not ConfigEntryState.LOADED:
        raise invalid("entry_not_loaded")
    return found


def resolve_device(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry, device_id: str | None
) -> int | None:
    """The gateway phone id of a Home Assistant device of the entry."""
    if device_id is None:
        return None
    device = dr.async_get(hass).async_get(device_id)
    if (
        device is not None
        and device.config_entry_id == entry.entry_id
        and (phone_id := phone_id_of(device)) is not None
    ):
        return phone_id
    raise invalid("unknown_device", device=device_id)


def resolve_sender(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry, device_id: str | None
) -> tuple[int | None, str | None]:
    """The gateway phone, or the backup route (its subentry id), a device stands for."""
    if device_id is None:
        return None, None
    device = dr.async_get(hass).async_get(device_id)
    if device is not None and device.config_entry_id == entry.entry_id:
        for route_id in entry.runtime_data.routes:
            if (
                DOMAIN,
                subentry_device_key(SUBENTRY_ROUTE, route_id),
            ) in device.identifiers:
                return None, route_id
    return resolve_device(hass, entry, device_id), None


async def _send_sms(call: ServiceCall) -> ServiceResponse:
    data = call.data
    entry = resolve_entry(call.hass, data.get(ATTR_CONFIG_ENTRY_ID))
    phone_id, route_id = resolve_sender(call.hass, entry, data.get(ATTR_DEVICE_ID))
    options: dict[str, Any] = {
        "phone_id": phone_id,
        "route_id": route_id,
        "channel": data[ATTR_CHANNEL],
        "sim": data.get(ATTR_SIM),
        "send_at": data.get(ATTR_SEND_AT),
        "urgent": data[ATTR_URGENT],
        "customer_id": data.get(ATTR_CUSTOMER_ID),
        "failover": data[ATTR_FAILOVER],
    }
    if ATTR_MESSAGES in data:
        if ATTR_PHONE in data or ATTR_MESSAGE in data:
            raise invalid("messages_and_phone")
        if ATTR_IMAGE in data:
            raise invalid("messages_and_image")
        results = await async_send_messages(
            call.hass,
            entry,
            [(item[ATTR_PHONE], item[ATTR_MESSAGE]) for item in data[ATTR_MESSAGES]],
            **options,
        )
    else:
        results = await async_send_message(
            call.hass,
            entry,
            data.get(ATTR_PHONE, []),
            data.get(ATTR_MESSAGE, ""),
            image=data.get(ATTR_IMAGE),
            **options,
        )
    return {
        "messages": [result.as_dict() for result in results],
        "sms_ids": [result.sms_id for result in results],
    }


async def _send_telegram(call: ServiceCall) -> None:
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    await async_send_telegram(
        call.hass, entry, call.data[ATTR_TELEGRAM_ID], call.data[ATTR_MESSAGE]
    )


async def _create_tag(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    title = call.data[ATTR_TITLE].strip()
    if not title:
        raise invalid("empty_title")
    tag_id = await provider_call(
        call.hass,
        entry,
        "create_tag_failed",
        entry.runtime_data.client.create_tag(title),
    )
    return {"tag_id": tag_id}


async def _add_contact(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    number = check_numbers([call.data[ATTR_PHONE]])[0]
    contact_id = await provider_call(
        call.hass,
        entry,
        "add_contact_failed",
        entry.runtime_data.client.add_contact(
            number, call.data[ATTR_TAG_ID], call.data.get(ATTR_NAME)
        ),
    )
    return {"contact_id": contact_id}


async def _send_newsletter(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    title = call.data[ATTR_TITLE].strip()
    if not title:
        raise invalid("empty_title")
    if not call.data[ATTR_MESSAGE].strip():
        raise invalid("empty_message")
    gateway_id, slot = check_phone(
        entry,
        resolve_device(call.hass, entry, call.data.get(ATTR_DEVICE_ID)),
        call.data.get(ATTR_SIM),
    )
    newsletter_id = await provider_call(
        call.hass,
        entry,
        "newsletter_failed",
        entry.runtime_data.client.create_newsletter(
            title,
            call.data[ATTR_MESSAGE],
            device_id=gateway_id,
            tag_ids=call.data[ATTR_TAG_IDS],
            sim=slot,
            send_at=check_send_at(call.data.get(ATTR_SEND_AT)),
        ),
    )
    return {"newsletter_id": newsletter_id}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once, for every account."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SEND_SMS,
        _send_sms,
        schema=SEND_SMS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SEND_TELEGRAM, _send_telegram, schema=SEND_TELEGRAM_SCHEMA
    )
    for service, handler, schema in (
        (SERVICE_CREATE_TAG, _create_tag, CREATE_TAG_SCHEMA),
        (SERVICE_ADD_CONTACT, _add_contact, ADD_CONTACT_SCHEMA),
        (SERVICE_SEND_NEWSLETTER, _send_newsletter, SEND_NEWSLETTER_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN,
            service,
            handler,
            schema=schema,
            supports_response=SupportsResponse.OPTIONAL,
        )
