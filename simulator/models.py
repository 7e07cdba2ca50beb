"""The simulated world's records: accounts, phones, messages and what goes with them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from datetime import datetime


class ApiError(Exception):
    """A request the provider refuses: answered as `{"error": 1, "message": ...}`."""


class Status(IntEnum):
    """The provider's message status codes."""

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


# `statustitle` in getallsms answers: short lower-case words, as in the provider's example.
STATUS_TITLES: dict[int, str] = {
    Status.PENDING: "new",
    Status.TAKEN: "sending",
    Status.QUEUED: "queued",
    Status.INCOMING: "income",
    Status.SENT: "sent",
    Status.DELIVERED: "delivered",
    Status.NOT_DELIVERED: "not delivered",
    Status.FAILED: "generic failure",
    Status.NO_SERVICE: "no service",
    Status.NULL_PDU: "null pdu",
    Status.RADIO_OFF: "radio off",
    Status.NOT_ALLOWED: "not allowed",
    Status.NOT_ALLOWED_AT_ALL: "not allowed at all",
}

# `status_description` in getsmsstatus answers, worded as the provider's documentation.
STATUS_DESCRIPTIONS: dict[int, str] = {
    Status.PENDING: "New",
    Status.TAKEN: "Taken from Server",
    Status.QUEUED: "Queued for sending",
    Status.INCOMING: "Income",
    Status.SENT: "Sent by Phone",
    Status.DELIVERED: "Delivered",
    Status.NOT_DELIVERED: "Sms Not Delivered",
    Status.FAILED: "Not SENT - Generic failure",
    Status.NO_SERVICE: "Not sent - No service",
    Status.NULL_PDU: "Not Sent - Null PDU",
    Status.RADIO_OFF: "Not Sent - Radio off",
    Status.NOT_ALLOWED: "not sent - NOT ALLOWED",
    Status.NOT_ALLOWED_AT_ALL: "not sent - Not Allowed At all",
}

FAILURE_STATUSES = frozenset(
    {
        Status.NOT_DELIVERED,
        Status.FAILED,
        Status.NO_SERVICE,
        Status.NULL_PDU,
        Status.RADIO_OFF,
        Status.NOT_ALLOWED,
        Status.NOT_ALLOWED_AT_ALL,
    }
)
FINAL_STATUSES = FAILURE_STATUSES | {Status.INCOMING, Status.DELIVERED}

SIM_SLOTS = frozenset({0, 1})
WHATSAPP_BUSINESS = 2
WHATSAPP = 3
RCS_CHANNELS = frozenset({4, 5})
CHANNELS = frozenset({WHATSAPP_BUSINESS, WHATSAPP} | RCS_CHANNELS)
IMAGE_CHANNELS = frozenset({WHATSAPP_BUSINESS, WHATSAPP})


class UploadInfo(TypedDict):
    """How a file upload appears in the request log."""

    filename: str
    size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Sim:
    """One SIM card of a phone, as the phone's app reports it."""

    slot: int
    carrier: str
    # Kept verbatim: phones report numbers with a leading space, or none at all.
    number: str = ""
    country: str = "us"
    roaming: bool = False
    iccid: str = ""


@dataclass(slots=True, eq=False, kw_only=True)
class Message:
    """One message, sent or received, stored by the provider."""

    id: int
    account: Account = field(repr=False)
    device_id: int
    sendto: str
    body: str
    sim: int
    status: int
    created: datetime
    senttime: datetime | None = None
    timetosend: datetime | None = None
    customerid: int | None = None
    urgent: int | None = None
    paket: Paket | None = None
    # A failure status forced by a test, taken instead of the next success step.
    fail_with: int | None = None

    @property
    def order(self) -> tuple[datetime, int]:
        """The key messages are listed by: creation time, then id."""
        return (self.created, self.id)


@dataclass(slots=True, eq=False, kw_only=True)
class Phone:
    """A gateway phone: an Android phone running the provider's app."""

    id: int
    account: Account = field(repr=False)
    title: str
    sims: list[Sim]
    channels: frozenset[int]
    imei: str
    serial: str
    app_version: str
    app_version_current: bool
    subscription: bool
    delay_between_each_sms: int | None
    delay_between_request: int
    created: datetime
    last_seen: datetime
    online: bool = True
    # Outgoing messages not yet in a final status, oldest first.
    active: list[Message] = field(default_factory=list)
    # Failure statuses waiting for the phone's next messages.
    failures: list[int] = field(default_factory=list)
    # Messages received while offline: uploaded when the phone is back.
    unsent_incoming: list[Message] = field(default_factory=list)

    @property
    def allowed_sims(self) -> frozenset[int]:
        """The `sim` values this phone can send with: its SIM slots and its channels."""
        return frozenset(sim.slot for sim in self.sims) | self.channels


@dataclass(slots=True, eq=False, kw_only=True)
class Tag:
    """A named group of contacts, the target of a newsletter."""

    id: int
    title: str


@dataclass(slots=True, eq=False, kw_only=True)
class Contact:
    """A phone number filed under a tag."""

    id: int
    phone: str
    fullname: str
    tag_id: int


@dataclass(slots=True, eq=False, kw_only=True)
class Paket:
    """A newsletter: one message to every contact of some tags."""

    id: int
    title: str
    device_id: int
    body: str
    tag_ids: tuple[int, ...]
    sim: int
    time_to_send: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TelegramMessage:
    """A message sent through the provider's Telegram bot."""

    telegram_id: str
    body: str
    sent_at: datetime


@dataclass(slots=True, eq=False, kw_only=True)
class Account:
    """A customer account of the provider."""

    email: str
    password: str
    timezone: str
    token: str | None = None
    phones: dict[int, Phone] = field(default_factory=dict)
    # Sorted by `Message.order`, so date windows are found by bisection.
    messages: list[Message] = field(default_factory=list)
    tags: dict[int, Tag] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    pakets: dict[int, Paket] = field(default_factory=dict)
    telegram_messages: list[TelegramMessage] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedRequest:
    """One call of a provider's API, as the simulator received and answered it.

    `provider` tells the APIs apart: `smsgateway24`, `seven` or `ubill`;
    `method` is the API's name for what was called (`addsms`, `sms`,
    `sms/send`...).
    """

    method: str
    http_method: str
    fields: dict[str, str | UploadInfo]
    status: int
    response_bytes: int
    timestamp: datetime
    provider: str
    path: str
    # The headers the provider reads (its API key's); SMSGateway24 reads none.
    headers: dict[str, str]
    # The decoded JSON body, for calls that carry one.
    body: object

    def as_json(self) -> dict[str, object]:
        """Return this record as JSON-ready data."""
        return {
            "provider": self.provider,
            "method": self.method,
            "http_method": self.http_method,
            "path": self.path,
            "headers": self.headers,
            "fields": self.fields,
            "body": self.body,
            "status": self.status,
            "response_bytes": self.response_bytes,
            "timestamp": self.timestamp.isoformat(),
        }
