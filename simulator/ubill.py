"""UBill's SMS API, simulated under `/ubill/v1`.

Its quirks are kept: a bad key is HTTP 401 with a plain-text body; anything
else is HTTP 200 with a `statusID` (0: success); ids, credits and report
codes are strings; times carry no zone and are Tbilisi's. A send has one id
for all its numbers; each number moves awaiting (3) -> sent (0) ->
delivered (1), one step per tick.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from itertools import count as counter
import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from .cloud import (
    CloudApi,
    CloudRequest,
    CloudService,
    Delivery,
    Progression,
    text_size,
)
from .serving import NOT_FOUND, Reply

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

PROVIDER = "ubill"
PREFIX = "/ubill/v1"
# The headers UBill reads, kept in the request log.
HEADERS = ("key", "Content-Type")
TBILISI = ZoneInfo("Asia/Tbilisi")
FIRST_SMS_ID = 117345
UNAUTHORIZED = "Unauthorized"

_NUMBER = re.compile(r"[1-9][0-9]{6,14}")


class Status(IntEnum):
    """Where a message to one number is: the report's and callback's `statusID`."""

    SENT = 0
    DELIVERED = 1
    NOT_DELIVERED = 2
    AWAITING = 3
    ERROR = 4


PROGRESSION = Progression(
    (Status.AWAITING, Status.SENT, Status.DELIVERED),
    early={Status.ERROR},
    late={Status.NOT_DELIVERED},
)


class Code(IntEnum):
    """The `statusID` of an answer."""

    SUCCESS = 0
    BRAND_NOT_FOUND = 10
    NUMBERS_NOT_FOUND = 20
    EMPTY_TEXT = 30
    NOT_ENOUGH_BALANCE = 40
    NO_VALID_NUMBER = 50
    BAD_JSON = 90
    GENERAL_ERROR = 99


class RefusedError(Exception):
    """A request UBill refuses with a `statusID` and a message."""

    def __init__(self, code: Code, message: str) -> None:
        """Refuse with `code`, saying `message`."""
        super().__init__(message)
        self.code = code


@dataclass(slots=True, eq=False, kw_only=True)
class Brand:
    """A sender name; only an authorized one can send."""

    id: int
    name: str
    authorized: bool
    created: datetime


@dataclass(slots=True, eq=False, kw_only=True)
class UBillAccount:
    """A UBill account: its key, SMS credits, brands and callback key."""

    api_key: str
    credits: int
    callback_key: str
    brands: dict[int, Brand] = field(default_factory=dict)


@dataclass(slots=True, eq=False, kw_only=True)
class UBillSend:
    """One send: one id, one text, a message to each of its numbers."""

    sms_id: str
    account: UBillAccount = field(repr=False)
    brand_id: int
    text: str
    created: datetime
    send_time: datetime | None
    deliveries: dict[str, Delivery[Status]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """What a send asks for."""

    brand_id: int
    numbers: Sequence[object]
    text: str
    send_time: datetime | None = None


class UBillCloud(CloudService[Status, UBillAccount]):
    """UBill's accounts and their sends."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        """Read the time from `now`."""
        super().__init__("UBill", PROGRESSION, now)
        self.sends: dict[str, UBillSend] = {}
        self._ids = counter(FIRST_SMS_ID)

    def add_account(
        self, api_key: str, *, sms_credits: int = 0, callback_key: str = ""
    ) -> UBillAccount:
        """Open an account."""
        return self.open_account(
            api_key,
            UBillAccount(
                api_key=api_key, credits=sms_credits, callback_key=callback_key
            ),
        )

    def add_brand(
        self,
        account: UBillAccount,
        name: str,
        *,
        authorized: bool = True,
        brand_id: int | None = None,
    ) -> Brand:
        """Add a brand, or change the one with `brand_id`."""
        if brand_id is None:
            brand_id = max(account.brands, default=0) + 1
        old = account.brands.get(brand_id)
        created = self.now() if old is None else old.created
        brand = Brand(id=brand_id, name=name, authorized=authorized, created=created)
        account.brands[brand_id] = brand
        return brand

    def send_of(self, sms_id: str) -> UBillSend:
        """A send by id; `KeyError` if there is none."""
        return self.sends[sms_id]

    def send(self, account: UBillAccount, order: Order) -> UBillSend:
        """Send a text to each valid number; a credit per SMS part and number."""
        brand = account.brands.get(order.brand_id)
        if brand is None:
            raise RefusedError(Code.BRAND_NOT_FOUND, "Brand not found")
        if not brand.authorized:
            raise RefusedError(Code.BRAND_NOT_FOUND, "Brand is not authorized")
        if not order.numbers:
            raise RefusedError(Code.NUMBERS_NOT_FOUND, "Numbers not found")
        if not order.text.strip():
            raise RefusedError(Code.EMPTY_TEXT, "Text is empty")
        numbers = dict.fromkeys(str(number).strip() for number in order.numbers)
        valid = [number for number in numbers if _NUMBER.fullmatch(number)]
        if not valid:
            raise RefusedError(Code.NO_VALID_NUMBER, "No valid number")
        now = self.now()
        if order.send_time is not None and order.send_time <= now:
            raise RefusedError(Code.GENERAL_ERROR, "sendTime must be in the future")
        cost = text_size(order.text).parts * len(valid)
        if cost > account.credits:
            raise RefusedError(Code.NOT_ENOUGH_BALANCE, "Not enough balance")
        account.credits -= cost
        sent = UBillSend(
            sms_id=str(next(self._ids)),
            account=account,
            brand_id=brand.id,
            text=order.text,
            created=now,
            send_time=order.send_time,
            deliveries={
                number: Delivery(
                    number=number,
                    state=Status.AWAITING if number in valid else Status.ERROR,
                    updated=now,
                    not_before=order.send_time,
                )
                for number in numbers
            },
        )
        self.sends[sent.sms_id] = sent
        for delivery in sent.deliveries.values():
            self.start(delivery)
        return sent

    def deliveries(
        self, sms_id: str, number: str | None = None
    ) -> list[Delivery[Status]]:
        """A send's messages, or the one to `number`; `KeyError` if none."""
        found = self.sends[sms_id].deliveries
        if number is None:
            return list(found.values())
        return [found[number]]


