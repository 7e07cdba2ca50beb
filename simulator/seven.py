"""seven.io's SMS API, simulated under `/seven/api`.

Its quirks are kept: errors answer HTTP 200 with a return code (a bare number
when the key is refused); `success` is a string and message ids are strings;
the balance is a bare number unless JSON is asked for; times carry no zone
and are Berlin's. A message moves ACCEPTED -> TRANSMITTED -> DELIVERED, one
step per tick.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
import hashlib
import hmac
from itertools import count as counter
import json
import re
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .cloud import (
    CloudApi,
    CloudRequest,
    CloudService,
    Delivery,
    Progression,
    TextSize,
    text_size,
)
from .serving import NOT_FOUND, Reply

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .state import Simulator

PROVIDER = "seven"
PREFIX = "/seven/api"
# The headers seven reads, kept in the request log.
HEADERS = ("X-Api-Key", "Accept", "Content-Type")
BERLIN = ZoneInfo("Europe/Berlin")
PRICE_PER_PART = 0.075
FIRST_MESSAGE_ID = 77229135982
MAX_TEXT_LENGTH = 1520
RELOAD_LOCK = timedelta(seconds=180)
DEFAULT_SENDER = "seven.io"
MAX_JOURNAL_LIMIT = 100

_SENDER = re.compile(r"[A-Za-z0-9 ._&-]{1,11}|\+?[0-9]{1,16}")
_FOREIGN_ID = re.compile(r"[A-Za-z0-9.\-_@]{1,64}")
_NUMBER_NOISE = re.compile(r"[\s()/.-]")


class State(StrEnum):
    """seven's delivery states (`dlr`)."""

    ACCEPTED = "ACCEPTED"
    BUFFERED = "BUFFERED"
    TRANSMITTED = "TRANSMITTED"
    DELIVERED = "DELIVERED"
    NOTDELIVERED = "NOTDELIVERED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


PROGRESSION = Progression(
    (State.ACCEPTED, State.TRANSMITTED, State.DELIVERED),
    early={State.REJECTED, State.FAILED},
    late={State.NOTDELIVERED, State.EXPIRED},
)


class Code(IntEnum):
    """The return codes the simulator gives."""

    ACCEPTED = 100
    PARTLY_SENT = 101
    INVALID_SENDER = 201
    INVALID_RECIPIENT = 202
    NO_RECIPIENT = 301
    NO_TEXT = 305
    TEXT_TOO_LONG = 401
    RELOAD_LOCK = 402
    NO_CREDIT = 500
    BAD_API_KEY = 900


_ERROR_TEXTS = {
    Code.INVALID_RECIPIENT: "Invalid recipient",
    Code.RELOAD_LOCK: "Reload lock",
}


class RefusedError(Exception):
    """A send seven refuses as a whole, with its code."""

    def __init__(self, code: Code) -> None:
        """Refuse with `code`."""
        super().__init__(int(code))
        self.code = code


@dataclass(slots=True, eq=False, kw_only=True)
class SevenAccount:
    """A seven account: its key, credit and webhook signing secret."""

    api_key: str
    balance: float
    currency: str
    signing_secret: str


