"""The one send path: every message goes out through here, checked, once.

Actions, recipients' notify entities and answers by SMS call these; nothing
else sends. Nothing reaches a provider unless every check passes, and a
failed send is never tried again by itself: the request may have reached
the provider.

An SMS leaves from a gateway phone, or through a backup route (seven.io,
UBill) whose device is named. With a fallback route (the options'
``fallback_route``), an SMS fails over to it: at once when the phone is
offline or the provider refuses the phone's send (nothing was sent then);
after ``failover_after`` minutes when the phone has not sent it by then,
which covers an unclear answer too (``async_fail_over_due``, after a poll).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
import mimetypes
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .clients import seven, ubill
from .clients.smsgateway24 import (
    Channel,
    Image,
    OutgoingMessage,
    SmsGateway24ApiError,
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
    CONF_FAILOVER_AFTER,
    CONF_FALLBACK_ROUTE,
    CONF_SIM,
    DEFAULT_FAILOVER_AFTER,
    DEFAULT_SIM,
    DOMAIN,
    ID_LOOKUP_WINDOW,
    LOGGER,
    ROUTE_PHONE,
)
from .tracking import Failover, MessageId, SentMessage, TrackedMessage, match_ids

if TYPE_CHECKING:
    from .coordinator import SmsGateway24ConfigEntry
    from .routes import Route

# The provider's ``sim`` field of each channel but SMS (whose value is the SIM slot).
CHANNEL_SLOTS: Final = {
    CHANNEL_WHATSAPP_BUSINESS: Channel.WHATSAPP_BUSINESS,
    CHANNEL_WHATSAPP: Channel.WHATSAPP,
    CHANNEL_RCS: Channel.RCS_1,
}
TELEGRAM_ID = re.compile(r"-?\d+")
# What people write between the digits of a number: "+49 (151) 1111-3333".
NUMBER_SEPARATORS = re.compile(r"[\s()./-]")
# E.164: the country code and the number, 15 digits at most; the shortest
# numbers in use have seven.
INTERNATIONAL_DIGITS = re.compile(r"[0-9]{7,15}")
# What the routes' clients raise when the route refused a send: nothing went out.
ROUTE_REFUSALS: Final = (
    seven.SevenApiError,
    ubill.UBillApiError,
    ubill.UBillAuthenticationError,
    ValueError,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    """One text to one number, checked; a failover also names what it replaces."""

    phone: str
    body: str
    gateway_device_id: int | None = None
    failover_of: MessageId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SentResult:
    """One message handed to a phone or a route: its id and what it costs as SMS.

    The id is None when the provider gave none (a lookup that failed, an
    unclear answer being followed).
    """

    sms_id: MessageId | None
    phone: str
    body: str
    route: str = ROUTE_PHONE

    def as_dict(self) -> dict[str, Any]:
        """The message as the action's response lists it."""
        length = sms_length(self.body)
        return {
            "sms_id": self.sms_id,
            "phone": self.phone,
            "route": self.route,
            "encoding": str(length.encoding),
            "parts": length.parts,
        }


@dataclass(slots=True)
class RouteOutcome:
    """What a route did with the messages given to it.

    ``refused`` went out nowhere; ``unclear`` may have gone out (a timeout,
    an answer that could not be read); each with the reason.
    """

    sent: list[tuple[Outgoing, MessageId | None]] = field(default_factory=list)
    refused: list[tuple[Outgoing, str]] = field(default_factory=list)
    unclear: list[tuple[Outgoing, str]] = field(default_factory=list)


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated error about what the caller asked for."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def phone_error(
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    what: str,
    err: SmsGateway24Error,
) -> HomeAssistantError:
    """The translated error of a failed request; a refused token asks to sign in.

    ``what`` names the translation key of the failure.
    """
    if isinstance(err, SmsGateway24AuthenticationError):
        entry.async_start_reauth(hass)
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key="auth_failed"
        )
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=what,
        translation_placeholders={"error": str(err)},
    )