def tbilisi_time(moment: datetime) -> str:
    """A time as UBill writes it: Tbilisi's, without a zone."""
    return moment.astimezone(TBILISI).strftime("%Y-%m-%d %H:%M:%S")


def callback_url(
    url: str, sent: UBillSend, delivery: Delivery[Status], *, key: str, now: datetime
) -> str:
    """The URL UBill calls (GET) to tell a status changed."""
    query = urlencode(
        {
            "key": key,
            "smsID": sent.sms_id,
            "number": delivery.number,
            "statusID": int(delivery.state),
            "date": tbilisi_time(now),
        }
    )
    return f"{url}{'&' if '?' in url else '?'}{query}"


class UBillApi(CloudApi):
    """Serves `/ubill/v1/...` the way UBill does."""

    provider = PROVIDER
    prefix = PREFIX
    headers = HEADERS

    def method(self, endpoint: str) -> str:
        """Reports are one method, whatever the send's id in their path."""
        return "sms/report" if endpoint.startswith("sms/report/") else endpoint

    def answer(self, method: str, endpoint: str, incoming: CloudRequest) -> Reply:
        """Answer a call as UBill: HTTP 401 for a refused key, else a `statusID`."""
        name = self.method(endpoint)
        argument = endpoint.removeprefix("sms/report/") if name == "sms/report" else ""
        answer = {
            ("POST", "sms/send"): self._send,
            ("GET", "sms/send"): self._send,
            ("GET", "sms/balance"): self._balance,
            ("GET", "sms/brandNames"): self._brands,
            ("GET", "sms/report"): self._report,
        }.get((method, name))
        if answer is None:
            return NOT_FOUND
        cloud = self._sim.ubill
        refusal = cloud.take_refusal()
        key = incoming.headers.get("key") or incoming.field("key")
        account = None if key is None else cloud.accounts.get(key)
        if account is None or refusal == 401:
            return Reply.text(UNAUTHORIZED, status=401)
        if refusal is not None:
            return Reply.json({"statusID": refusal, "message": "Refused"})
        try:
            return Reply.json({"statusID": 0, **answer(account, argument, incoming)})
        except RefusedError as refused:
            return Reply.json({"statusID": int(refused.code), "message": str(refused)})

    def _send(
        self, account: UBillAccount, _argument: str, incoming: CloudRequest
    ) -> dict[str, object]:
        sent = self._sim.ubill.send(account, _order(incoming))
        return {"smsID": sent.sms_id, "message": "Success"}

    def _balance(
        self, account: UBillAccount, _argument: str, _incoming: CloudRequest
    ) -> dict[str, object]:
        return {"sms": str(account.credits)}

    def _brands(
        self, account: UBillAccount, _argument: str, _incoming: CloudRequest
    ) -> dict[str, object]:
        return {
            "brands": [
                {
                    "id": str(brand.id),
                    "name": brand.name,
                    "authorized": "1" if brand.authorized else "0",
                    "createdAt": tbilisi_time(brand.created),
                }
                for brand in account.brands.values()
            ]
        }

    def _report(
        self, account: UBillAccount, sms_id: str, _incoming: CloudRequest
    ) -> dict[str, object]:
        sent = self._sim.ubill.sends.get(sms_id)
        if sent is None or sent.account is not account:
            raise RefusedError(Code.GENERAL_ERROR, "SMS not found")
        return {
            "result": [
                {"number": delivery.number, "statusID": str(int(delivery.state))}
                for delivery in sent.deliveries.values()
            ]
        }


def _order(incoming: CloudRequest) -> Order:
    """Read a send: a JSON body, or (GET) the same fields in the query."""
    if incoming.bad_json:
        raise RefusedError(Code.BAD_JSON, "Invalid JSON")
    body = incoming.body
    if body is None:
        numbers = incoming.field("numbers")
        data: dict[str, object] = {
            "brandID": incoming.field("brandID"),
            "numbers": [] if numbers is None else numbers.split(","),
            "text": incoming.fields.get("text", ""),
            "sendTime": incoming.field("sendTime"),
        }
    elif isinstance(body, dict):
        data = body
    else:
        raise RefusedError(Code.BAD_JSON, "Invalid JSON")
    numbers_given = data.get("numbers")
    text = data.get("text")
    return Order(
        brand_id=_brand_id(data.get("brandID")),
        numbers=numbers_given if isinstance(numbers_given, list) else [],
        text=text if isinstance(text, str) else "",
        send_time=_send_time(data.get("sendTime")),
    )


def _brand_id(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.strip().isdecimal():
        return int(value)
    raise RefusedError(Code.BRAND_NOT_FOUND, "Brand not found")


def _send_time(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=TBILISI)
        except ValueError:
            pass
    raise RefusedError(Code.GENERAL_ERROR, "sendTime must be Y-m-d H:i")
