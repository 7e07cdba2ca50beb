"""The exactly-once cursor of received messages, and its store.

Each received message fires once, across polls, pushes and restarts: the
cursor remembers where the polls stand and which ids were taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .clients.smsgateway24 import Message
from .const import (
    DOMAIN,
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


class IncomingStore(Store[StoredCursor]):
    """The store of an entry's incoming cursor."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> StoredCursor:
        """Date the ids of version 1, kept without dates, with the newest date.

        They were all within the window of that date or before it.
        """
        newest: str = old_data["newest"]
        return {
            "newest": newest,
            "seen": {str(sms_id): newest for sms_id in old_data["seen"]},
            "pushed": {},
        }


def incoming_store(hass: HomeAssistant, entry_id: str) -> IncomingStore:
    """The store of an entry's incoming cursor."""
    return IncomingStore(
        hass, INCOMING_STORAGE_VERSION, f"{DOMAIN}.{entry_id}.incoming"
    )
