"""Every UBill client coroutine against the simulator, and what it received."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.smsgateway24.clients.ubill import (
    Callback,
    DeliveryStatus,
    NumberStatus,
    StatusCode,
    UBill,
    UBillApiError,
    UBillAuthenticationError,
    UBillResponseError,
    UBillTimeoutError,
)
from simulator.demo import (
    DEMO_UBILL_API_KEY,
    DEMO_UBILL_BRAND,
    DEMO_UBILL_BRAND_ID,
    DEMO_UBILL_CALLBACK_KEY,
    DEMO_UBILL_CREDITS,
    DEMO_UBILL_UNAUTHORIZED_BRAND,
    DEMO_UBILL_UNAUTHORIZED_BRAND_ID,
)
from simulator.ubill import PREFIX, Status
from tests.clients.common import RunningSimulator, every_text, only_request
from tests.clients.conftest import HOST, START, server_url

HEADERS = {"key": DEMO_UBILL_API_KEY}


# Sending


async def test_send_to_several_numbers_in_one_request(
    sim_server: RunningSimulator, client: UBill
) -> None:
    result = await client.send_sms(
        ["+995 555 12-34-56", "00995555654321", "995555123456"],
        "წყალი სარდაფში",
        brand_id=DEMO_UBILL_BRAND_ID,
    )

    request = only_request(sim_server, "ubill")
    assert (request.http_method, request.path, request.method) == (
        "POST",
        f"{PREFIX}/sms/send",
        "sms/send",
    )
    assert request.headers == HEADERS | {"Content-Type": "application/json"}
    assert request.fields == {}
    assert request.body == {
        "brandID": DEMO_UBILL_BRAND_ID,
        "numbers": [995555123456, 995555654321],
        "text": "წყალი სარდაფში",
    }
    assert result.numbers == ("995555123456", "995555654321")
    sent = sim_server.sim.ubill.send_of(result.sms_id)
    assert list(sent.deliveries) == ["995555123456", "995555654321"]
    assert sim_server.sim.ubill.account().credits == DEMO_UBILL_CREDITS - 2


async def test_a_scheduled_send_waits(
    sim_server: RunningSimulator, client: UBill
) -> None:
    later = START + timedelta(hours=2)

    result = await client.send_sms(
        "995555123456", "Reminder", brand_id=DEMO_UBILL_BRAND_ID, send_time=later
    )

    body = sim_server.sim.requests[-1].body
    assert isinstance(body, dict)
    # 14:00 UTC is 18:00 in Tbilisi.
    assert body["sendTime"] == "2026-03-10 18:00"
    sim_server.sim.tick()
    (waiting,) = await client.get_report(result.sms_id)
    sim_server.clock.set(later)
    sim_server.sim.tick()
    (moving,) = await client.get_report(result.sms_id)
    assert (waiting.status, moving.status) == (
        DeliveryStatus.AWAITING,
        DeliveryStatus.SENT,
    )


@pytest.mark.parametrize(
    ("brand_id", "message"),
    [
        (DEMO_UBILL_UNAUTHORIZED_BRAND_ID, "Brand is not authorized"),
        (99, "Brand not found"),
    ],
)
async def test_brand_refused(
    sim_server: RunningSimulator, client: UBill, brand_id: int, message: str
) -> None:
    with pytest.raises(UBillApiError) as caught:
        await client.send_sms("995555123456", "Hello", brand_id=brand_id)

    assert caught.value.code is StatusCode.BRAND_NOT_FOUND
    assert caught.value.provider_message == message
    assert (
        str(caught.value)
        == f"UBill refused the request: 10 (brand not found): {message}"
    )
    assert sim_server.sim.ubill.sends == {}


async def test_not_enough_credits(sim_server: RunningSimulator, client: UBill) -> None:
    sim_server.sim.ubill.account().credits = 1

    with pytest.raises(UBillApiError) as caught:
        await client.send_sms(
            ["995555123456", "995555654321"], "Hello", brand_id=DEMO_UBILL_BRAND_ID
        )

    assert caught.value.code is StatusCode.NOT_ENOUGH_BALANCE
    assert sim_server.sim.ubill.account().credits == 1


async def test_wrong_key(
    sim_server: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    wrong = "not-the-demo-key"
    api = UBill(api_key=wrong, url=sim_server.url + PREFIX, session=session)

    with pytest.raises(UBillAuthenticationError) as caught:
        await api.get_balance()

    assert str(caught.value) == "API key refused (HTTP 401)"
    assert wrong not in every_text(caught.value)
    (request,) = sim_server.sim.requests
    assert (request.status, request.headers) == (401, {"key": wrong})


@pytest.mark.parametrize(
    ("code", "error"), [(401, UBillAuthenticationError), (99, UBillApiError)]
)
async def test_refusals_switched_on(
    sim_server: RunningSimulator,
    client: UBill,
    code: int,
    error: type[Exception],
) -> None:
    sim_server.sim.ubill.refuse(code, 1)

    with pytest.raises(error):
        await client.send_sms("995555123456", "Hello", brand_id=DEMO_UBILL_BRAND_ID)

    assert sim_server.sim.ubill.sends == {}
    assert await client.get_balance() == DEMO_UBILL_CREDITS


# Balance and brands


async def test_balance(sim_server: RunningSimulator, client: UBill) -> None:
    left = await client.get_balance()

    request = only_request(sim_server, "ubill")
    assert (request.http_method, request.path, request.method) == (
        "GET",
        f"{PREFIX}/sms/balance",
        "sms/balance",
    )
    assert request.headers == HEADERS
    assert (request.fields, request.body) == ({}, None)
    assert left == DEMO_UBILL_CREDITS


async def test_brands(sim_server: RunningSimulator, client: UBill) -> None:
    brands = await client.get_brands()

    request = only_request(sim_server, "ubill")
    assert (request.http_method, request.path) == ("GET", f"{PREFIX}/sms/brandNames")
    assert request.headers == HEADERS
    assert [(b.id, b.name, b.authorized, b.created) for b in brands] == [
        (DEMO_UBILL_BRAND_ID, DEMO_UBILL_BRAND, True, START),
        (DEMO_UBILL_UNAUTHORIZED_BRAND_ID, DEMO_UBILL_UNAUTHORIZED_BRAND, False, START),
    ]


# Delivery reports


async def test_report_follows_the_ticks(
    sim_server: RunningSimulator, client: UBill
) -> None:
    result = await client.send_sms(
        ["995555123456", "995555654321"], "Hello", brand_id=DEMO_UBILL_BRAND_ID
    )
    sim_server.sim.clear_requests()

    seen = []
    for _ in range(4):
        seen.append(await client.get_report(result.sms_id))
        sim_server.sim.tick()

    request = sim_server.sim.requests[0]
    assert (request.http_method, request.path, request.method) == (
        "GET",
        f"{PREFIX}/sms/report/{result.sms_id}",
        "sms/report",
    )
    assert request.headers == HEADERS
    assert [[row.status for row in rows] for rows in seen] == [
        [DeliveryStatus.AWAITING] * 2,
        [DeliveryStatus.SENT] * 2,
        [DeliveryStatus.DELIVERED] * 2,
        [DeliveryStatus.DELIVERED] * 2,
    ]
    assert [row.number for row in seen[-1]] == list(result.numbers)


@pytest.mark.parametrize(
    ("status", "path"),
    [
        (Status.NOT_DELIVERED, [DeliveryStatus.SENT, DeliveryStatus.NOT_DELIVERED]),
        (Status.ERROR, [DeliveryStatus.ERROR, DeliveryStatus.ERROR]),
    ],
)
async def test_forced_failures(
    sim_server: RunningSimulator,
    client: UBill,
    status: Status,
    path: list[DeliveryStatus],
) -> None:
    result = await client.send_sms("995555123456", "Hi", brand_id=DEMO_UBILL_BRAND_ID)
    sim_server.sim.ubill.force_failure(
        sim_server.sim.ubill.deliveries(result.sms_id), status
    )

    seen = []
    for _ in path:
        sim_server.sim.tick()
        (row,) = await client.get_report(result.sms_id)
        seen.append(row.status)

    assert seen == path
    assert seen[-1].final
    assert seen[-1].failed


async def test_report_of_an_unknown_send(client: UBill) -> None:
    with pytest.raises(UBillApiError) as caught:
        await client.get_report("1")

    assert caught.value.code is StatusCode.GENERAL_ERROR
    assert caught.value.provider_message == "SMS not found"


# The delivery callback


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[tuple[str, list[Callback]]]:
    """A web server taking UBill's callbacks: its URL and the callbacks it read."""
    taken: list[Callback] = []

    async def hook(request: web.Request) -> web.Response:
        callback = Callback.from_query(request.query)
        if not callback.key_matches(DEMO_UBILL_CALLBACK_KEY):
            return web.Response(status=403, text="Forbidden")
        taken.append(callback)
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_get("/api/webhook/{hook_id}", hook)
    async with TestServer(app, host=HOST) as server:
        yield server_url(server) + "/api/webhook/abc123", taken


