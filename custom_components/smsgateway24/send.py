"""The one send path: every message goes out through here, checked, once.

Actions, recipients' notify entities and answers by SMS call these; nothing
else sends. Nothing reaches a provider unless every check passes, and a
failed send is never tried again by itself: the request may have reached
the provider.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
import mimetypes
from pathlib import Path
import re
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .clients.smsgateway24 import (
    Channel,
    Image,
    Message,
    SmsGateway24AuthenticationError,
    SmsGateway24Error,
    digits_of,
)
from .clients.smsgateway24.encoding import sms_length
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
)
from .coordinator import SmsGateway24ConfigEntry
from .tracking import SentMessage

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
# What people write between the digits of a number: "+49 (151) 1111-3333".
NUMBER_SEPARATORS = re.compile(r"[\s()./-]")
# E.164: the country code and the number, 15 digits at most; the shortest
# numbers in use have seven.
INTERNATIONAL_DIGITS = re.compile(r"[0-9]{7,15}")


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


def international_number(number: str, *, reported: bool = False) -> str | None:
    """The number in international form, ``+`` and digits; None when it is not one.

    "+49 (151) 1111-3333" and "0049 151 11113333" are "+4915111113333". A
    number typed by a person must name its country: a leading ``+`` or
    ``00``. A phone reports its own SIM's number in international form, often
    without the ``+``: with ``reported``, such digits count as international.
    """
    text = NUMBER_SEPARATORS.sub("", number)
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    elif reported and not text.startswith("0"):
        digits = text
    else:
        return None
    return f"+{digits}" if INTERNATIONAL_DIGITS.fullmatch(digits) else None


def reported_number(number: str) -> str:
    """A number as a phone reports it, shown as typed numbers are: ``+`` and digits.

    A number that is not international (a national one, a short code) stays
    as reported.
    """
    return international_number(number, reported=True) or number.strip()


def check_numbers(numbers: Sequence[str]) -> list[str]:
    """The numbers, split on commas, each in international form, each once.

    "+49 151 1111 2222" and "+4915111112222" are one recipient: it gets one message.
    """
    found = [
        number.strip()
        for item in numbers
        for number in item.split(",")
        if number.strip()
    ]
    if not found:
        raise invalid("invalid_phone", phone="")
    checked = []
    for number in found:
        if (international := international_number(number)) is None:
            raise invalid("invalid_phone", phone=number)
        checked.append(international)
    return list(dict.fromkeys(checked))


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
