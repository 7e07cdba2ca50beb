"""Typed models of seven's answers and webhooks.

seven answers with strings where numbers belong (``"success": "100"``, prices
in the journal), ids as strings, flags as ``"true"``, and now and then an
older shape (a bare number). The parsers here absorb that at the boundary.
Only what identifies a message is required; a price or a time that cannot be
read becomes ``None`` rather than hiding that a message was accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
import math
import re
from typing import Any, Self
from zoneinfo import ZoneInfo

from .exceptions import SevenResponseError

type JsonObject = Mapping[str, Any]

# seven writes times without a zone: the local time of its servers, in Germany.
SEVEN_TIME_ZONE = ZoneInfo("Europe/Berlin")

_CODE = re.compile(r"^\s*(\d{1,4})\s*$")


class ReturnCode(IntEnum):
    """seven's return codes, named once."""

    ACCEPTED = 100
    PARTLY_SENT = 101
    INVALID_SENDER = 201
    INVALID_RECIPIENT = 202
    NO_RECIPIENT = 301
    NO_TEXT = 305
    TEXT_TOO_LONG = 401
    RELOAD_LOCK = 402
    DAILY_LIMIT = 403
    NO_CREDIT = 500
    CARRIER_FAILED = 600
    BAD_API_KEY = 900
    BAD_SIGNATURE = 901
    NO_ACCESS = 902
    WRONG_IP = 903

    @classmethod
    def _missing_(cls, value: object) -> ReturnCode | None:
        # A code seven adds later must still come out as an error with its number.
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member

    @property
    def description(self) -> str:
        """What the code means, in seven's words."""
        return _DESCRIPTIONS.get(self, "unknown return code")

    @property
    def accepted(self) -> bool:
        """Whether a send with this code reached seven for at least one recipient."""
        return self in (ReturnCode.ACCEPTED, ReturnCode.PARTLY_SENT)

    @property
    def refuses_key(self) -> bool:
        """Whether the code refuses the API key itself (a new key is needed)."""
        return self in _KEY_REFUSALS


_DESCRIPTIONS = {
    ReturnCode.ACCEPTED: "accepted",
    ReturnCode.PARTLY_SENT: "sent to some recipients only",
    ReturnCode.INVALID_SENDER: "invalid sender",
    ReturnCode.INVALID_RECIPIENT: "invalid recipient",
    ReturnCode.NO_RECIPIENT: "no recipient",
    ReturnCode.NO_TEXT: "no text",
    ReturnCode.TEXT_TOO_LONG: "text too long",
    ReturnCode.RELOAD_LOCK: "the same SMS was sent within the last 180 seconds",
    ReturnCode.DAILY_LIMIT: "daily limit for this number reached",
    ReturnCode.NO_CREDIT: "not enough credit",
    ReturnCode.CARRIER_FAILED: "carrier delivery failed",
    ReturnCode.BAD_API_KEY: "API key refused",
    ReturnCode.BAD_SIGNATURE: "request signature refused",
    ReturnCode.NO_ACCESS: "API key has no access to this endpoint",
    ReturnCode.WRONG_IP: "request from an address the key does not allow",
}
_KEY_REFUSALS = frozenset(
    {
        ReturnCode.BAD_API_KEY,
        ReturnCode.BAD_SIGNATURE,
        ReturnCode.NO_ACCESS,
        ReturnCode.WRONG_IP,
    }
)


class DeliveryState(StrEnum):
    """Where a message is, by seven's delivery reports (``dlr``)."""

    ACCEPTED = "ACCEPTED"
    BUFFERED = "BUFFERED"
    TRANSMITTED = "TRANSMITTED"
    DELIVERED = "DELIVERED"
    NOTDELIVERED = "NOTDELIVERED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def _missing_(cls, value: object) -> DeliveryState | None:
        # Any case; a state seven adds later is unknown, not an error.
        if not isinstance(value, str):
            return None
        text = value.strip().upper()
        return cls.__members__.get(text, cls.UNKNOWN)

    @property
    def slug(self) -> str:
        """The state in the words of status events: ``sent``, ``not_delivered``..."""
        return _SLUGS[self]

    @property
    def final(self) -> bool:
        """Whether the state will not change any more."""
        return self is DeliveryState.DELIVERED or self.failed

    @property
    def failed(self) -> bool:
        """Whether the message did not reach its recipient."""
        return self in _FAILED_STATES


