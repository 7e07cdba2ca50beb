"""Sent messages, followed until their status is final, on every route.

Each status change of a followed message fires once, also across restarts and
power cuts: the last status seen of each, the changes not fired yet and the
failovers being sent are kept in one store, so that one write covers them all.

A message the phone may fail to send carries a failover deadline (and its
text): when it is not ``sent`` by then, or fails without being sent, it is due
to go out once through the fallback route (``take_due``), and is no longer
followed. The failover is written as in flight before the route is asked, so
that no restart sends it twice.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .clients import seven, ubill
from .clients.smsgateway24 import Message, MessageStatus, digits_of
from .const import (
    ATTR_FINAL,
    ATTR_STATUS,
    DOMAIN,
    ID_LOOKUP_WINDOW,
    LOGGER,
    MESSAGE_OVERLAP,
    PROVIDER_SEVEN,
    PROVIDER_UBILL,
    ROUTE_PHONE,
    SENT_STORAGE_MINOR_VERSION,
    SENT_STORAGE_VERSION,
    TRACKING_LIMIT,
)

# A status on the phone, seven or UBill: each has its slug, final and failed.
type Status = MessageStatus | seven.DeliveryState | ubill.DeliveryStatus
# The phone's ids are numbers, the routes' texts.
type MessageId = int | str

# The phone's statuses that say it sent the message (a report may follow).
SENT_BY_PHONE = frozenset(
    {MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.NOT_DELIVERED}
)
DELIVERED = "delivered"


def status_of(route: str, code: int | str) -> Status:
    """A status from its provider's code, as events carry and the store keeps it."""
    if route == PROVIDER_SEVEN:
        return seven.DeliveryState(str(code))
    if route == PROVIDER_UBILL:
        return ubill.DeliveryStatus(int(code))
    return MessageStatus(int(code))


def status_code(status: Status) -> int | str:
    """The provider's code of a status: a number, or seven's report (``DELIVERED``)."""
    if isinstance(status, seven.DeliveryState):
        return status.value
    return int(status)


def delivered(data: Mapping[str, Any]) -> bool:
    """Whether a status event says the message reached its recipient."""
    return bool(data[ATTR_STATUS] == DELIVERED)


def failed(data: Mapping[str, Any]) -> bool:
    """Whether a status event says the message will not reach its recipient."""
    return bool(data[ATTR_FINAL]) and not delivered(data)


def match_ids(
    found: Iterable[Message],
    wanted: Sequence[tuple[str, str | None]],
    *,
    after: int | None = None,
    since: datetime | None = None,
    taken: Collection[int] = (),
) -> list[int | None]:
    """The id of each message wanted (number, and text unless None) among those found.

    After ``after``, the first id of a send, messages are matched in order:
    the provider numbers a send's messages so. Without it, each gets the
    newest match, so that an earlier message of the same text to the same
    number is not taken for it. ``since`` and ``taken`` leave out messages
    older than the send and ids already known.
    """
    candidates = sorted(
        (
            message
            for message in found
            if not message.incoming
            and message.id not in taken
            and (after is None or message.id > after)
            and (since is None or message.created is None or message.created >= since)
        ),
        key=lambda message: message.id,
        reverse=after is None,
    )
    ids: list[int | None] = []
    used: set[int] = set()
    for number, body in wanted:
        match = next(
            (
                m.id
                for m in candidates
                if m.id not in used
                and digits_of(m.phone) == digits_of(number)
                and (body is None or m.body == body)
            ),
            None,
        )
        if match is not None:
            used.add(match)
        ids.append(match)
    return ids


class StoredSentMessage(TypedDict):
    """A message sent, as it is kept on disk."""

    sms_id: MessageId | None
    gateway_device_id: int | None
    phone: str
    route: str
    route_id: str | None
    failover_of: MessageId | None


class StoredSent(StoredSentMessage):
    """A tracked message as it is kept on disk."""

    status: int | str | None
    since: str
    failover_at: str | None
    body: str | None


class StoredChange(StoredSentMessage):
    """A status change not fired yet, as it is kept on disk."""

    status: int | str


class StoredFailover(TypedDict):
    """A failover written before its request, as it is kept on disk."""

    phone: str
    body: str
    route_id: str
    gateway_device_id: int | None
    failover_of: MessageId | None


