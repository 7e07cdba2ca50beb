"""Push for backup routes: seven's signed delivery reports and UBill's callbacks.

Each route has a secret address of its own, derived from the entry's; a
refused push changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.smsgateway24.clients.seven import signature
from custom_components.smsgateway24.const import (
    DOMAIN,
    EVENT_SMS_STATUS,
)
from custom_components.smsgateway24.push import route_webhook_id
from simulator.seven import State, signed_webhook
from simulator.ubill import callback_url
from tests.components.common import add_route, poll, route_device
from tests.components.test_webhook import WEBHOOK_ID, push_entry_of
from tests.conftest import RunningSimulator

type Client = Callable[[], Awaitable[TestClient[Any, Any]]]

ANNA = "+4915700000001"

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
async def push_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The demo account's entry with push on, set up."""
    return await push_entry_of(hass, config_entry)


async def send_by_route(hass: HomeAssistant, route_id: str) -> str:
    """Send an alert to Anna through a route's device; return its id there."""
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"phone": ANNA, "message": "Smoke", "device_id": route_device(hass, route_id)},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    # The balance the send asks for is asked now, not in the test's requests.
    await hass.async_block_till_done(wait_background_tasks=True)
    sms_ids: list[str] = response["sms_ids"]  # type: ignore[assignment]
    return sms_ids[0]


def path(route_id: str) -> str:
    """The path of a route's push address."""
    return f"/api/webhook/{route_webhook_id(WEBHOOK_ID, route_id)}"


async def post_signed(
    client: Client,
    simulator: RunningSimulator,
    route_id: str,
    message_id: str,
    **signing: Any,
) -> int:
    """POST seven's signed delivery report of a message; return the status."""
    http = await client()
    url = str(http.make_url(path(route_id)))
    message = simulator.sim.seven.message(message_id)
    state = signing.pop("state", State.DELIVERED)
    now = signing.pop("now", simulator.sim.now())
    body, headers = signed_webhook(message, state, url, now=now, **signing)
    response = await http.post(path(route_id), data=body, headers=headers)
    return response.status


async def test_signed_delivery_report_fires_once(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
    freezer: FrozenDateTimeFactory,
) -> None:
    """seven's signed report fires at once; the poll that sees it later does not."""
    route_id = add_route(hass, push_entry, simulator, "seven", fallback=False)
    message_id = await send_by_route(hass, route_id)
    events = async_capture_events(hass, EVENT_SMS_STATUS)

    for path_only in (False, True):
        status = await post_signed(
            hass_client_no_auth,
            simulator,
            route_id,
            message_id,
            path_only=path_only,
        )
        assert status == HTTPStatus.OK
    await hass.async_block_till_done()
    simulator.sim.seven.set_state(
        [simulator.sim.seven.message(message_id).delivery],
        State.DELIVERED,
        simulator.sim.now(),
    )
    await poll(hass, freezer)

    assert [(e.data["sms_id"], e.data["route"], e.data["status"]) for e in events] == [
        (message_id, "seven", "delivered")
    ]
    assert push_entry.runtime_data.tracker.tracked == {}


@pytest.mark.parametrize(
    ("signing", "reason"),
    [
        ({"secret": "not-the-secret"}, "signature is wrong"),
        ({"now_shift": -600}, "too old"),
        ({"unsigned": True}, "not signed"),
    ],
    ids=["wrong_secret", "old", "unsigned"],
)
async def test_bad_signature_is_refused(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
    caplog: pytest.LogCaptureFixture,
    *,
    signing: dict[str, Any],
    reason: str,
) -> None:
    """A wrong, old or missing signature: 401, and the message's status stays."""
    route_id = add_route(hass, push_entry, simulator, "seven", fallback=False)
    message_id = await send_by_route(hass, route_id)
    events = async_capture_events(hass, EVENT_SMS_STATUS)

    if signing.pop("unsigned", False):
        http = await hass_client_no_auth()
        body = {
            "webhook_event": "dlr",
            "data": {"msg_id": message_id, "status": "DELIVERED"},
        }
        status = (await http.post(path(route_id), json=body)).status
    else:
        shift = signing.pop("now_shift", 0)
        status = await post_signed(
            hass_client_no_auth,
            simulator,
            route_id,
            message_id,
            now=simulator.sim.now() + timedelta(seconds=shift),
            **signing,
        )
    await hass.async_block_till_done()

    assert status == HTTPStatus.UNAUTHORIZED
    assert reason in caplog.text
    assert events == []
    (tracked,) = push_entry.runtime_data.tracker.tracked.values()
    assert tracked.status is None