_SLUGS = {
    DeliveryState.ACCEPTED: "pending",
    DeliveryState.BUFFERED: "queued",
    DeliveryState.TRANSMITTED: "sent",
    DeliveryState.DELIVERED: "delivered",
    DeliveryState.NOTDELIVERED: "not_delivered",
    DeliveryState.EXPIRED: "expired",
    DeliveryState.REJECTED: "rejected",
    DeliveryState.FAILED: "failed",
    DeliveryState.UNKNOWN: "unknown",
}
_FAILED_STATES = frozenset(
    {
        DeliveryState.NOTDELIVERED,
        DeliveryState.EXPIRED,
        DeliveryState.REJECTED,
        DeliveryState.FAILED,
    }
)


class Encoding(StrEnum):
    """How a message travels: the GSM 03.38 alphabet, or UCS-2 for any other text."""

    GSM = "gsm"
    UCS2 = "ucs2"


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
    """What seven did with one recipient of a send."""

    id: str | None
    recipient: str
    sender: str | None
    encoding: Encoding | None
    parts: int | None
    price: float | None
    success: bool
    error: ReturnCode | None
    error_text: str | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse one item of ``messages``; its id is null in debug mode."""
        obj = _object(data, "messages")
        error = parse_code(obj.get("error"))
        success = obj.get("success")
        return cls(
            id=_optional_id(obj.get("id"), "id"),
            recipient=_text(obj.get("recipient")) or "",
            sender=_text(obj.get("sender")),
            encoding=_encoding(obj.get("encoding")),
            parts=_optional_count(obj.get("parts")),
            price=_optional_number(obj.get("price")),
            # Without the flag, an entry without an error was accepted.
            success=error is None if success is None else _flag(success, "success"),
            error=error,
            error_text=_text(obj.get("error_text")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SendResult:
    """seven's answer to a send: one entry per recipient, in the order sent."""

    code: ReturnCode
    total_price: float | None
    balance: float | None
    debug: bool
    messages: tuple[SentMessage, ...]

    @classmethod
    def from_json(cls, obj: JsonObject) -> Self:
        """Parse the JSON answer of ``POST /sms``."""
        code = parse_code(obj.get("success"))
        if code is None:
            raise SevenResponseError("Answer has no return code")
        items = obj.get("messages") or []
        if not isinstance(items, list):
            raise SevenResponseError("Field 'messages' is not a list")
        debug = obj.get("debug")
        return cls(
            code=code,
            total_price=_optional_number(obj.get("total_price")),
            balance=_optional_number(obj.get("balance")),
            debug=False if debug is None else _flag(debug, "debug"),
            messages=tuple(SentMessage.from_json(item) for item in items),
        )

    @classmethod
    def bare(cls, code: ReturnCode) -> Self:
        """A send answered by its code alone, without details."""
        return cls(code=code, total_price=None, balance=None, debug=False, messages=())

    @property
    def accepted(self) -> tuple[SentMessage, ...]:
        """The recipients seven took the message for."""
        return tuple(message for message in self.messages if message.success)

    @property
    def refused(self) -> tuple[SentMessage, ...]:
        """The recipients seven refused, each with its error."""
        return tuple(message for message in self.messages if not message.success)