@dataclass(slots=True, eq=False, kw_only=True)
class SevenMessage:
    """One message to one recipient, as seven stores it."""

    id: str
    account: SevenAccount = field(repr=False)
    recipient: str
    sender: str
    text: str
    encoding: str
    parts: int
    price: float
    created: datetime
    foreign_id: str | None
    label: str | None
    delivery: Delivery[State]

    @property
    def state(self) -> State:
        """Where the message is."""
        return self.delivery.state


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What a send did for one recipient: a message, or an error."""

    recipient: str
    message: SevenMessage | None = None
    error: Code | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """What a send asks for."""

    recipients: Sequence[str]
    text: str
    sender: str | None = None
    delay: datetime | None = None
    foreign_id: str | None = None
    label: str | None = None
    debug: bool = False
    no_reload: bool = False


class SevenCloud(CloudService[State, SevenAccount]):
    """seven's accounts and the messages they sent."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        """Read the time from `now`."""
        super().__init__(PROVIDER, PROGRESSION, now)
        # Oldest first.
        self.messages: dict[str, SevenMessage] = {}
        self._ids = counter(FIRST_MESSAGE_ID)

    def add_account(
        self,
        api_key: str,
        *,
        balance: float = 0.0,
        currency: str = "EUR",
        signing_secret: str | None = None,
    ) -> SevenAccount:
        """Open an account; without a signing secret, it gets a random one."""
        return self.open_account(
            api_key,
            SevenAccount(
                api_key=api_key,
                balance=balance,
                currency=currency,
                signing_secret=signing_secret or secrets.token_hex(16),
            ),
        )

    def message(self, message_id: str) -> SevenMessage:
        """A message by id; `KeyError` if there is none."""
        return self.messages[message_id]

    def send(self, account: SevenAccount, order: Order) -> tuple[Code, list[Outcome]]:
        """Send a text to each recipient: charged per part, refused as a whole without credit."""
        now = self.now()
        size = text_size(order.text)
        price = 0.0 if order.debug else round(size.parts * PRICE_PER_PART, 4)
        planned: list[Outcome] = []
        for raw in order.recipients:
            number = _international(raw)
            if number is None:
                planned.append(Outcome(recipient=raw, error=Code.INVALID_RECIPIENT))
            elif not order.no_reload and self._locked(account, number, order.text, now):
                planned.append(Outcome(recipient=number, error=Code.RELOAD_LOCK))
            else:
                planned.append(Outcome(recipient=number))
        valid = [outcome for outcome in planned if outcome.error is None]
        total = round(price * len(valid), 4)
        if total > account.balance:
            raise RefusedError(Code.NO_CREDIT)
        outcomes = [
            outcome
            if outcome.error is not None or order.debug
            else Outcome(
                recipient=outcome.recipient,
                message=self._store(
                    account, outcome.recipient, order, size=size, price=price, now=now
                ),
            )
            for outcome in planned
        ]
        account.balance = round(account.balance - total, 4)
        errors = [outcome.error for outcome in outcomes if outcome.error is not None]
        if not errors:
            return Code.ACCEPTED, outcomes
        return (Code.PARTLY_SENT if valid else errors[0]), outcomes

    def journal(
        self,
        account: SevenAccount,
        *,
        message_id: str | None = None,
        begin: datetime | None = None,
        end: datetime | None = None,
        state: str | None = None,
        to: str | None = None,
    ) -> list[SevenMessage]:
        """The account's messages that match, newest first."""
        digits = None if to is None else _international(to)
        return [
            message
            for message in reversed(self.messages.values())
            if message.account is account
            and (message_id is None or message.id == message_id)
            and (begin is None or message.created >= begin)
            and (end is None or message.created <= end)
            and (state is None or message.state == state.upper())
            and (to is None or message.recipient == digits)
        ]

    def _locked(
        self, account: SevenAccount, number: str, text: str, now: datetime
    ) -> bool:
        """Whether the same text went to the same number within the reload lock."""
        return any(
            message.account is account
            and message.recipient == number
            and message.text == text
            and now - message.created < RELOAD_LOCK
            for message in self.messages.values()
        )

    def _store(
        self,
        account: SevenAccount,
        number: str,
        order: Order,
        *,
        size: TextSize,
        price: float,
        now: datetime,
    ) -> SevenMessage:
        message = SevenMessage(
            id=str(next(self._ids)),
            account=account,
            recipient=number,
            sender=order.sender or DEFAULT_SENDER,
            text=order.text,
            encoding=size.encoding,
            parts=size.parts,
            price=price,
            created=now,
            foreign_id=order.foreign_id,
            label=order.label,
            delivery=Delivery(
                number=number,
                state=State.ACCEPTED,
                updated=now,
                not_before=order.delay,
            ),
        )
        self.messages[message.id] = message
        self.start(message.delivery)
        return message


def _international(raw: str) -> str | None:
    """A recipient as seven stores it: international digits (a national 0 is German)."""
    number = _NUMBER_NOISE.sub("", raw)
    if number.startswith("+"):
        number = number[1:]
    elif number.startswith("00"):
        number = number[2:]
    elif number.startswith("0"):
        number = "49" + number[1:]
    if not (number.isascii() and number.isdecimal() and 8 <= len(number) <= 15):
        return None
    return number


def berlin_time(moment: datetime) -> str:
    """A time as seven writes it: Berlin's, without a zone."""
    return moment.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S")


