"""The simulated world: accounts, their phones and messages, and how they change."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count as counter
import random
import secrets
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .clock import Clock, SystemClock
from .models import (
    FAILURE_STATUSES,
    FINAL_STATUSES,
    SIM_SLOTS,
    Account,
    ApiError,
    Contact,
    Message,
    Paket,
    Phone,
    RecordedRequest,
    Sim,
    Status,
    Tag,
    TelegramMessage,
    UploadInfo,
)
from .seven import SevenCloud
from .ubill import UBillCloud

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

CURRENT_APP_VERSION = "12.3.4"

# First ids handed out, in the ranges the provider's own examples show.
FIRST_PHONE_ID = 11231
FIRST_MESSAGE_ID = 62050971
FIRST_TAG_ID = 8303
FIRST_CONTACT_ID = 15954765
FIRST_PAKET_ID = 40117

DEVICE_NOT_FOUND = "Device not found"
SMS_NOT_FOUND = "Sms not found"
TOKEN_INVALID = "Token is invalid or expired"  # noqa: S105 - a message, not a secret
LOGIN_INCORRECT = "Login or password incorrect"

_HISTORY_BODIES = (
    "Your code is {n}",
    "Your order #{n} has shipped",
    "Reminder: appointment tomorrow at 10:00",
    "Alarm armed",
    "Washing machine finished",
    "Battery low on sensor {n}",
)
# How sent messages of the past ended, and how often (cumulative weights).
_OUTCOMES = (Status.DELIVERED, Status.SENT, Status.NOT_DELIVERED, Status.FAILED)
_OUTCOME_WEIGHTS = (0.70, 0.92, 0.97, 1.0)
_INCOMING_BODIES = ("STATUS", "ALARM OFF", "Thanks!", "Call me back", "STOP")


def _second(moment: datetime) -> datetime:
    """Drop sub-second digits: the provider stores times to the second."""
    return moment.astimezone(UTC).replace(microsecond=0)


def _order(message: Message) -> tuple[datetime, int]:
    return message.order


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


class Simulator:
    """The whole in-memory world of the providers.

    SMSGateway24's accounts, phones and messages; the backup routes' cloud
    SMS APIs in `seven` and `ubill`.
    """

    requests: list[RecordedRequest]
    seven: SevenCloud
    ubill: UBillCloud
    latency: float
    html_errors: int
    _accounts: dict[str, Account]
    _tokens: dict[str, Account]
    _phones: dict[int, Phone]
    _messages: dict[int, Message]
    _phone_ids: Iterator[int]
    _message_ids: Iterator[int]
    _tag_ids: Iterator[int]
    _contact_ids: Iterator[int]
    _paket_ids: Iterator[int]

    def __init__(self, clock: Clock | None = None) -> None:
        """Create an empty world that reads the time from `clock` (default: real time)."""
        self.clock: Clock = clock or SystemClock()
        self.clear()

    def clear(self) -> None:
        """Forget everything, as a new simulator would, but keep the clock."""
        self.requests = []
        self.latency = 0.0
        self.html_errors = 0
        self._accounts = {}
        self._tokens = {}
        self._phones = {}
        self._messages = {}
        # Restarting the ids keeps a rebuilt demo world's phone ids the same.
        self._phone_ids = counter(FIRST_PHONE_ID)
        self._message_ids = counter(FIRST_MESSAGE_ID)
        self._tag_ids = counter(FIRST_TAG_ID)
        self._contact_ids = counter(FIRST_CONTACT_ID)
        self._paket_ids = counter(FIRST_PAKET_ID)
        self.seven = SevenCloud(self.now)
        self.ubill = UBillCloud(self.now)

    def now(self) -> datetime:
        """Return the simulated time, to the second."""
        return _second(self.clock.now())

    # Accounts

    @property
    def accounts(self) -> list[Account]:
        """Return every account, oldest first."""
        return list(self._accounts.values())

    def add_account(
        self, email: str, password: str, timezone: str = "Europe/Paris"
    ) -> Account:
        """Open an account whose dates are shown in `timezone` (an IANA zone name)."""
        ZoneInfo(timezone)
        key = email.lower()
        if key in self._accounts:
            raise ValueError(f"account {email} exists")
        account = Account(email=email, password=password, timezone=timezone)
        self._accounts[key] = account
        return account

    def account(self, email: str) -> Account:
        """Return the account of `email` (any case); `KeyError` if there is none."""
        return self._accounts[email.lower()]

    def default_account(self) -> Account:
        """Return the oldest account; `LookupError` if there is none."""
        for account in self._accounts.values():
            return account
        raise LookupError("no account")

    def login(self, email: str, password: str) -> Account:
        """Check credentials the way `gettoken` and `smstosend` do."""
        account = self._accounts.get(email.lower())
        if account is None or account.password != password:
            raise ApiError(LOGIN_INCORRECT)
        return account

    def issue_token(self, account: Account, token: str | None = None) -> str:
        """Return the account's token, making one (`token`, or a random one) if it has none."""
        if account.token is None:
            account.token = token or secrets.token_hex(16)
            self._tokens[account.token] = account
        return account.token

    def account_for_token(self, token: str) -> Account:
        """Return the account a token belongs to."""
        account = self._tokens.get(token)
        if account is None:
            raise ApiError(TOKEN_INVALID)
        return account

    def expire_token(self, account: Account | str) -> None:
        """Make the account's token invalid; `gettoken` then hands out a new one."""
        account = self._resolve(account)
        if account.token is not None:
            del self._tokens[account.token]
            account.token = None

    def _resolve(self, account: Account | str) -> Account:
        return self.account(account) if isinstance(account, str) else account

    # Phones

    def add_phone(
        self,
        account: Account | str,
        title: str = "Android",
        sims: Sequence[Sim] | None = None,
        channels: Iterable[int] = (),
        *,
        imei: str = "null",
        serial: str = "unknown",
        app_version: str = CURRENT_APP_VERSION,
        app_version_current: bool = True,
        subscription: bool = True,
        online: bool = True,
        delay_between_each_sms: int | None = None,
        delay_between_request: int = 10,
        created: datetime | None = None,
    ) -> Phone:
        """Register a phone in an account; with no `sims`, it has one in slot 0.

        It was `created` (default: now) and was last seen now.
        """
        account = self._resolve(account)
        phone_id = next(self._phone_ids)
        if sims is None:
            sims = [Sim(slot=0, carrier="Android", number=" 15555215554")]
        now = self.now()
        phone = Phone(
            id=phone_id,
            account=account,
            title=title,
            sims=[
                sim
                if sim.iccid
                else replace(sim, iccid=f"8949{phone_id:010d}{sim.slot:05d}")
                for sim in sims
            ],
            channels=frozenset(channels),
            imei=imei,
            serial=serial,
            app_version=app_version,
            app_version_current=app_version_current,
            subscription=subscription,
            delay_between_each_sms=delay_between_each_sms,
            delay_between_request=delay_between_request,
            created=now if created is None else _second(created),
            last_seen=now,
            online=online,
        )
        account.phones[phone_id] = phone
        self._phones[phone_id] = phone
        return phone

    def phone(self, phone_id: int) -> Phone:
        """Return a phone by id; `KeyError` if there is none."""
        return self._phones[phone_id]

    def remove_phone(self, phone_id: int) -> None:
        """Delete a phone from its account; its messages stay in the history."""
        phone = self._phones.pop(phone_id)
        del phone.account.phones[phone_id]

    def set_online(self, phone_id: int, online: bool) -> None:  # noqa: FBT001
        """Connect or disconnect a phone; one coming back uploads what it received."""
        phone = self._phones[phone_id]
        if online and not phone.online:
            phone.last_seen = self.now()
            for message in phone.unsent_incoming:
                message.created = phone.last_seen
                self._store(phone.account, message)
            phone.unsent_incoming.clear()
        phone.online = online

    def phone_of(self, account: Account, device_id: int) -> Phone:
        """Return one of an account's phones, as the API looks it up."""
        phone = account.phones.get(device_id)
        if phone is None:
            raise ApiError(DEVICE_NOT_FOUND)
        return phone

    # Messages

    def message(self, sms_id: int) -> Message:
        """Return a stored message by id; `KeyError` if there is none."""
        return self._messages[sms_id]

    def message_of(self, account: Account, sms_id: int) -> Message:
        """Return one of an account's messages, as the API looks it up."""
        message = self._messages.get(sms_id)
        if message is None or message.account is not account:
            raise ApiError(SMS_NOT_FOUND)
        return message

    def _store(self, account: Account, message: Message) -> None:
        self._messages[message.id] = message
        messages = account.messages
        if not messages or messages[-1].order <= message.order:
            messages.append(message)
        else:
            insort(messages, message, key=_order)

    def queue_messages(
        self,
        account: Account,
        *,
        device_id: int,
        recipients: Sequence[str],
        body: str,
        sim: int,
        timetosend: datetime | None = None,
        customerid: int | None = None,
        urgent: int | None = None,
        paket: Paket | None = None,
    ) -> list[Message]:
        """Queue one message per recipient for a phone to send; ids are consecutive."""
        phone = self.phone_of(account, device_id)
        self.check_sim(phone, sim)
        now = self.now()
        messages = []
        for recipient in recipients:
            message = Message(
                id=next(self._message_ids),
                account=account,
                device_id=phone.id,
                sendto=recipient,
                body=body,
                sim=sim,
                status=Status.PENDING,
                created=now,
                timetosend=None if timetosend is None else _second(timetosend),
                customerid=customerid,
                urgent=urgent,
                paket=paket,
            )
            if phone.failures:
                message.fail_with = phone.failures.pop(0)
            self._store(account, message)
            phone.active.append(message)
            messages.append(message)
        return messages

    @staticmethod
    def check_sim(phone: Phone, sim: int) -> None:
        """Refuse a SIM slot or channel the phone does not have."""
        if sim not in phone.allowed_sims:
            raise ApiError(f"Sim {sim} is not available on device {phone.id}")

    def inject_incoming(
        self,
        phone_id: int,
        sender: str,
        text: str,
        sim: int = 0,
        received_at: datetime | None = None,
    ) -> int:
        """Make a phone receive a message; return its id.

        An online phone uploads it at once, dated `received_at` (default now); an
        offline one keeps it and uploads it, dated then, when it comes back online.
        """
        phone = self._phones[phone_id]
        if sim not in phone.allowed_sims:
            raise ValueError(f"phone {phone_id} has no sim {sim}")
        received = self.now() if received_at is None else _second(received_at)
        message = Message(
            id=next(self._message_ids),
            account=phone.account,
            device_id=phone_id,
            sendto=sender,
            body=text,
            sim=sim,
            status=Status.INCOMING,
            created=received,
            senttime=received,
        )
        if phone.online:
            phone.last_seen = self.now()
            self._store(phone.account, message)
        else:
            phone.unsent_incoming.append(message)
        return message.id

    def find_messages(
        self,
        account: Account,
        *,
        begin: datetime | None = None,
        end: datetime | None = None,
        device_id: int | None = None,
        status: int | None = None,
        sim: int | None = None,
        customerid: int | None = None,
        phone: str | None = None,
        newest_first: bool = False,
    ) -> list[Message]:
        """Return an account's messages created within [begin, end] that match."""
        messages = account.messages
        low = 0 if begin is None else bisect_left(messages, begin, key=_created)
        high = (
            len(messages) if end is None else bisect_right(messages, end, key=_created)
        )
        digits = None if phone is None else _digits(phone)
        found = [
            message
            for message in messages[low:high]
            if (device_id is None or message.device_id == device_id)
            and (status is None or message.status == status)
            and (sim is None or message.sim == sim)
            and (customerid is None or message.customerid == customerid)
            and (digits is None or _digits(message.sendto) == digits)
        ]
        if newest_first:
            found.reverse()
        return found

    def add_history(
        self,
        account: Account | str,
        count: int,
        start: datetime,
        end: datetime,
        phone_ids: Sequence[int] | None = None,
        *,
        incoming: float = 0.15,
        seed: int = 0,
    ) -> None:
        """Fill an account with `count` past messages created between start and end.

        A share `incoming` of them were received; the others were sent and ended
        delivered, sent, or now and then failed. The same seed gives the same history.
        """
        if count < 0:
            raise ValueError("count cannot be negative")
        if end < start:
            raise ValueError("end before start")
        account = self._resolve(account)
        phones = [
            self.phone_of(account, phone_id)
            for phone_id in (
                phone_ids if phone_ids is not None else list(account.phones)
            )
        ]
        if not phones:
            raise ValueError("no phone to make a history for")
        lines = [
            (phone.id, sim.slot)
            for phone in phones
            for sim in phone.sims
            if sim.slot in SIM_SLOTS
        ]
        if not lines:
            raise ValueError("no SIM card to make a history for")
        rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
        # Drawn in bulk: one call per draw would make 100,000 messages slow.
        stamps = sorted(
            rng.choices(
                range(int(start.timestamp()), int(end.timestamp()) + 1), k=count
            )
        )
        people = [f"+491{rng.randint(500000000, 799999999)}" for _ in range(40)]
        bodies = [
            template.format(n=rng.randint(1000, 9999))
            for template in _HISTORY_BODIES
            for _ in range(20)
        ]
        statuses = rng.choices(
            (Status.INCOMING, *_OUTCOMES),
            cum_weights=(
                incoming,
                *(incoming + (1 - incoming) * weight for weight in _OUTCOME_WEIGHTS),
            ),
            k=count,
        )
        delays = [timedelta(seconds=seconds) for seconds in range(2, 61)]
        new = []
        for stamp, (device_id, slot), status, sendto, body, reply, delay in zip(
            stamps,
            rng.choices(lines, k=count),
            statuses,
            rng.choices(people, k=count),
            rng.choices(bodies, k=count),
            rng.choices(_INCOMING_BODIES, k=count),
            rng.choices(delays, k=count),
            strict=True,
        ):
            created = datetime.fromtimestamp(stamp, UTC)
            message = Message(
                id=next(self._message_ids),
                account=account,
                device_id=device_id,
                sendto=sendto,
                body=reply if status == Status.INCOMING else body,
                sim=slot,
                status=status,
                created=created,
                senttime=_past_senttime(status, created, delay),
            )
            self._messages[message.id] = message
            new.append(message)
        account.messages.extend(new)
        # Two sorted runs: the sort merges them in linear time.
        account.messages.sort(key=_order)

    # Status progress

    def force_failure(
        self,
        sms_id: int | None = None,
        phone_id: int | None = None,
        status: int = Status.FAILED,
        count: int = 1,
    ) -> None:
        """Make a message, or a phone's next `count` messages, end in `status`.

        A phone's next messages are the ones it has not sent yet, oldest first, then
        the ones queued later.
        """
        if status not in FAILURE_STATUSES:
            raise ValueError(f"{status} is not a failure status")
        if sms_id is not None:
            message = self._messages[sms_id]
            if message.status in FINAL_STATUSES:
                raise ValueError(f"message {sms_id} is already final")
            message.fail_with = status
            return
        if phone_id is None:
            raise ValueError("give a message or a phone")
        phone = self._phones[phone_id]
        for message in phone.active:
            if count == 0:
                return
            if message.fail_with is None and message.status in (
                Status.PENDING,
                Status.TAKEN,
            ):
                message.fail_with = status
                count -= 1
        phone.failures.extend([status] * count)

    def tick(self) -> None:
        """Let every online phone check in and move each of its messages one step.

        The messages in flight on the cloud SMS APIs move one step too.
        """
        now = self.now()
        for phone in self._phones.values():
            if phone.online:
                phone.last_seen = now
                phone.active = [
                    message for message in phone.active if not _step(message, now)
                ]
        self.seven.tick(now)
        self.ubill.tick(now)

    # Newsletters, contacts, Telegram

    def save_tag(self, account: Account, title: str) -> Tag:
        """Create a tag."""
        tag = Tag(id=next(self._tag_ids), title=title)
        account.tags[tag.id] = tag
        return tag

    def save_contact(
        self, account: Account, *, phone: str, fullname: str, tag_id: int
    ) -> Contact:
        """File a phone number under an existing tag."""
        if tag_id not in account.tags:
            raise ApiError("Tag not found")
        contact = Contact(
            id=next(self._contact_ids), phone=phone, fullname=fullname, tag_id=tag_id
        )
        account.contacts[contact.id] = contact
        return contact

    def save_paket(
        self,
        account: Account,
        *,
        title: str,
        device_id: int,
        body: str,
        tag_ids: Sequence[int],
        sim: int,
        time_to_send: datetime | None,
    ) -> Paket:
        """Create a newsletter and queue one message per distinct number of its tags."""
        phone = self.phone_of(account, device_id)
        self.check_sim(phone, sim)
        for tag_id in tag_ids:
            if tag_id not in account.tags:
                raise ApiError("Tag not found")
        paket = Paket(
            id=next(self._paket_ids),
            title=title,
            device_id=device_id,
            body=body,
            tag_ids=tuple(tag_ids),
            sim=sim,
            time_to_send=self.now() if time_to_send is None else _second(time_to_send),
        )
        account.pakets[paket.id] = paket
        numbers = dict.fromkeys(
            contact.phone
            for contact in account.contacts.values()
            if contact.tag_id in tag_ids
        )
        self.queue_messages(
            account,
            device_id=device_id,
            recipients=list(numbers),
            body=body,
            sim=sim,
            timetosend=paket.time_to_send,
            paket=paket,
        )
        return paket

    def send_telegram(self, account: Account, telegram_id: str, body: str) -> None:
        """Record a message sent through the Telegram bot."""
        account.telegram_messages.append(
            TelegramMessage(telegram_id=telegram_id, body=body, sent_at=self.now())
        )

    # Faults and the request log

    def set_latency(self, seconds: float) -> None:
        """Delay every provider API answer by `seconds`."""
        if seconds < 0:
            raise ValueError("latency cannot be negative")
        self.latency = seconds

    def set_html_errors(self, count: int) -> None:
        """Answer the next `count` API requests with an HTML error page (-1: all)."""
        if count < -1:
            raise ValueError("count must be -1 or more")
        self.html_errors = count

    def take_html_error(self) -> bool:
        """Tell whether the current request must fail with an HTML page."""
        if self.html_errors == 0:
            return False
        if self.html_errors > 0:
            self.html_errors -= 1
        return True

    def record(
        self,
        *,
        method: str,
        http_method: str,
        fields: dict[str, str | UploadInfo],
        status: int,
        response_bytes: int,
        provider: str,
        path: str,
        headers: dict[str, str],
        body: object,
    ) -> None:
        """Add a provider API call to the request log."""
        self.requests.append(
            RecordedRequest(
                method=method,
                http_method=http_method,
                fields=fields,
                status=status,
                response_bytes=response_bytes,
                timestamp=self.clock.now(),
                provider=provider,
                path=path,
                headers=headers,
                body=body,
            )
        )

    def clear_requests(self) -> None:
        """Empty the request log."""
        self.requests.clear()


def _past_senttime(
    status: Status, created: datetime, delay: timedelta
) -> datetime | None:
    """Received messages were sent when received; failed ones were never sent."""
    if status == Status.INCOMING:
        return created
    if status == Status.FAILED:
        return None
    return created + delay


def _created(message: Message) -> datetime:
    return message.created


def _step(message: Message, now: datetime) -> bool:
    """Move an outgoing message one step; return whether it reached a final status."""
    if message.timetosend is not None and message.timetosend > now:
        return False
    failure = message.fail_with
    if message.status == Status.PENDING:
        message.status = Status.TAKEN
    elif message.status == Status.TAKEN:
        # Only "not delivered" can happen after sending; other failures stop it.
        if failure is not None and failure != Status.NOT_DELIVERED:
            message.status = failure
        else:
            message.status = Status.SENT
            message.senttime = now
    else:
        message.status = failure or Status.DELIVERED
    return message.status in FINAL_STATUSES
