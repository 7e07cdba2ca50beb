"""Sent messages, followed until their status is final.

Each status change of a tracked message fires once, also across restarts:
the last status seen of each is kept in a store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .clients.smsgateway24 import MessageStatus
from .const import (
    DOMAIN,
    LOGGER,
    MESSAGE_OVERLAP,
    STORAGE_SAVE_DELAY,
    STORAGE_VERSION,
    TRACKING_LIMIT,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
    """A message this integration sent, to follow until its status is final."""

    sms_id: int
    gateway_device_id: int
    phone: str


class StoredSent(TypedDict):
    """A tracked message as it is kept on disk."""

    sms_id: int
    gateway_device_id: int
    phone: str
    status: int | None
    since: str


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
            sent=SentMessage(
                sms_id=stored["sms_id"],
                gateway_device_id=stored["gateway_device_id"],
                phone=stored["phone"],
            ),
            since=datetime.fromisoformat(stored["since"]),
            status=None
            if stored["status"] is None
            else MessageStatus(stored["status"]),
        )

    def to_stored(self) -> StoredSent:
        """The message as it is kept on disk."""
        return {
            "sms_id": self.sent.sms_id,
            "gateway_device_id": self.sent.gateway_device_id,
            "phone": self.sent.phone,
            "status": None if self.status is None else int(self.status),
            "since": self.since.isoformat(),
        }


def sent_store(hass: HomeAssistant, entry_id: str) -> Store[list[StoredSent]]:
    """The store of an entry's tracked sent messages."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.sent")


class Tracker:
    """The messages an account sent and follows, and their unfired changes."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start with nothing followed; ``async_load`` resumes an earlier run."""
        self.tracked: dict[int, TrackedMessage] = {}
        self._store = sent_store(hass, entry_id)
        # Status changes seen, fired once the poll's entities and devices exist.
        self.unfired: list[tuple[SentMessage, MessageStatus]] = []

    async def async_load(self) -> None:
        """Follow again what an earlier run followed."""
        for stored in await self._store.async_load() or []:
            tracked = TrackedMessage.from_stored(stored)
            self.tracked[tracked.sent.sms_id] = tracked

    async def async_save_now(self) -> None:
        """Write the tracked messages now, not after the save delay."""
        await self._store.async_save(self._to_stored())

    def _to_stored(self) -> list[StoredSent]:
        return [tracked.to_stored() for tracked in self.tracked.values()]

    @callback
    def _save_later(self) -> None:
        self._store.async_delay_save(self._to_stored, STORAGE_SAVE_DELAY)

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
            self._save_later()

    @callback
    def take_status(self, sms_id: int, status: MessageStatus) -> bool:
        """Record a status of a message; return whether it was tracked and changed."""
        tracked = self.tracked.get(sms_id)
        if tracked is None or status == tracked.status:
            return False
        tracked.status = status
        self.unfired.append((tracked.sent, status))
        if status.final:
            del self.tracked[sms_id]
        self._save_later()
        return True

    @callback
    def track(self, messages: Iterable[SentMessage]) -> None:
        """Follow the status of messages just sent until it is final."""
        now = dt_util.utcnow()
        for sent in messages:
            self.tracked.setdefault(sent.sms_id, TrackedMessage(sent=sent, since=now))
        self._save_later()
