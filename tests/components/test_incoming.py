"""Received messages: each fires its event once, also across restarts and outages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import CoreState, Event, HomeAssistant, State
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    mock_restore_cache_with_extra_data,
)

from custom_components.smsgateway24 import async_remove_entry
from custom_components.smsgateway24.clients.smsgateway24 import Message
from custom_components.smsgateway24.const import (
    CONF_CATCH_UP_HOURS,
    EVENT_SMS_RECEIVED,
)
from simulator.demo import DEMO_EMAIL
from tests.components.common import (
    device_id,
    disk_at_each_event,
    finish_starting,
    logbook_describer,
    on_disk,
    poll,
    power_cut,
    restart,
    set_up_again,
    state,
)
from tests.conftest import RunningSimulator

PIXEL_EVENT = "event.pixel_7_sms"
PIXEL_LAST_MESSAGE = "sensor.pixel_7_last_message"
STORE_KEY = "smsgateway24.{}.incoming"


pytestmark = pytest.mark.usefixtures("frozen_time")


async def restart_later(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    while_stopped: Callable[[], None],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Restart the entry half an hour later; ``while_stopped`` happens in between."""

    def stopped() -> None:
        freezer.tick(timedelta(minutes=30))
        while_stopped()

    await restart(hass, entry, stopped)


