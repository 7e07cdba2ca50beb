"""Sent messages, followed until their status is final.

Each status change of a tracked message fires once, also across restarts and
power cuts: the last status seen of each, and the changes not fired yet, are
kept in one store, so that one write covers both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .clients.smsgateway24 import MessageStatus
from .const import (
    DOMAIN,
    LOGGER,
    MESSAGE_OVERLAP,
    SENT_STORAGE_VERSION,
    TRACKING_LIMIT,
)


class StoredSentMessage(TypedDict):
    """A message sent, as it is kept on disk."""

    sms_id: int
    gateway_device_id: int
    phone: str


class StoredSent(StoredSentMessage):
    """A tracked message as it is kept on disk."""

    status: int | None
    since: str


class StoredChange(StoredSentMessage):
    """A status change not fired yet, as it is kept on disk."""

    status: int


class StoredTracking(TypedDict):
    """The store of the tracked messages."""

    tracked: list[StoredSent]
    unfired: list[StoredChange]


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
    """A message this integration sent, to follow until its status is final."""

    sms_id: int
    gateway_device_id: int
    phone: str

    @classmethod
    def from_stored(cls, stored: StoredSentMessage) -> SentMessage:
        """Rebuild a message sent from what an earlier run kept."""
        return cls(
            sms_id=stored["sms_id"],
            gateway_device_id=stored["gateway_device_id"],
            phone=stored["phone"],
        )

    def to_stored(self) -> StoredSentMessage:
        """The message as it is kept on disk."""
        return {
            "sms_id": self.sms_id,
            "gateway_device_id": self.gateway_device_id,
            "phone": self.phone,
        }


@dataclass(slots=True, kw_only=True)
class TrackedMessage:
    """A sent message being followed, and the last status seen of it."""

    sent: SentMessage
    since: datetime
    status: MessageStatus | None = None

    @classmethod
    def from_stored(cls, stored: StoredSent) -> TrackedMessage:
        """Rebuild a message followed by an earlier run."""
        return cls(
            sent=SentMessage.from_stored(stored),
            since=datetime.fromisoformat(stored["since"]),
            status=None
            if stored["status"] is None
            else MessageStatus(stored["status"]),
        )

    def to_stored(self) -> StoredSent:
        """The message as it is kept on disk."""
        return {
            **self.sent.to_stored(),
            "status": None if self.status is None else int(self.status),
            "since": self.since.isoformat(),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    """A new status of a tracked message, to fire."""

    sent: SentMessage
    status: MessageStatus

    @classmethod
    def from_stored(cls, stored: StoredChange) -> StatusChange:
        """Rebuild a change an earlier run saw and did not fire."""
        return cls(
            sent=SentMessage.from_stored(stored),
            status=MessageStatus(stored["status"]),
        )

    def to_stored(self) -> StoredChange:
        """The change as it is kept on disk."""
        return {**self.sent.to_stored(), "status": int(self.status)}


class SentStore(Store[StoredTracking]):
    """The store of an entry's tracked messages."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> StoredTracking:
        """Take over the list of version 1, whose changes were all fired."""
        return {"tracked": old_data, "unfired": []}


def sent_store(hass: HomeAssistant, entry_id: str) -> SentStore:
    """The store of an entry's tracked messages.

    Written atomically and synced to disk: a write comes before the events it
    covers fire, and a power cut must not undo it.
    """
    return SentStore(
        hass, SENT_STORAGE_VERSION, f"{DOMAIN}.{entry_id}.sent", atomic_writes=True
    )


class Tracker:
    """The messages an account sent and follows, and their changes not fired yet.

    Nothing is written by itself: ``async_save`` writes both at once, and
    only when something changed since the last write.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start with nothing followed; ``async_load`` resumes an earlier run."""
        self.tracked: dict[int, TrackedMessage] = {}
        self.unfired: list[StatusChange] = []
        self._store = sent_store(hass, entry_id)
        self._changed = False

    async def async_load(self) -> None:
        """Follow again what an earlier run followed, with what it did not fire."""
        if (stored := await self._store.async_load()) is None:
            return
        for tracked in map(TrackedMessage.from_stored, stored["tracked"]):
            self.tracked[tracked.sent.sms_id] = tracked
        self.unfired = [StatusChange.from_stored(c) for c in stored["unfired"]]

    async def async_save(self) -> None:
        """Write the tracked messages and the changes not fired, if they changed."""
        if not self._changed:
            return
        self._changed = False
        await self._store.async_save(
            {
                "tracked": [tracked.to_stored() for tracked in self.tracked.values()],
                "unfired": [change.to_stored() for change in self.unfired],
            }
        )

    def window(self) -> tuple[int | None, datetime] | None:
        """The phone (when only one) and the start of the messages to ask for.

        None when nothing is tracked: the poll then asks nothing more.
        """
        if not self.tracked:
            return None
        phones = {t.sent.gateway_device_id for t in self.tracked.values()}
        begin = min(t.since for t in self.tracked.values()) - MESSAGE_OVERLAP
        return (next(iter(phones)) if len(phones) == 1 else None), begin

    @callback
    def expire(self) -> None:
        """Stop following the messages sent too long ago to still change."""
        oldest = dt_util.utcnow() - TRACKING_LIMIT
        expired = [t for t in self.tracked.values() if t.since < oldest]
        for tracked in expired:
            LOGGER.debug(
                "Stopped tracking message %d: no final status within %s",
                tracked.sent.sms_id,
                TRACKING_LIMIT,
            )
            del self.tracked[tracked.sent.sms_id]
        if expired:
            self._changed = True

    @callback
    def take_status(self, sms_id: int, status: MessageStatus) -> bool:
        """Record a status of a message; return whether it was tracked and changed."""
        tracked = self.tracked.get(sms_id)
        if tracked is None or status == tracked.status:
            return False
        tracked.status = status
        self.unfired.append(StatusChange(sent=tracked.sent, status=status))
        if status.final:
            del self.tracked[sms_id]
        self._changed = True
        return True

    @callback
    def track(self, messages: Iterable[SentMessage]) -> None:
        """Follow the status of messages just sent until it is final."""
        now = dt_util.utcnow()
        for sent in messages:
            self.tracked.setdefault(sent.sms_id, TrackedMessage(sent=sent, since=now))
        self._changed = True

    def pop_unfired(self) -> list[StatusChange]:
        """The changes to fire now, no longer kept once written."""
        changes, self.unfired = self.unfired, []
        if changes:
            self._changed = True
        return changes
