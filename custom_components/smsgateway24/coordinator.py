"""The one coordinator of an SMSGateway24 account."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypedDict

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    Message,
    MessageStatus,
    Phone,
    SmsGateway24,
    SmsGateway24AuthenticationError,
    SmsGateway24Error,
)
from .const import (
    ATTR_CATCH_UP,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DEVICE_ID,
    ATTR_GATEWAY_DEVICE_ID,
    ATTR_PHONE,
    ATTR_RECEIVED_AT,
    ATTR_SIM,
    ATTR_SMS_ID,
    ATTR_TEXT,
    CONF_CATCH_UP_HOURS,
    CONF_ONLINE_TIMEOUT,
    CONF_SCAN_INTERVAL,
    DEFAULT_CATCH_UP_HOURS,
    DEFAULT_ONLINE_TIMEOUT,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    EVENT_SMS_RECEIVED,
    FIRST_POLL_WINDOW,
    LOGGER,
    MESSAGE_OVERLAP,
    REQUEST_TIMEOUT,
    SEEN_IDS_LIMIT,
    STORAGE_SAVE_DELAY,
    STORAGE_VERSION,
)

type SmsGateway24ConfigEntry = ConfigEntry[SmsGateway24Coordinator]


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayData:
    """What one poll of the account found."""

    phones: dict[int, Phone]
    new_incoming: tuple[Message, ...] = ()


class StoredCursor(TypedDict):
    """The incoming cursor as it is kept on disk."""

    newest: str
    seen: list[int]


@dataclass(slots=True)
class IncomingCursor:
    """Where the next poll starts looking for incoming messages.

    The window reaches back ``MESSAGE_OVERLAP`` before the newest message
    seen; the ids seen in that overlap are remembered (bounded) so that no
    message is reported twice.
    """

    newest: datetime
    seen: deque[int] = field(default_factory=lambda: deque(maxlen=SEEN_IDS_LIMIT))

    @property
    def begin(self) -> datetime:
        """Start of the next date window."""
        return self.newest - MESSAGE_OVERLAP

    def take_new(self, messages: tuple[Message, ...]) -> tuple[Message, ...]:
        """Keep the messages not seen before and move the cursor past them."""
        seen = set(self.seen)
        fresh = tuple(
            message
            for message in sorted(
                messages, key=lambda m: (m.created or self.newest, m.id)
            )
            if message.id not in seen
        )
        for message in fresh:
            self.seen.append(message.id)
            if message.created is not None and message.created > self.newest:
                self.newest = message.created
        return fresh

    @classmethod
    def from_stored(cls, stored: StoredCursor) -> IncomingCursor:
        """Rebuild the cursor kept by an earlier run."""
        cursor = cls(newest=datetime.fromisoformat(stored["newest"]))
        cursor.seen.extend(stored["seen"])
        return cursor

    def to_stored(self) -> StoredCursor:
        """The cursor as it is kept on disk."""
        return {"newest": self.newest.isoformat(), "seen": list(self.seen)}


def incoming_store(hass: HomeAssistant, entry_id: str) -> Store[StoredCursor]:
    """The store of an entry's incoming cursor."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.incoming")


@callback
def async_delete_repairs(
    hass: HomeAssistant, entry_id: str, keep: Collection[str] = ()
) -> None:
    """Withdraw the repair issues of an entry, but those in ``keep``."""
    registry = ir.async_get(hass)
    for domain, issue_id in list(registry.issues):
        if (
            domain == DOMAIN
            and issue_id.startswith(f"{entry_id}_")
            and issue_id not in keep
        ):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


