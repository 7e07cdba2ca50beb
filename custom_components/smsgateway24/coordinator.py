"""The one coordinator of an SMSGateway24 account."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import CALLBACK_TYPE, CoreState, Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .clients import seven, ubill
from .clients.smsgateway24 import (
    Message,
    MessageList,
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
    ATTR_FAILOVER_OF,
    ATTR_FINAL,
    ATTR_GATEWAY_DEVICE_ID,
    ATTR_PHONE,
    ATTR_RECEIVED_AT,
    ATTR_ROUTE,
    ATTR_SIM,
    ATTR_SMS_ID,
    ATTR_STATUS,
    ATTR_STATUS_CODE,
    ATTR_TEXT,
    CONF_CATCH_UP_HOURS,
    CONF_ONLINE_TIMEOUT,
    CONF_SCAN_INTERVAL,
    DEFAULT_CATCH_UP_HOURS,
    DEFAULT_ONLINE_TIMEOUT,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_STATUS,
    FIRST_POLL_WINDOW,
    LOGGER,
    NEWEST_RECEIVED_WINDOWS,
    REQUEST_TIMEOUT,
    ROUTE_PHONE,
    SEVEN_JOURNAL_LIMIT,
    SEVEN_JOURNAL_PAGES,
    SUBENTRY_ROUTE,
    UBILL_REPORTS_PER_POLL,
)
from .incoming import Incoming, IncomingCursor, ReceivedMessage
from .send import async_fail_over_due
from .tracking import (
    MessageId,
    SentMessage,
    Status,
    StatusChange,
    TrackedMessage,
    Tracker,
    status_code,
)

if TYPE_CHECKING:
    from .routes import Route

type SmsGateway24ConfigEntry = ConfigEntry[SmsGateway24Coordinator]


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayData:
    """What one poll of the account found."""

    phones: dict[int, Phone]
    new_incoming: tuple[Message, ...] = ()


def phone_device_info(phone: Phone) -> DeviceInfo:
    """Describe a gateway phone as a Home Assistant device.

    The provider names neither the phone's maker nor its model: the device
    claims none (and drops what earlier versions claimed).
    """
    return DeviceInfo(
        identifiers={(DOMAIN, str(phone.id))},
        name=phone.title,
        manufacturer=None,
        model=None,
        sw_version=phone.app_version,
        serial_number=phone.serial_number,
    )


def phone_id_of(device: dr.AnyDeviceEntry) -> int | None:
    """The provider's id of the phone a device stands for, if it is a phone."""
    for domain, key in device.identifiers:
        if domain == DOMAIN and key.isdecimal():
            return int(key)
    return None


def _device_id(
    registry: dr.DeviceRegistry, entry_id: str, phone_id: int | None
) -> str | None:
    """The Home Assistant device id of a gateway phone, if it has a device."""
    return _device_of(registry, entry_id, str(phone_id))


def _device_of(
    registry: dr.DeviceRegistry, entry_id: str, identifier: str
) -> str | None:
    device = registry.async_get_device_by_identifier((DOMAIN, identifier), entry_id)
    return None if device is None else device.id


