"""The actions of SMSGateway24, and the one send path they share with notify."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
import mimetypes
from pathlib import Path
import re
from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .api import (
    Channel,
    Image,
    Message,
    SmsGateway24AuthenticationError,
    SmsGateway24Error,
    digits_of,
)
from .api.encoding import sms_length
from .const import (
    CHANNEL_RCS,
    CHANNEL_SMS,
    CHANNEL_WHATSAPP,
    CHANNEL_WHATSAPP_BUSINESS,
    CONF_DEVICE_ID,
    CONF_SIM,
    DEFAULT_SIM,
    DOMAIN,
    LOGGER,
    MESSAGE_CHANNELS,
)
from .coordinator import SentMessage, SmsGateway24ConfigEntry, phone_id_of

SERVICE_SEND_SMS: Final = "send_sms"
SERVICE_SEND_TELEGRAM: Final = "send_telegram"
SERVICE_CREATE_TAG: Final = "create_tag"
SERVICE_ADD_CONTACT: Final = "add_contact"
SERVICE_SEND_NEWSLETTER: Final = "send_newsletter"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_DEVICE_ID: Final = "device_id"
ATTR_PHONE: Final = "phone"
ATTR_MESSAGE: Final = "message"
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

# The provider's ``sim`` field of each channel but SMS (whose value is the SIM slot).
CHANNEL_SLOTS: Final = {
    CHANNEL_WHATSAPP_BUSINESS: Channel.WHATSAPP_BUSINESS,
    CHANNEL_WHATSAPP: Channel.WHATSAPP,
    CHANNEL_RCS: Channel.RCS_1,
}
# How far back the messages of a send are looked up, for the ids of its recipients:
# wide enough for a phone or server clock a little off.
ID_LOOKUP_WINDOW: Final = timedelta(minutes=5)
TELEGRAM_ID = re.compile(r"-?\d+")

SIM_SCHEMA = vol.All(vol.Coerce(int), vol.In([0, 1]))
ENTRY_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string
}

SEND_SMS_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELDS,
        vol.Required(ATTR_PHONE): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_MESSAGE, default=""): cv.string,
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_CHANNEL, default=CHANNEL_SMS): vol.In(MESSAGE_CHANNELS),
        vol.Optional(ATTR_SIM): SIM_SCHEMA,
        vol.Optional(ATTR_SEND_AT): cv.datetime,
        vol.Optional(ATTR_URGENT, default=False): cv.boolean,
        vol.Optional(ATTR_CUSTOMER_ID): vol.Coerce(int),
        vol.Optional(ATTR_IMAGE): cv.string,
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


@dataclass(frozen=True, slots=True, kw_only=True)
class SentResult:
    """One message queued at the provider: its id and what it costs as SMS."""

    sms_id: int | None
    phone: str
    body: str

    def as_dict(self) -> dict[str, Any]:
        """The message as the action's response lists it."""
        length = sms_length(self.body)
        return {
            "sms_id": self.sms_id,
            "phone": self.phone,
            "encoding": str(length.encoding),
            "parts": length.parts,
        }


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated error about what the caller asked for."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


async def provider_call[T](
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    what: str,
    call: Awaitable[T],
) -> T:
    """Await a request to the provider; turn its failure into a translated error.

    ``what`` names the translation key of the failure. A refused token also
    asks the user to sign in again.
    """
    try:
        return await call
    except SmsGateway24AuthenticationError as err:
        entry.async_start_reauth(hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="auth_failed"
        ) from err
    except SmsGateway24Error as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=what,
            translation_placeholders={"error": str(err)},
        ) from err


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


def check_phone(
    entry: SmsGateway24ConfigEntry, phone_id: int | None, sim: int | None
) -> tuple[int, int]:
    """The sending phone and SIM slot: the given ones or the entry's defaults."""
    gateway_id = (
        int(entry.options[CONF_DEVICE_ID]) if phone_id is None else int(phone_id)
    )
    slot = int(entry.options.get(CONF_SIM, DEFAULT_SIM)) if sim is None else sim
    phone = entry.runtime_data.data.phones.get(gateway_id)
    if phone is None:
        raise invalid("unknown_device", device=str(gateway_id))
    if slot not in {card.slot for card in phone.sims}:
        raise invalid("sim_not_available", sim=str(slot + 1), phone=phone.title)
    return gateway_id, slot


def check_send_at(send_at: datetime | None) -> datetime | None:
    """The time to send in UTC; a local time without a zone is Home Assistant's."""
    if send_at is None:
        return None
    moment = dt_util.as_utc(send_at)
    if moment < dt_util.utcnow():
        raise invalid("send_at_past", send_at=send_at.isoformat())
    return moment


def check_numbers(numbers: Sequence[str]) -> list[str]:
    """The numbers, split on commas and trimmed; each must have a digit."""
    found = [
        number.strip()
        for item in numbers
        for number in item.split(",")
        if number.strip()
    ]
    if not found:
        raise invalid("invalid_phone", phone="")
    for number in found:
        if not digits_of(number):
            raise invalid("invalid_phone", phone=number)
    return found


