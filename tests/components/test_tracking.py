"""Delivery tracking: each status change of a message sent fires once, also across restarts."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.smsgateway24 import async_remove_entry
from custom_components.smsgateway24.const import EVENT_SMS_STATUS
from custom_components.smsgateway24.coordinator import SmsGateway24Coordinator
from simulator.demo import DEMO_EMAIL
from tests.components.common import (
    device_id,
    disk_at_each_event,
    finish_starting,
    followed,
    logbook_describer,
    on_disk,
    poll,
    power_cut,
    restart,
    set_up_again,
)
from tests.conftest import RunningSimulator

PIXEL_EVENT = "event.pixel_7_sms"
RECIPIENT = "+4915700000009"
STORE_KEY = "smsgateway24.{}.sent"


pytestmark = pytest.mark.usefixtures("frozen_time")


async def send(
    entry: MockConfigEntry, simulator: RunningSimulator, to: str = RECIPIENT
) -> int:
    """Send a message from the Pixel through the client and track it."""
    coordinator: SmsGateway24Coordinator = entry.runtime_data
    sms_id = await coordinator.client.send_sms(
        to, "Water leak in the cellar", device_id=simulator.pixel
    )
    coordinator.async_track_sent([followed(sms_id, simulator.pixel, to)])
    return sms_id


def statuses(events: list[Event[Any]]) -> list[str]:
    """The status slugs of the captured events, in order."""
    return [event.data["status"] for event in events]


async def test_status_changes_fire_in_order_and_once(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Pending, taken, sent, delivered: one event each, however many polls see it."""
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    sms_id = await send(init_integration, simulator)

    for _ in range(4):
        await poll(hass, freezer)
        await poll(hass, freezer)
        simulator.sim.tick()
    for _ in range(3):
        await poll(hass, freezer)

    assert statuses(events) == ["pending", "taken", "sent", "delivered"]
    assert [event.data["final"] for event in events] == [False, False, False, True]
    assert events[-1].data == {
        "config_entry_id": init_integration.entry_id,
        "device_id": device_id(hass, simulator.pixel),
        "gateway_device_id": simulator.pixel,
        "sms_id": sms_id,
        "phone": RECIPIENT,
        "status": "delivered",
        "status_code": 7,
        "final": True,
        "route": "phone",
        "failover_of": None,
    }
    assert init_integration.runtime_data.tracker.tracked == {}

    state = hass.states.get(PIXEL_EVENT)
    assert state is not None
    assert state.attributes["event_type"] == "sms_delivered"
    assert state.attributes["event_types"] == [
        "sms_received",
        "sms_delivered",
        "sms_failed",
    ]
    assert state.attributes["sms_id"] == sms_id
    assert state.attributes["status"] == "delivered"
    assert "config_entry_id" not in state.attributes


@pytest.mark.parametrize(
    ("code", "slug", "steps"), [(9, "failed", 2), (8, "not_delivered", 3)]
)
async def test_failure_is_final(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    *,
    code: int,
    slug: str,
    steps: int,
) -> None:
    """A failure ends the tracking and shows as ``sms_failed`` on the phone."""
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    sms_id = await send(init_integration, simulator)
    simulator.sim.force_failure(sms_id=sms_id, status=code)

    for _ in range(steps):
        simulator.sim.tick()
    await poll(hass, freezer)
    await poll(hass, freezer)

    assert len(events) == 1
    assert events[0].data["status"] == slug
    assert events[0].data["status_code"] == code
    assert events[0].data["final"] is True
    assert init_integration.runtime_data.tracker.tracked == {}
    state = hass.states.get(PIXEL_EVENT)
    assert state is not None
    assert state.attributes["event_type"] == "sms_failed"
    assert state.attributes["status"] == slug


