"""The poll of an account: what it costs, and that each incoming message shows once."""

from __future__ import annotations

from datetime import timedelta
import logging
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.smsgateway24.const import EVENT_SMS_RECEIVED
from custom_components.smsgateway24.coordinator import SmsGateway24Coordinator
from simulator.demo import DEMO_EMAIL
from simulator.models import Sim
from tests.components.common import poll
from tests.conftest import RunningSimulator

pytestmark = pytest.mark.usefixtures("frozen_time")


async def one_poll(
    hass: HomeAssistant, simulator: RunningSimulator, freezer: FrozenDateTimeFactory
) -> list[tuple[str, int]]:
    """Poll once; return each request's provider method and answer size."""
    simulator.sim.clear_requests()
    await poll(hass, freezer)
    return [
        (request.method, request.response_bytes) for request in simulator.sim.requests
    ]


def coordinator_of(entry: MockConfigEntry) -> SmsGateway24Coordinator:
    """The entry's coordinator."""
    coordinator = entry.runtime_data
    assert isinstance(coordinator, SmsGateway24Coordinator)
    return coordinator


async def test_poll_cost_does_not_grow_with_the_history(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three phones and 20,000 past messages cost what an empty history costs."""
    sim = simulator.sim
    sim.add_phone(
        DEMO_EMAIL, title="Moto G", sims=[Sim(slot=0, carrier="Free", country="fr")]
    )
    account = sim.account(DEMO_EMAIL)
    account.messages.clear()
    await poll(hass, freezer)
    assert len(coordinator_of(init_integration).data.phones) == 3

    empty_history = await one_poll(hass, simulator, freezer)
    now = sim.now()
    sim.add_history(
        account, 20_000, now - timedelta(days=365), now - timedelta(hours=1)
    )
    assert len(account.messages) == 20_000
    long_history = await one_poll(hass, simulator, freezer)

    assert len(long_history) <= 3
    assert long_history == empty_history
    assert [method for method, _ in long_history] == ["getalldevices", "getallsms"]
    window = sim.requests[-1].fields
    assert window["status"] == "5"
    assert window["begindate"] == "2026-11-20 11:45:00"
    assert coordinator_of(init_integration).data.new_incoming == ()


async def test_incoming_message_shows_once(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A message stays in the overlapping windows of later polls but shows once."""
    coordinator = coordinator_of(init_integration)
    sms_id = simulator.sim.inject_incoming(simulator.pixel, "+4915700000001", "Hi")

    shown = []
    for _ in range(5):
        await poll(hass, freezer)
        shown += [message.id for message in coordinator.data.new_incoming]

    assert shown == [sms_id]
    message = simulator.sim.message(sms_id)
    assert coordinator.cursor.begin == message.created - timedelta(minutes=10)


async def test_late_message_within_the_overlap(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A message uploaded late, dated before the newest seen, still shows once."""
    sim = simulator.sim
    coordinator = coordinator_of(init_integration)
    first = sim.inject_incoming(simulator.pixel, "+4915700000001", "first")
    await poll(hass, freezer)
    assert [message.id for message in coordinator.data.new_incoming] == [first]
    newest = coordinator.cursor.newest

    late = sim.inject_incoming(
        simulator.galaxy,
        "+33700000002",
        "late",
        received_at=sim.now() - timedelta(minutes=6),
    )
    same_second = sim.inject_incoming(
        simulator.pixel, "+4915700000003", "same second", received_at=newest
    )
    await poll(hass, freezer)
    assert [message.id for message in coordinator.data.new_incoming] == [
        late,
        same_second,
    ]
    assert coordinator.cursor.newest == newest

    await poll(hass, freezer)
    assert coordinator.data.new_incoming == ()


async def test_burst_within_the_overlap_fires_each_message_once(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """2,500 messages in five minutes, polled over and over: 2,500 events."""
    sim = simulator.sim
    coordinator = coordinator_of(init_integration)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    ids: list[int] = []
    for _ in range(5):
        ids += [
            sim.inject_incoming(
                simulator.pixel,
                "+4915700000001",
                f"reading {len(ids) + n}",
                received_at=sim.now() - timedelta(seconds=n % 60),
            )
            for n in range(500)
        ]
        await poll(hass, freezer)
    for _ in range(3):
        await poll(hass, freezer)

    fired = [event.data["sms_id"] for event in events]
    assert len(fired) == 2500
    assert sorted(fired) == sorted(ids)
    # Every id can still come back in a poll: none is forgotten yet.
    assert set(ids) <= coordinator.cursor.seen.keys()


async def test_seen_ids_are_forgotten_once_out_of_the_window(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An id is kept while its date is in the window, and dropped after."""
    sim = simulator.sim
    coordinator = coordinator_of(init_integration)
    old = sim.inject_incoming(simulator.pixel, "+4915700000001", "old")
    await poll(hass, freezer)
    assert old in coordinator.cursor.seen

    freezer.tick(timedelta(minutes=10))
    recent = sim.inject_incoming(simulator.pixel, "+4915700000001", "recent")
    await poll(hass, freezer)

    assert [message.id for message in coordinator.data.new_incoming] == [recent]
    assert old not in coordinator.cursor.seen
    assert recent in coordinator.cursor.seen


async def test_seen_ids_stay_within_the_safety_cap(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Past the cap the oldest ids are forgotten, with one warning."""
    sim = simulator.sim
    coordinator = coordinator_of(init_integration)
    await poll(hass, freezer)

    def receive(count: int) -> list[int]:
        return [
            sim.inject_incoming(simulator.pixel, "+4915700000001", f"reading {n}")
            for n in range(count)
        ]

    with patch("custom_components.smsgateway24.incoming.SEEN_IDS_LIMIT", 50):
        first = receive(60)
        await poll(hass, freezer)
        assert list(coordinator.cursor.seen) == first[10:]
        receive(5)
        await poll(hass, freezer)
        assert len(coordinator.cursor.seen) == 50

    warnings = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name.startswith("custom_components")
    ]
    assert [r.getMessage() for r in warnings] == [
        (
            "More than 50 incoming messages within 0:10:00: the ids of the oldest "
            "are forgotten, and those may fire again"
        )
    ]