async def provider_call[T](
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    what: str,
    call: Awaitable[T],
) -> T:
    """Await a request to the provider; turn its failure into a translated error."""
    try:
        return await call
    except SmsGateway24Error as err:
        raise phone_error(hass, entry, what, err) from err


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


def check_route(
    entry: SmsGateway24ConfigEntry, route_id: str, channel: str, image: str | None
) -> Route:
    """A backup route of the account, which carries plain SMS only."""
    route = entry.runtime_data.routes.get(route_id)
    if route is None:
        raise invalid("unknown_device", device=route_id)
    if channel != CHANNEL_SMS or image is not None:
        raise invalid("route_sms_only", route=route.name)
    return route


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


def check_messages(messages: Sequence[tuple[str, str]]) -> list[Outgoing]:
    """Each number with its own text: international, not empty, each pair once."""
    if not messages:
        raise invalid("invalid_phone", phone="")
    checked: list[Outgoing] = []
    for number, text in messages:
        (international,) = check_numbers([number])
        if not text.strip():
            raise invalid("empty_message")
        checked.append(Outgoing(phone=international, body=text))
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
    route_id: str | None = None,
    channel: str = CHANNEL_SMS,
    sim: int | None = None,
    send_at: datetime | None = None,
    urgent: bool = False,
    customer_id: int | None = None,
    image: str | None = None,
    failover: bool = True,
) -> list[SentResult]:
    """Check a message, send it to every number in one request, track it.

    It leaves from the phone, or the route ``route_id`` names; ``failover``
    lets an SMS go through the fallback route instead of the phone.
    """
    recipients = check_numbers(numbers)
    if not message.strip() and image is None:
        raise invalid("empty_message")
    return await _async_send(
        hass,
        entry,
        [Outgoing(phone=number, body=message) for number in recipients],
        bulk=False,
        phone_id=phone_id,
        route_id=route_id,
        channel=channel,
        sim=sim,
        send_at=send_at,
        urgent=urgent,
        customer_id=customer_id,
        image=image,
        failover=failover,
    )


async def async_send_messages(
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    messages: Sequence[tuple[str, str]],
    *,
    phone_id: int | None = None,
    route_id: str | None = None,
    channel: str = CHANNEL_SMS,
    sim: int | None = None,
    send_at: datetime | None = None,
    urgent: bool = False,
    customer_id: int | None = None,
    failover: bool = True,
) -> list[SentResult]:
    """Send each number its own text: one request on the phone, one per text on a route."""
    return await _async_send(
        hass,
        entry,
        check_messages(messages),
        bulk=True,
        phone_id=phone_id,
        route_id=route_id,
        channel=channel,
        sim=sim,
        send_at=send_at,
        urgent=urgent,
        customer_id=customer_id,
        image=None,
        failover=failover,
    )