def _read_image(hass: HomeAssistant, path: str) -> Image:
    """Read an image from a path the configuration allows (blocking I/O)."""
    if not hass.config.is_allowed_path(path):
        raise invalid("image_not_allowed", path=path)
    file = Path(path)
    if not file.is_file():
        raise invalid("image_not_found", path=path)
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return Image(
        filename=file.name, content=file.read_bytes(), content_type=content_type
    )


async def async_send_message(
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    numbers: Sequence[str],
    message: str,
    *,
    phone_id: int | None = None,
    channel: str = CHANNEL_SMS,
    sim: int | None = None,
    send_at: datetime | None = None,
    urgent: bool = False,
    customer_id: int | None = None,
    image: str | None = None,
) -> list[SentResult]:
    """Check a message, send it to every number in one request, track it.

    Nothing reaches the provider unless every check passes, and a failed
    send is not tried again: the request may have reached the provider.
    """
    recipients = check_numbers(numbers)
    if not message.strip() and image is None:
        raise invalid("empty_message")
    if channel == CHANNEL_SMS:
        gateway_id, slot = check_phone(entry, phone_id, sim)
    else:
        gateway_id, _ = check_phone(entry, phone_id, None)
        slot = CHANNEL_SLOTS[channel]
    moment = check_send_at(send_at)
    picture = None
    if image is not None:
        if not Channel(slot).is_whatsapp:
            raise invalid("image_needs_whatsapp", channel=channel)
        picture = await hass.async_add_executor_job(_read_image, hass, image)
    since = dt_util.utcnow() - ID_LOOKUP_WINDOW
    client = entry.runtime_data.client
    first_id = await provider_call(
        hass,
        entry,
        "send_failed",
        client.send_sms(
            recipients,
            message,
            device_id=gateway_id,
            sim=slot,
            send_at=moment,
            customer_id=customer_id,
            urgent=urgent,
            image=picture,
        ),
    )
    ids: list[int | None] = [first_id]
    if len(recipients) > 1:
        ids = await _find_ids(
            entry,
            recipients=recipients,
            body=message if picture is None else None,
            gateway_id=gateway_id,
            first_id=first_id,
            since=since,
        )
    results = [
        SentResult(sms_id=sms_id, phone=number, body=message)
        for sms_id, number in zip(ids, recipients, strict=True)
    ]
    entry.runtime_data.async_track_sent(
        SentMessage(
            sms_id=result.sms_id, gateway_device_id=gateway_id, phone=result.phone
        )
        for result in results
        if result.sms_id is not None
    )
    return results


async def _find_ids(
    entry: SmsGateway24ConfigEntry,
    *,
    recipients: Sequence[str],
    body: str | None,
    gateway_id: int,
    first_id: int,
    since: datetime,
) -> list[int | None]:
    """The id of each recipient's message, in one request.

    The provider answers a send to several numbers with the first id only;
    the others are found among the phone's newest messages: an id from the
    first on, the recipient's number and the text sent (an image's text is
    the provider's link to it, so then the number alone). When the lookup
    fails the message is sent all the same: only its id is unknown.
    """
    try:
        found = await entry.runtime_data.client.get_messages(
            device_id=gateway_id, begin=since, newest_first=True
        )
    except SmsGateway24Error as err:
        LOGGER.warning("Sent, but could not look up the new message ids: %s", err)
        return [first_id, *(None for _ in recipients[1:])]
    candidates = sorted(
        (m for m in found.messages if m.id > first_id and not m.incoming),
        key=lambda m: m.id,
    )
    # The first id is the first recipient's: the provider numbers them in order.
    ids: list[int | None] = [first_id]
    taken: set[int] = set()
    for number in recipients[1:]:
        match = next(
            (m.id for m in candidates if m.id not in taken and _same(m, number, body)),
            None,
        )
        if match is not None:
            taken.add(match)
        ids.append(match)
    return ids


def _same(message: Message, number: str, body: str | None) -> bool:
    return digits_of(message.phone) == digits_of(number) and (
        body is None or message.body == body
    )


async def async_send_telegram(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry, telegram_id: str, message: str
) -> None:
    """Check a Telegram message and send it through the provider's bot."""
    telegram_id = telegram_id.strip()
    if not TELEGRAM_ID.fullmatch(telegram_id):
        raise invalid("invalid_telegram_id", telegram_id=telegram_id)
    if not message.strip():
        raise invalid("empty_message")
    await provider_call(
        hass,
        entry,
        "telegram_failed",
        entry.runtime_data.client.send_telegram(telegram_id, message),
    )


async def _send_sms(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    results = await async_send_message(
        call.hass,
        entry,
        call.data[ATTR_PHONE],
        call.data[ATTR_MESSAGE],
        phone_id=resolve_device(call.hass, entry, call.data.get(ATTR_DEVICE_ID)),
        channel=call.data[ATTR_CHANNEL],
        sim=call.data.get(ATTR_SIM),
        send_at=call.data.get(ATTR_SEND_AT),
        urgent=call.data[ATTR_URGENT],
        customer_id=call.data.get(ATTR_CUSTOMER_ID),
        image=call.data.get(ATTR_IMAGE),
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
