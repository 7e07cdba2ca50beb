"""seven.io's API in the simulator, over HTTP, and its control routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
import hashlib
import hmac
import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from simulator.demo import (
    DEMO_SEVEN_API_KEY,
    DEMO_SEVEN_BALANCE,
    DEMO_SEVEN_SIGNING_SECRET,
    build_demo,
)
from simulator.seven import BERLIN, PREFIX, SevenAccount, State

from .conftest import START, Answer, Client, World

KEY = "sim-seven-key"
SECRET = "sim-signing-secret"
OK = {"ok": True}


@pytest.fixture
def seven(world: World) -> SevenAccount:
    """A seven account with 10 EUR of credit."""
    return world.sim.seven.add_account(KEY, balance=10.0, signing_secret=SECRET)


async def call(
    client: Client,
    endpoint: str,
    *,
    method: str = "POST",
    key: str | None = KEY,
    accept_json: bool = False,
    **options: Any,
) -> Answer:
    """Call a seven endpoint with the key in its header."""
    headers = {} if key is None else {"X-Api-Key": key}
    if accept_json:
        headers["Accept"] = "application/json"
    return await client.request(method, f"{PREFIX}/{endpoint}", headers, **options)


async def send(client: Client, **fields: str) -> Answer:
    """Send a form to `/sms`, asking for JSON."""
    return await call(client, "sms", data={"json": "1"} | fields)


# Sending


async def test_send_answers_per_recipient(
    client: Client, world: World, seven: SevenAccount
) -> None:
    answer = await send(
        client,
        to="+4917612345678,0049 151 1234-5678,0170 1234567",
        text="Door open",
        **{"from": "Home"},
        label="alarm",
        foreign_id="a-1",
    )

    assert (answer.status, answer.content_type) == (200, "application/json")
    assert answer.json == {
        "success": "100",
        "total_price": 0.225,
        "balance": 9.775,
        "debug": "false",
        "sms_type": "direct",
        "messages": [
            {
                "id": str(77229135982 + n),
                "sender": "Home",
                "recipient": recipient,
                "text": "Door open",
                "encoding": "gsm",
                "label": "alarm",
                "parts": 1,
                "price": 0.075,
                "success": True,
                "error": None,
                "error_text": None,
            }
            for n, recipient in enumerate(
                ["4917612345678", "4915112345678", "491701234567"]
            )
        ],
    }
    assert seven.balance == 9.775
    message = world.sim.seven.message("77229135982")
    assert (message.state, message.foreign_id, message.label, message.created) == (
        State.ACCEPTED,
        "a-1",
        "alarm",
        START,
    )
    (request,) = world.sim.requests
    assert (request.provider, request.method, request.path, request.headers) == (
        "seven",
        "sms",
        f"{PREFIX}/sms",
        {
            "X-Api-Key": KEY,
            "Accept": "*/*",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


async def test_plain_text_answers(client: Client, seven: SevenAccount) -> None:
    plain = await call(client, "sms", data={"to": "4917612345678", "text": "a"})
    with_ids = await call(
        client,
        "sms",
        data={"to": "4917612345678", "text": "b", "return_msg_id": "1"},
    )

    assert (plain.status, plain.content_type, plain.text) == (200, "text/plain", "100")
    assert with_ids.text == "100\n77229135983"


async def test_send_in_the_query_or_as_json(
    client: Client, world: World, seven: SevenAccount
) -> None:
    as_query = await call(
        client,
        "sms",
        method="GET",
        params={"to": "4917612345678", "text": "x", "json": "1"},
    )
    # The same text to the same number again: only no_reload lets it through.
    locked = await call(
        client,
        "sms",
        json={"to": "4917612345678", "text": "x", "json": 1, "no_reload": False},
    )
    unlocked = await call(
        client,
        "sms",
        json={"to": "4917612345678", "text": "x", "json": 1, "no_reload": True},
    )

    assert [a.json["success"] for a in (as_query, locked, unlocked)] == [
        "100",
        "402",
        "100",
    ]
    first, _, third = world.sim.requests
    assert (first.http_method, first.fields["to"], first.body) == (
        "GET",
        "4917612345678",
        None,
    )
    assert (third.fields, third.body) == (
        {},
        {"to": "4917612345678", "text": "x", "json": 1, "no_reload": True},
    )


async def test_the_deprecated_key_field(client: Client, seven: SevenAccount) -> None:
    answer = await call(client, "balance", method="GET", key=None, params={"p": KEY})
    assert answer.text == "10.0"


@pytest.mark.parametrize("key", [None, "wrong"])
async def test_a_refused_key_is_a_bare_code(
    client: Client, seven: SevenAccount, key: str | None
) -> None:
    for endpoint, method in [
        ("sms", "POST"),
        ("balance", "GET"),
        ("journal/outbound", "GET"),
    ]:
        answer = await call(
            client, endpoint, method=method, key=key, data={"json": "1"}
        )
        assert (answer.status, answer.content_type, answer.text) == (
            200,
            "text/plain",
            "900",
        )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"text": "x"}, "301"),
        ({"to": "4917612345678", "text": " "}, "305"),
        ({"to": "4917612345678", "text": "x" * 1521}, "401"),
        ({"to": "4917612345678", "text": "x", "from": "Far too long sender"}, "201"),
        ({"to": "4917612345678", "text": "x" * 1520}, "500"),
    ],
)
async def test_refused_as_a_whole(
    client: Client, world: World, seven: SevenAccount, fields: dict[str, str], code: str
) -> None:
    seven.balance = 0.5

    as_json = await send(client, **fields)
    as_text = await call(client, "sms", data=fields)

    assert as_json.json == {
        "success": code,
        "total_price": 0,
        "balance": 0.5,
        "debug": "false",
        "sms_type": "direct",
        "messages": [],
    }
    assert as_text.text == code
    assert world.sim.seven.messages == {}


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"delay": "tomorrow"}, "Invalid delay"),
        ({"foreign_id": "not allowed!"}, "Invalid foreign_id"),
    ],
)
async def test_undocumented_mistakes(
    client: Client, seven: SevenAccount, fields: dict[str, str], error: str
) -> None:
    answer = await send(client, to="4917612345678", text="x", **fields)
    assert (answer.status, answer.text) == (400, error)


@pytest.mark.parametrize(
    ("delay", "not_before"),
    [
        ("2026-03-10 14:30", datetime(2026, 3, 10, 14, 30, tzinfo=BERLIN)),
        ("2026-03-10 14:30:15", datetime(2026, 3, 10, 14, 30, 15, tzinfo=BERLIN)),
        (str(int(START.timestamp()) + 60), START + timedelta(minutes=1)),
    ],
)
async def test_delays(
    client: Client, world: World, seven: SevenAccount, delay: str, not_before: datetime
) -> None:
    await send(client, to="4917612345678", text="x", delay=delay)
    assert world.sim.seven.message("77229135982").delivery.not_before == not_before


async def test_debug_sends_and_charges_nothing(
    client: Client, world: World, seven: SevenAccount
) -> None:
    answer = await send(client, to="4917612345678", text="Привет", debug="1")

    assert answer.json["debug"] == "true"
    assert answer.json["total_price"] == 0
    (message,) = answer.json["messages"]
    assert (message["id"], message["price"], message["encoding"]) == (None, 0, "ucs2")
    assert world.sim.seven.messages == {}
    assert seven.balance == 10.0


async def test_recipients_refused_one_by_one(
    client: Client, world: World, seven: SevenAccount
) -> None:
    await send(client, to="4917612345678", text="Door open")

    partly = await send(
        client, to="4917612345678,4915112345678,Group1", text="Door open"
    )
    none = await send(client, to="123,Group1", text="x")

    assert partly.json["success"] == "101"
    assert [
        (m["recipient"], m["success"], m["error"], m["error_text"])
        for m in partly.json["messages"]
    ] == [
        ("4917612345678", False, "402", "Reload lock"),
        ("4915112345678", True, None, None),
        ("Group1", False, "202", "Invalid recipient"),
    ]
    assert partly.json["total_price"] == 0.075
    assert none.json["success"] == "202"
    assert len(world.sim.seven.messages) == 2
    # The lock is over after 180 seconds.
    world.clock.advance(180)
    again = await send(client, to="4917612345678", text="Door open")
    assert again.json["success"] == "100"


# Balance


async def test_balance_in_both_shapes(client: Client, seven: SevenAccount) -> None:
    bare = await call(client, "balance", method="GET")
    as_json = await call(client, "balance", method="GET", accept_json=True)

    assert (bare.content_type, bare.text) == ("text/plain", "10.0")
    assert as_json.json == {"amount": 10.0, "currency": "EUR"}


# The journal


async def test_journal_entries(
    client: Client, world: World, seven: SevenAccount
) -> None:
    await send(client, to="4917612345678", text="Door open", foreign_id="a-1")
    world.clock.advance(10)
    world.sim.tick()

    answer = await call(client, "journal/outbound", method="GET")

    assert answer.json == [
        {
            "id": "77229135982",
            "from": "seven.io",
            "to": "4917612345678",
            "text": "Door open",
            "timestamp": "2026-03-10 13:00:00",
            "price": "0.075",
            "dlr": "TRANSMITTED",
            "dlr_timestamp": "2026-03-10 13:00:10",
            "channel": "SMS",
            "type": "direct",
            "connection": "http",
            "label": None,
            "foreign_id": "a-1",
            "latency": None,
            "mccmnc": None,
        }
    ]


async def test_journal_filters(
    client: Client, world: World, seven: SevenAccount
) -> None:
    other = world.sim.seven.add_account("other-key", balance=1.0)
    for n in range(3):
        await send(client, to=f"491761234567{n}", text=f"Message {n}")
        world.clock.advance(3600)
    await call(
        client, "sms", key=other.api_key, data={"to": "4917612345670", "text": "x"}
    )

    async def ids(**params: str) -> list[str]:
        answer = await call(client, "journal/outbound", method="GET", params=params)
        assert answer.status == 200, answer.text
        return [entry["id"] for entry in answer.json]

    assert await ids() == ["77229135984", "77229135983", "77229135982"]
    assert await ids(id="77229135983") == ["77229135983"]
    assert await ids(to="+49 176 12345670") == ["77229135982"]
    assert await ids(date_from="2026-03-10 14:00:00") == ["77229135984", "77229135983"]
    assert await ids(date_to="2026-03-10 14:00:00") == ["77229135983", "77229135982"]
    assert await ids(date_from="2026-03-11") == []
    assert await ids(date_to="2026-03-10") == [
        "77229135984",
        "77229135983",
        "77229135982",
    ]
    assert await ids(state="accepted") == ["77229135984", "77229135983", "77229135982"]
    assert await ids(state="DELIVERED") == []
    assert await ids(limit="2", offset="1") == ["77229135983", "77229135982"]
    assert await ids(limit="1000") == ["77229135984", "77229135983", "77229135982"]
    for params in ({"limit": "many"}, {"offset": "-1"}, {"date_from": "10.03.2026"}):
        answer = await call(client, "journal/outbound", method="GET", params=params)
        assert answer.status == 400


# Faults shared with the other providers, and what seven does not serve


async def test_faults_apply_to_seven(
    client: Client, world: World, seven: SevenAccount
) -> None:
    world.sim.set_html_errors(1)
    world.sim.set_latency(0.001)

    failed = await call(client, "balance", method="GET")
    answered = await call(client, "balance", method="GET")

    assert (failed.status, failed.content_type) == (502, "text/html")
    assert answered.text == "10.0"
    assert [request.status for request in world.sim.requests] == [502, 200]


@pytest.mark.parametrize(
    ("method", "endpoint"),
    [("GET", "status"), ("DELETE", "sms"), ("POST", "balance"), ("GET", "")],
)
async def test_what_seven_does_not_serve(
    client: Client, seven: SevenAccount, method: str, endpoint: str
) -> None:
    answer = await call(client, endpoint, method=method)
    assert (answer.status, answer.content_type) == (404, "text/html")


# Control routes


async def test_control_accounts_and_balance(client: Client, world: World) -> None:
    assert await client.control("POST", "seven/balance", {"amount": 1}) == (
        404,
        {"error": "not found: no seven account"},
    )
    status, answer = await client.control(
        "POST", "seven/accounts", {"api_key": "k1", "balance": 5, "currency": "CHF"}
    )
    assert status == 200
    account = world.sim.seven.account("k1")
    assert (account.balance, account.currency) == (5, "CHF")
    assert answer == {"signing_secret": account.signing_secret}
    assert len(account.signing_secret) == 32
    await client.control(
        "POST", "seven/accounts", {"api_key": "k2", "signing_secret": "s"}
    )
    assert world.sim.seven.account("k2").signing_secret == "s"

    assert await client.control("POST", "seven/balance", {"amount": 0.5}) == (200, OK)
    assert await client.control(
        "POST", "seven/balance", {"amount": 7, "api_key": "k2"}
    ) == (200, OK)
    assert (account.balance, world.sim.seven.account("k2").balance) == (0.5, 7)
    assert await client.control("POST", "seven/accounts", {"api_key": "k1"}) == (
        400,
        {"error": "a seven account with this key exists"},
    )
    assert await client.control(
        "POST", "seven/balance", {"api_key": "k9", "amount": 1}
    ) == (
        404,
        {"error": "not found: 'k9'"},
    )
    assert await client.control("POST", "seven/balance", {}) == (
        400,
        {"error": "amount is required"},
    )


async def test_control_refuse(client: Client, seven: SevenAccount) -> None:
    assert await client.control("POST", "seven/refuse", {"code": 600, "count": 2}) == (
        200,
        OK,
    )
    texts = [(await call(client, "balance", method="GET")).text for _ in range(3)]
    assert texts == ["600", "600", "10.0"]


async def test_control_fail_delay_and_status(
    client: Client, world: World, seven: SevenAccount
) -> None:
    for n in range(3):
        await send(client, to=f"491761234567{n}", text="x")
    first, second, third = world.sim.seven.messages.values()

    assert await client.control(
        "POST", "seven/fail", {"msg_id": first.id, "state": "expired"}
    ) == (200, OK)
    assert await client.control("POST", "seven/fail", {"state": "REJECTED"}) == (
        200,
        OK,
    )
    assert await client.control(
        "POST", "seven/delay", {"msg_id": third.id, "ticks": 1}
    ) == (200, OK)
    for _ in range(3):
        assert await client.control("POST", "tick") == (200, OK)
    assert [m.state for m in (first, second, third)] == [
        State.EXPIRED,
        State.REJECTED,
        State.DELIVERED,
    ]

    await send(client, to="4917612345679", text="y")
    fourth = world.sim.seven.message("77229135985")
    assert await client.control("POST", "seven/delay", {}) == (200, OK)
    await client.control("POST", "tick")
    held = fourth.state
    assert await client.control(
        "POST", "seven/status", {"msg_id": fourth.id, "state": "buffered"}
    ) == (200, OK)
    await client.control("POST", "tick")
    assert (held, fourth.state) == (State.ACCEPTED, State.DELIVERED)


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        ("seven/fail", {"state": "DELIVERED"}, 400, "DELIVERED is not a failure state"),
        ("seven/fail", {"state": "LOST"}, 400, "LOST is not a seven delivery state"),
        ("seven/fail", {"msg_id": "1"}, 404, "not found: '1'"),
        ("seven/delay", {"ticks": -5}, 400, "ticks must be -1 or more"),
        ("seven/status", {"msg_id": "1", "state": "DELIVERED"}, 404, "not found: '1'"),
        ("seven/status", {"state": "DELIVERED"}, 400, "msg_id is required"),
        ("seven/refuse", {}, 400, "code is required"),
        ("seven/refuse", {"code": 900, "count": -3}, 400, "count must be -1 or more"),
        ("seven/webhook", {"msg_id": "1"}, 400, "url is required"),
        ("seven/webhook", {"url": "http://x", "msg_id": "1"}, 404, "not found: '1'"),
    ],
)
@pytest.mark.usefixtures("seven")
async def test_control_refusals(
    client: Client,
    path: str,
    body: dict[str, Any],
    status: int,
    error: str,
) -> None:
    assert await client.control("POST", path, body) == (status, {"error": error})


async def test_control_fail_a_final_message(
    client: Client, world: World, seven: SevenAccount
) -> None:
    await send(client, to="4917612345678", text="x")
    world.sim.seven.set_state(
        [world.sim.seven.message("77229135982").delivery], State.DELIVERED, START
    )

    assert await client.control("POST", "seven/fail", {"msg_id": "77229135982"}) == (
        400,
        {"error": "the message is already final"},
    )


async def test_control_lists_messages(client: Client, seven: SevenAccount) -> None:
    await send(client, to="4917612345678", text="x", foreign_id="f")

    assert await client.control("GET", "seven/messages") == (
        200,
        [
            {
                "id": "77229135982",
                "to": "4917612345678",
                "from": "seven.io",
                "text": "x",
                "foreign_id": "f",
                "state": "ACCEPTED",
            }
        ],
    )


# Webhooks


@pytest.fixture
async def target(
    socket_enabled: None,
) -> AsyncIterator[tuple[str, list[web.Request], list[bytes]]]:
    """A server that answers 204 to what it is sent: its URL, the requests and bodies."""
    requests: list[web.Request] = []
    bodies: list[bytes] = []

    async def take(request: web.Request) -> web.Response:
        requests.append(request)
        bodies.append(await request.read())
        return web.Response(status=204)

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", take)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("/hook/abc")) + "?from=seven", requests, bodies


@pytest.mark.parametrize("path_only", [False, True])
async def test_webhook_is_signed(
    client: Client,
    world: World,
    seven: SevenAccount,
    target: tuple[str, list[web.Request], list[bytes]],
    path_only: bool,
) -> None:
    url, requests, bodies = target
    await send(client, to="4917612345678", text="x")

    assert await client.control(
        "POST",
        "seven/webhook",
        {"url": url, "msg_id": "77229135982", "path_only": path_only},
    ) == (200, {"status": 204})

    (request,), (body,) = requests, bodies
    assert request.method == "POST"
    assert request.content_type == "application/json"
    assert json.loads(body) == {
        "webhook_event": "dlr",
        "webhook_timestamp": "2026-03-10 13:00:00",
        "data": {
            "msg_id": "77229135982",
            "status": "ACCEPTED",
            "timestamp": "2026-03-10 13:00:00",
        },
    }
    timestamp, nonce = request.headers["X-Timestamp"], request.headers["X-Nonce"]
    assert timestamp == str(int(START.timestamp()))
    assert len(nonce) == 32
    signed = "/hook/abc?from=seven" if path_only else url
    lines = f"{timestamp}\n{nonce}\nPOST\n{signed}\n{hashlib.md5(body).hexdigest()}"  # noqa: S324
    assert (
        request.headers["X-Signature"]
        == hmac.new(SECRET.encode(), lines.encode(), hashlib.sha256).hexdigest()
    )


async def test_webhook_with_a_chosen_state_and_secret(
    client: Client,
    seven: SevenAccount,
    target: tuple[str, list[web.Request], list[bytes]],
) -> None:
    url, requests, bodies = target
    await send(client, to="4917612345678", text="x")

    await client.control(
        "POST",
        "seven/webhook",
        {"url": url, "msg_id": "77229135982", "state": "failed", "secret": "other"},
    )

    assert json.loads(bodies[0])["data"]["status"] == "FAILED"
    assert requests[0].headers["X-Signature"] != ""


async def test_webhook_to_nowhere(client: Client, seven: SevenAccount) -> None:
    await send(client, to="4917612345678", text="x")

    status, answer = await client.control(
        "POST",
        "seven/webhook",
        {"url": "http://127.0.0.1:9/hook", "msg_id": "77229135982"},
    )

    assert status == 502
    assert answer["error"].startswith("could not reach http://127.0.0.1:9/hook: ")


# The demo account


def test_the_demo_account() -> None:
    sim = build_demo()
    account = sim.seven.account()
    assert (
        account.api_key,
        account.balance,
        account.currency,
        account.signing_secret,
    ) == (
        DEMO_SEVEN_API_KEY,
        DEMO_SEVEN_BALANCE,
        "EUR",
        DEMO_SEVEN_SIGNING_SECRET,
    )
    assert sim.seven.messages == {}
    assert datetime.now(UTC) - sim.now() < timedelta(minutes=1)