async def _async_send(
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    items: list[Outgoing],
    *,
    bulk: bool,
    phone_id: int | None,
    route_id: str | None,
    channel: str,
    sim: int | None,
    send_at: datetime | None,
    urgent: bool,
    customer_id: int | None,
    image: str | None,
    failover: bool,
) -> list[SentResult]:
    """Send checked messages through the route named, or the phone with its failover."""
    if route_id is not None:
        route = check_route(entry, route_id, channel, image)
        return await _async_send_by_route(
            hass, entry, route, items, check_send_at(send_at)
        )
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
    coordinator = entry.runtime_data
    fallback = fallback_route(entry) if failover and channel == CHANNEL_SMS else None
    items = [
        Outgoing(phone=item.phone, body=item.body, gateway_device_id=gateway_id)
        for item in items
    ]
    phone = coordinator.data.phones[gateway_id]
    if fallback is not None and not coordinator.is_online(phone):
        # Not queued on the phone: it would send it too once back.
        LOGGER.info("%s is offline: sending through %s", phone.title, fallback.name)
        return await _async_send_by_route(hass, entry, fallback, items, moment)
    deadline = _failover_deadline(entry, fallback, moment)
    try:
        ids = await _async_send_by_phone(
            entry,
            items,
            bulk=bulk,
            gateway_id=gateway_id,
            slot=slot,
            send_at=moment,
            customer_id=customer_id,
            urgent=urgent,
            image=picture,
        )
    except SmsGateway24ApiError as err:
        if fallback is None:
            raise phone_error(hass, entry, "send_failed", err) from err
        # Refused: nothing was sent.
        if isinstance(err, SmsGateway24AuthenticationError):
            entry.async_start_reauth(hass)
        LOGGER.warning(
            "SMSGateway24 refused the message (%s): sending it through %s",
            err,
            fallback.name,
        )
        return await _async_send_by_route(hass, entry, fallback, items, moment)
    except SmsGateway24Error as err:
        if fallback is None or deadline is None:
            raise phone_error(hass, entry, "send_failed", err) from err
        # It may have been sent: followed, and failed over at the deadline.
        LOGGER.warning(
            "SMSGateway24 did not answer clearly (%s): the message is not sent "
            "again, but goes through %s unless the phone sends it by %s",
            err,
            fallback.name,
            deadline.isoformat(),
        )
        ids = [None for _ in items]
    now = dt_util.utcnow()
    coordinator.async_track_sent(
        TrackedMessage(
            sent=SentMessage(
                sms_id=sms_id, phone=item.phone, gateway_device_id=gateway_id
            ),
            since=now,
            failover_at=deadline,
            body=None if deadline is None else item.body,
        )
        for sms_id, item in zip(ids, items, strict=True)
        if sms_id is not None or deadline is not None
    )
    return [
        SentResult(sms_id=sms_id, phone=item.phone, body=item.body)
        for sms_id, item in zip(ids, items, strict=True)
    ]


def fallback_route(entry: SmsGateway24ConfigEntry) -> Route | None:
    """The route the options name for failover; none when it is gone."""
    return entry.runtime_data.routes.get(entry.options.get(CONF_FALLBACK_ROUTE) or "")


def _failover_deadline(
    entry: SmsGateway24ConfigEntry, fallback: Route | None, send_at: datetime | None
) -> datetime | None:
    """When a message the phone has not sent goes through the fallback route."""
    minutes = entry.options.get(CONF_FAILOVER_AFTER, DEFAULT_FAILOVER_AFTER)
    if fallback is None or not minutes:
        return None
    start = dt_util.utcnow() if send_at is None else send_at
    return start + timedelta(minutes=minutes)


async def _async_send_by_phone(
    entry: SmsGateway24ConfigEntry,
    items: list[Outgoing],
    *,
    bulk: bool,
    gateway_id: int,
    slot: int,
    send_at: datetime | None,
    customer_id: int | None,
    urgent: bool,
    image: Image | None,
) -> list[int | None]:
    """Queue the messages on their phone in one request; return their ids.

    One text to several numbers is one ``addsms``, which answers the first
    id; texts of their own are one ``addalotofsms``, which answers none. The
    missing ids are looked up with one more request.
    """
    since = dt_util.utcnow() - ID_LOOKUP_WINDOW
    client = entry.runtime_data.client
    if bulk:
        await client.send_bulk(
            OutgoingMessage(
                to=item.phone,
                body=item.body,
                device_id=gateway_id,
                sim=slot,
                send_at=send_at,
                customer_id=customer_id,
                urgent=urgent,
            )
            for item in items
        )
        return await _find_ids(
            entry, items, gateway_id=gateway_id, first_id=None, since=since
        )
    first_id = await client.send_sms(
        [item.phone for item in items],
        items[0].body,
        device_id=gateway_id,
        sim=slot,
        send_at=send_at,
        customer_id=customer_id,
        urgent=urgent,
        image=image,
    )
    if len(items) == 1:
        return [first_id]
    return await _find_ids(
        entry,
        items,
        gateway_id=gateway_id,
        first_id=first_id,
        since=since,
        by_text=image is None,
    )