class StoredTracking(TypedDict):
    """The store of the tracked messages."""

    tracked: list[StoredSent]
    unfired: list[StoredChange]
    in_flight: list[StoredFailover]


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
    """A message this integration sent, to follow until its status is final.

    ``route`` is ``phone``, ``seven`` or ``ubill``; a route's message names
    its route's subentry (``route_id``), and the phone it stands in for
    (``gateway_device_id``) with the id of the message it replaces
    (``failover_of``), if any. The phone's id of a send it answered unclearly
    is None until a poll finds it.
    """

    sms_id: MessageId | None
    phone: str
    gateway_device_id: int | None = None
    route: str = ROUTE_PHONE
    route_id: str | None = None
    failover_of: MessageId | None = None

    @property
    def key(self) -> str:
        """Unique among the followed: a UBill send has one id for all its numbers."""
        return f"{self.route_id or self.route}:{self.sms_id}:{self.phone}"

    @classmethod
    def from_stored(cls, stored: StoredSentMessage) -> SentMessage:
        """Rebuild a message sent from what an earlier run kept."""
        return cls(
            sms_id=stored["sms_id"],
            phone=stored["phone"],
            gateway_device_id=stored["gateway_device_id"],
            route=stored["route"],
            route_id=stored["route_id"],
            failover_of=stored["failover_of"],
        )

    def to_stored(self) -> StoredSentMessage:
        """The message as it is kept on disk."""
        return {
            "sms_id": self.sms_id,
            "gateway_device_id": self.gateway_device_id,
            "phone": self.phone,
            "route": self.route,
            "route_id": self.route_id,
            "failover_of": self.failover_of,
        }