def subentry_device_key(subentry_type: str, subentry_id: str) -> str:
    """The identifier of a subentry's device (a recipient's, a backup route's).

    It names the subentry's type: it never looks like a phone's (a number).
    """
    return f"{subentry_type}_{subentry_id}"


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

    While sent messages are tracked, one more request fetches the messages
    created since the oldest of them was sent, whatever their status; each
    status change of a tracked message fires ``EVENT_SMS_STATUS`` once, also
    across restarts: the last status seen is kept in a store. Messages sent
    through a backup route add, while they are followed, one journal request
    per seven route and at most ``UBILL_REPORTS_PER_POLL`` reports per UBill
    route. After each poll, what the phone did not send in time goes out
    through the fallback route (``send.async_fail_over_due``).

    Events fire only once Home Assistant has started, when automations
    listen (they attach their triggers in its start-up jobs), and while it
    runs. What a poll or a push takes before waits, kept in the stores, and
    fires then, in the order taken. Before anything fires it is written as
    fired (``async_commit``), so that a power cut can never make it fire twice.
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
        self.incoming = Incoming(
            hass, entry.entry_id, newest=dt_util.utcnow() - FIRST_POLL_WINDOW
        )
        self.tracker = Tracker(hass, entry.entry_id)
        # The backup routes, by subentry id (routes.async_setup_routes).
        self.routes: dict[str, Route] = {}
        # One failover run at a time: each takes what is due, then sends it.
        self.failing_over = asyncio.Lock()
        # When each UBill send's report was last asked for, so that the polls
        # take turns among the sends; and the reports being fetched now.
        self._reports_asked: dict[tuple[str, str], datetime] = {}
        self._reports_fetching: set[tuple[str, str]] = set()
        # Set once Home Assistant has started and the entities exist.
        self._live = False
        self._committing = asyncio.Lock()
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
    def cursor(self) -> IncomingCursor:
        """Where the polls of incoming messages stand."""
        return self.incoming.cursor

    @property
    def firing(self) -> bool:
        """Whether what is taken fires now, rather than wait for the next start."""
        return self._live and self.hass.state is CoreState.running

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
        """Resume from where the last run stopped, with what it did not fire."""
        await self.incoming.async_load()
        await self.tracker.async_load()

    @callback
    def async_start_firing(self, _: HomeAssistant) -> None:
        """Fire what waited, and from now on what is taken, as soon as it is written."""
        self._live = True
        self.async_commit_later()

    async def async_stop_firing(self) -> None:
        """Let nothing fire any more; write what did not fire, for the next start."""
        self._live = False
        await self.async_commit()

    @callback
    def async_commit_later(self) -> None:
        """Commit in a task of the entry, which its unload waits for."""
        self.config_entry.async_create_task(
            self.hass, self.async_commit(), "smsgateway24 commit"
        )

    async def async_commit(self) -> None:
        """Write what was taken; then fire it, if events fire now.

        What fires is written as fired just before, in the same write as the
        cursor or the tracked statuses that took it: a power cut between the
        two loses the event, but none can make it fire twice. What cannot fire
        yet is written as to fire: a power cut before Home Assistant has
        started loses nothing, and the next start fires it. Nothing is written
        when nothing was taken.
        """
        async with self._committing:
            if self.firing:
                received = self.incoming.pop_unfired()
                changes = self.tracker.pop_unfired()
            else:
                received, changes = [], []
                self.incoming.hold()
            await self.incoming.async_save()
            self._fire_received(self._within_catch_up_limit(received))
            await self.tracker.async_save()
            self._fire_status(changes)

    async def _async_fetch_tracked(self) -> MessageList | None:
        """The statuses of the tracked messages, in one request, if any are tracked.

        The window starts at the oldest tracked message; when they all left
        the same phone, only that phone's messages are asked for.
        """
        if (window := self.tracker.window()) is None:
            return None
        phone_id, begin = window
        return await self.client.get_messages(device_id=phone_id, begin=begin)

    async def _async_update_data(self) -> GatewayData:
        """Fetch the phones, the incoming messages of the window, and the tracked.

        The routes' messages are followed first, whatever becomes of the
        phones' requests: a route does not depend on the phones' cloud.
        """
        self.tracker.expire()
        await self._async_follow_routes()
        try:
            phones = await self.client.get_phones()
            incoming = await self.client.get_messages(
                status=MessageStatus.INCOMING, begin=self.cursor.begin
            )
            sent = await self._async_fetch_tracked()
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
        fresh = self.incoming.take_polled(incoming.messages, dt_util.utcnow())
        if sent is not None:
            self.tracker.take_phone_messages(sent.messages)
        data = GatewayData(phones=phones, new_incoming=fresh)
        self._sync_devices(phones)
        self._update_repairs(phones)
        return data

    def _within_catch_up_limit(
        self, received: list[ReceivedMessage]
    ) -> list[ReceivedMessage]:
        """Drop the messages too old to act on; say once how many."""
        oldest = dt_util.utcnow() - self.catch_up_limit
        kept = [m for m in received if m.received_at >= oldest]
        if skipped := len(received) - len(kept):
            LOGGER.info(
                "Skipped %d incoming messages of %s older than the catch-up limit of %d h",
                skipped,
                self.config_entry.title,
                self.catch_up_limit // timedelta(hours=1),
            )
        return kept

    @callback
    def async_track_sent(self, messages: Iterable[TrackedMessage]) -> None:
        """Follow the status of messages just sent until it is final."""
        self.tracker.track(messages)
        self.async_commit_later()

    async def async_handle_status_push(self, sms_id: int, status_code: int) -> None:
        """Take a delivery status pushed by the provider for a tracked message.

        It counts as if a poll had seen it: a poll that sees it again does not
        fire again.
        """
        await self._async_take_pushed(ROUTE_PHONE, sms_id, MessageStatus(status_code))

    async def async_handle_route_status(
        self, route_id: str, message_id: str, status: Status
    ) -> None:
        """Take a delivery status a route pushed, as if a poll had seen it."""
        await self._async_take_pushed(route_id, message_id, status)

    async def _async_take_pushed(
        self, route: str, sms_id: MessageId, status: Status
    ) -> None:
        key = next(
            (
                key
                for key, tracked in self.tracker.tracked.items()
                if (tracked.sent.route_id or tracked.sent.route) == route
                and tracked.sent.sms_id == sms_id
            ),
            None,
        )
        if key is None:
            LOGGER.debug("Ignored a status of message %s: it is not tracked", sms_id)
            return
        if self.tracker.take_status(key, status):
            await self.async_commit()

    async def _async_follow_routes(self) -> None:
        """Take the statuses of the messages followed on each route.

        One journal request per seven route, whatever the number of its
        messages followed, and one more per further page of 100 messages
        sent since the oldest of them while some are missing, at most
        ``SEVEN_JOURNAL_PAGES``; a report per UBill send, for the sends asked least
        recently, at most ``UBILL_REPORTS_PER_POLL`` per route. A route that
        fails to answer is asked again at the next poll; the messages of one
        that is gone are no longer followed.
        """
        for route_id in sorted(self.tracker.routes()):
            route = self.routes.get(route_id)
            if route is None:
                # Not set up yet, at the first poll of a start; or removed.
                if route_id not in self.config_entry.subentries:
                    LOGGER.debug("Stopped following the messages of route %s", route_id)
                    self.tracker.forget_route(route_id)
                continue
            try:
                if isinstance(route.client, seven.Seven):
                    await self._async_follow_seven(route, route.client)
                else:
                    await self._async_follow_ubill(route, route.client)
            except (seven.SevenError, ubill.UBillError) as err:
                LOGGER.debug(
                    "Could not follow the messages sent through %s: %s",
                    route.name,
                    err,
                )
        followed = {
            (t.sent.route_id, str(t.sent.sms_id)) for t in self.tracker.tracked.values()
        }
        self._reports_asked = {
            send: asked
            for send, asked in self._reports_asked.items()
            if send in followed
        }

    async def _async_follow_seven(self, route: Route, client: seven.Seven) -> None:
        followed = self.tracker.on_route(route.subentry_id)
        # seven's days are its own (German) calendar days.
        oldest = followed[0].since.astimezone(seven.SEVEN_TIME_ZONE).date()
        wanted = {str(t.sent.sms_id) for t in followed}
        states: dict[str, seven.DeliveryState] = {}
        # Newest first: a page further back while a full page left some out.
        for page in range(SEVEN_JOURNAL_PAGES):
            journal = await client.get_journal(
                date_from=oldest,
                limit=SEVEN_JOURNAL_LIMIT,
                offset=page * SEVEN_JOURNAL_LIMIT or None,
            )
            states |= {entry.id: entry.state for entry in journal if entry.id in wanted}
            if len(journal) < SEVEN_JOURNAL_LIMIT or states.keys() >= wanted:
                break
        # In the order sent: the journal lists the newest first.
        for tracked in followed:
            if (state := states.get(str(tracked.sent.sms_id))) is not None:
                self.tracker.take_status(tracked.sent.key, state)

    async def _async_follow_ubill(self, route: Route, client: ubill.UBill) -> None:
        sends = dict.fromkeys(
            str(t.sent.sms_id) for t in self.tracker.on_route(route.subentry_id)
        )
        never = datetime.min.replace(tzinfo=UTC)
        turns = sorted(
            sends,
            key=lambda sms_id: self._reports_asked.get(
                (route.subentry_id, sms_id), never
            ),
        )
        for sms_id in turns[:UBILL_REPORTS_PER_POLL]:
            await self._async_take_report(route, client, sms_id)

    async def _async_take_report(
        self, route: Route, client: ubill.UBill, sms_id: str
    ) -> None:
        """Take the statuses of a UBill send's numbers from its report."""
        self._reports_asked[route.subentry_id, sms_id] = dt_util.utcnow()
        for row in await client.get_report(sms_id):
            sent = SentMessage(
                sms_id=sms_id,
                phone=f"+{row.number}",
                route=route.provider,
                route_id=route.subentry_id,
            )
            self.tracker.take_status(sent.key, row.status)

    async def async_handle_ubill_callback(self, route: Route, sms_id: str) -> None:
        """Fetch a followed UBill send's report, which a callback says has changed.

        The callback's own status is not taken: only the report, fetched with
        the route's key. A callback for a send whose report is being fetched
        already is answered by that fetch.
        """
        send = (route.subentry_id, sms_id)
        followed = any(
            str(t.sent.sms_id) == sms_id
            for t in self.tracker.on_route(route.subentry_id)
        )
        if (
            not followed
            or send in self._reports_fetching
            or not isinstance(route.client, ubill.UBill)
        ):
            LOGGER.debug("Ignored a callback about UBill send %s", sms_id)
            return
        self._reports_fetching.add(send)
        try:
            await self._async_take_report(route, route.client, sms_id)
        except ubill.UBillError as err:
            LOGGER.debug("Could not fetch the report of UBill send %s: %s", sms_id, err)
            return
        finally:
            self._reports_fetching.discard(send)
        await self.async_commit()

    @callback
    def _async_refresh_finished(self) -> None:
        """After each poll, send through the fallback route what is due.

        Not during the entry's setup: its routes are set up after the first
        poll, and the setup asks once they are.
        """
        if self.config_entry.state is ConfigEntryState.LOADED:
            self.async_fail_over_later()

    @callback
    def async_fail_over_later(self) -> None:
        """Send what is due through the fallback route, in a task of the entry."""
        if self.tracker.has_due(dt_util.utcnow()):
            self.config_entry.async_create_task(
                self.hass,
                async_fail_over_due(self.hass, self.config_entry),
                "smsgateway24 failover",
            )

    @callback
    def _fire_status(self, changes: list[StatusChange]) -> None:
        """Fire the event of each status change.

        A route's message names the phone it stands in for, or (sent through
        the route directly) the route's device.
        """
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        for change in changes:
            sent, status = change.sent, change.status
            if sent.gateway_device_id is None and sent.route_id is not None:
                device_id = _device_of(
                    registry,
                    entry_id,
                    subentry_device_key(SUBENTRY_ROUTE, sent.route_id),
                )
            else:
                device_id = _device_id(registry, entry_id, sent.gateway_device_id)
            self.hass.bus.async_fire(
                EVENT_SMS_STATUS,
                {
                    ATTR_CONFIG_ENTRY_ID: entry_id,
                    ATTR_DEVICE_ID: device_id,
                    ATTR_GATEWAY_DEVICE_ID: sent.gateway_device_id,
                    ATTR_SMS_ID: sent.sms_id,
                    ATTR_PHONE: sent.phone,
                    ATTR_STATUS: status.slug,
                    ATTR_STATUS_CODE: status_code(status),
                    ATTR_FINAL: status.final,
                    ATTR_ROUTE: sent.route,
                    ATTR_FAILOVER_OF: sent.failover_of,
                },
            )

    @callback
    def _fire_received(self, messages: list[ReceivedMessage]) -> None:
        """Fire the event of each received message."""
        registry = dr.async_get(self.hass)
        for message in messages:
            self.hass.bus.async_fire(
                EVENT_SMS_RECEIVED,
                {
                    ATTR_CONFIG_ENTRY_ID: self.config_entry.entry_id,
                    ATTR_DEVICE_ID: _device_id(
                        registry, self.config_entry.entry_id, message.gateway_device_id
                    ),
                    ATTR_GATEWAY_DEVICE_ID: message.gateway_device_id,
                    ATTR_SMS_ID: message.sms_id,
                    ATTR_PHONE: message.phone,
                    ATTR_TEXT: message.text,
                    ATTR_SIM: message.sim,
                    ATTR_RECEIVED_AT: dt_util.as_utc(message.received_at).isoformat(),
                    ATTR_CATCH_UP: message.catch_up,
                },
            )

    async def async_receive_pushed(self, message: Message) -> None:
        """Take a message a phone pushed, unless a poll or a push took it already."""
        if self.incoming.take_pushed(message, dt_util.utcnow()):
            await self.async_commit()

    @callback
    def async_listen_received(
        self, phone_id: int, action: Callable[[Event[Mapping[str, Any]]], None]
    ) -> CALLBACK_TYPE:
        """Call ``action`` with each message this account's phone receives."""
        return self._async_listen_phone(EVENT_SMS_RECEIVED, phone_id, action)

    @callback
    def async_listen_status(
        self, phone_id: int, action: Callable[[Event[Mapping[str, Any]]], None]
    ) -> CALLBACK_TYPE:
        """Call ``action`` with each status change of a message this phone sent."""
        return self._async_listen_phone(EVENT_SMS_STATUS, phone_id, action)

    @callback
    def _async_listen_phone(
        self,
        event_type: str,
        phone_id: int,
        action: Callable[[Event[Mapping[str, Any]]], None],
    ) -> CALLBACK_TYPE:
        entry_id = self.config_entry.entry_id

        @callback
        def for_this_phone(data: Mapping[str, Any]) -> bool:
            return bool(
                data[ATTR_CONFIG_ENTRY_ID] == entry_id
                and data[ATTR_GATEWAY_DEVICE_ID] == phone_id
            )

        return self.hass.bus.async_listen(
            event_type, action, event_filter=for_this_phone
        )

    @callback
    def _sync_devices(self, phones: dict[int, Phone]) -> None:
        """Give each phone its device, up to date; remove phones no longer in the account.

        Only phones: the devices of subentries stay.

        A phone's device exists before the events of the poll that found the
        phone fire, so that they carry its device id.
        """
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        for phone in phones.values():
            # A name the user gave the device stays: it is kept in name_by_user.
            registry.async_get_or_create(
                config_entry_id=entry_id, **phone_device_info(phone)
            )
        for device in dr.async_entries_for_config_entry(registry, entry_id):
            # A subentry's device (a recipient's) goes with its subentry.
            if device.config_subentry_id is None and phone_id_of(device) not in phones:
                registry.async_remove_device(device.id)

    async def async_newest_received(self) -> dict[int, Message]:
        """The newest message each phone received, if within the last 30 days.

        Not part of a poll: asked once, when the Last message sensors are
        new. The windows grow until every phone has one (three requests at
        most, within one request's timeout in all), so that a busy account is
        answered by the first, short one; a failure leaves the sensors empty.
        """
        found: dict[int, Message] = {}
        now = dt_util.utcnow()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                for window in NEWEST_RECEIVED_WINDOWS:
                    answer = await self.client.get_messages(
                        status=MessageStatus.INCOMING, begin=now - window
                    )
                    # The provider numbers messages as they come: the highest
                    # id is the newest.
                    for message in sorted(answer.messages, key=lambda m: m.id):
                        if message.device_id is not None:
                            found[message.device_id] = message
                    if found.keys() >= self.data.phones.keys():
                        break
        except (SmsGateway24Error, TimeoutError) as err:
            LOGGER.debug("Could not look up the last messages received: %s", err)
        return found

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
