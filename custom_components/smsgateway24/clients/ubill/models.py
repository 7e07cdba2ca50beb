"""Typed models of UBill's answers and delivery callbacks.

UBill sends ids and codes sometimes as numbers, sometimes as strings
(``"smsID": "117345"``, report rows' ``"statusID": "1"``), and flags as
``"1"``. The parsers here absorb that at the boundary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
import hmac
from typing import Any, Self
from zoneinfo import ZoneInfo

from .exceptions import UBillResponseError

type JsonObject = Mapping[str, Any]

# UBill is in Georgia: its times, given and shown, are Tbilisi's.
UBILL_TIME_ZONE = ZoneInfo("Asia/Tbilisi")


class _Coded(IntEnum):
    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        # A code UBill adds later must still come out with its number.
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member


class StatusCode(_Coded):
    """The ``statusID`` of an answer, named once: 0 is success."""

    SUCCESS = 0
    BRAND_NOT_FOUND = 10
    NUMBERS_NOT_FOUND = 20
    EMPTY_TEXT = 30
    NOT_ENOUGH_BALANCE = 40
    NO_VALID_NUMBER = 50
    BAD_JSON = 90
    GENERAL_ERROR = 99

    @property
    def description(self) -> str:
        """What the code means."""
        return _DESCRIPTIONS.get(self, "unknown status")


_DESCRIPTIONS = {
    StatusCode.SUCCESS: "success",
    StatusCode.BRAND_NOT_FOUND: "brand not found",
    StatusCode.NUMBERS_NOT_FOUND: "numbers not found",
    StatusCode.EMPTY_TEXT: "empty text",
    StatusCode.NOT_ENOUGH_BALANCE: "not enough balance",
    StatusCode.NO_VALID_NUMBER: "no valid number",
    StatusCode.BAD_JSON: "bad JSON",
    StatusCode.GENERAL_ERROR: "general error",
}


class DeliveryStatus(_Coded):
    """Where a message to one number is: the ``statusID`` of reports and callbacks."""

    SENT = 0
    DELIVERED = 1
    NOT_DELIVERED = 2
    AWAITING = 3
    ERROR = 4

    @property
    def slug(self) -> str:
        """The status in the words of status events: ``sent``, ``not_delivered``..."""
        return _SLUGS.get(self, self.name.lower())

    @property
    def final(self) -> bool:
        """Whether the status will not change any more.

        "Sent" is not final: a delivery report may still follow.
        """
        return self is DeliveryStatus.DELIVERED or self.failed

    @property
    def failed(self) -> bool:
        """Whether the message did not reach its recipient."""
        return self in (DeliveryStatus.NOT_DELIVERED, DeliveryStatus.ERROR)


_SLUGS = {
    DeliveryStatus.SENT: "sent",
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.NOT_DELIVERED: "not_delivered",
    DeliveryStatus.AWAITING: "pending",
    DeliveryStatus.ERROR: "failed",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SendResult:
    """A send UBill accepted: one id for all its numbers."""

    sms_id: str
    numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Brand:
    """A sender name of the account; only authorized ones can send."""

    id: int
    name: str
    authorized: bool
    created: datetime | None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse one item of ``brands``."""
        obj = _object(data, "brands")
        authorized = obj.get("authorized")
        return cls(
            id=parse_int(obj.get("id"), "id"),
            name=_text(obj.get("name")) or "",
            authorized=False if authorized is None else _flag(authorized, "authorized"),
            created=parse_time(obj.get("createdAt")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberStatus:
    """The delivery status of a send to one number."""

    number: str
    status: DeliveryStatus

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse one row of a report's ``result``."""
        obj = _object(data, "result")
        return cls(
            number=_digits(obj.get("number"), "number"),
            status=DeliveryStatus(parse_int(obj.get("statusID"), "statusID")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Callback:
    """A delivery callback: UBill's prompt that a send's report changed.

    Its key is weak (short, fixed): fetch the report with the API key rather
    than trust the status it carries.
    """

    key: str | None = field(repr=False)
    sms_id: str
    number: str
    status: DeliveryStatus
    date: datetime | None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Self:
        """Parse the callback's query: ``key``, ``smsID``, ``number``, ``statusID``, ``date``."""
        sms_id = _text(query.get("smsID"))
        if sms_id is None:
            raise UBillResponseError("Callback has no smsID")
        return cls(
            key=query.get("key"),
            sms_id=sms_id,
            number=_digits(query.get("number"), "number"),
            status=DeliveryStatus(parse_int(query.get("statusID"), "statusID")),
            date=parse_time(query.get("date")),
        )

    def key_matches(self, expected: str) -> bool:
        """Whether the callback carries ``expected`` as its key, compared in constant time."""
        if self.key is None:
            return False
        return hmac.compare_digest(
            self.key.encode(errors="surrogatepass"),
            expected.encode(errors="surrogatepass"),
        )


def parse_time(value: object) -> datetime | None:
    """A time as UBill writes it (Tbilisi's, without a zone), aware in UTC.

    None when missing or unreadable: no time UBill gives is needed to follow a message.
    """
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UBILL_TIME_ZONE)
        return moment.astimezone(UTC)
    except ValueError, OverflowError:
        return None


def parse_id(value: object, field: str) -> str:
    """An id UBill sends as a string or a number, as a string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise UBillResponseError(f"Field '{field}' is not an id")


def parse_code(value: object) -> StatusCode | None:
    """A ``statusID`` from a number or a text of digits; None for anything else."""
    try:
        return StatusCode(parse_int(value, "statusID"))
    except UBillResponseError:
        return None


def _object(value: object, field: str) -> JsonObject:
    if not isinstance(value, Mapping):
        raise UBillResponseError(f"Field '{field}' is not an object")
    return value


def parse_int(value: object, field: str) -> int:
    """A whole number UBill sends as a number or a text of digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    # isdecimal, not isdigit: int() refuses digits such as "²"; it also
    # refuses more digits than sys.get_int_max_str_digits().
    if isinstance(value, str) and value.strip().isdecimal():
        try:
            return int(value)
        except ValueError:
            pass
    raise UBillResponseError(f"Field '{field}' is not a whole number")


def _digits(value: object, field: str) -> str:
    """A number as UBill writes it: digits, maybe sent as a JSON number."""
    text = (
        str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    )
    if isinstance(text, str) and text.strip().isdecimal():
        return text.strip()
    raise UBillResponseError(f"Field '{field}' is not a phone number")


_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no", ""})


def _flag(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and (text := value.strip().lower()) in _TRUE | _FALSE:
        return text in _TRUE
    raise UBillResponseError(f"Field '{field}' is not a flag")


def _text(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return None
    return value.strip() or None
