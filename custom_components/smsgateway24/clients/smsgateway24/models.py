"""Typed models of the provider's answers.

The provider's JSON has PHP habits: collections keyed by id (or ``[]`` when
empty), dates as PHP DateTime objects, numbers and flags as strings. The
parsers here absorb those at the boundary so that no caller ever sees them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import IntEnum
import re
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .exceptions import SmsGateway24ResponseError

type JsonObject = Mapping[str, Any]

_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S")


class Channel(IntEnum):
    """Where a message leaves the phone: the provider's ``sim`` field."""

    SIM_1 = 0
    SIM_2 = 1
    WHATSAPP_BUSINESS = 2
    WHATSAPP = 3
    RCS_1 = 4
    RCS_2 = 5

    @property
    def is_sim(self) -> bool:
        """Whether this is a SIM slot (plain SMS)."""
        return self in (Channel.SIM_1, Channel.SIM_2)

    @property
    def is_whatsapp(self) -> bool:
        """Whether this channel is WhatsApp (the only one that carries images)."""
        return self in (Channel.WHATSAPP_BUSINESS, Channel.WHATSAPP)


class MessageStatus(IntEnum):
    """Status codes of a message, named once.

    The real order of an outgoing message is 1, 3, 2: "queued" was numbered
    after "taken" for backward compatibility.
    """

    PENDING = 1
    TAKEN = 2
    QUEUED = 3
    INCOMING = 5
    SENT = 6
    DELIVERED = 7
    NOT_DELIVERED = 8
    FAILED = 9
    NO_SERVICE = 10
    NULL_PDU = 11
    RADIO_OFF = 12
    NOT_ALLOWED = 100
    NOT_ALLOWED_AT_ALL = 101

    @classmethod
    def _missing_(cls, value: object) -> MessageStatus | None:
        # A code the provider adds later must not break a poll.
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member

    @property
    def slug(self) -> str:
        """Name of the status in events: ``delivered``, ``not_delivered``..."""
        return self.name.lower()

    @property
    def final(self) -> bool:
        """Whether the status will not change any more.

        "Sent" is not final: a delivery report may still follow.
        """
        return self in _FINAL

    @property
    def failed(self) -> bool:
        """Whether the message did not reach its recipient."""
        return self in _FAILED


_FAILED = frozenset(
    {
        MessageStatus.NOT_DELIVERED,
        MessageStatus.FAILED,
        MessageStatus.NO_SERVICE,
        MessageStatus.NULL_PDU,
        MessageStatus.RADIO_OFF,
        MessageStatus.NOT_ALLOWED,
        MessageStatus.NOT_ALLOWED_AT_ALL,
    }
)
_FINAL = _FAILED | {MessageStatus.INCOMING, MessageStatus.DELIVERED}


