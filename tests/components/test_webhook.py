"""Push: the provider's webhooks, their checks, and polled copies firing once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any
from unittest.mock import patch

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CoreState, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.smsgateway24.clients.smsgateway24 import MessageStatus
from custom_components.smsgateway24.const import (
    CONF_WEBHOOK,
    CONF_WEBHOOK_ID,
    DOMAIN,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_STATUS,
)
from tests.components.common import device_id, finish_starting, followed, poll
from tests.conftest import RunningSimulator

WEBHOOK_ID = "0123456789abcdef" * 4
SENDER = "+4915700000001"

type Client = Callable[[], Awaitable[TestClient[Any, Any]]]


pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
async def push_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The demo account's entry with push on, set up."""
    return await push_entry_of(hass, config_entry)


async def push_entry_of(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the demo account's entry with push on."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            **config_entry.options,
            CONF_WEBHOOK: True,
            CONF_WEBHOOK_ID: WEBHOOK_ID,
        },
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


def incoming(sms_id: int, phone_id: int, **changes: Any) -> dict[str, Any]:
    """An incoming-message payload as the provider pushes it."""
    return {
        "address": SENDER,
        "date": "2026-11-20 12:01:00",
        "date_sent": "2026-11-20 12:00:58",
        "body": "ALARM OFF",
        "internal_id": 17,
        "channel_id": 1,
        "sms_id": sms_id,
        "device_id": phone_id,
        "device_name": "Pixel 7",
        "type": "text",
        **changes,
    }


async def post(
    client: Client, body: Any, webhook_id: str = WEBHOOK_ID
) -> ClientResponse:
    """POST a JSON payload (or raw text) to the webhook."""
    http = await client()
    if isinstance(body, str):
        return await http.post(f"/api/webhook/{webhook_id}", data=body)
    return await http.post(f"/api/webhook/{webhook_id}", json=body)


async def test_pushed_message_fires_once(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
) -> None:
    """A push fires the event with every field; the same push again does nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    for _ in range(2):
        response = await post(hass_client_no_auth, incoming(900, simulator.pixel))
        assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()

    assert [event.data for event in events] == [
        {
            "config_entry_id": push_entry.entry_id,
            "device_id": device_id(hass, simulator.pixel),
            "gateway_device_id": simulator.pixel,
            "sms_id": 900,
            "phone": SENDER,
            "text": "ALARM OFF",
            "sim": 1,
            "received_at": "2026-11-20T12:01:00+00:00",
            "catch_up": False,
        }
    ]
    state = hass.states.get("event.pixel_7_sms")
    assert state is not None
    assert state.attributes["sms_id"] == 900


@pytest.mark.parametrize("push_first", [True, False])
async def test_push_racing_a_poll_fires_once(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
    freezer: FrozenDateTimeFactory,
    push_first: bool,
) -> None:
    """Whether the push or the poll comes first, the message fires once."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await poll(hass, freezer)
    sms_id = simulator.sim.inject_incoming(simulator.pixel, SENDER, "ALARM OFF")
    payload = incoming(sms_id, simulator.pixel, channel_id=None, sim="0")
    if push_first:
        assert (await post(hass_client_no_auth, payload)).status == HTTPStatus.OK
    await poll(hass, freezer)
    if not push_first:
        assert (await post(hass_client_no_auth, payload)).status == HTTPStatus.OK
    await poll(hass, freezer)

    assert [(event.data["sms_id"], event.data["sim"]) for event in events] == [
        (sms_id, 0)
    ]


