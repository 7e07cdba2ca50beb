"""Failover: what goes through a backup route when the phone cannot, and only once.

Each case reads in the simulator's request log what was sent, and where: the
phone's ``addsms`` (or ``addalotofsms``), seven's ``/sms``, UBill's
``/sms/send``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
import logging
from types import MappingProxyType
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.smsgateway24.clients import seven
from custom_components.smsgateway24.clients.smsgateway24 import (
    SmsGateway24Error,
    SmsGateway24TimeoutError,
)
from custom_components.smsgateway24.const import (
    DOMAIN,
    EVENT_SMS_STATUS,
)
from simulator.demo import (
    DEMO_SEVEN_API_KEY,
    DEMO_UBILL_API_KEY,
    DEMO_UBILL_BRAND_ID,
)
from tests.components.common import (
    PHONE,
    SEVEN,
    UBILL,
    add_route,
    device_id,
    go_offline,
    logbook_describer,
    on_disk,
    poll,
    power_cut,
    restart,
    route_device,
    sends,
    set_up_again,
)
from tests.conftest import RunningSimulator

pytestmark = pytest.mark.usefixtures("frozen_time")

ANNA = "+4915700000001"
BEN = "+4915700000002"
ALERT = "Water leak in the cellar"


def route_calls(simulator: RunningSimulator) -> list[tuple[str, str]]:
    """What the routes' providers were asked, in order."""
    return [
        (request.provider, request.method)
        for request in simulator.sim.requests
        if request.provider != "smsgateway24"
    ]


def seven_recipients(simulator: RunningSimulator) -> list[str]:
    """The recipients of each seven send, as the request carried them."""
    return [
        str(request.fields["to"])
        for request in simulator.sim.requests
        if (request.provider, request.method) == SEVEN
    ]


