"""Measure what the integration costs, against the simulator, in a running Home Assistant.

Requests and bytes per poll beside a naive poll, a send to many recipients,
the time from a received SMS to its event (by poll and by webhook), the size
of the incoming state after many messages, what a failover to a backup route
costs (phone offline, phone silent until ``failover_after``), and the requests
of a poll while messages sent through a backup route are followed.
Everything is served on 127.0.0.1; every wait is bounded.

    scripts/bench            # the table
    scripts/bench --json     # the same figures as JSON
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter, deque
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
import json
import random
import secrets
import socket
import statistics
import sys
import tempfile
import time
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp import web
from homeassistant import loader
from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.const import CONF_API_KEY, CONF_EMAIL, CONF_TOKEN, CONF_URL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.smsgateway24.const import (
    CONF_BRAND_ID,
    CONF_DEVICE_ID,
    CONF_FAILOVER_AFTER,
    CONF_FALLBACK_ROUTE,
    CONF_ONLINE_TIMEOUT,
    CONF_PROVIDER,
    CONF_SCAN_INTERVAL,
    CONF_SENDER,
    CONF_SIM,
    CONF_WEBHOOK,
    CONF_WEBHOOK_ID,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    EVENT_SMS_RECEIVED,
    INCOMING_STORAGE_VERSION,
    PROVIDER_NAMES,
    PROVIDER_SEVEN,
    PROVIDER_UBILL,
    SUBENTRY_ROUTE,
    UBILL_REPORTS_PER_POLL,
)
from custom_components.smsgateway24.coordinator import SmsGateway24Coordinator
from custom_components.smsgateway24.incoming import IncomingCursor
from custom_components.smsgateway24.services import SERVICE_SEND_SMS
from custom_components.smsgateway24.tracking import SentMessage, TrackedMessage
from simulator import seven as seven_api, ubill as ubill_api
from simulator.app import create_app
from simulator.demo import (
    DEMO_SEVEN_API_KEY,
    DEMO_UBILL_API_KEY,
    DEMO_UBILL_BRAND_ID,
    populate_backup_routes,
)
from simulator.models import Account, RecordedRequest
from simulator.state import Simulator

PHONES = (1, 10)
HISTORIES = (0, 1_000, 100_000)
RECIPIENTS = 100
POLL_INTERVAL = 15
POLL_SAMPLES = 3
WEBHOOK_SAMPLES = 20
MEMORY_MESSAGES = 100_000
MEMORY_BATCH = 5_000
ROUTE_MESSAGES = (1, 10, 100)
FAILOVER_AFTER = 5

# A history spread over a year: about one message every five minutes at 100,000.
HISTORY_SPAN = timedelta(days=365)
# Polls the bench makes itself; the scheduled ones must not get in the way.
IDLE_INTERVAL = 24 * 3600
EVENT_TIMEOUT = 30.0
# The whole run gives up after this many seconds.
RUN_TIMEOUT = 600
SENDER = "+4915700000001"
PASSWORD = "bench-password"
ACCOUNT = "smsgateway24"
# Each poll of the account asks for the phone list, once.
POLL_METHOD = "getalldevices"
# The requests that send through a route, and that follow its messages.
ROUTE_SENDS = {PROVIDER_SEVEN: "sms", PROVIDER_UBILL: "sms/send"}
ROUTE_FOLLOWS = {PROVIDER_SEVEN: "journal/outbound", PROVIDER_UBILL: "sms/report"}


@dataclass(frozen=True, slots=True)
class Traffic:
    """The provider API calls made by one measured step."""

    requests: int
    sent_bytes: int
    received_bytes: int
    seconds: float


@dataclass(frozen=True, slots=True)
class PollCost:
    """One poll of the integration beside a naive poll, for one account size."""

    phones: int
    history: int
    integration: Traffic
    integration_tracking: Traffic
    naive: Traffic

    @property
    def ratio(self) -> float:
        """How many times more bytes the naive poll receives."""
        return self.naive.received_bytes / max(self.integration.received_bytes, 1)


@dataclass(frozen=True, slots=True)
class Latency:
    """Seconds from a message reaching the provider to its event in Home Assistant."""

    samples: list[float]

    @property
    def summary(self) -> dict[str, float]:
        """Minimum, mean and maximum, in milliseconds."""
        if not self.samples:
            return {}
        millis = [sample * 1000 for sample in self.samples]
        return {
            "min_ms": round(min(millis), 2),
            "mean_ms": round(statistics.fmean(millis), 2),
            "max_ms": round(max(millis), 2),
        }


@dataclass(frozen=True, slots=True)
class Memory:
    """The incoming state kept after many messages were seen."""

    messages: int
    polls: int
    events: int
    cursor_bytes: int
    store_json_bytes: int
    seen_ids: int


@dataclass(frozen=True, slots=True)
class OfflineFailover:
    """A send while the phone is offline, from the call to the route's send.

    ``requests`` counts the call's requests by provider and method;
    ``route_seconds`` is the wall time from the call to the route's request.
    """

    provider: str
    call: Traffic
    requests: dict[str, int]
    polls: int
    route_seconds: float


@dataclass(frozen=True, slots=True)
class SilentFailover:
    """A send the phone never sends, from the call to the route's send.

    Time is moved, not waited for: ``polls`` is the number of polls from the
    send to the one that failed over, ``after_deadline`` how many of them
    came at or after ``failover_after``; ``route_seconds`` is the time from
    the send to the route's request, as Home Assistant's clock tells it.
    ``requests`` counts by provider and method, the send's included.
    """

    provider: str
    failover_after: int
    scan_interval: int
    polls: int
    after_deadline: int
    route_seconds: float
    requests: dict[str, int]


@dataclass(frozen=True, slots=True)
class RoutePoll:
    """One poll while messages sent through a route are followed.

    Of its requests, ``account_requests`` are the account's own poll and
    ``route_requests`` follow the route's messages (seven's journal, UBill's
    reports); ``covered_in`` is the number of polls until each message had
    a status.
    """

    provider: str
    messages: int
    poll: Traffic
    account_requests: int
    route_requests: int
    covered_in: int


@dataclass(slots=True)
class Report:
    """Everything one run of the bench measured."""

    polls: list[PollCost] = field(default_factory=list)
    send: Traffic | None = None
    recipients: int = 0
    poll_latency: Latency | None = None
    webhook_latency: Latency | None = None
    memory: Memory | None = None
    offline_failover: OfflineFailover | None = None
    silent_failover: SilentFailover | None = None
    route_polls: list[RoutePoll] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data, for JSON."""
        return {
            "polls": [
                {**asdict(poll), "ratio": round(poll.ratio, 1)} for poll in self.polls
            ],
            "send": None if self.send is None else asdict(self.send),
            "recipients": self.recipients,
            "poll_latency": None
            if self.poll_latency is None
            else {**asdict(self.poll_latency), **self.poll_latency.summary},
            "webhook_latency": None
            if self.webhook_latency is None
            else {**asdict(self.webhook_latency), **self.webhook_latency.summary},
            "memory": None if self.memory is None else asdict(self.memory),
            "offline_failover": None
            if self.offline_failover is None
            else asdict(self.offline_failover),
            "silent_failover": None
            if self.silent_failover is None
            else asdict(self.silent_failover),
            "route_polls": [asdict(poll) for poll in self.route_polls],
            "seconds": round(self.seconds, 1),
        }