@pytest.mark.parametrize("phone_clock", [timedelta(hours=-1), timedelta(hours=1)])
async def test_push_then_poll_with_the_phone_clock_off(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
    freezer: FrozenDateTimeFactory,
    phone_clock: timedelta,
) -> None:
    """A push dated an hour off by the phone, then polled, fires once."""
    coordinator = push_entry.runtime_data
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await poll(hass, freezer)
    sms_id = simulator.sim.inject_incoming(simulator.pixel, SENDER, "ALARM OFF")
    phone_date = simulator.sim.now() + phone_clock
    payload = incoming(sms_id, simulator.pixel, date=int(phone_date.timestamp()))
    assert (await post(hass_client_no_auth, payload)).status == HTTPStatus.OK
    assert sms_id in coordinator.cursor.pushed

    for _ in range(3):
        await poll(hass, freezer)

    assert [event.data["sms_id"] for event in events] == [sms_id]
    # The poll saw it: it is kept with the provider's date from now on.
    assert sms_id not in coordinator.cursor.pushed
    created = simulator.sim.message(sms_id).created
    assert coordinator.cursor.seen[sms_id] == created
    assert coordinator.cursor.newest == created


async def test_pushed_id_the_polls_never_see_is_forgotten(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A pushed id no poll sees is kept for twice the overlap, then dropped."""
    coordinator = push_entry.runtime_data
    assert (await post(hass_client_no_auth, incoming(905, simulator.pixel))).status == (
        HTTPStatus.OK
    )
    await poll(hass, freezer, seconds=20 * 60)
    assert 905 in coordinator.cursor.pushed

    await poll(hass, freezer)
    assert 905 not in coordinator.cursor.pushed


async def test_push_does_not_move_the_poll_window(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A push dated far ahead by the phone's clock loses no polled message."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    tomorrow = datetime(2026, 11, 21, 12, tzinfo=UTC)
    payload = incoming(901, simulator.pixel, date=int(tomorrow.timestamp() * 1000))
    assert (await post(hass_client_no_auth, payload)).status == HTTPStatus.OK
    sms_id = simulator.sim.inject_incoming(simulator.pixel, SENDER, "polled")
    await poll(hass, freezer)

    assert [event.data["sms_id"] for event in events] == [901, sms_id]
    assert events[0].data["received_at"] == tomorrow.isoformat()
    # A date in seconds is read as such.
    payload = incoming(902, simulator.pixel, date=int(tomorrow.timestamp()))
    assert (await post(hass_client_no_auth, payload)).status == HTTPStatus.OK
    assert events[2].data["received_at"] == tomorrow.isoformat()


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2]",
        {"address": SENDER, "body": "no ids"},
        {"sms_id": 5, "device_id": "x", "address": SENDER},
        {"sms_id": 5, "device_id": 1, "body": "no sender"},
        {"sms_id": 5, "device_id": 1, "address": SENDER, "date": "yesterday"},
        {"sms_id": 5, "device_id": 1, "address": SENDER, "date": 10**20},
        {"sms_id": "x", "status_id": 7},
        {"sms_id": 5, "status_id": "delivered"},
    ],
)
async def test_bad_payload_is_refused(
    hass: HomeAssistant,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
    body: Any,
) -> None:
    """Bad JSON or missing fields: 400, nothing fired, nothing taken."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    seen = list(push_entry.runtime_data.cursor.seen)
    with patch.object(
        push_entry.runtime_data, "async_handle_status_push"
    ) as status_push:
        response = await post(hass_client_no_auth, body)
    assert response.status == HTTPStatus.BAD_REQUEST
    await hass.async_block_till_done()
    assert events == []
    assert list(push_entry.runtime_data.cursor.seen) == seen
    status_push.assert_not_called()


async def test_unknown_phone_is_refused(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
) -> None:
    """A payload for a phone that is not in the account is refused."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    with patch.object(
        push_entry.runtime_data, "async_handle_status_push"
    ) as status_push:
        message = await post(hass_client_no_auth, incoming(902, 999_999))
        report = await post(
            hass_client_no_auth, {"sms_id": 5, "status_id": 7, "device_id": 999_999}
        )
    assert message.status == HTTPStatus.NOT_FOUND
    assert report.status == HTTPStatus.NOT_FOUND
    await hass.async_block_till_done()
    assert events == []
    assert 902 not in push_entry.runtime_data.cursor.seen
    status_push.assert_not_called()


async def test_status_push_reaches_the_tracker(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
) -> None:
    """A delivery-status payload hands its message id and status to the coordinator."""
    payload = {
        "sms_id": "4711",
        "status_id": "7",
        "status_message": "Delivered",
        "sendto": SENDER,
        "senttime": "2026-11-20 11:59:00",
        "channel_id": 0,
        "device_id": simulator.pixel,
    }
    with patch.object(
        push_entry.runtime_data, "async_handle_status_push"
    ) as status_push:
        response = await post(hass_client_no_auth, payload)
    assert response.status == HTTPStatus.OK
    status_push.assert_called_once_with(4711, MessageStatus.DELIVERED)


async def test_webhook_only_while_on_and_loaded(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
) -> None:
    """The webhook goes with the entry; a wrong id or a GET finds nothing."""
    assert (await post(hass_client_no_auth, {}, "wrong")).status == HTTPStatus.OK
    http = await hass_client_no_auth()
    get = await http.get(f"/api/webhook/{WEBHOOK_ID}")
    assert get.status == HTTPStatus.METHOD_NOT_ALLOWED

    assert await hass.config_entries.async_unload(push_entry.entry_id)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await post(hass_client_no_auth, incoming(903, simulator.pixel))
    await hass.async_block_till_done()
    assert events == []
    assert WEBHOOK_ID not in hass.data[webhook.DOMAIN]


async def test_no_webhook_when_off(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Push is off by default: nothing listens."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert not any(
        handler["domain"] == DOMAIN
        for handler in hass.data.get(webhook.DOMAIN, {}).values()
    )


async def test_status_push_fires_the_status_event(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
) -> None:
    """A pushed delivery report of a message sent fires its status event."""
    coordinator = push_entry.runtime_data
    coordinator.async_track_sent([followed(4711, simulator.pixel, SENDER)])
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    payload = {"sms_id": 4711, "status_id": 7, "device_id": simulator.pixel}
    assert (await post(hass_client_no_auth, payload)).status == HTTPStatus.OK
    await hass.async_block_till_done()

    assert [(event.data["sms_id"], event.data["status"]) for event in events] == [
        (4711, "delivered")
    ]


async def test_pushes_wait_for_home_assistant_to_start(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    config_entry: MockConfigEntry,
    hass_client_no_auth: Client,
    hass_storage: dict[str, Any],
) -> None:
    """Pushed while it starts: answered once on disk, fired once it has started."""
    key = f"{DOMAIN}.{config_entry.entry_id}"
    hass.set_state(CoreState.not_running)
    push_entry = await push_entry_of(hass, config_entry)
    push_entry.runtime_data.async_track_sent([followed(4711, simulator.pixel, SENDER)])
    await hass.async_block_till_done()
    received = async_capture_events(hass, EVENT_SMS_RECEIVED)
    status = async_capture_events(hass, EVENT_SMS_STATUS)
    hass.set_state(CoreState.starting)

    for payload in (
        incoming(906, simulator.pixel),
        {"sms_id": 4711, "status_id": 7, "device_id": simulator.pixel},
        incoming(907, simulator.pixel, body="second"),
    ):
        assert (await post(hass_client_no_auth, payload)).status == HTTPStatus.OK
    await hass.async_block_till_done()

    assert (received, status) == ([], [])
    unfired = hass_storage[f"{key}.incoming"]["data"]["unfired"]
    assert [(m["sms_id"], m["catch_up"]) for m in unfired] == [(906, True), (907, True)]
    assert hass_storage[f"{key}.sent"]["data"]["unfired"] == [
        {
            "sms_id": 4711,
            "gateway_device_id": simulator.pixel,
            "phone": SENDER,
            "route": "phone",
            "route_id": None,
            "failover_of": None,
            "status": 7,
        }
    ]

    await finish_starting(hass)

    assert [(e.data["sms_id"], e.data["catch_up"]) for e in received] == [
        (906, True),
        (907, True),
    ]
    assert [(e.data["sms_id"], e.data["status"]) for e in status] == [
        (4711, "delivered")
    ]