async def test_request_budget(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two requests a poll; one more, for all messages tracked, while any is."""
    sim = simulator.sim
    sim.clear_requests()
    await poll(hass, freezer)
    assert simulator.api_calls() == ["getalldevices", "getallsms"]

    events = async_capture_events(hass, EVENT_SMS_STATUS)
    tracked = [
        await send(init_integration, simulator, to=f"+49157000000{n:02d}")
        for n in range(5)
    ]
    # A message sent by other means is in the answer too, and left alone.
    await init_integration.runtime_data.client.send_sms(
        "+4915700000099", "sent elsewhere", device_id=simulator.pixel
    )
    sim.clear_requests()
    await poll(hass, freezer)
    assert simulator.api_calls() == ["getalldevices", "getallsms", "getallsms"]
    assert [event.data["sms_id"] for event in events] == tracked
    statuses_request = sim.requests[-1].fields
    assert "status" not in statuses_request
    assert statuses_request["begindate"] == "2026-11-20 11:51:00"
    # All left the Pixel: only the Pixel's messages are asked for.
    assert statuses_request["device_id"] == str(simulator.pixel)

    for _ in range(4):
        sim.tick()
    await poll(hass, freezer)
    sim.clear_requests()
    await poll(hass, freezer)
    assert simulator.api_calls() == ["getalldevices", "getallsms"]


async def test_messages_of_two_phones_are_followed_in_one_request(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Tracked messages on two phones: one request for both, not narrowed to a phone."""
    coordinator: SmsGateway24Coordinator = init_integration.runtime_data
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    from_pixel = await send(init_integration, simulator)
    from_galaxy = await coordinator.client.send_sms(
        RECIPIENT, "Front door open", device_id=simulator.galaxy
    )
    coordinator.async_track_sent([followed(from_galaxy, simulator.galaxy, RECIPIENT)])
    simulator.sim.clear_requests()

    await poll(hass, freezer)

    assert simulator.api_calls() == ["getalldevices", "getallsms", "getallsms"]
    assert "device_id" not in simulator.sim.requests[-1].fields
    assert sorted(event.data["sms_id"] for event in events) == sorted(
        [from_pixel, from_galaxy]
    )


async def test_tracking_survives_a_restart(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A restart neither repeats nor loses a status change."""
    entry = init_integration
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    sms_id = await send(entry, simulator)

    await restart(hass, entry)
    assert statuses(events) == ["pending"]

    await restart(hass, entry)
    assert statuses(events) == ["pending"]
    assert hass_storage[STORE_KEY.format(entry.entry_id)]["data"] == {
        "tracked": [
            {
                "sms_id": sms_id,
                "gateway_device_id": simulator.pixel,
                "phone": RECIPIENT,
                "route": "phone",
                "route_id": None,
                "failover_of": None,
                "status": 1,
                "since": "2026-11-20T12:00:00+00:00",
                "failover_at": None,
                "body": None,
            }
        ],
        "unfired": [],
        "in_flight": [],
    }

    simulator.sim.tick()
    await restart(hass, entry)
    assert statuses(events) == ["pending", "taken"]
    state = hass.states.get(PIXEL_EVENT)
    assert state is not None
    assert state.state == "unknown"

    simulator.sim.tick()
    simulator.sim.tick()
    await restart(hass, entry)
    assert statuses(events) == ["pending", "taken", "delivered"]
    state = hass.states.get(PIXEL_EVENT)
    assert state is not None
    assert state.attributes["event_type"] == "sms_delivered"

    await restart(hass, entry)
    await poll(hass, freezer)
    assert statuses(events) == ["pending", "taken", "delivered"]
    assert hass_storage[STORE_KEY.format(entry.entry_id)]["data"] == {
        "tracked": [],
        "unfired": [],
        "in_flight": [],
    }


async def test_a_start_with_nothing_new_writes_nothing(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """What a start reads back is not written again: the sent store stays as it was."""
    entry = init_integration
    await send(entry, simulator)
    await restart(hass, entry)
    written = hass_storage[STORE_KEY.format(entry.entry_id)]

    await restart(hass, entry)

    assert hass_storage[STORE_KEY.format(entry.entry_id)] is written
    assert written["data"]["tracked"]


async def test_unsent_status_is_kept_over_a_restart(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A message tracked but not polled yet is kept with no status."""
    entry = init_integration
    sms_id = await send(entry, simulator)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    stored = hass_storage[STORE_KEY.format(entry.entry_id)]["data"]["tracked"]
    assert [(m["sms_id"], m["status"]) for m in stored] == [(sms_id, None)]


async def test_tracking_stops_after_48_hours(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A message that stays pending is dropped quietly after 48 hours."""
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    sms_id = await send(init_integration, simulator)
    await poll(hass, freezer)
    freezer.tick(timedelta(hours=47, minutes=58))
    await poll(hass, freezer)
    assert init_integration.runtime_data.tracker.phone_keys().keys() == {sms_id}

    simulator.sim.clear_requests()
    with caplog.at_level(logging.DEBUG):
        await poll(hass, freezer)

    assert init_integration.runtime_data.tracker.tracked == {}
    assert simulator.api_calls() == ["getalldevices", "getallsms"]
    assert f"Stopped tracking message {sms_id}" in caplog.text
    assert statuses(events) == ["pending"]


async def test_pushed_status_fires_once(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A pushed status fires at once; a poll that sees it later does not fire again."""
    coordinator = init_integration.runtime_data
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    sms_id = await send(init_integration, simulator)
    await poll(hass, freezer)

    simulator.sim.tick()
    await coordinator.async_handle_status_push(sms_id, 2)
    await hass.async_block_till_done()
    assert statuses(events) == ["pending", "taken"]
    await poll(hass, freezer)
    await coordinator.async_handle_status_push(sms_id, 2)
    await hass.async_block_till_done()
    assert statuses(events) == ["pending", "taken"]

    await coordinator.async_handle_status_push(sms_id, 7)
    await hass.async_block_till_done()
    assert statuses(events) == ["pending", "taken", "delivered"]
    assert coordinator.tracker.tracked == {}

    simulator.sim.tick()
    simulator.sim.tick()
    with caplog.at_level(logging.DEBUG):
        await coordinator.async_handle_status_push(sms_id, 7)
        await poll(hass, freezer)
    assert statuses(events) == ["pending", "taken", "delivered"]
    assert f"Ignored a status of message {sms_id}" in caplog.text


async def test_store_is_removed_with_the_entry(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Removing the account removes its tracked messages."""
    entry = init_integration
    await send(entry, simulator)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    key = STORE_KEY.format(entry.entry_id)
    assert key in hass_storage

    await async_remove_entry(hass, entry)

    assert key not in hass_storage


async def test_logbook_describes_the_status(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The logbook says what became of a message, and from which phone."""
    describe = logbook_describer(hass, EVENT_SMS_STATUS)
    data = {
        "config_entry_id": init_integration.entry_id,
        "device_id": device_id(hass, simulator.pixel),
        "gateway_device_id": simulator.pixel,
        "sms_id": 1,
        "phone": RECIPIENT,
        "status": "delivered",
        "status_code": 7,
        "final": True,
    }

    def message(**changes: Any) -> str:
        return describe(Event(EVENT_SMS_STATUS, data | changes))["message"]

    assert describe(Event(EVENT_SMS_STATUS, data)) == {
        "name": "SMSGateway24",
        "message": f"SMS to {RECIPIENT} delivered (from Pixel 7)",
        "icon": "mdi:message-check",
    }
    assert message(status="not_delivered", status_code=8) == (
        f"SMS to {RECIPIENT} failed (not_delivered) (from Pixel 7)"
    )
    assert message(status="taken", status_code=2, final=False) == (
        f"SMS to {RECIPIENT} taken (from Pixel 7)"
    )
    assert message(device_id=None, gateway_device_id=99) == (
        f"SMS to {RECIPIENT} delivered (from 99)"
    )


async def test_status_changes_wait_for_home_assistant_to_start(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Seen while it starts, changes fire once it has started, each written first.

    A power cut before it has started loses none of them.
    """
    entry = init_integration
    key = STORE_KEY.format(entry.entry_id)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    disk = disk_at_each_event(hass, EVENT_SMS_STATUS, hass_storage, entry)
    sms_id = await send(entry, simulator)
    await poll(hass, freezer)
    assert statuses(events) == ["pending"]

    await restart(hass, entry, simulator.sim.tick, started=False)
    simulator.sim.tick()
    await poll(hass, freezer)
    assert statuses(events) == ["pending"]
    stored = hass_storage[key]["data"]
    assert [(c["sms_id"], c["status"]) for c in stored["unfired"]] == [
        (sms_id, 2),
        (sms_id, 6),
    ]
    assert [(t["sms_id"], t["status"]) for t in stored["tracked"]] == [(sms_id, 6)]

    # A power cut before it has started loses none of them.
    await power_cut(hass, entry, hass_storage, on_disk(hass_storage, entry))
    await set_up_again(hass, entry, started=False)
    await finish_starting(hass)

    assert statuses(events) == ["pending", "taken", "sent"]
    for written in disk:
        assert written[key]["data"]["unfired"] == []
    assert [t["status"] for t in disk[-1][key]["data"]["tracked"]] == [6]


async def test_power_cut_after_a_status_fired(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Cut right after a change fired: the next start neither repeats nor loses one."""
    entry = init_integration
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    disk = disk_at_each_event(hass, EVENT_SMS_STATUS, hass_storage, entry)
    await send(entry, simulator)
    await poll(hass, freezer)
    simulator.sim.tick()
    await poll(hass, freezer)
    assert statuses(events) == ["pending", "taken"]

    await power_cut(hass, entry, hass_storage, disk[-1])
    simulator.sim.tick()
    await set_up_again(hass, entry, started=False)
    await finish_starting(hass)
    await poll(hass, freezer)

    assert statuses(events) == ["pending", "taken", "sent"]


async def test_sent_message_is_written_at_once(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A message just sent is on disk before any poll: a power cut keeps it tracked."""
    entry = init_integration
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    sms_id = await send(entry, simulator)
    await hass.async_block_till_done()
    written = on_disk(hass_storage, entry)

    await power_cut(hass, entry, hass_storage, written)
    await set_up_again(hass, entry)

    assert [(e.data["sms_id"], e.data["status"]) for e in events] == [
        (sms_id, "pending")
    ]


async def test_store_of_version_1_is_taken_over(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """The tracked messages of version 1, a plain list, are followed on."""
    sim = simulator.sim
    (queued,) = sim.queue_messages(
        sim.account(DEMO_EMAIL),
        device_id=simulator.pixel,
        recipients=[RECIPIENT],
        body="Water leak in the cellar",
        sim=0,
    )
    key = STORE_KEY.format(config_entry.entry_id)
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": [
            {
                "sms_id": queued.id,
                "gateway_device_id": simulator.pixel,
                "phone": RECIPIENT,
                "status": 1,
                "since": "2026-11-20T12:00:00+00:00",
            }
        ],
    }
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    sim.tick()
    await poll(hass, freezer)

    assert [(e.data["sms_id"], e.data["status"]) for e in events] == [
        (queued.id, "taken")
    ]
    assert hass_storage[key]["version"] == 2