def signed_webhook(
    message: SevenMessage,
    state: State,
    url: str,
    *,
    now: datetime,
    path_only: bool = False,
    secret: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a `dlr` webhook about `message`, signed as seven does.

    The signature covers the full URL, or its path (and query) with `path_only`.
    """
    stamp = berlin_time(now)
    body = json.dumps(
        {
            "webhook_event": "dlr",
            "webhook_timestamp": stamp,
            "data": {"msg_id": message.id, "status": state.value, "timestamp": stamp},
        }
    ).encode()
    timestamp = str(int(now.timestamp()))
    nonce = secrets.token_hex(16)
    parts = urlsplit(url)
    signed_url = (
        parts.path + (f"?{parts.query}" if parts.query else "") if path_only else url
    )
    payload = "\n".join(
        [
            timestamp,
            nonce,
            "POST",
            signed_url,
            hashlib.md5(body, usedforsecurity=False).hexdigest(),
        ]
    )
    key = (message.account.signing_secret if secret is None else secret).encode()
    return body, {
        "Content-Type": "application/json",
        "X-Signature": hmac.new(key, payload.encode(), hashlib.sha256).hexdigest(),
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
    }


class SevenApi(CloudApi):
    """Serves `/seven/api/<endpoint>` the way seven does."""

    provider = PROVIDER
    prefix = PREFIX
    headers = HEADERS

    def __init__(self, sim: Simulator) -> None:
        """Serve the seven accounts of `sim`."""
        super().__init__(sim)
        self._endpoints: dict[
            tuple[str, str], Callable[[SevenAccount, CloudRequest], Reply]
        ] = {
            ("POST", "sms"): self._sms,
            ("GET", "sms"): self._sms,
            ("GET", "balance"): self._balance,
            ("GET", "journal/outbound"): self._journal,
        }

    def answer(self, method: str, endpoint: str, incoming: CloudRequest) -> Reply:
        """Answer a call as seven: a bare code when the key is refused."""
        answer = self._endpoints.get((method, endpoint))
        if answer is None:
            return NOT_FOUND
        cloud = self._sim.seven
        if (code := cloud.take_refusal()) is not None:
            return Reply.text(str(code))
        # The `p` field is seven's deprecated way to pass the key.
        key = incoming.headers.get("X-Api-Key") or incoming.field("p")
        account = None if key is None else cloud.accounts.get(key)
        if account is None:
            return Reply.text(str(int(Code.BAD_API_KEY)))
        return answer(account, _with_json_fields(incoming))

    def _sms(self, account: SevenAccount, incoming: CloudRequest) -> Reply:
        as_json = incoming.field("json") == "1"
        try:
            order = _order(incoming)
            code, outcomes = self._sim.seven.send(account, order)
        except RefusedError as refused:
            if not as_json:
                return Reply.text(str(int(refused.code)))
            return Reply.json(_sms_answer(account, refused.code))
        except ValueError as error:
            return Reply.text(str(error), status=400)
        if not as_json:
            lines = [str(int(code))]
            if incoming.field("return_msg_id") == "1":
                lines += [o.message.id for o in outcomes if o.message is not None]
            return Reply.text("\n".join(lines))
        return Reply.json(_sms_answer(account, code, order, outcomes))

    def _balance(self, account: SevenAccount, incoming: CloudRequest) -> Reply:
        if "application/json" in incoming.headers.get("Accept", ""):
            return Reply.json({"amount": account.balance, "currency": account.currency})
        return Reply.text(str(account.balance))

    def _journal(self, account: SevenAccount, incoming: CloudRequest) -> Reply:
        try:
            limit = min(_whole(incoming, "limit", MAX_JOURNAL_LIMIT), MAX_JOURNAL_LIMIT)
            offset = _whole(incoming, "offset", 0)
            found = self._sim.seven.journal(
                account,
                message_id=incoming.field("id"),
                begin=_day(incoming.field("date_from"), end=False),
                end=_day(incoming.field("date_to"), end=True),
                state=incoming.field("state"),
                to=incoming.field("to"),
            )
        except ValueError as error:
            return Reply.text(str(error), status=400)
        return Reply.json([_journal_entry(m) for m in found[offset : offset + limit]])


def _with_json_fields(incoming: CloudRequest) -> CloudRequest:
    """Values of a JSON body count as fields: seven takes either."""
    if not isinstance(incoming.body, dict):
        return incoming
    # seven's flags are 0 and 1.
    extra = {
        str(name): str(int(value)) if isinstance(value, bool) else str(value)
        for name, value in incoming.body.items()
        if isinstance(value, str | int | float | bool)
    }
    return replace(incoming, fields=incoming.fields | extra)


def _order(incoming: CloudRequest) -> Order:
    """Read a send, refusing what seven refuses with a code."""
    to = incoming.field("to")
    if to is None:
        raise RefusedError(Code.NO_RECIPIENT)
    text = incoming.fields.get("text", "")
    if not text.strip():
        raise RefusedError(Code.NO_TEXT)
    if len(text) > MAX_TEXT_LENGTH:
        raise RefusedError(Code.TEXT_TOO_LONG)
    sender = incoming.field("from")
    if sender is not None and not _SENDER.fullmatch(sender):
        raise RefusedError(Code.INVALID_SENDER)
    foreign_id = incoming.field("foreign_id")
    if foreign_id is not None and not _FOREIGN_ID.fullmatch(foreign_id):
        raise ValueError("Invalid foreign_id")
    return Order(
        recipients=[part.strip() for part in to.split(",") if part.strip()],
        text=text,
        sender=sender,
        delay=_delay(incoming.field("delay")),
        foreign_id=foreign_id,
        label=incoming.field("label"),
        debug=incoming.field("debug") == "1",
        no_reload=incoming.field("no_reload") == "1",
    )


def _delay(value: str | None) -> datetime | None:
    """A Unix time, or `YYYY-MM-DD hh:mm[:ss]` in Berlin."""
    if value is None:
        return None
    if value.isascii() and value.isdecimal():
        return datetime.fromtimestamp(int(value), UTC)
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=BERLIN)
        except ValueError:
            continue
    raise ValueError("Invalid delay")


def _day(value: str | None, *, end: bool) -> datetime | None:
    """A journal date: a Berlin day (its first or last second), or a Berlin time."""
    if value is None:
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(value, pattern).replace(tzinfo=BERLIN)
        except ValueError:
            continue
        if end and pattern == "%Y-%m-%d":
            moment += timedelta(days=1, seconds=-1)
        return moment
    raise ValueError(f"Invalid date {value}")


def _whole(incoming: CloudRequest, name: str, default: int) -> int:
    value = incoming.field(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdecimal()):
        raise ValueError(f"Invalid {name}")
    return int(value)


def _sms_answer(
    account: SevenAccount,
    code: Code,
    order: Order | None = None,
    outcomes: Sequence[Outcome] = (),
) -> dict[str, object]:
    """The JSON answer of a send; a send refused as a whole has no messages."""
    sent = [outcome.message for outcome in outcomes if outcome.message is not None]
    messages: list[dict[str, object]] = []
    if order is not None:
        size = text_size(order.text)
        messages = [_sent(order, size, outcome) for outcome in outcomes]
    return {
        "success": str(int(code)),
        "total_price": round(sum(message.price for message in sent), 4),
        "balance": account.balance,
        "debug": "true" if order is not None and order.debug else "false",
        "sms_type": "direct",
        "messages": messages,
    }


def _sent(order: Order, size: TextSize, outcome: Outcome) -> dict[str, object]:
    error = outcome.error
    return {
        "id": None if outcome.message is None else outcome.message.id,
        "sender": order.sender or DEFAULT_SENDER,
        "recipient": outcome.recipient,
        "text": order.text,
        "encoding": size.encoding,
        "label": order.label,
        "parts": size.parts,
        "price": 0 if outcome.message is None else outcome.message.price,
        "success": error is None,
        "error": None if error is None else str(int(error)),
        "error_text": None if error is None else _ERROR_TEXTS[error],
    }


def _journal_entry(message: SevenMessage) -> dict[str, object]:
    delivery = message.delivery
    reported = delivery.state is not State.ACCEPTED
    return {
        "id": message.id,
        "from": message.sender,
        "to": message.recipient,
        "text": message.text,
        "timestamp": berlin_time(message.created),
        "price": f"{message.price:g}",
        "dlr": delivery.state.value,
        "dlr_timestamp": berlin_time(delivery.updated) if reported else None,
        "channel": "SMS",
        "type": "direct",
        "connection": "http",
        "label": message.label,
        "foreign_id": message.foreign_id,
        "latency": None,
        "mccmnc": None,
    }