class BenchClock:
    """The real time, which the bench moves ahead to let minutes pass at once.

    The simulator reads it always; Home Assistant only within ``moved``.
    """

    def __init__(self) -> None:
        """Start at the real time."""
        self.ahead = timedelta()

    def now(self) -> datetime:
        """The real time, moved ahead."""
        return datetime.now(UTC) + self.ahead

    @contextmanager
    def moved(self) -> Iterator[None]:
        """Let Home Assistant read this clock; back to the real time after."""
        try:
            with patch.object(dt_util, "utcnow", self.now):
                yield
        finally:
            self.ahead = timedelta()


class Bench:
    """A running Home Assistant and the simulator it talks to, on 127.0.0.1."""

    def __init__(
        self, hass: HomeAssistant, sim: Simulator, url: str, clock: BenchClock
    ) -> None:
        """Measure `hass` talking to `sim` served at `url`, on `clock`."""
        self.hass = hass
        self.sim = sim
        self.url = url
        self.clock = clock
        # Size of each request the simulator took: request line, headers, body.
        self.request_sizes: list[int] = []
        self._accounts = 0

    @classmethod
    @asynccontextmanager
    async def serve(cls, hass: HomeAssistant) -> AsyncIterator[Bench]:
        """Serve a simulator on a free port of 127.0.0.1 while in the block.

        It holds the backup routes' demo accounts, and no account of phones.
        """
        clock = BenchClock()
        sim = Simulator(clock)
        populate_backup_routes(sim)
        app = create_app(sim)
        bench: Bench | None = None

        @web.middleware
        async def measure(
            request: web.Request,
            handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        ) -> web.StreamResponse:
            if bench is not None:
                bench.request_sizes.append(_request_size(request))
            return await handler(request)

        app.middlewares.append(measure)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        bench = cls(hass, sim, f"http://127.0.0.1:{port}", clock)
        try:
            yield bench
        finally:
            await runner.cleanup()

    async def add_entry(
        self,
        *,
        phones: int,
        history: int = 0,
        scan_interval: int = IDLE_INTERVAL,
        webhook_id: str | None = None,
        routes: Sequence[str] = (),
        failover_after: int | None = None,
    ) -> tuple[MockConfigEntry, Account]:
        """Open an account with phones and a history, and set up its entry.

        ``routes`` are backup routes to the simulator's demo accounts, by
        provider; with ``failover_after``, the first is the fallback route.
        """
        self._accounts += 1
        email = f"bench{self._accounts}@smsgateway24.local"
        account = self.sim.add_account(email, PASSWORD)
        phone_ids = [
            self.sim.add_phone(account, f"Bench {self._accounts} phone {n + 1}").id
            for n in range(phones)
        ]
        if history:
            now = self.sim.now()
            self.sim.add_history(account, history, now - HISTORY_SPAN, now)
        options: dict[str, Any] = {
            CONF_DEVICE_ID: phone_ids[0],
            CONF_SIM: 0,
            CONF_SCAN_INTERVAL: scan_interval,
            CONF_ONLINE_TIMEOUT: 10,
        }
        if webhook_id is not None:
            options |= {CONF_WEBHOOK: True, CONF_WEBHOOK_ID: webhook_id}
        subentries = [self._route(provider) for provider in routes]
        if failover_after is not None:
            options |= {
                CONF_FALLBACK_ROUTE: subentries[0]["subentry_id"],
                CONF_FAILOVER_AFTER: failover_after,
            }
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=email,
            unique_id=email,
            data={
                CONF_URL: self.url,
                CONF_EMAIL: email,
                CONF_TOKEN: self.sim.issue_token(account),
            },
            options=options,
            subentries_data=subentries,
        )
        entry.add_to_hass(self.hass)
        if not await self.hass.config_entries.async_setup(entry.entry_id):
            raise RuntimeError(f"the entry of {email} did not set up")
        # With the routes' first balance requests.
        await self.hass.async_block_till_done(wait_background_tasks=True)
        return entry, account

    def _route(self, provider: str) -> ConfigSubentryDataWithId:
        """A route to the simulator's demo account of `provider`, as stored."""
        data: dict[str, Any] = (
            {
                CONF_PROVIDER: PROVIDER_SEVEN,
                CONF_API_KEY: DEMO_SEVEN_API_KEY,
                CONF_URL: self.url + seven_api.PREFIX,
                CONF_SENDER: "House",
            }
            if provider == PROVIDER_SEVEN
            else {
                CONF_PROVIDER: PROVIDER_UBILL,
                CONF_API_KEY: DEMO_UBILL_API_KEY,
                CONF_URL: self.url + ubill_api.PREFIX,
                CONF_BRAND_ID: DEMO_UBILL_BRAND_ID,
            }
        )
        return ConfigSubentryDataWithId(
            data=data,
            subentry_id=ulid_now(),
            subentry_type=SUBENTRY_ROUTE,
            title=f"{PROVIDER_NAMES[provider]} backup",
            unique_id=None,
        )

    async def remove_entry(self, entry: MockConfigEntry) -> None:
        """Stop polling an account and forget its entry."""
        await self.hass.config_entries.async_remove(entry.entry_id)
        await self.hass.async_block_till_done()

    async def traffic(self, step: Awaitable[object]) -> Traffic:
        """The provider API calls `step` makes, and how long it takes."""
        self.sim.clear_requests()
        self.request_sizes.clear()
        start = time.perf_counter()
        await step
        seconds = time.perf_counter() - start
        return Traffic(
            requests=len(self.sim.requests),
            sent_bytes=sum(self.request_sizes),
            received_bytes=sum(r.response_bytes for r in self.sim.requests),
            seconds=round(seconds, 3),
        )