@dataclass(frozen=True, slots=True, kw_only=True)
class Balance:
    """The account's credit; ``currency`` is None in the older bare answer."""

    amount: float
    currency: str | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse ``{"amount": 46.7, "currency": "EUR"}`` or a bare amount."""
        if isinstance(data, Mapping):
            amount = _optional_number(data.get("amount"))
            currency = _text(data.get("currency"))
        else:
            amount, currency = _optional_number(data), None
        if amount is None:
            raise SevenResponseError("Answer has no balance amount")
        return cls(amount=amount, currency=currency)


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalEntry:
    """One sent message in seven's outbound journal."""

    id: str
    to: str
    sender: str | None
    text: str
    timestamp: datetime | None
    price: float | None
    state: DeliveryState
    state_time: datetime | None
    channel: str | None
    label: str | None
    foreign_id: str | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse one entry; a null ``dlr`` means no report yet: accepted."""
        obj = _object(data, "journal")
        message_id = _optional_id(obj.get("id"), "id")
        if message_id is None:
            raise SevenResponseError("Journal entry has no id")
        return cls(
            id=message_id,
            to=_text(obj.get("to")) or "",
            sender=_text(obj.get("from")),
            text=_string(obj.get("text"), "text"),
            timestamp=parse_time(obj.get("timestamp")),
            price=_optional_number(obj.get("price")),
            state=_state(obj.get("dlr")),
            state_time=parse_time(obj.get("dlr_timestamp")),
            channel=_text(obj.get("channel")) or _text(obj.get("type")),
            label=_text(obj.get("label")),
            foreign_id=_text(obj.get("foreign_id")),
        )


def parse_journal(data: object) -> tuple[JournalEntry, ...]:
    """Parse the answer of ``GET /journal/outbound``: a list, maybe empty."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise SevenResponseError("Journal is not a list")
    return tuple(JournalEntry.from_json(item) for item in data)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryReport:
    """A delivery report pushed by seven's ``dlr`` webhook."""

    message_id: str
    state: DeliveryState
    timestamp: datetime | None

    @classmethod
    def from_webhook(cls, data: object) -> Self:
        """Parse the webhook's JSON: ``{"webhook_event": "dlr", "data": {...}}``."""
        obj = _object(data, "webhook")
        event = obj.get("webhook_event")
        if not isinstance(event, str) or event.strip().lower() != "dlr":
            raise SevenResponseError("Webhook is not a delivery report")
        report = _object(obj.get("data"), "data")
        message_id = _optional_id(report.get("msg_id"), "msg_id")
        if message_id is None:
            raise SevenResponseError("Delivery report has no message id")
        state = report.get("status")
        if not isinstance(state, str) or not state.strip():
            raise SevenResponseError("Delivery report has no status")
        return cls(
            message_id=message_id,
            state=DeliveryState(state),
            timestamp=parse_time(report.get("timestamp")),
        )


def parse_code(value: object) -> ReturnCode | None:
    """A return code from a number or a text of digits; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return ReturnCode(value) if 0 <= value < 10_000 else None
    if isinstance(value, str) and (match := _CODE.match(value)):
        return ReturnCode(int(match.group(1)))
    return None


def parse_time(value: object) -> datetime | None:
    """A time as seven writes it, aware in UTC; None when missing or unreadable.

    Unix times are read as such; texts without a zone are seven's local time.
    """
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, str) and value.strip().isdecimal():
            value = int(value.strip())
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        if not isinstance(value, str):
            return None
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=SEVEN_TIME_ZONE)
        return moment.astimezone(UTC)
    # Out of range, or (ValueError) not a time at all, or too many digits for int().
    except OverflowError, OSError, ValueError:
        return None


def _state(value: object) -> DeliveryState:
    if value is None or value == "":
        return DeliveryState.ACCEPTED
    if not isinstance(value, str):
        raise SevenResponseError("Field 'dlr' is not text")
    return DeliveryState(value)


def _object(value: object, field: str) -> JsonObject:
    if not isinstance(value, Mapping):
        raise SevenResponseError(f"Field '{field}' is not an object")
    return value


def _optional_id(value: object, field: str) -> str | None:
    """Ids are strings; a number is taken as its digits."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise SevenResponseError(f"Field '{field}' is not an id")


def _encoding(value: object) -> Encoding | None:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return Encoding(value.strip().lower())
    return None


def _optional_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    # Not a number, or an int beyond any float.
    except ValueError, OverflowError:
        return None
    return number if math.isfinite(number) else None


def _optional_count(value: object) -> int | None:
    number = _optional_number(value)
    if number is None or number < 0 or not number.is_integer():
        return None
    return int(number)


_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no", ""})


def _flag(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and (text := value.strip().lower()) in _TRUE | _FALSE:
        return text in _TRUE
    raise SevenResponseError(f"Field '{field}' is not a flag")


def _string(value: object, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise SevenResponseError(f"Field '{field}' is not text")


def _text(value: object) -> str | None:
    """Trimmed text, numbers as their digits; empty becomes None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return None
    return value.strip() or None