async def test_message_fires_once_with_every_field(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A received message fires one event that says everything about it."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await poll(hass, freezer)
    sms_id = simulator.sim.inject_incoming(
        simulator.pixel, "+4915700000001", "ALARM OFF", sim=1
    )

    for _ in range(3):
        await poll(hass, freezer)

    assert len(events) == 1
    assert events[0].data == {
        "config_entry_id": init_integration.entry_id,
        "device_id": device_id(hass, simulator.pixel),
        "gateway_device_id": simulator.pixel,
        "sms_id": sms_id,
        "phone": "+4915700000001",
        "text": "ALARM OFF",
        "sim": 1,
        "received_at": "2026-11-20T12:01:00+00:00",
        "catch_up": False,
    }


async def test_event_entity_records_the_message(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The phone's event entity takes the bus event's data; the other phone's not."""
    before = hass.states.get(PIXEL_EVENT)
    assert before is not None
    assert before.state == "unknown"
    assert before.attributes["event_types"] == [
        "sms_received",
        "sms_delivered",
        "sms_failed",
    ]
    await poll(hass, freezer)
    sms_id = simulator.sim.inject_incoming(simulator.pixel, "+4915700000001", "Hi")
    await poll(hass, freezer)

    state = hass.states.get(PIXEL_EVENT)
    assert state is not None
    assert state.state == "2026-11-20T12:02:00.000+00:00"
    attributes = dict(state.attributes)
    assert attributes.pop("friendly_name") == "Pixel 7 SMS"
    assert attributes == {
        "event_types": ["sms_received", "sms_delivered", "sms_failed"],
        "event_type": "sms_received",
        "device_id": device_id(hass, simulator.pixel),
        "gateway_device_id": simulator.pixel,
        "sms_id": sms_id,
        "phone": "+4915700000001",
        "text": "Hi",
        "sim": 0,
        "received_at": "2026-11-20T12:01:00+00:00",
        "catch_up": False,
    }
    galaxy = hass.states.get("event.galaxy_a52_sms")
    assert galaxy is not None
    assert galaxy.state == "unknown"


async def test_last_message_sensor(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The sensor shows the last text, cut to 255 characters, with its sender."""
    await poll(hass, freezer)
    simulator.sim.inject_incoming(simulator.pixel, "+4915700000001", "first")
    long_text = "x" * 250 + "0123456789"
    sms_id = simulator.sim.inject_incoming(
        simulator.pixel, "+33700000002", long_text, sim=1
    )
    await poll(hass, freezer)

    state = hass.states.get(PIXEL_LAST_MESSAGE)
    assert state is not None
    assert state.state == long_text[:255]
    assert len(state.state) == 255
    assert state.attributes["sender"] == "+33700000002"
    assert state.attributes["received_at"] == "2026-11-20T12:01:00+00:00"
    assert state.attributes["sim"] == 1
    assert state.attributes["sms_id"] == sms_id


async def test_last_message_is_restored(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """After a restart the sensor shows the message of before, with its attributes."""
    attributes = {
        "sender": "+4915700000001",
        "received_at": "2026-11-19T08:00:00+00:00",
        "sim": 0,
        "sms_id": 7,
        "friendly_name": "Pixel 7 Last message",
    }
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(PIXEL_LAST_MESSAGE, "Good morning", attributes),
                {"native_value": "Good morning", "native_unit_of_measurement": None},
            )
        ],
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    state = hass.states.get(PIXEL_LAST_MESSAGE)
    assert state is not None
    assert state.state == "Good morning"
    assert dict(state.attributes) == attributes


async def test_500_messages_across_restarts_and_an_outage(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Polls, two restarts and an outage: 500 messages, 500 events, no duplicate."""
    sim = simulator.sim
    entry = init_integration
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    injected: list[int] = []
    while_stopped: list[int] = []

    def receive(count: int, *, stopped: bool = False) -> None:
        phones = (simulator.pixel, simulator.galaxy)
        for n in range(count):
            sms_id = sim.inject_incoming(
                phones[n % 2],
                f"+49157{len(injected):08d}",
                f"reading {len(injected)}",
                # Those received while stopped spread over the stop, out of order.
                received_at=sim.now()
                - timedelta(seconds=1 + (n * 7) % 1500 if stopped else 0),
            )
            injected.append(sms_id)
            if stopped:
                while_stopped.append(sms_id)

    async def receive_over_polls(polls: int, per_poll: int) -> None:
        for _ in range(polls):
            receive(per_poll)
            await poll(hass, freezer)

    await receive_over_polls(5, 20)
    await restart_later(hass, entry, lambda: receive(100, stopped=True), freezer)
    assert STORE_KEY.format(entry.entry_id) in hass_storage

    sim.set_html_errors(4)
    await receive_over_polls(4, 10)
    assert not entry.runtime_data.last_update_success
    await receive_over_polls(6, 10)
    await restart_later(hass, entry, lambda: receive(100, stopped=True), freezer)
    await receive_over_polls(4, 25)
    for _ in range(3):
        await poll(hass, freezer)

    fired = [event.data["sms_id"] for event in events]
    assert len(injected) == 500
    assert len(fired) == 500
    assert sorted(fired) == sorted(injected)
    catch_up = {event.data["sms_id"] for event in events if event.data["catch_up"]}
    assert catch_up == set(while_stopped)


async def test_catch_up_age_limit(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Messages older than the limit are skipped, with one line saying so."""
    sim = simulator.sim
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, CONF_CATCH_UP_HOURS: 1}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await poll(hass, freezer)

    def receive_while_stopped() -> None:
        freezer.tick(timedelta(hours=3))
        for hours in (2.5, 2, 1.5):
            sim.inject_incoming(
                simulator.pixel,
                "+4915700000001",
                "old",
                received_at=sim.now() - timedelta(hours=hours),
            )
        sim.inject_incoming(
            simulator.galaxy,
            "+4915700000002",
            "recent",
            received_at=sim.now() - timedelta(minutes=30),
        )

    caplog.set_level(logging.INFO)
    caplog.clear()
    await restart_later(hass, config_entry, receive_while_stopped, freezer)
    await poll(hass, freezer)

    assert [(e.data["text"], e.data["catch_up"]) for e in events] == [("recent", True)]
    skipped = [r.getMessage() for r in caplog.records if "Skipped" in r.getMessage()]
    title = config_entry.title
    assert skipped == [
        f"Skipped 3 incoming messages of {title} older than the catch-up limit of 1 h"
    ]


async def test_removal_deletes_the_store(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """The cursor is kept on unload and deleted with the entry."""
    entry = init_integration
    key = STORE_KEY.format(entry.entry_id)
    sms_id = simulator.sim.inject_incoming(simulator.pixel, "+4915700000001", "Hi")
    await poll(hass, freezer)
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert str(sms_id) in hass_storage[key]["data"]["seen"]

    await async_remove_entry(hass, entry)

    assert key not in hass_storage


async def test_logbook_describes_the_message(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The logbook says who sent what to which phone."""
    describe = logbook_describer(hass, EVENT_SMS_RECEIVED)
    data = {
        "config_entry_id": init_integration.entry_id,
        "device_id": device_id(hass, simulator.pixel),
        "gateway_device_id": simulator.pixel,
        "sms_id": 1,
        "phone": "+4915700000001",
        "text": "ALARM OFF, and a long story after it that the logbook leaves out",
        "sim": 0,
        "received_at": "2026-11-20T12:00:00+00:00",
        "catch_up": False,
    }

    assert describe(Event(EVENT_SMS_RECEIVED, data)) == {
        "name": "SMSGateway24",
        "message": "SMS received from +4915700000001 on Pixel 7: "
        "ALARM OFF, and a long story after it that the logb",
        "icon": "mdi:message-text",
    }
    unknown = data | {"device_id": None, "gateway_device_id": 99}
    assert describe(Event(EVENT_SMS_RECEIVED, unknown))["message"] == (
        "SMS received from +4915700000001 on 99: "
        "ALARM OFF, and a long story after it that the logb"
    )


async def test_cursor_of_version_1_is_taken_over(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Ids kept without dates by an earlier version still fire only once."""
    sim = simulator.sim
    key = STORE_KEY.format(config_entry.entry_id)
    taken = sim.inject_incoming(simulator.pixel, "+4915700000001", "taken")
    newest = sim.now()
    freezer.tick(timedelta(minutes=1))
    missed = sim.inject_incoming(simulator.pixel, "+4915700000001", "missed")
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {"newest": newest.isoformat(), "seen": [taken]},
    }
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)

    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    for _ in range(3):
        await poll(hass, freezer)

    fired = [event.data["sms_id"] for event in events]
    assert taken not in fired
    assert missed in fired
    assert hass_storage[key]["version"] == 2
    assert config_entry.runtime_data.cursor.seen[taken] == newest


async def test_new_phone_first_message_carries_its_device(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone and its first message in the same poll: the event names its device."""
    sim = simulator.sim
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await poll(hass, freezer)
    moto = sim.add_phone(DEMO_EMAIL, title="Moto G").id
    sms_id = sim.inject_incoming(moto, "+4915700000001", "first")

    await poll(hass, freezer)

    assert [(e.data["sms_id"], e.data["device_id"]) for e in events] == [
        (sms_id, device_id(hass, moto))
    ]
    assert events[0].data["device_id"] is not None
    # The phone's event entity, added by the same poll, records it too.
    moto_event = hass.states.get("event.moto_g_sms")
    assert moto_event is not None
    assert moto_event.attributes["sms_id"] == sms_id
    assert moto_event.attributes["device_id"] == device_id(hass, moto)


async def test_messages_wait_for_home_assistant_to_start(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Taken while it starts, messages fire once it has started, in order, written first."""
    sim = simulator.sim
    entry = init_integration
    key = STORE_KEY.format(entry.entry_id)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    disk = disk_at_each_event(hass, EVENT_SMS_RECEIVED, hass_storage, entry)
    await poll(hass, freezer)
    away: list[int] = []

    def receive_two() -> None:
        freezer.tick(timedelta(minutes=30))
        away.extend(
            sim.inject_incoming(simulator.pixel, "+4915700000001", text)
            for text in ("ALARM OFF", "LIGHTS ON")
        )

    await restart(hass, entry, receive_two, started=False)
    assert events == []
    # Taken and written before anything fires: a power cut now loses nothing.
    stored = hass_storage[key]["data"]
    assert [(m["sms_id"], m["catch_up"]) for m in stored["unfired"]] == [
        (away[0], True),
        (away[1], True),
    ]
    assert set(away) <= {int(sms_id) for sms_id in stored["seen"]}

    # A poll while Home Assistant is still starting: that message waits too.
    hass.set_state(CoreState.starting)
    away.append(sim.inject_incoming(simulator.galaxy, "+4915700000002", "late"))
    await poll(hass, freezer)
    assert events == []
    assert state(hass, PIXEL_EVENT) == "unknown"

    await finish_starting(hass)

    assert [(e.data["sms_id"], e.data["catch_up"]) for e in events] == [
        (sms_id, True) for sms_id in away
    ]
    assert events[0].data["device_id"] == device_id(hass, simulator.pixel)
    pixel_event = hass.states.get(PIXEL_EVENT)
    assert pixel_event is not None
    assert pixel_event.attributes["sms_id"] == away[1]
    # Each was on disk as fired when it fired: a power cut cannot repeat it.
    for written in disk:
        assert written[key]["data"]["unfired"] == []
        assert set(away) <= {int(sms_id) for sms_id in written[key]["data"]["seen"]}

    live = sim.inject_incoming(simulator.pixel, "+4915700000001", "now")
    await poll(hass, freezer)
    assert [(e.data["sms_id"], e.data["catch_up"]) for e in events[3:]] == [
        (live, False)
    ]


async def test_power_cut_after_a_message_fired(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Cut right after a message fired, one more arriving meanwhile: each fires once."""
    sim = simulator.sim
    entry = init_integration
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    disk = disk_at_each_event(hass, EVENT_SMS_RECEIVED, hass_storage, entry)
    await poll(hass, freezer)
    fired_before = sim.inject_incoming(simulator.pixel, "+4915700000001", "before")
    await poll(hass, freezer)
    assert [e.data["sms_id"] for e in events] == [fired_before]

    await power_cut(hass, entry, hass_storage, disk[-1])
    freezer.tick(timedelta(minutes=5))
    during = sim.inject_incoming(simulator.pixel, "+4915700000001", "during")
    await set_up_again(hass, entry, started=False)
    await finish_starting(hass)
    for _ in range(3):
        await poll(hass, freezer)

    assert [(e.data["sms_id"], e.data["catch_up"]) for e in events] == [
        (fired_before, False),
        (during, True),
    ]


async def test_power_cut_while_starting(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Cut before Home Assistant has started: what it took fires at the next start."""
    sim = simulator.sim
    entry = init_integration
    key = STORE_KEY.format(entry.entry_id)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await poll(hass, freezer)
    pushed = Message.from_push(
        {
            "sms_id": 990,
            "device_id": simulator.pixel,
            "address": "+4915700000003",
            "body": "pushed while starting",
            "date": "2026-11-20 12:01:30",
        }
    )

    def receive() -> None:
        freezer.tick(timedelta(minutes=1))
        sim.inject_incoming(simulator.pixel, "+4915700000001", "polled")

    await restart(hass, entry, receive, started=False)
    await entry.runtime_data.async_receive_pushed(pushed)
    held = on_disk(hass_storage, entry)
    assert [m["text"] for m in held[key]["data"]["unfired"]] == [
        "polled",
        "pushed while starting",
    ]

    await power_cut(hass, entry, hass_storage, held)
    # The phone no longer has the message: only the store knows it now.
    sim.account(DEMO_EMAIL).messages.clear()
    await set_up_again(hass, entry, started=False)
    assert events == []
    await finish_starting(hass)
    await poll(hass, freezer)

    assert [(e.data["text"], e.data["catch_up"]) for e in events] == [
        ("polled", True),
        ("pushed while starting", True),
    ]
    assert hass_storage[key]["data"]["unfired"] == []


async def test_message_in_the_second_of_the_start_is_live(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The provider dates to the second: a message of the start's own second is live."""
    freezer.move_to("2026-11-20 12:00:00.750+00:00")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms_id = simulator.sim.inject_incoming(simulator.pixel, "+4915700000001", "Hi")
    assert simulator.sim.message(sms_id).created < dt_util.utcnow()

    await poll(hass, freezer)

    assert [(e.data["sms_id"], e.data["catch_up"]) for e in events] == [(sms_id, False)]


async def test_store_of_version_2_1_is_taken_over(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A cursor kept before the messages not fired were kept fires nothing again."""
    sim = simulator.sim
    key = STORE_KEY.format(config_entry.entry_id)
    taken = sim.inject_incoming(simulator.pixel, "+4915700000001", "taken")
    newest = sim.now().isoformat()
    hass_storage[key] = {
        "version": 2,
        "minor_version": 1,
        "key": key,
        "data": {"newest": newest, "seen": {str(taken): newest}, "pushed": {}},
    }
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)

    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass, freezer)

    assert events == []
    assert hass_storage[key]["minor_version"] == 2
    assert hass_storage[key]["data"]["unfired"] == []