def count_calls(requests: Iterable[RecordedRequest]) -> dict[str, int]:
    """How many requests of each provider's method: ``{"seven sms": 1}``."""
    return dict(Counter(f"{r.provider} {r.method}" for r in requests))


def _request_size(request: web.Request) -> int:
    line = len(f"{request.method} {request.raw_path} HTTP/1.1\r\n")
    headers = sum(len(name) + len(value) + 4 for name, value in request.raw_headers)
    return line + headers + 2 + (request.content_length or 0)


def coordinator_of(entry: MockConfigEntry) -> SmsGateway24Coordinator:
    """The coordinator of a loaded entry."""
    coordinator: SmsGateway24Coordinator = entry.runtime_data
    return coordinator


async def naive_poll(coordinator: SmsGateway24Coordinator) -> None:
    """What a poll without filters costs: every message, then each phone's status."""
    await coordinator.client.get_messages()
    for phone_id in coordinator.data.phones:
        await coordinator.client.get_phone_status(phone_id)


async def measure_polls(bench: Bench, phones: int, history: int) -> PollCost:
    """A steady-state poll of the integration and a naive poll of the same account."""
    entry, account = await bench.add_entry(phones=phones, history=history)
    coordinator = coordinator_of(entry)
    integration = await bench.traffic(coordinator.async_refresh())
    # A message just sent is followed until its status is final: one request more.
    phone_id = next(iter(coordinator.data.phones))
    sent = bench.sim.queue_messages(
        account, device_id=phone_id, recipients=[SENDER], body="tracked", sim=0
    )[0]
    coordinator.async_track_sent(
        [
            TrackedMessage(
                sent=SentMessage(
                    sms_id=sent.id, gateway_device_id=phone_id, phone=SENDER
                ),
                since=dt_util.utcnow(),
            )
        ]
    )
    tracking = await bench.traffic(coordinator.async_refresh())
    naive = await bench.traffic(naive_poll(coordinator))
    await bench.remove_entry(entry)
    return PollCost(
        phones=phones,
        history=history,
        integration=integration,
        integration_tracking=tracking,
        naive=naive,
    )