class SmsGateway24Coordinator(DataUpdateCoordinator[GatewayData]):
    """Poll one account: its phones and what arrived since the last poll.

    A poll costs two requests whatever the number of phones and the size of
    the history: the phone list, and the incoming messages of a date window.
    Each new incoming message fires ``EVENT_SMS_RECEIVED`` once, also across
    restarts: the cursor is kept in a store.
    """

    config_entry: SmsGateway24ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: SmsGateway24ConfigEntry) -> None:
        """Build the client on Home Assistant's shared session."""
        self.client = SmsGateway24(
            url=entry.data[CONF_URL],
            token=entry.data[CONF_TOKEN],
            session=async_get_clientsession(hass),
            request_timeout=REQUEST_TIMEOUT,
        )
        self.started = dt_util.utcnow()
        self.cursor = IncomingCursor(newest=self.started - FIRST_POLL_WINDOW)
        self._store = incoming_store(hass, entry.entry_id)
        # Taken by a poll, fired once the poll's entities and devices exist.
        self._unfired: list[Message] = []
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=timedelta(
                seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
            ),
        )

    @property
    def online_timeout(self) -> timedelta:
        """How long a phone may stay silent before it counts as offline."""
        minutes = self.config_entry.options.get(
            CONF_ONLINE_TIMEOUT, DEFAULT_ONLINE_TIMEOUT
        )
        return timedelta(minutes=minutes)

    @property
    def catch_up_limit(self) -> timedelta:
        """How old a message missed while stopped may be and still fire."""
        hours = self.config_entry.options.get(
            CONF_CATCH_UP_HOURS, DEFAULT_CATCH_UP_HOURS
        )
        return timedelta(hours=hours)

    def is_online(self, phone: Phone) -> bool:
        """Whether the phone was in touch with the provider recently."""
        if phone.last_seen is None:
            return False
        return dt_util.utcnow() - phone.last_seen <= self.online_timeout

    async def _async_setup(self) -> None:
        """Resume from where the last run stopped, if there was one."""
        if (stored := await self._store.async_load()) is not None:
            self.cursor = IncomingCursor.from_stored(stored)

    async def async_save_cursor(self) -> None:
        """Write the cursor now, rather than after the save delay."""
        await self._store.async_save(self.cursor.to_stored())

    async def _async_update_data(self) -> GatewayData:
        """Fetch the phones and the incoming messages of the window."""
        try:
            phones = await self.client.get_phones()
            incoming = await self.client.get_messages(
                status=MessageStatus.INCOMING, begin=self.cursor.begin
            )
        except SmsGateway24AuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except SmsGateway24Error as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        fresh = self.cursor.take_new(incoming.messages)
        if fresh:
            self._store.async_delay_save(self.cursor.to_stored, STORAGE_SAVE_DELAY)
            self._unfired.extend(self._within_catch_up_limit(fresh))
        data = GatewayData(phones=phones, new_incoming=fresh)
        self._sync_devices(phones)
        self._update_repairs(phones)
        return data

    def _within_catch_up_limit(self, fresh: tuple[Message, ...]) -> list[Message]:
        """Drop the messages too old to act on; say once how many."""
        oldest = dt_util.utcnow() - self.catch_up_limit
        kept = [m for m in fresh if m.created is None or m.created >= oldest]
        if skipped := len(fresh) - len(kept):
            LOGGER.info(
                "Skipped %d incoming messages of %s older than the catch-up limit of %d h",
                skipped,
                self.config_entry.title,
                self.catch_up_limit // timedelta(hours=1),
            )
        return kept

    @callback
    def async_fire_received(self) -> None:
        """Fire the event of each message taken by the polls since the last call."""
        registry = dr.async_get(self.hass)
        messages, self._unfired = self._unfired, []
        for message in messages:
            received_at = message.created or dt_util.utcnow()
            device = registry.async_get_device(
                identifiers={(DOMAIN, str(message.device_id))}
            )
            self.hass.bus.async_fire(
                EVENT_SMS_RECEIVED,
                {
                    ATTR_CONFIG_ENTRY_ID: self.config_entry.entry_id,
                    ATTR_DEVICE_ID: None if device is None else device.id,
                    ATTR_GATEWAY_DEVICE_ID: message.device_id,
                    ATTR_SMS_ID: message.id,
                    ATTR_PHONE: message.phone,
                    ATTR_TEXT: message.body,
                    ATTR_SIM: message.sim,
                    ATTR_RECEIVED_AT: dt_util.as_utc(received_at).isoformat(),
                    ATTR_CATCH_UP: received_at < self.started,
                },
            )

    @callback
    def async_listen_received(
        self, phone_id: int, action: Callable[[Event[Mapping[str, Any]]], None]
    ) -> CALLBACK_TYPE:
        """Call ``action`` with each message this account's phone receives."""
        entry_id = self.config_entry.entry_id

        @callback
        def for_this_phone(data: Mapping[str, Any]) -> bool:
            return bool(
                data[ATTR_CONFIG_ENTRY_ID] == entry_id
                and data[ATTR_GATEWAY_DEVICE_ID] == phone_id
            )

        return self.hass.bus.async_listen(
            EVENT_SMS_RECEIVED, action, event_filter=for_this_phone
        )

    @callback
    def _sync_devices(self, phones: dict[int, Phone]) -> None:
        """Follow renames and app updates; remove phones no longer in the account."""
        registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(
            registry, self.config_entry.entry_id
        ):
            phone = next(
                (
                    phones[int(key)]
                    for domain, key in device.identifiers
                    if domain == DOMAIN and key.isdecimal() and int(key) in phones
                ),
                None,
            )
            if phone is None:
                registry.async_update_device(
                    device.id, remove_config_entry_id=self.config_entry.entry_id
                )
            elif (device.name, device.sw_version) != (phone.title, phone.app_version):
                # A name the user gave the device stays: it is kept in name_by_user.
                registry.async_update_device(
                    device.id, name=phone.title, sw_version=phone.app_version
                )

    @callback
    def _update_repairs(self, phones: dict[int, Phone]) -> None:
        """Raise a repair for each lapsed subscription or outdated app; clear fixed ones."""
        entry_id = self.config_entry.entry_id
        wanted: dict[str, tuple[str, Phone]] = {}
        for phone in phones.values():
            if not phone.subscription_active:
                wanted[f"{entry_id}_{phone.id}_subscription"] = (
                    "subscription_expired",
                    phone,
                )
            if not phone.app_version_current:
                wanted[f"{entry_id}_{phone.id}_app_outdated"] = ("app_outdated", phone)
        async_delete_repairs(self.hass, entry_id, keep=wanted.keys())
        for issue_id, (key, phone) in wanted.items():
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=key,
                translation_placeholders={
                    "phone": phone.title,
                    "version": phone.app_version or "?",
                },
                learn_more_url="https://smsgateway24.com",
            )
