"""UBill's API in the simulator, over HTTP, and its control routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from simulator.demo import (
    DEMO_UBILL_API_KEY,
    DEMO_UBILL_BRAND,
    DEMO_UBILL_BRAND_ID,
    DEMO_UBILL_CALLBACK_KEY,
    DEMO_UBILL_CREDITS,
    DEMO_UBILL_UNAUTHORIZED_BRAND,
    DEMO_UBILL_UNAUTHORIZED_BRAND_ID,
    build_demo,
)
from simulator.ubill import PREFIX, TBILISI, Status, UBillAccount

from .conftest import START, Answer, Client, World

KEY = "sim-ubill-key"
OK = {"ok": True}
NUMBER = 995555123456


@pytest.fixture
def ubill(world: World) -> UBillAccount:
    """A UBill account with 10 SMS credits, one authorized brand and one not."""
    account = world.sim.ubill.add_account(KEY, sms_credits=10, callback_key="cb")
    world.sim.ubill.add_brand(account, "Alerts")
    world.sim.ubill.add_brand(account, "Waiting", authorized=False)
    return account


async def call(
    client: Client,
    endpoint: str,
    *,
    method: str = "GET",
    key: str | None = KEY,
    headers: dict[str, str] | None = None,
    **options: Any,
) -> Answer:
    """Call a UBill endpoint with the key in its header."""
    headers = (headers or {}) | ({} if key is None else {"key": key})
    return await client.request(method, f"{PREFIX}/{endpoint}", headers, **options)


async def send(client: Client, **body: Any) -> Answer:
    """POST a send as JSON, brand 1 and one number unless told otherwise."""
    payload = {"brandID": 1, "numbers": [NUMBER], "text": "Hello"} | body
    return await call(client, "sms/send", method="POST", json=payload)


# Sending


async def test_send(client: Client, world: World, ubill: UBillAccount) -> None:
    answer = await send(
        client, numbers=[NUMBER, "995555654321", NUMBER, "0555", 12], text="x" * 161
    )

    assert (answer.status, answer.content_type) == (200, "application/json")
    assert answer.json == {"statusID": 0, "smsID": "117345", "message": "Success"}
    sent = world.sim.ubill.send_of("117345")
    assert {number: d.state for number, d in sent.deliveries.items()} == {
        str(NUMBER): Status.AWAITING,
        "995555654321": Status.AWAITING,
        "0555": Status.ERROR,
        "12": Status.ERROR,
    }
    # Two valid numbers, two parts each.
    assert ubill.credits == 6
    (request,) = world.sim.requests
    assert (request.provider, request.method, request.path) == (
        "ubill",
        "sms/send",
        f"{PREFIX}/sms/send",
    )
    assert request.headers == {"key": KEY, "Content-Type": "application/json"}
    assert request.body == {
        "brandID": 1,
        "numbers": [NUMBER, "995555654321", NUMBER, "0555", 12],
        "text": "x" * 161,
    }


async def test_send_in_the_query(
    client: Client, world: World, ubill: UBillAccount
) -> None:
    answer = await call(
        client,
        "sms/send",
        key=None,
        params={
            "key": KEY,
            "brandID": "1",
            "numbers": f"{NUMBER},995555654321",
            "text": "Hello",
            "sendTime": "2026-03-10 17:00",
        },
    )

    assert answer.json["statusID"] == 0
    sent = world.sim.ubill.send_of("117345")
    assert list(sent.deliveries) == [str(NUMBER), "995555654321"]
    assert sent.send_time == START + timedelta(hours=1)


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"brandID": 3}, 10, "Brand not found"),
        ({"brandID": "two"}, 10, "Brand not found"),
        ({"brandID": 2}, 10, "Brand is not authorized"),
        ({"numbers": []}, 20, "Numbers not found"),
        ({"numbers": "995555123456"}, 20, "Numbers not found"),
        ({"text": " "}, 30, "Text is empty"),
        ({"text": None}, 30, "Text is empty"),
        ({"numbers": ["+995555123456", 5]}, 50, "No valid number"),
        ({"numbers": [NUMBER] * 11}, 0, None),
        ({"numbers": [NUMBER + n for n in range(11)]}, 40, "Not enough balance"),
        ({"sendTime": "2026-03-10 16:00"}, 99, "sendTime must be in the future"),
        ({"sendTime": "tomorrow"}, 99, "sendTime must be Y-m-d H:i"),
        ({"sendTime": 1}, 99, "sendTime must be Y-m-d H:i"),
    ],
)
@pytest.mark.usefixtures("ubill")
async def test_send_refused(
    client: Client,
    world: World,
    body: dict[str, Any],
    code: int,
    message: str | None,
) -> None:
    answer = await send(client, **body)

    assert answer.status == 200
    if message is None:
        assert answer.json["statusID"] == 0
        return
    assert answer.json == {"statusID": code, "message": message}
    assert world.sim.ubill.sends == {}
    assert world.sim.ubill.account(KEY).credits == 10


@pytest.mark.parametrize("body", ["{oops", "[1, 2]"])
async def test_bad_json(client: Client, ubill: UBillAccount, body: str) -> None:
    answer = await call(
        client,
        "sms/send",
        method="POST",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert answer.json == {"statusID": 90, "message": "Invalid JSON"}


@pytest.mark.parametrize("key", [None, "wrong"])
async def test_a_refused_key_is_plain_text(
    client: Client, ubill: UBillAccount, key: str | None
) -> None:
    for endpoint in ("sms/balance", "sms/brandNames", "sms/report/1"):
        answer = await call(client, endpoint, key=key)
        assert (answer.status, answer.content_type, answer.text) == (
            401,
            "text/plain",
            "Unauthorized",
        )


# Balance, brands, reports


async def test_balance_and_brands(client: Client, ubill: UBillAccount) -> None:
    balance = await call(client, "sms/balance")
    brands = await call(client, "sms/brandNames")

    assert balance.json == {"statusID": 0, "sms": "10"}
    assert brands.json == {
        "statusID": 0,
        "brands": [
            {
                "id": "1",
                "name": "Alerts",
                "authorized": "1",
                "createdAt": "2026-03-10 16:00:00",
            },
            {
                "id": "2",
                "name": "Waiting",
                "authorized": "0",
                "createdAt": "2026-03-10 16:00:00",
            },
        ],
    }


async def test_report_follows_the_ticks(
    client: Client, world: World, ubill: UBillAccount
) -> None:
    await send(client, numbers=[NUMBER, 12])

    seen = []
    for _ in range(4):
        answer = await call(client, "sms/report/117345")
        seen.append(answer.json)
        world.sim.tick()

    assert [entry["result"] for entry in seen] == [
        [
            {"number": str(NUMBER), "statusID": state},
            {"number": "12", "statusID": "4"},
        ]
        for state in ("3", "0", "1", "1")
    ]
    assert world.sim.requests[-1].method == "sms/report"


async def test_report_of_another_account_s_send(
    client: Client, world: World, ubill: UBillAccount
) -> None:
    other = world.sim.ubill.add_account("other", sms_credits=5)
    world.sim.ubill.add_brand(other, "Theirs")
    await send(client)

    answer = await call(client, "sms/report/117345", key="other")
    missing = await call(client, "sms/report/999")

    assert answer.json == {"statusID": 99, "message": "SMS not found"}
    assert missing.json == answer.json


@pytest.mark.parametrize(
    ("method", "endpoint"),
    [
        ("GET", "sms/status"),
        ("DELETE", "sms/send"),
        ("POST", "sms/balance"),
        ("GET", ""),
    ],
)
async def test_what_ubill_does_not_serve(
    client: Client, ubill: UBillAccount, method: str, endpoint: str
) -> None:
    answer = await call(client, endpoint, method=method)
    assert (answer.status, answer.content_type) == (404, "text/html")


# Control routes


async def test_control_accounts_balance_and_brands(
    client: Client, world: World
) -> None:
    assert await client.control(
        "POST", "ubill/accounts", {"api_key": "u1", "sms": 3, "callback_key": "c"}
    ) == (200, OK)
    account = world.sim.ubill.account("u1")
    assert (account.credits, account.callback_key) == (3, "c")
    assert await client.control("POST", "ubill/balance", {"sms": 50}) == (200, OK)
    assert account.credits == 50

    assert await client.control("POST", "ubill/brands", {"name": "First"}) == (
        200,
        {"id": 1},
    )
    assert await client.control(
        "POST", "ubill/brands", {"name": "Second", "authorized": False}
    ) == (200, {"id": 2})
    world.clock.advance(60)
    assert await client.control(
        "POST", "ubill/brands", {"name": "Second!", "id": 2, "authorized": True}
    ) == (200, {"id": 2})
    brand = account.brands[2]
    assert (brand.name, brand.authorized, brand.created) == ("Second!", True, START)

    assert await client.control("POST", "ubill/accounts", {"api_key": "u1"}) == (
        400,
        {"error": "a UBill account with this key exists"},
    )
    assert await client.control(
        "POST", "ubill/balance", {"api_key": "u9", "sms": 1}
    ) == (
        404,
        {"error": "not found: 'u9'"},
    )
    assert await client.control(
        "POST", "ubill/brands", {"name": "x", "authorized": "yes"}
    ) == (
        400,
        {"error": "authorized must be true or false"},
    )


async def test_control_without_an_account(client: Client) -> None:
    assert await client.control("POST", "ubill/balance", {"sms": 1}) == (
        404,
        {"error": "not found: no UBill account"},
    )


@pytest.mark.parametrize(
    ("code", "status", "text"),
    [(401, 401, "Unauthorized"), (40, 200, '{"statusID":40,"message":"Refused"}')],
)
async def test_control_refuse(
    client: Client, ubill: UBillAccount, code: int, status: int, text: str
) -> None:
    assert await client.control("POST", "ubill/refuse", {"code": code}) == (200, OK)

    refused = await call(client, "sms/balance")
    answered = await call(client, "sms/balance")

    assert (refused.status, refused.text) == (status, text)
    assert answered.json == {"statusID": 0, "sms": "10"}


async def test_control_fail_delay_and_status(
    client: Client, world: World, ubill: UBillAccount
) -> None:
    await send(client, numbers=[NUMBER, 995555654321])
    await send(client)
    first, second = world.sim.ubill.sends.values()
    one, two = first.deliveries.values()
    (three,) = second.deliveries.values()

    assert await client.control(
        "POST", "ubill/fail", {"sms_id": "117345", "number": "995555654321"}
    ) == (200, OK)
    assert await client.control(
        "POST", "ubill/delay", {"sms_id": "117346", "ticks": 1}
    ) == (200, OK)
    for _ in range(3):
        await client.control("POST", "tick")
    assert [d.state for d in (one, two, three)] == [
        Status.DELIVERED,
        Status.NOT_DELIVERED,
        Status.DELIVERED,
    ]

    await send(client)
    (four,) = world.sim.ubill.send_of("117347").deliveries.values()
    assert await client.control("POST", "ubill/fail", {"status": 4}) == (200, OK)
    await client.control("POST", "tick")
    assert four.state is Status.ERROR

    await send(client)
    (five,) = world.sim.ubill.send_of("117348").deliveries.values()
    assert await client.control("POST", "ubill/delay", {}) == (200, OK)
    await client.control("POST", "tick")
    held = five.state
    assert await client.control(
        "POST", "ubill/status", {"sms_id": "117348", "status": 0}
    ) == (200, OK)
    await client.control("POST", "tick")
    assert (held, five.state) == (Status.AWAITING, Status.DELIVERED)


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        ("ubill/fail", {"status": 1}, 400, "1 is not a failure state"),
        ("ubill/fail", {"status": 7}, 400, "7 is not a UBill status"),
        ("ubill/fail", {"sms_id": "1"}, 404, "not found: '1'"),
        ("ubill/fail", {"sms_id": "117345", "number": "1"}, 404, "not found: '1'"),
        ("ubill/status", {"sms_id": "117345"}, 400, "status is required"),
        ("ubill/refuse", {"code": "40"}, 400, "code must be a whole number"),
        ("ubill/callback", {"sms_id": "117345"}, 400, "url is required"),
        ("ubill/callback", {"url": "http://x", "sms_id": "1"}, 404, "not found: '1'"),
    ],
)
@pytest.mark.usefixtures("ubill")
async def test_control_refusals(
    client: Client,
    path: str,
    body: dict[str, Any],
    status: int,
    error: str,
) -> None:
    await send(client)
    assert await client.control("POST", path, body) == (status, {"error": error})


async def test_control_lists_sends(client: Client, ubill: UBillAccount) -> None:
    await send(client, numbers=[NUMBER, 12], text="Hi")

    assert await client.control("GET", "ubill/sends") == (
        200,
        [
            {
                "sms_id": "117345",
                "brand_id": 1,
                "text": "Hi",
                "numbers": {str(NUMBER): 3, "12": 4},
            }
        ],
    )


# Callbacks


@pytest.fixture
async def target(socket_enabled: None) -> AsyncIterator[tuple[str, list[web.Request]]]:
    """A server that answers 200 to what it is sent: its URL and the requests."""
    requests: list[web.Request] = []

    async def take(request: web.Request) -> web.Response:
        requests.append(request)
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", take)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("/callback")), requests


@pytest.mark.parametrize("query", ["", "?route=ubill"])
async def test_callback(
    client: Client,
    world: World,
    ubill: UBillAccount,
    target: tuple[str, list[web.Request]],
    query: str,
) -> None:
    url, requests = target
    await send(client, numbers=[NUMBER, 995555654321])
    world.sim.tick()
    world.clock.advance(5)

    assert await client.control(
        "POST", "ubill/callback", {"url": url + query, "sms_id": "117345"}
    ) == (200, {"status": 200})
    await client.control(
        "POST",
        "ubill/callback",
        {"url": url + query, "sms_id": "117345", "number": "995555654321", "key": "k"},
    )

    first, second = requests
    assert first.method == "GET"
    expected = {
        "key": "cb",
        "smsID": "117345",
        "number": str(NUMBER),
        "statusID": "0",
        "date": "2026-03-10 16:00:05",
    }
    if query:
        expected["route"] = "ubill"
    assert dict(first.query) == expected
    assert dict(second.query) == expected | {"number": "995555654321", "key": "k"}


async def test_callback_to_nowhere(client: Client, ubill: UBillAccount) -> None:
    await send(client)

    status, answer = await client.control(
        "POST", "ubill/callback", {"url": "http://127.0.0.1:9/cb", "sms_id": "117345"}
    )

    assert status == 502
    assert answer["error"].startswith("could not reach http://127.0.0.1:9/cb?key=cb")


# The demo account


def test_the_demo_account() -> None:
    sim = build_demo()
    account = sim.ubill.account()
    assert (account.api_key, account.credits, account.callback_key) == (
        DEMO_UBILL_API_KEY,
        DEMO_UBILL_CREDITS,
        DEMO_UBILL_CALLBACK_KEY,
    )
    assert [(b.id, b.name, b.authorized) for b in account.brands.values()] == [
        (DEMO_UBILL_BRAND_ID, DEMO_UBILL_BRAND, True),
        (DEMO_UBILL_UNAUTHORIZED_BRAND_ID, DEMO_UBILL_UNAUTHORIZED_BRAND, False),
    ]
    assert account.brands[1].created.tzinfo is not None
    assert TBILISI.key == "Asia/Tbilisi"