async def _find_ids(
    entry: SmsGateway24ConfigEntry,
    items: list[Outgoing],
    *,
    gateway_id: int,
    first_id: int | None,
    since: datetime,
    by_text: bool = True,
) -> list[int | None]:
    """The id of each recipient's message, in one request.

    The provider answers a send to several numbers with the first id only,
    and a bulk send with none; the others are found among the phone's newest
    messages by number and text (an image's text is the provider's link to
    it, so then the number alone). When the lookup fails the messages are
    sent all the same: only their ids are unknown.
    """
    coordinator = entry.runtime_data
    try:
        found = await coordinator.client.get_messages(
            device_id=gateway_id, begin=since, newest_first=True
        )
    except SmsGateway24Error as err:
        LOGGER.warning("Sent, but could not look up the new message ids: %s", err)
        return [first_id, *(None for _ in items[1:])]
    wanted = [(item.phone, item.body if by_text else None) for item in items]
    if first_id is None:
        return match_ids(
            found.messages, wanted, taken=coordinator.tracker.phone_keys().keys()
        )
    # The first id is the first recipient's: the provider numbers them in order.
    return [first_id, *match_ids(found.messages, wanted[1:], after=first_id)]


async def _async_send_by_route(
    hass: HomeAssistant,
    entry: SmsGateway24ConfigEntry,
    route: Route,
    items: list[Outgoing],
    send_at: datetime | None,
) -> list[SentResult]:
    """Send through a route now; follow what it took; say what it did not take.

    A refusal is not tried elsewhere; an unclear answer is not tried again.
    """
    outcome = await async_route_send(hass, route, items, send_at)
    _track_route(entry, route, outcome)
    if outcome.unclear:
        raise _route_error("route_unclear", route, outcome.unclear)
    if outcome.refused:
        raise _route_error("route_refused", route, outcome.refused)
    return [
        SentResult(
            sms_id=sms_id, phone=item.phone, body=item.body, route=route.provider
        )
        for item, sms_id in outcome.sent
    ]


def _route_error(
    key: str, route: Route, failed: list[tuple[Outgoing, str]]
) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={
            "route": route.name,
            "phone": ", ".join(dict.fromkeys(item.phone for item, _ in failed)),
            "error": "; ".join(dict.fromkeys(reason for _, reason in failed)),
        },
    )


@callback
def _track_route(
    entry: SmsGateway24ConfigEntry, route: Route, outcome: RouteOutcome
) -> None:
    """Follow the messages a route took, naming the phone each stands in for."""
    now = dt_util.utcnow()
    entry.runtime_data.async_track_sent(
        TrackedMessage(
            sent=SentMessage(
                sms_id=sms_id,
                phone=item.phone,
                gateway_device_id=item.gateway_device_id,
                route=route.provider,
                route_id=route.subentry_id,
                failover_of=item.failover_of,
            ),
            since=now,
        )
        for item, sms_id in outcome.sent
        if sms_id is not None
    )


async def async_route_send(
    hass: HomeAssistant,
    route: Route,
    items: Sequence[Outgoing],
    send_at: datetime | None,
) -> RouteOutcome:
    """Send through a route: one request per distinct text, never repeated.

    seven may take a text for some numbers and refuse others (its code 101):
    only those count as refused.
    """
    outcome = RouteOutcome()
    by_text = sorted(items, key=lambda item: item.body)
    for _, grouped in groupby(by_text, key=lambda item: item.body):
        group = list(grouped)
        try:
            if isinstance(route.client, seven.Seven):
                result = await _async_send_seven(
                    route, route.client, group, send_at=send_at, outcome=outcome
                )
                _async_route_used(route, result.balance, price=_part_price(result))
            else:
                await _async_send_ubill(
                    route, route.client, group, send_at=send_at, outcome=outcome
                )
                _async_route_used(route)
        except ROUTE_REFUSALS as err:
            outcome.refused += [(item, str(err)) for item in group]
            continue
        except (seven.SevenError, ubill.UBillError) as err:
            outcome.unclear += [(item, str(err)) for item in group]
            # Maybe taken, and paid for.
            _async_route_used(route)
    return outcome


