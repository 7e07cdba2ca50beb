"""Received messages: the exactly-once cursor, those not fired yet, and their store.

Each received message fires once, across polls, pushes, restarts and power
cuts: the cursor remembers where the polls stand and which ids were taken,
and the messages taken but not fired yet are kept beside it, in the same
store, so that one write covers both.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .clients.smsgateway24 import Message
from .const import (
    DOMAIN,
    INCOMING_STORAGE_MINOR_VERSION,
    INCOMING_STORAGE_VERSION,
    LOGGER,
    MESSAGE_OVERLAP,
    PUSHED_ID_LIFETIME,
    SEEN_IDS_LIMIT,
)


class StoredCursor(TypedDict):
    """The incoming cursor as it is kept on disk.

    ``seen`` maps each id (as text) to the provider's date of the message,
    ``pushed`` to when it was pushed, on Home Assistant's clock.
    """

    newest: str
    seen: dict[str, str]
    pushed: dict[str, str]


@dataclass(slots=True)
class IncomingCursor:
    """Where the next poll starts looking for incoming messages.

    The window reaches back ``MESSAGE_OVERLAP`` before the newest message
    seen. Each id seen by a poll is remembered with the provider's date until
    that date falls out of the window: it can no longer come back, however
    many messages arrive in the window.

    A pushed message carries the phone's date, which may disagree with the
    provider's: its id is remembered until a poll sees it, or until
    ``PUSHED_ID_LIFETIME`` has passed on Home Assistant's clock.
    ``SEEN_IDS_LIMIT`` bounds both whatever happens.
    """

    newest: datetime
    seen: dict[int, datetime] = field(default_factory=dict)
    pushed: dict[int, datetime] = field(default_factory=dict)
    capped: bool = False

    @property
    def begin(self) -> datetime:
        """Start of the next date window."""
        return self.newest - MESSAGE_OVERLAP

    def __contains__(self, sms_id: object) -> bool:
        """Whether a poll or a push took the message already."""
        return sms_id in self.seen or sms_id in self.pushed

    def take_polled(
        self, messages: tuple[Message, ...], now: datetime
    ) -> tuple[Message, ...]:
        """Keep the messages of a poll not taken before; move the window past them."""
        fresh = tuple(
            message
            for message in sorted(
                messages, key=lambda m: (m.created or self.newest, m.id)
            )
            if message.id not in self
        )
        for message in messages:
            self.pushed.pop(message.id, None)
            self.seen.setdefault(message.id, message.created or self.newest)
        # Also past the messages pushed before: the poll now has their dates.
        self.newest = max(
            [self.newest, *(m.created for m in messages if m.created is not None)]
        )
        self._forget(now)
        return fresh

    def take_pushed(self, message: Message, now: datetime) -> bool:
        """Whether a pushed message is new; remember it until a poll sees it.

        Its date comes from the phone: the polls alone decide where the
        window is.
        """
        if message.id in self:
            return False
        self.pushed[message.id] = now
        self._forget(now)
        return True

    def _forget(self, now: datetime) -> None:
        """Drop the ids that cannot come back; keep no more than the limit."""
        # The provider reads the window's start to the second.
        begin = self.begin.replace(microsecond=0)
        self.seen = {i: created for i, created in self.seen.items() if created >= begin}
        oldest_push = now - PUSHED_ID_LIFETIME
        self.pushed = {i: at for i, at in self.pushed.items() if at >= oldest_push}
        for ids in (self.seen, self.pushed):
            excess = len(self.seen) + len(self.pushed) - SEEN_IDS_LIMIT
            if excess > 0 and not self.capped:
                self.capped = True
                LOGGER.warning(
                    "More than %d incoming messages within %s: the ids of the "
                    "oldest are forgotten, and those may fire again",
                    SEEN_IDS_LIMIT,
                    MESSAGE_OVERLAP,
                )
            for sms_id in list(islice(ids, max(excess, 0))):
                del ids[sms_id]

    @classmethod
    def from_stored(cls, stored: StoredCursor) -> IncomingCursor:
        """Rebuild the cursor kept by an earlier run."""
        return cls(
            newest=datetime.fromisoformat(stored["newest"]),
            seen=_from_stored_ids(stored["seen"]),
            pushed=_from_stored_ids(stored["pushed"]),
        )

    def to_stored(self) -> StoredCursor:
        """The cursor as it is kept on disk."""
        return {
            "newest": self.newest.isoformat(),
            "seen": _to_stored_ids(self.seen),
            "pushed": _to_stored_ids(self.pushed),
        }


def _from_stored_ids(stored: dict[str, str]) -> dict[int, datetime]:
    return {int(i): datetime.fromisoformat(at) for i, at in stored.items()}


def _to_stored_ids(ids: dict[int, datetime]) -> dict[str, str]:
    return {str(i): at.isoformat() for i, at in ids.items()}


class StoredReceived(TypedDict):
    """A received message not fired yet, as it is kept on disk."""

    sms_id: int
    gateway_device_id: int | None
    phone: str
    text: str
    sim: int | None
    received_at: str
    catch_up: bool


class StoredIncoming(StoredCursor):
    """The store of the received messages: the cursor, and those not fired yet."""

    unfired: list[StoredReceived]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceivedMessage:
    """A received message taken and not fired yet, with what its event will say."""

    sms_id: int
    gateway_device_id: int | None
    phone: str
    text: str
    sim: int | None
    received_at: datetime
    catch_up: bool = False

    @classmethod
    def taken(cls, message: Message, now: datetime) -> ReceivedMessage:
        """A message just taken; without a date of its own, it is dated now."""
        return cls(
            sms_id=message.id,
            gateway_device_id=message.device_id,
            phone=message.phone,
            text=message.body,
            sim=message.sim,
            received_at=message.created or now,
        )

    @classmethod
    def from_stored(cls, stored: StoredReceived) -> ReceivedMessage:
        """Rebuild a message an earlier run took and did not fire."""
        return cls(
            sms_id=stored["sms_id"],
            gateway_device_id=stored["gateway_device_id"],
            phone=stored["phone"],
            text=stored["text"],
            sim=stored["sim"],
            received_at=datetime.fromisoformat(stored["received_at"]),
            catch_up=stored["catch_up"],
        )

    def to_stored(self) -> StoredReceived:
        """The message as it is kept on disk."""
        return {
            "sms_id": self.sms_id,
            "gateway_device_id": self.gateway_device_id,
            "phone": self.phone,
            "text": self.text,
            "sim": self.sim,
            "received_at": self.received_at.isoformat(),
            "catch_up": self.catch_up,
        }


class Incoming:
    """What an account received: the cursor, and the messages taken but not fired.

    Nothing is written by itself: ``async_save`` writes both at once, and
    only when a message was taken or fired since the last write.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str, newest: datetime) -> None:
        """Start at ``newest``; ``async_load`` resumes an earlier run."""
        self.cursor = IncomingCursor(newest=newest)
        self.unfired: list[ReceivedMessage] = []
        self._store = incoming_store(hass, entry_id)
        self._changed = False

    async def async_load(self) -> None:
        """Resume where an earlier run stopped, with what it did not fire.

        A new cursor is written at the first save, even with nothing taken:
        the next start looks back from it, however long Home Assistant was
        stopped, rather than the first poll's few minutes.
        """
        if (stored := await self._store.async_load()) is None:
            self._changed = True
            return
        self.cursor = IncomingCursor.from_stored(stored)
        self.unfired = [ReceivedMessage.from_stored(m) for m in stored["unfired"]]

    async def async_save(self) -> None:
        """Write the cursor and the messages not fired, if they changed."""
        if not self._changed:
            return
        self._changed = False
        await self._store.async_save(
            {
                **self.cursor.to_stored(),
                "unfired": [message.to_stored() for message in self.unfired],
            }
        )

    def take_polled(
        self, messages: tuple[Message, ...], now: datetime
    ) -> tuple[Message, ...]:
        """Keep the messages of a poll not taken before, to fire; return them."""
        fresh = self.cursor.take_polled(messages, now)
        self._add(fresh, now)
        return fresh

    def take_pushed(self, message: Message, now: datetime) -> bool:
        """Keep a pushed message to fire, unless it was taken before."""
        if not self.cursor.take_pushed(message, now):
            return False
        self._add((message,), now)
        return True

    def _add(self, messages: tuple[Message, ...], now: datetime) -> None:
        if messages:
            self.unfired.extend(ReceivedMessage.taken(m, now) for m in messages)
            self._changed = True

    def hold(self) -> None:
        """Mark the messages not fired as waiting: they fire as caught up."""
        self.unfired = [replace(m, catch_up=True) for m in self.unfired]

    def pop_unfired(self) -> list[ReceivedMessage]:
        """The messages to fire now, no longer kept once written."""
        messages, self.unfired = self.unfired, []
        if messages:
            self._changed = True
        return messages


class IncomingStore(Store[StoredIncoming]):
    """The store of an entry's received messages."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> StoredIncoming:
        """Take over the cursors of earlier versions, which fired all they took.

        Version 1 kept the ids without dates: they get the newest date, as
        they were all within the window of that date or before it.
        """
        newest: str = old_data["newest"]
        if old_major_version == 1:
            seen = {str(sms_id): newest for sms_id in old_data["seen"]}
            pushed: dict[str, str] = {}
        else:
            seen, pushed = old_data["seen"], old_data["pushed"]
        return {"newest": newest, "seen": seen, "pushed": pushed, "unfired": []}


def incoming_store(hass: HomeAssistant, entry_id: str) -> IncomingStore:
    """The store of an entry's received messages.

    Written atomically and synced to disk: a write comes before the events it
    covers fire, and a power cut must not undo it.
    """
    return IncomingStore(
        hass,
        INCOMING_STORAGE_VERSION,
        f"{DOMAIN}.{entry_id}.incoming",
        atomic_writes=True,
        minor_version=INCOMING_STORAGE_MINOR_VERSION,
    )