@dataclass(frozen=True, slots=True, kw_only=True)
class SimCard:
    """One SIM card as the phone reports it."""

    slot: int
    iccid: str | None
    number: str | None
    roaming: bool
    country: str | None
    carrier: str | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse one entry of ``siminfo``."""
        obj = _object(data, "siminfo")
        return cls(
            slot=_int(obj.get("Slot"), "Slot"),
            iccid=_text(obj.get("IccId")),
            number=_text(obj.get("Number")),
            roaming=_bool(obj.get("Roaming", False), "Roaming"),
            country=_text(obj.get("CountryIso")),
            carrier=_text(obj.get("CarrierName")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Phone:
    """A gateway phone of the account (the provider calls it a device)."""

    id: int
    title: str
    number: str | None
    imei: str | None
    serial_number: str | None
    created: datetime | None
    last_seen: datetime | None
    sims: tuple[SimCard, ...]
    app_version: str | None
    app_version_current: bool
    subscription_active: bool
    delay_between_messages: int | None
    delay_between_requests: int | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse one phone of ``getalldevices``."""
        obj = _object(data, "device")
        sims = obj.get("siminfo") or []
        if not isinstance(sims, list):
            raise SmsGateway24ResponseError("Field 'siminfo' is not a list")
        return cls(
            id=_int(obj.get("id"), "id"),
            title=_required_text(obj.get("title"), "title"),
            number=_text(obj.get("number")),
            imei=_text(obj.get("imei")),
            serial_number=_text(obj.get("serialnumber")),
            created=parse_date(obj.get("created")),
            last_seen=parse_date(obj.get("lastseen")),
            sims=tuple(
                sorted((SimCard.from_json(sim) for sim in sims), key=lambda s: s.slot)
            ),
            app_version=_text(obj.get("appversion")),
            app_version_current=_bool(
                obj.get("isappversionactual", True), "isappversionactual"
            ),
            subscription_active=_bool(obj.get("subscription", False), "subscription"),
            delay_between_messages=_optional_int(
                obj.get("delaybetweeneachsms"), "delaybetweeneachsms"
            ),
            delay_between_requests=_optional_int(
                obj.get("delaybetweenrequest"), "delaybetweenrequest"
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneStatus:
    """Answer of ``getdevicestatus``."""

    device_id: int
    title: str | None
    last_seen: datetime | None
    online: bool | None
    seconds_since_seen: int | None

    @classmethod
    def from_json(cls, obj: JsonObject) -> Self:
        """Parse the answer; ``online`` and ``diffseconds`` are not always there."""
        online = obj.get("online")
        return cls(
            device_id=_int(obj.get("device_id"), "device_id"),
            title=_text(obj.get("title")),
            last_seen=parse_date(obj.get("lastseen")),
            online=None if online is None else _bool(online, "online"),
            seconds_since_seen=_optional_int(obj.get("diffseconds"), "diffseconds"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """One message of the account, sent or received."""

    id: int
    phone: str
    body: str
    status: MessageStatus
    status_title: str | None
    device_id: int | None
    sim: int | None
    customer_id: int | None
    urgent: bool
    created: datetime | None
    sent_at: datetime | None
    send_at: datetime | None
    newsletter_id: int | None

    @property
    def incoming(self) -> bool:
        """Whether the phone received this message (the sender is ``phone``)."""
        return self.status is MessageStatus.INCOMING

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse one message of ``getallsms``."""
        obj = _object(data, "smss")
        urgent = obj.get("urgent")
        return cls(
            id=_int(obj.get("id"), "id"),
            phone=_text(obj.get("sendto")) or "",
            body=_string(obj.get("body"), "body"),
            status=MessageStatus(_int(obj.get("status"), "status")),
            status_title=_text(obj.get("statustitle")),
            device_id=_optional_int(obj.get("deviceid"), "deviceid"),
            sim=_optional_int(obj.get("sim"), "sim"),
            customer_id=_optional_int(obj.get("customerid"), "customerid"),
            urgent=False if urgent is None else _bool(urgent, "urgent"),
            created=parse_date(obj.get("created")),
            sent_at=parse_date(obj.get("senttime")),
            send_at=parse_date(obj.get("timetosend")),
            newsletter_id=_optional_int(obj.get("paketid"), "paketid"),
        )

    @classmethod
    def from_push(cls, data: object) -> Self:
        """Parse the incoming-message webhook a phone pushes.

        The channel is ``channel_id`` (older pages: ``sim``); the date is read
        as the API's dates are, or as a Unix time when it is a number.
        """
        obj = _object(data, "webhook")
        channel = obj.get("channel_id")
        if channel is None or channel == "":
            channel = obj.get("sim")
        return cls(
            id=_int(obj.get("sms_id"), "sms_id"),
            phone=_required_text(obj.get("address"), "address"),
            body=_string(obj.get("body"), "body"),
            status=MessageStatus.INCOMING,
            status_title=None,
            device_id=_int(obj.get("device_id"), "device_id"),
            sim=_optional_int(channel, "channel_id"),
            customer_id=None,
            urgent=False,
            created=_push_date(obj.get("date")),
            sent_at=None,
            send_at=None,
            newsletter_id=None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusReport:
    """The delivery-status webhook a phone pushes about a message it sent."""

    sms_id: int
    status: MessageStatus
    device_id: int | None

    @classmethod
    def from_push(cls, data: object) -> Self:
        """Parse the webhook's JSON."""
        obj = _object(data, "webhook")
        return cls(
            sms_id=_int(obj.get("sms_id"), "sms_id"),
            status=MessageStatus(_int(obj.get("status_id"), "status_id")),
            device_id=_optional_int(obj.get("device_id"), "device_id"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageList:
    """Answer of ``getallsms``: the total count and the messages returned."""

    count: int
    messages: tuple[Message, ...]

    @classmethod
    def from_json(cls, obj: JsonObject) -> Self:
        """Parse the answer; ``smss`` is keyed by id, or ``[]`` when empty."""
        messages = tuple(Message.from_json(item) for item in keyed(obj.get("smss")))
        count = obj.get("count")
        return cls(
            count=len(messages) if count is None else _int(count, "count"),
            messages=messages,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageStatusInfo:
    """Answer of ``getsmsstatus``."""

    sms_id: int
    status: MessageStatus
    description: str | None

    @classmethod
    def from_json(cls, obj: JsonObject) -> Self:
        """Parse the answer."""
        return cls(
            sms_id=_int(obj.get("sms_id"), "sms_id"),
            status=MessageStatus(_int(obj.get("status"), "status")),
            description=_text(obj.get("status_description")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingMessage:
    """One message of a bulk send (``addalotofsms``)."""

    to: str
    body: str
    device_id: int
    sim: int = 0
    send_at: datetime | None = None
    customer_id: int | None = None
    urgent: bool = False

    def as_json(self) -> dict[str, Any]:
        """The message as the provider's ``smsdata`` item."""
        item: dict[str, Any] = {
            "sendto": self.to,
            "body": self.body,
            "sim": self.sim,
            "device_id": self.device_id,
            "urgent": int(self.urgent),
        }
        if self.send_at is not None:
            item["timetosend"] = format_utc(self.send_at)
        if self.customer_id is not None:
            item["customerid"] = self.customer_id
        return item


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """An image to send on a WhatsApp channel."""

    filename: str
    content: bytes
    content_type: str


def digits_of(number: str) -> str:
    """The digits of a phone number, however it is written: "+49 151-23" is "4915123"."""
    return "".join(char for char in number if char.isdigit())


def keyed(value: object) -> Iterable[object]:
    """Items of a collection the provider sends keyed by id, or as a list."""
    if value is None:
        return ()
    if isinstance(value, Mapping):
        return value.values()
    if isinstance(value, list):
        return value
    raise SmsGateway24ResponseError("Collection is neither an object nor a list")


def parse_date(value: object) -> datetime | None:
    """Turn a PHP DateTime object (or a plain date string) into an aware datetime.

    A string without a zone is taken as UTC, as the provider reads ``timetosend``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return _parse_local(value, UTC)
    obj = _object(value, "date")
    text = obj.get("date")
    if not isinstance(text, str):
        raise SmsGateway24ResponseError("Date object has no 'date' text")
    return _parse_local(text, _zone(obj.get("timezone")))


def _push_date(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Android counts milliseconds; a number that large is no date in seconds.
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError) as err:
            raise SmsGateway24ResponseError("Date is out of range") from err
    return parse_date(value)


def format_utc(moment: datetime, pattern: str = "%Y-%m-%d %H:%M:%S") -> str:
    """Format an aware datetime the way the provider reads it (UTC)."""
    if moment.tzinfo is None:
        raise ValueError("Datetime must carry a time zone")
    return moment.astimezone(UTC).strftime(pattern)


def _parse_local(text: str, zone: timezone | ZoneInfo) -> datetime:
    for date_format in _DATE_FORMATS:
        try:
            naive = datetime.strptime(text.strip(), date_format)  # noqa: DTZ007
        except ValueError:
            continue
        try:
            return naive.replace(tzinfo=zone).astimezone(UTC)
        except OverflowError as err:
            # 0001-01-01 east of UTC, or 9999-12-31 west of it.
            raise SmsGateway24ResponseError("Date is out of range") from err
    raise SmsGateway24ResponseError("Date text is not in a known format")


def _zone(name: object) -> timezone | ZoneInfo:
    if name is None or name in ("UTC", "Z", "+00:00"):
        return UTC
    if not isinstance(name, str):
        raise SmsGateway24ResponseError("Date zone is not a string")
    if match := _OFFSET.match(name):
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        if offset >= timedelta(hours=24):
            raise SmsGateway24ResponseError("Date offset is out of range")
        return timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(name)
    # A folder of the zone database ("Europe") or an overlong name is an OSError.
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise SmsGateway24ResponseError("Date zone is not known") from err


def _object(value: object, field: str) -> JsonObject:
    if not isinstance(value, Mapping):
        raise SmsGateway24ResponseError(f"Field '{field}' is not an object")
    return value


def _int(value: object, field: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise SmsGateway24ResponseError(f"Field '{field}' is not a whole number")


def _optional_int(value: object, field: str) -> int | None:
    if value is None or value in ("", "null"):
        return None
    return _int(value, field)


_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no", ""})


def _bool(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and (text := value.strip().lower()) in _TRUE | _FALSE:
        return text in _TRUE
    raise SmsGateway24ResponseError(f"Field '{field}' is not a flag")


def _string(value: object, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise SmsGateway24ResponseError(f"Field '{field}' is not text")


def _text(value: object) -> str | None:
    """Trimmed text; empty strings and PHP's "null" become None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    return None if text in ("", "null") else text


def _required_text(value: object, field: str) -> str:
    text = _text(value)
    if text is None:
        raise SmsGateway24ResponseError(f"Field '{field}' is missing")
    return text