def numbers(count: int) -> list[str]:
    """As many recipients' numbers."""
    return [f"+49157{n:08d}" for n in range(count)]


async def send_sms(
    hass: HomeAssistant, entry: MockConfigEntry, phones: list[str], message: str
) -> None:
    """One `send_sms` action of an entry."""
    await hass.services.async_call(
        DOMAIN,
        SERVICE_SEND_SMS,
        {"config_entry_id": entry.entry_id, "phone": phones, "message": message},
        blocking=True,
        return_response=True,
    )


async def measure_send(bench: Bench, recipients: int) -> Traffic:
    """One `send_sms` action to many numbers."""
    entry, _ = await bench.add_entry(phones=1)
    traffic = await bench.traffic(
        send_sms(bench.hass, entry, numbers(recipients), "Bench")
    )
    await bench.remove_entry(entry)
    return traffic


def route_send(sim: Simulator, provider: str) -> RecordedRequest | None:
    """The first request that sent through a route of `provider`, if any."""
    return next(
        (
            request
            for request in sim.requests
            if (request.provider, request.method) == (provider, ROUTE_SENDS[provider])
        ),
        None,
    )


async def measure_offline_failover(
    bench: Bench, provider: str = PROVIDER_SEVEN
) -> OfflineFailover:
    """A send while the phone is offline: through the fallback route, in the call."""
    entry, _ = await bench.add_entry(phones=1, routes=[provider], failover_after=0)
    coordinator = coordinator_of(entry)
    phone_id = next(iter(coordinator.data.phones))
    bench.sim.set_online(phone_id, online=False)
    bench.sim.phone(phone_id).last_seen = bench.sim.now() - timedelta(hours=1)
    await coordinator.async_refresh()
    started = bench.clock.now()
    call = await bench.traffic(
        send_sms(bench.hass, entry, [SENDER], "Bench: the phone is offline")
    )
    if (sent := route_send(bench.sim, provider)) is None:
        raise RuntimeError("the offline phone's message did not go through the route")
    requests = count_calls(bench.sim.requests)
    await bench.remove_entry(entry)
    return OfflineFailover(
        provider=provider,
        call=call,
        requests=requests,
        polls=requests.get(f"{ACCOUNT} {POLL_METHOD}", 0),
        route_seconds=round((sent.timestamp - started).total_seconds(), 4),
    )