@dataclass(slots=True, kw_only=True)
class TrackedMessage:
    """A sent message being followed, the last status seen of it, its failover."""

    sent: SentMessage
    since: datetime
    status: Status | None = None
    # When it goes through the fallback route unless sent by then, and its text.
    failover_at: datetime | None = None
    body: str | None = None

    @classmethod
    def from_stored(cls, stored: StoredSent) -> TrackedMessage:
        """Rebuild a message followed by an earlier run."""
        sent = SentMessage.from_stored(stored)
        failover_at = stored["failover_at"]
        return cls(
            sent=sent,
            since=datetime.fromisoformat(stored["since"]),
            status=None
            if stored["status"] is None
            else status_of(sent.route, stored["status"]),
            failover_at=None
            if failover_at is None
            else datetime.fromisoformat(failover_at),
            body=stored["body"],
        )

    def to_stored(self) -> StoredSent:
        """The message as it is kept on disk."""
        return {
            **self.sent.to_stored(),
            "status": None if self.status is None else status_code(self.status),
            "since": self.since.isoformat(),
            "failover_at": None
            if self.failover_at is None
            else self.failover_at.isoformat(),
            "body": self.body,
        }

    def due(self, now: datetime) -> bool:
        """Whether it must now go through the fallback route.

        A status that says the phone sent it clears the deadline; a final one
        that is still under a deadline failed without being sent.
        """
        if self.failover_at is None:
            return False
        return now >= self.failover_at or (
            self.status is not None and self.status.final
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    """A new status of a tracked message, to fire."""

    sent: SentMessage
    status: Status

    @classmethod
    def from_stored(cls, stored: StoredChange) -> StatusChange:
        """Rebuild a change an earlier run saw and did not fire."""
        sent = SentMessage.from_stored(stored)
        return cls(sent=sent, status=status_of(sent.route, stored["status"]))

    def to_stored(self) -> StoredChange:
        """The change as it is kept on disk."""
        return {**self.sent.to_stored(), "status": status_code(self.status)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Failover:
    """A message going through the fallback route instead of the phone."""

    phone: str
    body: str
    route_id: str
    gateway_device_id: int | None
    failover_of: MessageId | None

    def to_stored(self) -> StoredFailover:
        """The failover as it is kept on disk while it is in flight."""
        return {
            "phone": self.phone,
            "body": self.body,
            "route_id": self.route_id,
            "gateway_device_id": self.gateway_device_id,
            "failover_of": self.failover_of,
        }


class SentStore(Store[StoredTracking]):
    """The store of an entry's tracked messages."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> StoredTracking:
        """Take over what earlier versions followed: all on the phone, none failing over.

        Version 1 kept a plain list, and had fired every change it took.
        """
        data = (
            {"tracked": old_data, "unfired": []} if old_major_version == 1 else old_data
        )
        return {
            "tracked": [
                {
                    **_on_phone(item),
                    "status": item["status"],
                    "since": item["since"],
                    "failover_at": None,
                    "body": None,
                }
                for item in data["tracked"]
            ],
            "unfired": [
                {**_on_phone(item), "status": item["status"]}
                for item in data["unfired"]
            ],
            "in_flight": [],
        }


def _on_phone(item: dict[str, Any]) -> StoredSentMessage:
    """A message an earlier version kept: sent by a phone, replacing none."""
    return {
        "sms_id": item["sms_id"],
        "gateway_device_id": item["gateway_device_id"],
        "phone": item["phone"],
        "route": ROUTE_PHONE,
        "route_id": None,
        "failover_of": None,
    }


def sent_store(hass: HomeAssistant, entry_id: str) -> SentStore:
    """The store of an entry's tracked messages.

    Written atomically and synced to disk: a write comes before the events it
    covers fire, and before the failovers it holds are sent; a power cut must
    not undo it.
    """
    return SentStore(
        hass,
        SENT_STORAGE_VERSION,
        f"{DOMAIN}.{entry_id}.sent",
        minor_version=SENT_STORAGE_MINOR_VERSION,
        atomic_writes=True,
    )


class Tracker:
    """The messages an account sent and follows, and their changes not fired yet.

    Nothing is written by itself: ``async_save`` writes everything at once,
    and only when something changed since the last write.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start with nothing followed; ``async_load`` resumes an earlier run."""
        self.tracked: dict[str, TrackedMessage] = {}
        # Sent by the phone without a clear answer: found by a poll, by number,
        # text and time, or failed over at their deadline.
        self.unconfirmed: list[TrackedMessage] = []
        self.unfired: list[StatusChange] = []
        self.in_flight: list[Failover] = []
        self._store = sent_store(hass, entry_id)
        self._changed = False

    async def async_load(self) -> None:
        """Follow again what an earlier run followed, with what it did not fire.

        A failover still in flight was written just before its request, which
        may or may not have gone out when the earlier run stopped: it is not
        sent again.
        """
        if (stored := await self._store.async_load()) is None:
            return
        for tracked in map(TrackedMessage.from_stored, stored["tracked"]):
            self._follow(tracked)
        self.unfired = [StatusChange.from_stored(c) for c in stored["unfired"]]
        for failover in stored["in_flight"]:
            LOGGER.warning(
                "Home Assistant stopped while the message to %s was being sent "
                "through the fallback route instead of the phone: it may or may "
                "not have gone out, and is not sent again",
                failover["phone"],
            )
        # Written again only to forget the failovers in flight.
        self._changed = bool(stored["in_flight"])

    async def async_save(self) -> None:
        """Write the tracked messages, the changes not fired and the failovers in flight."""
        if not self._changed:
            return
        self._changed = False
        await self._store.async_save(
            {
                "tracked": [
                    tracked.to_stored()
                    for tracked in (*self.tracked.values(), *self.unconfirmed)
                ],
                "unfired": [change.to_stored() for change in self.unfired],
                "in_flight": [failover.to_stored() for failover in self.in_flight],
            }
        )

    def _on_phone(self) -> list[TrackedMessage]:
        return [
            *(t for t in self.tracked.values() if t.sent.route == ROUTE_PHONE),
            *self.unconfirmed,
        ]

    def window(self) -> tuple[int | None, datetime] | None:
        """The phone (when only one) and the start of its messages to ask for.

        None when nothing is followed on a phone: the poll then asks nothing more.
        """
        followed = self._on_phone()
        if not followed:
            return None
        phones = {t.sent.gateway_device_id for t in followed}
        begin = min(t.since for t in followed) - MESSAGE_OVERLAP
        return (next(iter(phones)) if len(phones) == 1 else None), begin

    def phone_keys(self) -> dict[int, str]:
        """The key of each message followed on a phone, by its id."""
        return {
            t.sent.sms_id: key
            for key, t in self.tracked.items()
            if t.sent.route == ROUTE_PHONE and isinstance(t.sent.sms_id, int)
        }

    def routes(self) -> set[str]:
        """The routes (subentry ids) with messages followed."""
        return {t.sent.route_id for t in self.tracked.values() if t.sent.route_id}

    def on_route(self, route_id: str) -> list[TrackedMessage]:
        """The messages followed on one route, oldest first."""
        return sorted(
            (t for t in self.tracked.values() if t.sent.route_id == route_id),
            key=lambda t: t.since,
        )

    @callback
    def forget_route(self, route_id: str) -> None:
        """Stop following the messages of a route that is gone."""
        for tracked in self.on_route(route_id):
            del self.tracked[tracked.sent.key]
        self._changed = True

    @callback
    def expire(self) -> None:
        """Stop following the messages sent too long ago to still change.

        A message under a failover deadline stays until the deadline settles it.
        """
        oldest = dt_util.utcnow() - TRACKING_LIMIT
        expired = [
            t
            for t in (*self.tracked.values(), *self.unconfirmed)
            if t.since < oldest and t.failover_at is None
        ]
        for tracked in expired:
            LOGGER.debug(
                "Stopped tracking message %s: no final status within %s",
                tracked.sent.sms_id,
                TRACKING_LIMIT,
            )
            self._drop(tracked)
        if expired:
            self._changed = True

    def _drop(self, tracked: TrackedMessage) -> None:
        if tracked.sent.sms_id is None:
            self.unconfirmed.remove(tracked)
        else:
            del self.tracked[tracked.sent.key]

    @callback
    def take_status(self, key: str, status: Status) -> bool:
        """Record a status of a message; return whether it was tracked and changed."""
        tracked = self.tracked.get(key)
        if tracked is None or status == tracked.status:
            return False
        tracked.status = status
        self.unfired.append(StatusChange(sent=tracked.sent, status=status))
        if tracked.sent.route == ROUTE_PHONE and status in SENT_BY_PHONE:
            tracked.failover_at = tracked.body = None
        # A final status under a deadline is a failure to send: due at once.
        if status.final and tracked.failover_at is None:
            del self.tracked[key]
        self._changed = True
        return True

    @callback
    def take_phone_messages(self, messages: Sequence[Message]) -> None:
        """Take the statuses a poll found of the phones' followed messages.

        A message sent without a clear answer is found first, by its phone,
        number and text, among those sent since a little before it.
        """
        keys = self.phone_keys()
        for tracked in list(self.unconfirmed):
            (found,) = match_ids(
                (m for m in messages if m.device_id == tracked.sent.gateway_device_id),
                [(tracked.sent.phone, tracked.body)],
                since=tracked.since - ID_LOOKUP_WINDOW,
                taken=keys.keys(),
            )
            if found is None:
                continue
            LOGGER.debug("Found message %d, sent without a clear answer", found)
            self.unconfirmed.remove(tracked)
            sent = SentMessage(
                sms_id=found,
                phone=tracked.sent.phone,
                gateway_device_id=tracked.sent.gateway_device_id,
            )
            tracked.sent = sent
            self.tracked[sent.key] = tracked
            keys[found] = sent.key
            self._changed = True
        for message in messages:
            if (key := keys.get(message.id)) is not None:
                self.take_status(key, message.status)

    @callback
    def track(self, messages: Iterable[TrackedMessage]) -> None:
        """Follow the status of messages just sent until it is final."""
        for tracked in messages:
            self._follow(tracked)
        self._changed = True

    def _follow(self, tracked: TrackedMessage) -> None:
        if tracked.sent.sms_id is None:
            self.unconfirmed.append(tracked)
        else:
            self.tracked.setdefault(tracked.sent.key, tracked)

    def has_due(self, now: datetime) -> bool:
        """Whether a message must go through the fallback route now."""
        return any(t.due(now) for t in (*self.tracked.values(), *self.unconfirmed))

    @callback
    def take_due(self, now: datetime) -> list[TrackedMessage]:
        """The messages to send through the fallback route now, no longer followed."""
        due = [t for t in (*self.tracked.values(), *self.unconfirmed) if t.due(now)]
        for tracked in due:
            self._drop(tracked)
        if due:
            self._changed = True
        return due

    @callback
    def start_failovers(self, failovers: Iterable[Failover]) -> None:
        """Hold failovers as in flight: written so before their request."""
        self.in_flight.extend(failovers)
        self._changed = True

    @callback
    def end_failovers(self, failovers: Collection[Failover]) -> None:
        """Forget failovers whose request is over, whatever its outcome."""
        self.in_flight = [f for f in self.in_flight if f not in failovers]
        self._changed = True

    def pop_unfired(self) -> list[StatusChange]:
        """The changes to fire now, no longer kept once written."""
        changes, self.unfired = self.unfired, []
        if changes:
            self._changed = True
        return changes