async def test_callback_prompts_a_report(
    sim_server: RunningSimulator,
    client: UBill,
    session: aiohttp.ClientSession,
    receiver: tuple[str, list[Callback]],
) -> None:
    url, taken = receiver
    result = await client.send_sms(
        ["995555123456", "995555654321"], "Hello", brand_id=DEMO_UBILL_BRAND_ID
    )
    sim_server.sim.tick()

    async with session.post(
        f"{sim_server.url}/_sim/ubill/callback",
        json={"url": url, "sms_id": result.sms_id, "number": "995555654321"},
    ) as response:
        assert await response.json() == {"status": 200}

    (callback,) = taken
    assert (callback.sms_id, callback.number, callback.status) == (
        result.sms_id,
        "995555654321",
        DeliveryStatus.SENT,
    )
    assert callback.date == START
    assert DEMO_UBILL_CALLBACK_KEY not in repr(callback)
    rows = await client.get_report(callback.sms_id)
    assert NumberStatus(number="995555654321", status=DeliveryStatus.SENT) in rows


async def test_callback_with_a_wrong_key(
    sim_server: RunningSimulator,
    client: UBill,
    session: aiohttp.ClientSession,
    receiver: tuple[str, list[Callback]],
) -> None:
    url, taken = receiver
    result = await client.send_sms("995555123456", "Hi", brand_id=DEMO_UBILL_BRAND_ID)

    async with session.post(
        f"{sim_server.url}/_sim/ubill/callback",
        json={"url": url, "sms_id": result.sms_id, "key": "guessed"},
    ) as response:
        assert await response.json() == {"status": 403}
    assert taken == []


# Faults


async def test_html_error_page(sim_server: RunningSimulator, client: UBill) -> None:
    sim_server.sim.set_html_errors(1)

    with pytest.raises(UBillResponseError) as caught:
        await client.get_brands()

    assert str(caught.value) == "Answer to 'brandNames' is not a JSON object (HTTP 502)"
    assert len(await client.get_brands()) == 2


async def test_latency_beyond_the_timeout(
    sim_server: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    api = UBill(
        api_key=DEMO_UBILL_API_KEY,
        url=sim_server.url + PREFIX,
        session=session,
        request_timeout=0.2,
    )
    sim_server.sim.set_latency(60)

    with pytest.raises(UBillTimeoutError) as caught:
        await api.send_sms("995555123456", "Hi", brand_id=DEMO_UBILL_BRAND_ID)

    assert str(caught.value) == "No answer to 'send' within 0.2 s"
    assert DEMO_UBILL_API_KEY not in every_text(caught.value)