async def test_route_without_signing_secret_refuses_every_push(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
) -> None:
    """Nothing to check a signature with: 403, even for a rightly signed report."""
    route_id = add_route(hass, push_entry, simulator, "seven", fallback=False)
    subentry = push_entry.subentries[route_id]
    hass.config_entries.async_update_subentry(
        push_entry,
        subentry,
        data={k: v for k, v in subentry.data.items() if k != "signing_secret"},
    )
    await hass.async_block_till_done()
    message_id = await send_by_route(hass, route_id)
    events = async_capture_events(hass, EVENT_SMS_STATUS)

    status = await post_signed(hass_client_no_auth, simulator, route_id, message_id)
    await hass.async_block_till_done()

    assert status == HTTPStatus.FORBIDDEN
    assert events == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"not json", HTTPStatus.BAD_REQUEST),
        (b'{"webhook_event": "dlr", "data": {}}', HTTPStatus.BAD_REQUEST),
        (b'{"webhook_event": "sms_mo", "data": {"text": "hi"}}', HTTPStatus.OK),
    ],
    ids=["not_json", "no_message", "other_event"],
)
async def test_signed_but_not_a_report(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
    *,
    body: bytes,
    expected: HTTPStatus,
) -> None:
    """Signed, but no delivery report: refused (or, another event, taken); nothing fires."""
    route_id = add_route(hass, push_entry, simulator, "seven", fallback=False)
    await send_by_route(hass, route_id)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    http = await hass_client_no_auth()
    url = str(http.make_url(path(route_id)))
    message = next(iter(simulator.sim.seven.messages.values()))
    _, headers = signed_webhook(message, State.DELIVERED, url, now=simulator.sim.now())
    # Signed over this body.
    headers["X-Signature"] = signature(
        message.account.signing_secret,
        timestamp=headers["X-Timestamp"],
        nonce=headers["X-Nonce"],
        method="POST",
        url=url,
        body=body,
    )

    response = await http.post(path(route_id), data=body, headers=headers)
    await hass.async_block_till_done()

    assert response.status == expected
    assert events == []


async def test_ubill_callback_prompts_exactly_one_report_fetch(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
) -> None:
    """UBill's callback: the report is fetched once, with the key; its status is not taken."""
    route_id = add_route(hass, push_entry, simulator, "ubill", fallback=False)
    sms_id = await send_by_route(hass, route_id)
    events = async_capture_events(hass, EVENT_SMS_STATUS)
    sent = simulator.sim.ubill.send_of(sms_id)
    delivery = sent.deliveries[ANNA[1:]]
    simulator.sim.tick()
    simulator.sim.clear_requests()
    http = await hass_client_no_auth()
    url = str(http.make_url(path(route_id)))
    # The callback claims delivered; the report says sent.
    claimed = callback_url(url, sent, delivery, key="anything", now=simulator.sim.now())
    claimed = claimed.replace("statusID=0", "statusID=1")

    response = await http.get(claimed.removeprefix(str(http.make_url(""))))
    await hass.async_block_till_done()

    assert response.status == HTTPStatus.OK
    assert [(r.provider, r.method) for r in simulator.sim.requests] == [
        ("ubill", "sms/report")
    ]
    assert [(e.data["sms_id"], e.data["status"]) for e in events] == [(sms_id, "sent")]


async def test_ubill_callback_for_another_send_fetches_nothing(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
) -> None:
    """A callback about a send not followed, or unreadable: no request to UBill."""
    route_id = add_route(hass, push_entry, simulator, "ubill", fallback=False)
    await send_by_route(hass, route_id)
    simulator.sim.clear_requests()
    http = await hass_client_no_auth()

    other = await http.get(
        path(route_id), params={"smsID": "999", "number": ANNA[1:], "statusID": "1"}
    )
    bad = await http.get(path(route_id), params={"number": ANNA[1:]})

    assert (other.status, bad.status) == (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)
    assert simulator.sim.requests == []


async def test_route_addresses_follow_the_routes(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
    hass_client_no_auth: Client,
) -> None:
    """Each route's address exists while the route and push do; it never changes."""
    route_id = add_route(hass, push_entry, simulator, "seven", fallback=False)
    await hass.async_block_till_done()
    route_hook = route_webhook_id(WEBHOOK_ID, route_id)
    assert route_hook in hass.data[webhook.DOMAIN]
    assert route_hook == route_webhook_id(WEBHOOK_ID, route_id)
    assert route_hook != route_webhook_id("other" * 8, route_id)

    assert hass.config_entries.async_remove_subentry(push_entry, route_id)
    await hass.async_block_till_done()
    assert route_hook not in hass.data[webhook.DOMAIN]

    other = add_route(hass, push_entry, simulator, "ubill", fallback=False)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(push_entry.entry_id)
    assert route_webhook_id(WEBHOOK_ID, other) not in hass.data[webhook.DOMAIN]


async def test_no_route_address_without_push(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Push off: no route listens either."""
    add_route(hass, init_integration, simulator, "seven", fallback=False)
    await hass.async_block_till_done()
    assert not any(
        handler["domain"] == DOMAIN
        for handler in hass.data.get(webhook.DOMAIN, {}).values()
    )


async def test_push_page_shows_each_routes_address(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    push_entry: MockConfigEntry,
) -> None:
    """The options' push page lists every route with its address."""
    hass.config.external_url = "https://home.example.com"
    seven_id = add_route(hass, push_entry, simulator, "seven", fallback=False)
    ubill_id = add_route(hass, push_entry, simulator, "ubill", fallback=False)
    result = await hass.config_entries.options.async_init(push_entry.entry_id)
    options = {
        key: value
        for key, value in push_entry.options.items()
        if key in {"scan_interval", "online_timeout", "catch_up_hours", "webhook"}
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**options, "device_id": str(simulator.galaxy)}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "push"
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    base = "https://home.example.com/api/webhook/"
    assert placeholders["route_urls"] == (
        f"- seven backup: {base}{route_webhook_id(WEBHOOK_ID, seven_id)}\n"
        f"- ubill backup: {base}{route_webhook_id(WEBHOOK_ID, ubill_id)}"
    )