async def _async_send_seven(
    route: Route,
    client: seven.Seven,
    group: list[Outgoing],
    *,
    send_at: datetime | None,
    outcome: RouteOutcome,
) -> seven.SendResult:
    """Send one text to its numbers; seven answers for each number."""
    # The integration never repeats a send, so seven's lock on the same text
    # to the same number within 180 s would only refuse a real second alert.
    result = await client.send_sms(
        [item.phone for item in group],
        group[0].body,
        sender=route.sender,
        delay=send_at,
        no_reload=True,
    )
    answers = {digits_of(message.recipient): message for message in result.messages}
    for item in group:
        answer = answers.get(digits_of(item.phone))
        if answer is None or answer.success:
            # Accepted without details (seven's bare code) has no id.
            outcome.sent.append((item, None if answer is None else answer.id))
        else:
            reason = answer.error_text or (
                answer.error.description if answer.error else "refused"
            )
            outcome.refused.append((item, reason))
    return result


def _part_price(result: seven.SendResult) -> float | None:
    """What one SMS part cost, when seven's answer says."""
    for message in result.messages:
        if message.price and message.parts:
            return message.price / message.parts
    return None


async def _async_send_ubill(
    route: Route,
    client: ubill.UBill,
    group: list[Outgoing],
    *,
    send_at: datetime | None,
    outcome: RouteOutcome,
) -> None:
    """Send one text to its numbers: one UBill id for them all."""
    if route.brand_id is None:
        raise ValueError("The route has no brand to send under")
    result = await client.send_sms(
        [item.phone for item in group],
        group[0].body,
        brand_id=route.brand_id,
        send_time=send_at,
    )
    outcome.sent += [(item, result.sms_id) for item in group]


@callback
def _async_route_used(
    route: Route, balance: float | None = None, *, price: float | None = None
) -> None:
    """Tell the route's balance: a send may have spent some of it."""
    if route.balance is not None:
        route.balance.async_request_balance(balance, price=price)


async def async_fail_over_due(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry
) -> None:
    """Send through the fallback route, once, what the phone did not send in time.

    The messages leave the phone's tracking and are written as in flight
    before the route is asked, so that neither a restart nor a power cut
    sends them twice: a cut between that write and the request loses them
    instead, and the next start says so in the log.
    """
    coordinator = entry.runtime_data
    async with coordinator.failing_over:
        due = coordinator.tracker.take_due(dt_util.utcnow())
        if not due:
            return
        route = fallback_route(entry)
        if route is None:
            LOGGER.warning(
                "The phone did not send %d messages in time, and there is no "
                "fallback route to send them through any more",
                len(due),
            )
            await coordinator.async_commit()
            return
        items = [
            Outgoing(
                phone=tracked.sent.phone,
                body=tracked.body or "",
                gateway_device_id=tracked.sent.gateway_device_id,
                failover_of=tracked.sent.sms_id,
            )
            for tracked in due
        ]
        failovers = [
            Failover(
                phone=item.phone,
                body=item.body,
                route_id=route.subentry_id,
                gateway_device_id=item.gateway_device_id,
                failover_of=item.failover_of,
            )
            for item in items
        ]
        coordinator.tracker.start_failovers(failovers)
        await coordinator.async_commit()
        LOGGER.info(
            "The phone did not send %d messages in time: sending them through %s",
            len(items),
            route.name,
        )
        outcome = await async_route_send(hass, route, items, None)
        coordinator.tracker.end_failovers(failovers)
        _track_route(entry, route, outcome)
        for item, reason in outcome.refused:
            LOGGER.error(
                "%s refused the message to %s that the phone did not send: %s",
                route.name,
                item.phone,
                reason,
            )
        for item, reason in outcome.unclear:
            LOGGER.warning(
                "%s did not answer clearly about the message to %s (%s): it may "
                "have been sent, and is not sent again",
                route.name,
                item.phone,
                reason,
            )
        await coordinator.async_commit()


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