async def send_sms(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Call send_sms and return its response."""
    response = await hass.services.async_call(
        DOMAIN, "send_sms", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


@contextmanager
def answer_lost(entry: MockConfigEntry, method: str = "send_sms") -> Iterator[None]:
    """The phone's send reaches the provider, but its answer never comes back."""
    client = entry.runtime_data.client
    real = getattr(client, method)

    async def sent_then_lost(*args: Any, **kwargs: Any) -> None:
        await real(*args, **kwargs)
        raise SmsGateway24TimeoutError("No answer to 'addsms' within 15 s")

    with patch.object(client, method, sent_then_lost):
        yield


def statuses(events: list[Event[Any]]) -> list[tuple[Any, str, str, Any]]:
    """Each status event's id, route, status and the message it replaces."""
    return [
        (
            event.data["sms_id"],
            event.data["route"],
            event.data["status"],
            event.data["failover_of"],
        )
        for event in events
    ]


@pytest.fixture
def entry(init_integration: MockConfigEntry) -> MockConfigEntry:
    """The demo account's entry, set up."""
    return init_integration


async def test_offline_phone_fails_over_at_once(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Offline: seven sends in the same call; nothing is queued on the phone.

    Its statuses fire with ``route: seven``, for the phone it stood in for,
    and ``failover_of`` null: the phone never had the message.
    """
    route_id = add_route(hass, entry, simulator, "seven")
    await go_offline(simulator, entry, simulator.pixel)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    simulator.sim.clear_requests()

    response = await send_sms(hass, phone=[ANNA, BEN], message=ALERT)

    assert sends(simulator) == [SEVEN]
    assert seven_recipients(simulator) == [f"{ANNA},{BEN}"]
    sent = simulator.sim.seven.messages
    ids = [message.id for message in sent.values()]
    assert [(m.recipient, m.text, m.sender) for m in sent.values()] == [
        (ANNA[1:], ALERT, "House"),
        (BEN[1:], ALERT, "House"),
    ]
    assert response == {
        "messages": [
            {
                "sms_id": ids[0],
                "phone": ANNA,
                "route": "seven",
                "encoding": "GSM-7",
                "parts": 1,
            },
            {
                "sms_id": ids[1],
                "phone": BEN,
                "route": "seven",
                "encoding": "GSM-7",
                "parts": 1,
            },
        ],
        "sms_ids": ids,
    }

    simulator.sim.clear_requests()
    await poll(hass, freezer)
    simulator.sim.tick()
    simulator.sim.tick()
    await poll(hass, freezer)
    assert statuses(events) == [
        (ids[0], "seven", "pending", None),
        (ids[1], "seven", "pending", None),
        (ids[0], "seven", "delivered", None),
        (ids[1], "seven", "delivered", None),
    ]
    last = events[-1].data
    assert (last["device_id"], last["gateway_device_id"], last["final"]) == (
        device_id(hass, simulator.pixel),
        simulator.pixel,
        True,
    )
    assert last["status_code"] == "DELIVERED"
    assert sends(simulator) == []
    assert entry.runtime_data.tracker.tracked == {}
    # The phone's event entity records what was sent in its place.
    state = hass.states.get("event.pixel_7_sms")
    assert state is not None
    assert state.attributes["event_type"] == "sms_delivered"
    assert (state.attributes["route"], state.attributes["failover_of"]) == (
        "seven",
        None,
    )
    describe = logbook_describer(hass, EVENT_SMS_STATUS)
    assert describe(events[-1])["message"] == (
        f"SMS to {BEN} delivered (via seven.io backup, instead of Pixel 7)"
    )
    assert route_id in entry.runtime_data.routes


async def test_offline_phone_fails_over_to_ubill(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """UBill takes the send as one id for both numbers; its report follows each."""
    add_route(hass, entry, simulator, "ubill")
    await go_offline(simulator, entry, simulator.pixel)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    simulator.sim.clear_requests()

    response = await send_sms(hass, phone=[ANNA, BEN], message=ALERT)

    assert sends(simulator) == [UBILL]
    (request,) = (r for r in simulator.sim.requests if r.provider == "ubill")
    assert request.body == {
        "brandID": DEMO_UBILL_BRAND_ID,
        "numbers": [int(ANNA[1:]), int(BEN[1:])],
        "text": ALERT,
    }
    (sent,) = simulator.sim.ubill.sends.values()
    assert response["sms_ids"] == [sent.sms_id, sent.sms_id]
    assert [m["route"] for m in response["messages"]] == ["ubill", "ubill"]
    # Then UBill's balance, once.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [r.method for r in simulator.sim.requests if r.provider == "ubill"] == [
        "sms/send",
        "sms/balance",
    ]

    simulator.sim.tick()
    simulator.sim.clear_requests()
    await poll(hass, freezer)
    assert [r.method for r in simulator.sim.requests if r.provider == "ubill"] == [
        "sms/report"
    ]
    assert statuses(events) == [
        (sent.sms_id, "ubill", "sent", None),
        (sent.sms_id, "ubill", "sent", None),
    ]
    assert [e.data["phone"] for e in events] == [ANNA, BEN]
    assert events[0].data["status_code"] == 0


async def test_refused_send_fails_over_at_once(
    hass: HomeAssistant, simulator: RunningSimulator, entry: MockConfigEntry
) -> None:
    """The provider refuses the phone's send: nothing went out, seven sends it."""
    add_route(hass, entry, simulator, "seven")
    # The provider no longer knows the phone: it refuses every send from it.
    simulator.sim.remove_phone(simulator.pixel)
    simulator.sim.clear_requests()

    response = await send_sms(hass, phone=ANNA, message=ALERT)

    assert sends(simulator) == [PHONE, SEVEN]
    (addsms,) = (r for r in simulator.sim.requests if r.method == "addsms")
    assert addsms.status == 200
    assert [m["route"] for m in response["messages"]] == ["seven"]


async def test_refused_token_fails_over_and_asks_to_sign_in(
    hass: HomeAssistant, simulator: RunningSimulator, entry: MockConfigEntry
) -> None:
    """A refused token sends nothing: seven sends it, and the password is asked for."""
    add_route(hass, entry, simulator, "seven")
    simulator.sim.expire_token(entry.title)
    simulator.sim.clear_requests()

    await send_sms(hass, phone=ANNA, message=ALERT)
    await hass.async_block_till_done()

    assert sends(simulator) == [PHONE, SEVEN]
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_unclear_answer_without_a_deadline_is_an_error(
    hass: HomeAssistant, simulator: RunningSimulator, entry: MockConfigEntry
) -> None:
    """A timeout may mean accepted: with failover_after 0, an error and no resend."""
    add_route(hass, entry, simulator, "seven")
    simulator.sim.clear_requests()

    with answer_lost(entry), pytest.raises(HomeAssistantError) as err:
        await send_sms(hass, phone=ANNA, message=ALERT)

    assert err.value.translation_key == "send_failed"
    assert sends(simulator) == [PHONE]
    assert entry.runtime_data.tracker.unconfirmed == []


async def test_unclear_answer_is_found_and_failed_over_at_its_deadline(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The message of an unanswered send is found by a poll, and goes once through seven.

    Polls before the deadline send nothing; the poll after it sends through
    seven, naming the phone's message it replaces, and no later poll sends
    again, nor follows the phone's message.
    """
    add_route(hass, entry, simulator, "seven", failover_after=5)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    simulator.sim.clear_requests()

    with answer_lost(entry):
        response = await send_sms(hass, phone=ANNA, message=ALERT)

    assert response["messages"] == [
        {
            "sms_id": None,
            "phone": ANNA,
            "route": "phone",
            "encoding": "GSM-7",
            "parts": 1,
        }
    ]
    assert sends(simulator) == [PHONE]
    (queued,) = [
        m for m in simulator.sim.account(entry.title).messages if m.body == ALERT
    ]
    # The phone takes it, but never sends it.
    simulator.sim.tick()
    for _ in range(4):
        await poll(hass, freezer)
    assert sends(simulator) == [PHONE]
    assert statuses(events) == [(queued.id, "phone", "taken", None)]

    await poll(hass, freezer)
    await poll(hass, freezer)

    assert sends(simulator) == [PHONE, SEVEN]
    (failover,) = simulator.sim.seven.messages.values()
    assert (failover.recipient, failover.text) == (ANNA[1:], ALERT)
    simulator.sim.tick()
    for _ in range(3):
        await poll(hass, freezer)
    assert sends(simulator) == [PHONE, SEVEN]
    assert statuses(events)[1:] == [
        (failover.id, "seven", "pending", queued.id),
        (failover.id, "seven", "sent", queued.id),
    ]
    assert [t.sent.route for t in entry.runtime_data.tracker.tracked.values()] == [
        "seven"
    ]


async def test_unclear_answer_never_queued_fails_over_without_an_original(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An error page instead of the answer, nothing queued: seven sends at the deadline."""
    add_route(hass, entry, simulator, "seven", failover_after=5)
    # The route's first balance request is not the one to fail.
    await hass.async_block_till_done(wait_background_tasks=True)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    simulator.sim.clear_requests()
    simulator.sim.set_html_errors(1)

    await send_sms(hass, phone=ANNA, message=ALERT)
    freezer.tick(timedelta(minutes=5))
    await poll(hass, freezer)

    assert sends(simulator) == [PHONE, SEVEN]
    await poll(hass, freezer)
    assert statuses(events)[0][1:] == ("seven", "pending", None)


async def test_phone_that_sends_in_time_is_not_failed_over(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Sent before the deadline: the deadline is gone, the route sends nothing."""
    add_route(hass, entry, simulator, "seven", failover_after=5)
    simulator.sim.clear_requests()

    response = await send_sms(hass, phone=ANNA, message=ALERT)
    simulator.sim.tick()
    simulator.sim.tick()
    await poll(hass, freezer)
    (tracked,) = entry.runtime_data.tracker.tracked.values()
    assert (tracked.sent.sms_id, tracked.failover_at) == (response["sms_ids"][0], None)
    for _ in range(10):
        await poll(hass, freezer)

    assert sends(simulator) == [PHONE]


async def test_silent_phone_fails_over_once_across_restarts(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone that stays silent: one failover at the deadline, kept over restarts."""
    add_route(hass, entry, simulator, "seven", failover_after=5)
    simulator.sim.clear_requests()
    response = await send_sms(hass, phone=ANNA, message=ALERT)
    (sms_id,) = response["sms_ids"]

    await restart(hass, entry)
    freezer.tick(timedelta(minutes=5))
    await restart(hass, entry)
    assert sends(simulator) == [PHONE, SEVEN]
    await restart(hass, entry)
    await poll(hass, freezer)

    assert sends(simulator) == [PHONE, SEVEN]
    (tracked,) = entry.runtime_data.tracker.tracked.values()
    assert (tracked.sent.route, tracked.sent.failover_of) == ("seven", sms_id)


async def test_power_cut_after_the_failover_was_written(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Cut between the failover's write and its request: never sent twice.

    What the disk held when seven was asked is what the next start finds: the
    failover in flight, which it does not send again, and says so.
    """
    add_route(hass, entry, simulator, "seven", failover_after=5)
    await send_sms(hass, phone=ANNA, message=ALERT)
    seven_client = next(iter(entry.runtime_data.routes.values())).client
    assert isinstance(seven_client, seven.Seven)
    real = seven_client.send_sms
    disk: list[dict[str, Any]] = []

    async def record_disk(*args: Any, **kwargs: Any) -> seven.SendResult:
        disk.append(on_disk(hass_storage, entry))
        return await real(*args, **kwargs)

    with patch.object(seven_client, "send_sms", record_disk):
        freezer.tick(timedelta(minutes=5))
        await poll(hass, freezer)
    assert sends(simulator)[-1] == SEVEN
    (in_flight,) = disk[0][f"{DOMAIN}.{entry.entry_id}.sent"]["data"]["in_flight"]
    assert (in_flight["phone"], in_flight["body"]) == (ANNA, ALERT)

    simulator.sim.clear_requests()
    await power_cut(hass, entry, hass_storage, disk[0])
    with caplog.at_level(logging.WARNING):
        await set_up_again(hass, entry)
    for _ in range(3):
        await poll(hass, freezer)

    assert sends(simulator) == []
    assert f"the message to {ANNA} was being sent through the fallback" in caplog.text
    assert hass_storage[f"{DOMAIN}.{entry.entry_id}.sent"]["data"]["in_flight"] == []


async def test_power_cut_before_the_failover(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Cut before the deadline: the message is on disk with it, and fails over once."""
    add_route(hass, entry, simulator, "seven", failover_after=5)
    await send_sms(hass, phone=ANNA, message=ALERT)
    await hass.async_block_till_done()
    written = on_disk(hass_storage, entry)
    simulator.sim.clear_requests()

    await power_cut(hass, entry, hass_storage, written)
    freezer.tick(timedelta(minutes=10))
    await set_up_again(hass, entry)
    await poll(hass, freezer)

    assert sends(simulator) == [SEVEN]


async def test_failure_to_send_fails_over_at_once(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The phone reports it could not send (no service): seven sends before the deadline."""
    add_route(hass, entry, simulator, "seven", failover_after=30)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    response = await send_sms(hass, phone=ANNA, message=ALERT)
    (sms_id,) = response["sms_ids"]
    simulator.sim.force_failure(sms_id=sms_id, status=10)
    simulator.sim.tick()
    simulator.sim.tick()
    simulator.sim.clear_requests()

    await poll(hass, freezer)

    assert sends(simulator) == [SEVEN]
    assert statuses(events) == [(sms_id, "phone", "no_service", None)]


async def test_not_delivered_is_not_failed_over(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Sent but not delivered: the phone did send it, so nothing else does."""
    add_route(hass, entry, simulator, "seven", failover_after=5)
    response = await send_sms(hass, phone=ANNA, message=ALERT)
    simulator.sim.force_failure(sms_id=response["sms_ids"][0], status=8)
    for _ in range(3):
        simulator.sim.tick()
    await poll(hass, freezer)
    freezer.tick(timedelta(minutes=10))
    await poll(hass, freezer)

    assert sends(simulator) == [PHONE]


@pytest.mark.parametrize(
    ("fallback", "failover", "provider_refusal"),
    [
        (True, False, False),
        (False, True, False),
        (True, False, True),
        (False, True, True),
    ],
    ids=[
        "offline_failover_off",
        "offline_no_route",
        "refused_failover_off",
        "refused_no_route",
    ],
)
async def test_without_failover_the_phone_alone_sends(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    *,
    fallback: bool,
    failover: bool,
    provider_refusal: bool,
) -> None:
    """``failover: false``, or no fallback route: queued on the offline phone; a refusal is an error."""
    add_route(hass, entry, simulator, "seven", fallback=fallback)
    await go_offline(simulator, entry, simulator.pixel)
    if provider_refusal:
        simulator.sim.remove_phone(simulator.pixel)
    simulator.sim.clear_requests()

    if provider_refusal:
        with pytest.raises(HomeAssistantError) as err:
            await send_sms(hass, phone=ANNA, message=ALERT, failover=failover)
        assert err.value.translation_key == "send_failed"
    else:
        response = await send_sms(hass, phone=ANNA, message=ALERT, failover=failover)
        assert response["messages"][0]["route"] == "phone"

    assert sends(simulator) == [PHONE]


async def test_route_device_sends_directly(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The route's device names the sender: seven sends, the phone is not asked."""
    route_id = add_route(hass, entry, simulator, "seven", fallback=False)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    simulator.sim.clear_requests()

    response = await send_sms(
        hass, phone=ANNA, message=ALERT, device_id=route_device(hass, route_id)
    )
    await poll(hass, freezer)

    assert sends(simulator) == [SEVEN]
    assert response["messages"][0]["route"] == "seven"
    (event,) = events
    assert (event.data["device_id"], event.data["gateway_device_id"]) == (
        route_device(hass, route_id),
        None,
    )
    describe = logbook_describer(hass, EVENT_SMS_STATUS)
    assert describe(event)["message"] == (
        f"SMS to {ANNA} pending (via seven.io backup seven backup)"
    )


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"channel": "whatsapp"}, "route_sms_only"),
        ({"channel": "sms", "image": "/config/door.png"}, "route_sms_only"),
    ],
)
async def test_route_device_sends_sms_only(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """WhatsApp, RCS and images have no route: refused, nothing sent."""
    route_id = add_route(hass, entry, simulator, "seven", fallback=False)
    simulator.sim.clear_requests()

    with pytest.raises(ServiceValidationError) as err:
        await send_sms(
            hass,
            phone=ANNA,
            message=ALERT,
            device_id=route_device(hass, route_id),
            **data,
        )

    assert err.value.translation_key == key
    assert sends(simulator) == []


@pytest.mark.parametrize(
    ("code", "words"),
    [(500, "not enough credit"), (900, "API key refused")],
    ids=["no_credit", "bad_key"],
)
async def test_route_refusal_is_an_error_and_nothing_else_sends(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    code: int,
    words: str,
) -> None:
    """seven refuses the failover: a translated error; the phone is not asked after."""
    add_route(hass, entry, simulator, "seven")
    await go_offline(simulator, entry, simulator.pixel)
    simulator.sim.seven.refuse(code, 1)
    simulator.sim.clear_requests()

    with pytest.raises(HomeAssistantError) as err:
        await send_sms(hass, phone=ANNA, message=ALERT)

    assert err.value.translation_key == "route_refused"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["route"] == "seven backup"
    assert err.value.translation_placeholders["phone"] == ANNA
    assert words in err.value.translation_placeholders["error"]
    assert sends(simulator) == [SEVEN]
    assert simulator.sim.seven.messages == {}


async def test_ubill_refusal_is_an_error(
    hass: HomeAssistant, simulator: RunningSimulator, entry: MockConfigEntry
) -> None:
    """UBill refuses for want of credit: an error naming it."""
    add_route(hass, entry, simulator, "ubill")
    await go_offline(simulator, entry, simulator.pixel)
    simulator.sim.ubill.account(DEMO_UBILL_API_KEY).credits = 0
    simulator.sim.clear_requests()

    with pytest.raises(HomeAssistantError) as err:
        await send_sms(hass, phone=ANNA, message=ALERT)

    assert err.value.translation_key == "route_refused"
    assert err.value.translation_placeholders is not None
    assert "not enough balance" in err.value.translation_placeholders["error"]
    assert sends(simulator) == [UBILL]


async def test_unclear_route_answer_is_never_sent_again(
    hass: HomeAssistant, simulator: RunningSimulator, entry: MockConfigEntry
) -> None:
    """seven's answer is lost: an error saying it may have gone, and no second send."""
    add_route(hass, entry, simulator, "seven")
    await go_offline(simulator, entry, simulator.pixel)
    client = next(iter(entry.runtime_data.routes.values())).client
    assert isinstance(client, seven.Seven)
    real = client.send_sms

    async def sent_then_lost(*args: Any, **kwargs: Any) -> seven.SendResult:
        await real(*args, **kwargs)
        raise seven.SevenTimeoutError("No answer to 'sms' within 15 s")

    simulator.sim.clear_requests()
    with (
        patch.object(client, "send_sms", sent_then_lost),
        pytest.raises(HomeAssistantError) as err,
    ):
        await send_sms(hass, phone=ANNA, message=ALERT)

    assert err.value.translation_key == "route_unclear"
    assert sends(simulator) == [SEVEN]
    assert len(simulator.sim.seven.messages) == 1


async def test_partial_success_refuses_only_the_refused(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """seven takes one number and refuses the other (code 101): only it is an error.

    The accepted one is sent once and followed.
    """
    add_route(hass, entry, simulator, "seven")
    await go_offline(simulator, entry, simulator.pixel)
    # Seven digits: a number to the integration, too short for seven.
    short = "+1234567"
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    simulator.sim.clear_requests()

    with pytest.raises(HomeAssistantError) as err:
        await send_sms(hass, phone=[ANNA, short], message=ALERT)

    assert err.value.translation_key == "route_refused"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["phone"] == short
    assert err.value.translation_placeholders["error"] == "Invalid recipient"
    assert sends(simulator) == [SEVEN]
    (sent,) = simulator.sim.seven.messages.values()
    assert sent.recipient == ANNA[1:]
    await poll(hass, freezer)
    assert [(e.data["phone"], e.data["route"]) for e in events] == [(ANNA, "seven")]


async def test_deferred_failover_refused_is_logged(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At the deadline seven refuses: logged, not tried again, nothing followed."""
    add_route(hass, entry, simulator, "seven", failover_after=5)
    await send_sms(hass, phone=ANNA, message=ALERT)
    simulator.sim.seven.refuse(500, 1)
    simulator.sim.clear_requests()

    freezer.tick(timedelta(minutes=5))
    await poll(hass, freezer)
    await poll(hass, freezer)

    assert sends(simulator) == [SEVEN]
    assert f"refused the message to {ANNA}" in caplog.text
    assert entry.runtime_data.tracker.tracked == {}
    assert entry.runtime_data.tracker.in_flight == []


async def test_deadline_without_a_route_any_more(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The fallback route was removed before the deadline: nothing else sends."""
    route_id = add_route(hass, entry, simulator, "seven", failover_after=5)
    await send_sms(hass, phone=ANNA, message=ALERT)
    assert hass.config_entries.async_remove_subentry(entry, route_id)
    simulator.sim.clear_requests()

    freezer.tick(timedelta(minutes=5))
    await poll(hass, freezer)

    assert sends(simulator) == []
    assert "no fallback route" in caplog.text
    assert entry.runtime_data.tracker.tracked == {}


async def test_route_send_updates_its_balance(
    hass: HomeAssistant, simulator: RunningSimulator, entry: MockConfigEntry
) -> None:
    """seven's answer carries the balance: no request; UBill's is asked once."""
    seven_id = add_route(hass, entry, simulator, "seven", fallback=False)
    ubill_id = add_route(hass, entry, simulator, "ubill", fallback=False)
    await hass.async_block_till_done(wait_background_tasks=True)
    routes = entry.runtime_data.routes
    simulator.sim.clear_requests()

    await send_sms(
        hass, phone=ANNA, message=ALERT, device_id=route_device(hass, seven_id)
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    balance = routes[seven_id].balance
    assert balance is not None
    assert balance.data is not None
    assert (
        balance.data.amount == simulator.sim.seven.account(DEMO_SEVEN_API_KEY).balance
    )
    assert route_calls(simulator) == [SEVEN]

    simulator.sim.clear_requests()
    await send_sms(
        hass, phone=ANNA, message=ALERT, device_id=route_device(hass, ubill_id)
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    left = routes[ubill_id].balance
    assert left is not None
    assert left.data is not None
    assert left.data.amount == simulator.sim.ubill.account(DEMO_UBILL_API_KEY).credits
    assert route_calls(simulator) == [
        UBILL,
        ("ubill", "sms/balance"),
    ]

    # A refused send spent nothing: nothing is asked.
    simulator.sim.clear_requests()
    simulator.sim.ubill.account(DEMO_UBILL_API_KEY).credits = 0
    with pytest.raises(HomeAssistantError):
        await send_sms(
            hass, phone=ANNA, message=ALERT, device_id=route_device(hass, ubill_id)
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert ("ubill", "sms/balance") not in route_calls(simulator)


async def test_bulk_on_the_phone_is_one_request(
    hass: HomeAssistant, simulator: RunningSimulator, entry: MockConfigEntry
) -> None:
    """Each number its own text: one addalotofsms, one lookup of the ids."""
    simulator.sim.clear_requests()

    response = await send_sms(
        hass,
        messages=[
            {"phone": ANNA, "message": "Your parcel is at the door"},
            {"phone": "+49 157 0000 0002", "message": "Dinner at 8"},
        ],
    )

    assert simulator.api_calls() == ["addalotofsms", "getallsms"]
    ids = response["sms_ids"]
    assert [
        (simulator.sim.message(sms_id).sendto, simulator.sim.message(sms_id).body)
        for sms_id in ids
    ] == [(ANNA, "Your parcel is at the door"), (BEN, "Dinner at 8")]
    assert [m["route"] for m in response["messages"]] == ["phone", "phone"]
    assert {t.sent.sms_id for t in entry.runtime_data.tracker.tracked.values()} == set(
        ids
    )


async def test_bulk_ids_are_not_taken_from_an_earlier_send(
    hass: HomeAssistant, simulator: RunningSimulator, entry: MockConfigEntry
) -> None:
    """The same text to the same number just before: the bulk send's own id is found."""
    earlier = await send_sms(hass, phone=ANNA, message="Dinner at 8")

    response = await send_sms(
        hass,
        messages=[
            {"phone": ANNA, "message": "Dinner at 8"},
            {"phone": BEN, "message": "Dinner at 9"},
        ],
    )

    assert response["sms_ids"][0] not in earlier["sms_ids"]
    assert simulator.sim.message(response["sms_ids"][0]).body == "Dinner at 8"


async def test_bulk_through_a_route_is_one_request_per_text(
    hass: HomeAssistant, simulator: RunningSimulator, entry: MockConfigEntry
) -> None:
    """Three messages, two texts, the phone offline: two seven requests."""
    add_route(hass, entry, simulator, "seven")
    await go_offline(simulator, entry, simulator.pixel)
    simulator.sim.clear_requests()

    response = await send_sms(
        hass,
        messages=[
            {"phone": ANNA, "message": "Gate open"},
            {"phone": BEN, "message": "Door open"},
            {"phone": "+4915700000003", "message": "Gate open"},
        ],
    )

    assert sends(simulator) == [SEVEN, SEVEN]
    assert sorted(seven_recipients(simulator)) == [f"{ANNA},+4915700000003", BEN]
    texts = {m.recipient: m.text for m in simulator.sim.seven.messages.values()}
    assert texts == {
        ANNA[1:]: "Gate open",
        BEN[1:]: "Door open",
        "4915700000003": "Gate open",
    }
    assert sorted(m["phone"] for m in response["messages"]) == [
        ANNA,
        BEN,
        "+4915700000003",
    ]


async def test_bulk_unclear_answer_is_followed_by_text(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """addalotofsms unanswered: each message is found by its text, none failed over."""
    add_route(hass, entry, simulator, "seven", failover_after=5)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    with answer_lost(entry, "send_bulk"):
        response = await send_sms(
            hass,
            messages=[
                {"phone": ANNA, "message": "Gate open"},
                {"phone": ANNA, "message": "Door open"},
            ],
        )
    assert response["sms_ids"] == [None, None]
    simulator.sim.tick()
    simulator.sim.tick()
    simulator.sim.tick()
    await poll(hass, freezer)
    freezer.tick(timedelta(minutes=10))
    await poll(hass, freezer)

    bodies = {
        simulator.sim.message(e.data["sms_id"]).body: e.data["status"] for e in events
    }
    assert bodies == {"Gate open": "delivered", "Door open": "delivered"}
    assert sends(simulator)[-1] == ("smsgateway24", "addalotofsms")


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (
            {"phone": ANNA, "messages": [{"phone": ANNA, "message": "x"}]},
            "messages_and_phone",
        ),
        (
            {"message": "x", "messages": [{"phone": ANNA, "message": "x"}]},
            "messages_and_phone",
        ),
        (
            {"messages": [{"phone": ANNA, "message": "x"}], "image": "/a.png"},
            "messages_and_image",
        ),
        ({"messages": []}, "invalid_phone"),
        ({"messages": [{"phone": "0157 1", "message": "x"}]}, "invalid_phone"),
        ({"messages": [{"phone": ANNA, "message": " "}]}, "empty_message"),
        ({"message": "x"}, "invalid_phone"),
    ],
)
async def test_bulk_refused(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """messages excludes phone and message; each item is checked; nothing is sent."""
    simulator.sim.clear_requests()
    with pytest.raises(ServiceValidationError) as err:
        await send_sms(hass, **data)
    assert err.value.translation_key == key
    assert sends(simulator) == []


@pytest.mark.parametrize(
    ("channel", "expected"),
    [("sms", [SEVEN]), ("whatsapp", [PHONE]), ("telegram", [])],
)
async def test_recipients_follow_the_policy_per_channel(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    channel: str,
    expected: list[tuple[str, str]],
) -> None:
    """The phone offline: an SMS recipient gets it through seven; other channels have no route."""
    add_route(hass, entry, simulator, "seven")
    address = "123456789" if channel == "telegram" else ANNA
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType({"channel": channel, "address": address}),
            subentry_type="recipient",
            title="Anna",
            unique_id=None,
        ),
    )
    await hass.async_block_till_done()
    await go_offline(simulator, entry, simulator.pixel)
    simulator.sim.clear_requests()

    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.anna", "message": ALERT},
        blocking=True,
    )

    assert sends(simulator) == expected
    if channel == "telegram":
        assert simulator.api_calls() == ["telegrammessage"]


async def test_seven_messages_are_followed_in_one_request_per_poll(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """However many seven messages are followed: one journal request a poll."""
    route_id = add_route(hass, entry, simulator, "seven", fallback=False)
    device = route_device(hass, route_id)
    for n in range(5):
        await send_sms(
            hass, phone=f"+49157000000{n:02d}", message=f"Alert {n}", device_id=device
        )
    simulator.sim.clear_requests()

    await poll(hass, freezer)

    seven_calls = [r for r in simulator.sim.requests if r.provider == "seven"]
    assert [(r.method, r.fields) for r in seven_calls] == [
        ("journal/outbound", {"date_from": "2026-11-20", "limit": "100"})
    ]
    assert simulator.api_calls() == ["journal/outbound", "getalldevices", "getallsms"]
    for _ in range(2):
        simulator.sim.tick()
    await poll(hass, freezer)
    simulator.sim.clear_requests()
    await poll(hass, freezer)
    assert simulator.api_calls() == ["getalldevices", "getallsms"]


async def test_seven_journal_is_read_further_back_while_messages_are_missing(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """More than a page sent: a second page finds the oldest; no third is asked."""
    route_id = add_route(hass, entry, simulator, "seven", fallback=False)
    numbers = [f"+491570000{n:04d}" for n in range(150)]
    await send_sms(
        hass, phone=numbers, message=ALERT, device_id=route_device(hass, route_id)
    )
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    simulator.sim.clear_requests()

    await poll(hass, freezer)

    journal = [
        r.fields.get("offset")
        for r in simulator.sim.requests
        if (r.provider, r.method) == ("seven", "journal/outbound")
    ]
    assert journal == [None, "100"]
    assert sorted(event.data["phone"] for event in events) == numbers


async def test_ubill_reports_are_bounded_per_poll(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Five UBill sends followed: three reports a poll, the least recently asked first."""
    route_id = add_route(hass, entry, simulator, "ubill", fallback=False)
    device = route_device(hass, route_id)
    for n in range(5):
        await send_sms(hass, phone=ANNA, message=f"Alert {n}", device_id=device)
    sms_ids = list(simulator.sim.ubill.sends)
    simulator.sim.clear_requests()

    def reports() -> list[str]:
        return [
            r.path.rsplit("/", 1)[1]
            for r in simulator.sim.requests
            if r.method == "sms/report"
        ]

    await poll(hass, freezer)
    first = reports()
    simulator.sim.clear_requests()
    await poll(hass, freezer)
    second = reports()

    assert len(first) == len(second) == 3
    assert set(first) | set(second) == set(sms_ids)


async def test_removed_route_is_no_longer_followed(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A route removed with messages followed: they are dropped, nothing asked."""
    route_id = add_route(hass, entry, simulator, "seven", fallback=False)
    await send_sms(
        hass, phone=ANNA, message=ALERT, device_id=route_device(hass, route_id)
    )
    assert hass.config_entries.async_remove_subentry(entry, route_id)
    simulator.sim.clear_requests()

    await poll(hass, freezer)

    assert simulator.api_calls() == ["getalldevices", "getallsms"]
    assert entry.runtime_data.tracker.tracked == {}


async def test_unreachable_route_is_asked_again_next_poll(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The journal fails: the poll goes on, and the next one asks again."""
    route_id = add_route(hass, entry, simulator, "seven", fallback=False)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    await send_sms(
        hass, phone=ANNA, message=ALERT, device_id=route_device(hass, route_id)
    )
    simulator.sim.seven.refuse(900, 1)

    await poll(hass, freezer)
    assert events == []
    assert entry.runtime_data.last_update_success
    await poll(hass, freezer)
    assert [e.data["status"] for e in events] == ["pending"]


async def test_logbook_names_the_route(
    hass: HomeAssistant, simulator: RunningSimulator, entry: MockConfigEntry
) -> None:
    """A failover's line names the route and the phone; old events read as the phone's."""
    describe: Callable[[Event], dict[str, str]] = logbook_describer(
        hass, EVENT_SMS_STATUS
    )
    data = {
        "device_id": device_id(hass, simulator.pixel),
        "gateway_device_id": simulator.pixel,
        "phone": ANNA,
        "status": "not_delivered",
        "final": True,
        "route": "ubill",
        "failover_of": 62051010,
    }
    assert describe(Event(EVENT_SMS_STATUS, data)) == {
        "name": "SMSGateway24",
        "message": (
            f"SMS to {ANNA} failed (not_delivered) (via UBill backup, instead of Pixel 7)"
        ),
        "icon": "mdi:message-alert",
    }
    direct = {**data, "device_id": None, "gateway_device_id": None, "route": "seven"}
    assert describe(Event(EVENT_SMS_STATUS, direct))["message"] == (
        f"SMS to {ANNA} failed (not_delivered) (via seven.io backup)"
    )


async def test_store_of_version_2_1_is_taken_over(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Messages and changes kept by the version before routes are the phone's."""
    key = f"{DOMAIN}.{config_entry.entry_id}.sent"
    stored = {"sms_id": 4711, "gateway_device_id": simulator.pixel, "phone": ANNA}
    hass_storage[key] = {
        "version": 2,
        "minor_version": 1,
        "key": key,
        "data": {
            "tracked": [{**stored, "status": 1, "since": "2026-11-20T11:59:00+00:00"}],
            "unfired": [{**stored, "status": 1}],
        },
    }
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass, freezer)

    assert statuses(events) == [(4711, "phone", "pending", None)]
    written = hass_storage[key]
    assert (written["version"], written["minor_version"]) == (2, 2)
    (tracked,) = written["data"]["tracked"]
    assert tracked == {
        **stored,
        "route": "phone",
        "route_id": None,
        "failover_of": None,
        "status": 1,
        "since": "2026-11-20T11:59:00+00:00",
        "failover_at": None,
        "body": None,
    }


async def test_failover_not_during_setup_but_right_after(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Due while Home Assistant was stopped: sent once the routes are set up."""
    add_route(hass, entry, simulator, "seven", failover_after=5)
    await send_sms(hass, phone=ANNA, message=ALERT)
    simulator.sim.clear_requests()

    def later() -> None:
        freezer.tick(timedelta(minutes=6))

    await restart(hass, entry, later)

    assert sends(simulator) == [SEVEN]


async def test_ids_the_lookup_missed_are_found_by_a_poll(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The ids' lookup after a send fails: under a deadline, a poll finds them by text."""
    add_route(hass, entry, simulator, "seven", failover_after=5)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    simulator.sim.clear_requests()
    with patch.object(
        entry.runtime_data.client,
        "get_messages",
        side_effect=SmsGateway24Error("lookup down"),
    ):
        response = await send_sms(hass, phone=[ANNA, BEN], message=ALERT)
    assert response["sms_ids"][1] is None

    await poll(hass, freezer)

    sent = [m for m in simulator.sim.account(entry.title).messages if m.body == ALERT]
    assert [(e.data["sms_id"], e.data["phone"]) for e in events] == [
        (message.id, message.sendto) for message in sent
    ]
    assert sends(simulator) == [PHONE]