async def measure_silent_failover(
    bench: Bench,
    failover_after: int,
    interval: int = DEFAULT_SCAN_INTERVAL,
    provider: str = PROVIDER_SEVEN,
) -> SilentFailover:
    """A send the phone takes no step with: through the route after the deadline.

    The phone stays online (it checks in before each poll) but never sends.
    The bench moves the clock by a scan interval and polls, as the
    coordinator would; the send falls halfway between two polls.
    """
    entry, _ = await bench.add_entry(
        phones=1, routes=[provider], failover_after=failover_after
    )
    coordinator = coordinator_of(entry)
    phone = bench.sim.phone(next(iter(coordinator.data.phones)))
    # Twice the polls the deadline needs: then the failover is missing.
    limit = 2 * (failover_after * 60 // interval + 1)
    polls = after_deadline = 0
    with bench.clock.moved():
        bench.sim.clear_requests()
        started = bench.clock.now()
        await send_sms(bench.hass, entry, [SENDER], "Bench: the phone is silent")
        deadline = started + timedelta(minutes=failover_after)
        while (sent := route_send(bench.sim, provider)) is None:
            if polls == limit:
                raise RuntimeError(f"no failover within {limit} polls")
            bench.clock.ahead = timedelta(seconds=interval * (polls + 0.5))
            phone.last_seen = bench.sim.now()
            polls += 1
            after_deadline += bench.clock.now() >= deadline
            await coordinator.async_refresh()
            # The failover is a task of the entry, after the poll.
            await bench.hass.async_block_till_done()
        requests = count_calls(bench.sim.requests)
        await bench.remove_entry(entry)
    return SilentFailover(
        provider=provider,
        failover_after=failover_after,
        scan_interval=interval,
        polls=polls,
        after_deadline=after_deadline,
        route_seconds=round((sent.timestamp - started).total_seconds(), 1),
        requests=requests,
    )


def send_through_route(sim: Simulator, provider: str, count: int) -> list[SentMessage]:
    """Send `count` messages through the demo account of `provider`, each on its own.

    Each is a send of its own, as alerts are: UBill reports per send.
    """
    sent = []
    for n, number in enumerate(numbers(count)):
        text = f"Bench route {n}"
        if provider == PROVIDER_SEVEN:
            _, (outcome,) = sim.seven.send(
                sim.seven.account(DEMO_SEVEN_API_KEY),
                seven_api.Order(recipients=[number], text=text, no_reload=True),
            )
            if outcome.message is None:
                raise RuntimeError(f"seven refused the message to {number}")
            sms_id = outcome.message.id
        else:
            sms_id = sim.ubill.send(
                sim.ubill.account(DEMO_UBILL_API_KEY),
                ubill_api.Order(
                    brand_id=DEMO_UBILL_BRAND_ID, numbers=[number[1:]], text=text
                ),
            ).sms_id
        sent.append(SentMessage(sms_id=sms_id, phone=number, route=provider))
    return sent


async def measure_route_poll(bench: Bench, provider: str, messages: int) -> RoutePoll:
    """A poll while messages sent through a route are followed.

    Then the polls until each message had a status: a UBill route asks a
    few reports a poll.
    """
    entry, _ = await bench.add_entry(phones=1, routes=[provider])
    coordinator = coordinator_of(entry)
    route_id = next(iter(entry.subentries))
    now = dt_util.utcnow()
    coordinator.async_track_sent(
        TrackedMessage(sent=replace(sent, route_id=route_id), since=now)
        for sent in send_through_route(bench.sim, provider, messages)
    )
    await bench.hass.async_block_till_done()
    poll = await bench.traffic(coordinator.async_refresh())
    calls = count_calls(bench.sim.requests)
    covered_in = 1
    # Statuses do not move (nothing ticks): each message keeps the first it gets.
    while any(t.status is None for t in coordinator.tracker.on_route(route_id)):
        if covered_in > messages:
            raise RuntimeError(f"{provider}'s messages were not all followed")
        covered_in += 1
        await coordinator.async_refresh()
    await bench.remove_entry(entry)
    return RoutePoll(
        provider=provider,
        messages=messages,
        poll=poll,
        account_requests=sum(
            count for call, count in calls.items() if call.startswith(f"{ACCOUNT} ")
        ),
        route_requests=calls.get(f"{provider} {ROUTE_FOLLOWS[provider]}", 0),
        covered_in=covered_in,
    )


class EventWaiter:
    """Futures resolved by the received event of a given message id."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Listen to the received events of `hass`."""
        self._hass = hass
        self._waiting: dict[int, asyncio.Future[float]] = {}
        self.unsubscribe = hass.bus.async_listen(EVENT_SMS_RECEIVED, self._take)

    @callback
    def _take(self, event: Event[Mapping[str, Any]]) -> None:
        future = self._waiting.pop(event.data["sms_id"], None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    def expect(self, sms_id: int) -> asyncio.Future[float]:
        """A future that gets the moment the event of `sms_id` fires."""
        future: asyncio.Future[float] = self._hass.loop.create_future()
        self._waiting[sms_id] = future
        return future


async def measure_poll_latency(
    bench: Bench, samples: int, interval: int = POLL_INTERVAL, *, seed: int = 0
) -> Latency:
    """Inject messages at random moments; time each until its event fires."""
    entry, _ = await bench.add_entry(phones=1, scan_interval=interval)
    phone_id = next(iter(coordinator_of(entry).data.phones))
    waiter = EventWaiter(bench.hass)
    rng = random.Random(seed)
    latencies = []
    try:
        for n in range(samples):
            await asyncio.sleep(rng.uniform(0, interval))
            start = time.perf_counter()
            sms_id = bench.sim.inject_incoming(phone_id, SENDER, f"poll {n}")
            fired = await asyncio.wait_for(
                waiter.expect(sms_id), interval + EVENT_TIMEOUT
            )
            latencies.append(fired - start)
    finally:
        waiter.unsubscribe()
        await bench.remove_entry(entry)
    return Latency(samples=latencies)


async def measure_webhook_latency(bench: Bench, samples: int, base_url: str) -> Latency:
    """Inject messages and push each to the webhook as the phone would."""
    webhook_id = secrets.token_hex(32)
    entry, _ = await bench.add_entry(phones=1, webhook_id=webhook_id)
    phone_id = next(iter(coordinator_of(entry).data.phones))
    waiter = EventWaiter(bench.hass)
    latencies = []
    timeout = aiohttp.ClientTimeout(total=EVENT_TIMEOUT)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for n in range(samples):
                start = time.perf_counter()
                sms_id = bench.sim.inject_incoming(phone_id, SENDER, f"push {n}")
                fired = waiter.expect(sms_id)
                message = bench.sim.message(sms_id)
                payload = {
                    "address": SENDER,
                    "body": message.body,
                    "date": int(message.created.timestamp() * 1000),
                    "sms_id": sms_id,
                    "device_id": phone_id,
                    "sim": "0",
                    "type": "text",
                }
                async with session.post(
                    f"{base_url}/api/webhook/{webhook_id}", json=payload
                ) as response:
                    response.raise_for_status()
                latencies.append(await asyncio.wait_for(fired, EVENT_TIMEOUT) - start)
    finally:
        waiter.unsubscribe()
        await bench.remove_entry(entry)
    return Latency(samples=latencies)


def deep_size(value: object) -> int:
    """Bytes a value takes in memory, with what it holds (ints, strings, dates)."""
    seen: set[int] = set()

    def size(item: object) -> int:
        if id(item) in seen:
            return 0
        seen.add(id(item))
        total = sys.getsizeof(item)
        if isinstance(item, dict):
            total += sum(size(key) + size(value) for key, value in item.items())
        elif isinstance(item, list | tuple | set | frozenset | deque):
            total += sum(size(element) for element in item)
        elif isinstance(item, IncomingCursor):
            total += size(item.newest) + size(item.seen)
        return total

    return size(value)


async def measure_memory(
    bench: Bench, messages: int, batch: int = MEMORY_BATCH
) -> Memory:
    """Feed many incoming messages through polls; size what the integration keeps.

    Each batch is dated an hour after the one before, so that a poll's window
    holds its own batch and the end of the last one, as it would in a busy
    account.
    """
    entry, _ = await bench.add_entry(phones=1)
    coordinator = coordinator_of(entry)
    phone_id = next(iter(coordinator.data.phones))
    events = 0

    def count(_: Event[Mapping[str, Any]]) -> None:
        nonlocal events
        events += 1

    unsubscribe = bench.hass.bus.async_listen(EVENT_SMS_RECEIVED, count)
    start = bench.sim.now() + timedelta(minutes=1)
    polls = 0
    try:
        for first in range(0, messages, batch):
            size = min(batch, messages - first)
            hour = start + timedelta(hours=polls)
            for n in range(size):
                bench.sim.inject_incoming(
                    phone_id,
                    SENDER,
                    f"memory {first + n}",
                    received_at=hour + timedelta(seconds=3600 * n // size),
                )
            await coordinator.async_refresh()
            polls += 1
        await bench.hass.async_block_till_done()
        stored = json.dumps(
            {
                "version": INCOMING_STORAGE_VERSION,
                "key": "incoming",
                "data": coordinator.cursor.to_stored(),
            },
            indent=4,
        )
        return Memory(
            messages=messages,
            polls=polls,
            events=events,
            cursor_bytes=deep_size(coordinator.cursor),
            store_json_bytes=len(stored.encode()),
            seen_ids=len(coordinator.cursor.seen),
        )
    finally:
        unsubscribe()
        await bench.remove_entry(entry)


class LoopbackResolver(aiohttp.ThreadedResolver):
    """The system resolver, closed the way Home Assistant closes its own."""

    async def real_close(self) -> None:
        """Close, when Home Assistant stops."""
        await self.close()


@asynccontextmanager
async def home_assistant(config_dir: str) -> AsyncIterator[tuple[HomeAssistant, str]]:
    """A running Home Assistant with this checkout's integration and HTTP on 127.0.0.1."""
    # Loopback only: no zeroconf resolver, no probe for the LAN address.
    with (
        patch(
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            return_value=LoopbackResolver(),
        ),
        patch(
            "homeassistant.components.http.async_get_source_ip",
            return_value="127.0.0.1",
        ),
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            # As the enable_custom_integrations fixture does: load custom_components.
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            try:
                port = _free_port()
                http = {"server_host": ["127.0.0.1"], "server_port": port}
                if not await async_setup_component(hass, "http", {"http": http}):
                    raise RuntimeError("Home Assistant's HTTP server did not set up")
                # As Home Assistant's own start does, before it serves: its core
                # integration, and the views of the integration's conversation
                # dependency (which needs the core integration).
                for domain in ("homeassistant", "conversation"):
                    if not await async_setup_component(hass, domain, {}):
                        raise RuntimeError(f"{domain} did not set up")
                await hass.http.start()
                yield hass, f"http://127.0.0.1:{port}"
            finally:
                await hass.async_stop(force=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Sizes:
    """What one run measures."""

    phones: Sequence[int] = PHONES
    histories: Sequence[int] = HISTORIES
    recipients: int = RECIPIENTS
    poll_samples: int = POLL_SAMPLES
    poll_interval: int = POLL_INTERVAL
    webhook_samples: int = WEBHOOK_SAMPLES
    memory_messages: int = MEMORY_MESSAGES
    memory_batch: int = MEMORY_BATCH
    route_messages: Sequence[int] = ROUTE_MESSAGES
    failover_after: int = FAILOVER_AFTER


QUICK = Sizes(
    phones=(1,),
    histories=(0, 10),
    recipients=3,
    poll_samples=0,
    webhook_samples=2,
    memory_messages=20,
    memory_batch=10,
    route_messages=(1, UBILL_REPORTS_PER_POLL + 1),
)


async def run(
    hass: HomeAssistant, base_url: str, sizes: Sizes, say: Callable[[str], None]
) -> Report:
    """Measure everything in `sizes` in a running Home Assistant."""
    started = time.perf_counter()
    report = Report(recipients=sizes.recipients)
    async with Bench.serve(hass) as bench:
        for phones in sizes.phones:
            for history in sizes.histories:
                say(f"poll: {phones} phones, {history} messages")
                report.polls.append(await measure_polls(bench, phones, history))
        say(f"send to {sizes.recipients} recipients")
        report.send = await measure_send(bench, sizes.recipients)
        say(f"webhook latency: {sizes.webhook_samples} samples")
        report.webhook_latency = await measure_webhook_latency(
            bench, sizes.webhook_samples, base_url
        )
        say(f"memory: {sizes.memory_messages} messages")
        report.memory = await measure_memory(
            bench, sizes.memory_messages, sizes.memory_batch
        )
        say("failover: phone offline")
        report.offline_failover = await measure_offline_failover(bench)
        say(f"failover: phone silent, failover_after {sizes.failover_after} min")
        report.silent_failover = await measure_silent_failover(
            bench, sizes.failover_after
        )
        for provider in (PROVIDER_SEVEN, PROVIDER_UBILL):
            for messages in sizes.route_messages:
                say(f"poll: {messages} messages followed on {provider}")
                report.route_polls.append(
                    await measure_route_poll(bench, provider, messages)
                )
        if sizes.poll_samples:
            say(
                f"poll latency: {sizes.poll_samples} samples, "
                f"scan interval {sizes.poll_interval} s"
            )
            report.poll_latency = await measure_poll_latency(
                bench, sizes.poll_samples, sizes.poll_interval
            )
    report.seconds = time.perf_counter() - started
    return report


def _kib(size: int) -> str:
    if size < 10_000:
        return f"{size:,} B"
    return f"{size / 1024:,.0f} KiB"


def _times(ratio: float) -> str:
    return f"{ratio:,.1f}x" if ratio < 10 else f"{ratio:,.0f}x"


def _ms(millis: float) -> str:
    return f"{millis:,.1f} ms" if millis < 10 else f"{millis:,.0f} ms"


def render(report: Report) -> str:
    """The report as a Markdown table."""
    lines = [
        "| Measure | Integration | Naive | Naive / integration |",
        "|---|---|---|---|",
    ]
    for poll in report.polls:
        ours, tracking, naive = poll.integration, poll.integration_tracking, poll.naive
        lines.append(
            f"| Poll, {poll.phones} phone{'s' * (poll.phones != 1)}, "
            f"{poll.history:,} messages | "
            f"{ours.requests} requests, {_kib(ours.received_bytes)} in, "
            f"{_kib(ours.sent_bytes)} out, {ours.seconds * 1000:,.0f} ms "
            f"(tracking a sent message: {tracking.requests} requests, "
            f"{_kib(tracking.received_bytes)} in) | "
            f"{naive.requests} requests, {_kib(naive.received_bytes)} in, "
            f"{_kib(naive.sent_bytes)} out, {naive.seconds * 1000:,.0f} ms | "
            f"{_times(poll.ratio)} bytes |"
        )
    if report.send is not None:
        lines.append(
            f"| Send to {report.recipients} recipients (`smsgateway24.send_sms`) | "
            f"{report.send.requests} requests | {report.recipients} requests | |"
        )
    for name, latency in (
        ("poll, scan interval 15 s", report.poll_latency),
        ("webhook", report.webhook_latency),
    ):
        if latency is not None and latency.samples:
            summary = latency.summary
            lines.append(
                f"| SMS to event, by {name} ({len(latency.samples)} samples) | "
                f"min {_ms(summary['min_ms'])}, mean {_ms(summary['mean_ms'])}, "
                f"max {_ms(summary['max_ms'])} | | |"
            )
    if (memory := report.memory) is not None:
        lines.append(
            f"| Incoming state after {memory.messages:,} messages "
            f"({memory.polls} polls, {memory.events:,} events) | "
            f"{_kib(memory.cursor_bytes)} in memory, "
            f"{_kib(memory.store_json_bytes)} stored ({memory.seen_ids:,} ids kept) | | |"
        )
    lines += _failover_rows(report)
    for route in report.route_polls:
        follows = "journal" if route.provider == PROVIDER_SEVEN else "report"
        lines.append(
            f"| Poll following {_count(route.messages, 'message')} sent through "
            f"{PROVIDER_NAMES[route.provider]} | "
            f"{route.poll.requests} requests ({route.account_requests} of the "
            f"account, {_count(route.route_requests, follows)}), "
            f"{_kib(route.poll.received_bytes)} in, "
            f"{route.poll.seconds * 1000:,.0f} ms; each message's status "
            f"within {_count(route.covered_in, 'poll')} | | |"
        )
    lines.append(f"\nTotal run time: {report.seconds:.0f} s")
    return "\n".join(lines)


def _count(count: int, what: str) -> str:
    return f"{count:,} {what}{'s' * (count != 1)}"


def _calls(requests: Mapping[str, int]) -> str:
    """``1 addsms, 1 seven.io sms``: each method asked, the routes' by provider."""
    calls = []
    for call, count in requests.items():
        provider, method = call.split(" ", 1)
        name = method if provider == ACCOUNT else f"{PROVIDER_NAMES[provider]} {method}"
        calls.append(f"{count} {name}")
    return ", ".join(calls) or "none"


def _failover_rows(report: Report) -> list[str]:
    rows = []
    if (offline := report.offline_failover) is not None:
        rows.append(
            f"| Failover, phone offline: `send_sms` to "
            f"{PROVIDER_NAMES[offline.provider]}'s send | "
            f"{_count(offline.call.requests, 'request')} "
            f"({_calls(offline.requests)}), {offline.polls} polls; the route's "
            f"send {_ms(offline.route_seconds * 1000)} after the call, which "
            f"took {_ms(offline.call.seconds * 1000)} | | |"
        )
    if (silent := report.silent_failover) is not None:
        minutes, seconds = divmod(round(silent.route_seconds), 60)
        rows.append(
            f"| Failover, phone online but silent, `failover_after` "
            f"{silent.failover_after} min, a poll every {silent.scan_interval} s: "
            f"`send_sms` to {PROVIDER_NAMES[silent.provider]}'s send | "
            f"at poll {silent.polls} after the send, the "
            f"{_ordinal(silent.after_deadline)} at or after the deadline, "
            f"{minutes} min {seconds:02d} s after the send; "
            f"{sum(silent.requests.values())} requests ({_calls(silent.requests)}) "
            f"| | |"
        )
    return rows


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")


async def main_async(arguments: argparse.Namespace) -> Report:
    """Start Home Assistant in a scratch directory and run the bench in it."""

    def say(text: str) -> None:
        print(f"bench: {text}", file=sys.stderr, flush=True)

    sizes = QUICK if arguments.quick else Sizes()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="smsgateway24-bench-") as config_dir:
        async with (
            asyncio.timeout(RUN_TIMEOUT),
            home_assistant(config_dir) as (
                hass,
                base_url,
            ),
        ):
            report = await run(hass, base_url, sizes, say)
    # With Home Assistant's start and stop.
    report.seconds = time.perf_counter() - started
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bench; print the table, or JSON with --json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, no waits: a smoke run"
    )
    arguments = parser.parse_args(argv)
    report = asyncio.run(main_async(arguments))
    if arguments.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
