"""The control API under /_sim/, and the faults it switches on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from simulator.demo import DEMO_EMAIL
from simulator.models import Status

from .conftest import EMAIL, START, Client, World

OK = {"ok": True}


async def test_incoming(client: Client, world: World) -> None:
    status, answer = await client.control(
        "POST",
        "incoming",
        {"device_id": world.phone.id, "phone": "+491", "text": "ALARM OFF"},
    )
    assert status == 200
    message = world.sim.message(answer["sms_id"])
    assert (message.sendto, message.body, message.sim, message.status) == (
        "+491",
        "ALARM OFF",
        0,
        Status.INCOMING,
    )
    status, answer = await client.control(
        "POST",
        "incoming",
        {
            "device_id": world.phone.id,
            "phone": "+492",
            "text": "late",
            "sim": 1,
            "received_at": "2026-03-10T11:00:00Z",
        },
    )
    assert world.sim.message(answer["sms_id"]).created == START - timedelta(hours=1)


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"phone": "+491", "text": "x"}, 400, "device_id is required"),
        (
            {"device_id": "1", "phone": "+491", "text": "x"},
            400,
            "device_id must be a whole number",
        ),
        (
            {"device_id": True, "phone": "+491", "text": "x"},
            400,
            "device_id must be a whole number",
        ),
        (
            {"device_id": 11231, "phone": 491, "text": "x"},
            400,
            "phone must be a string",
        ),
        (
            {"device_id": 11231, "phone": "+491", "text": "x", "sim": 2},
            400,
            "phone 11231 has no sim 2",
        ),
        ({"device_id": 1, "phone": "+491", "text": "x"}, 404, "not found: 1"),
        (
            {
                "device_id": 11231,
                "phone": "+491",
                "text": "x",
                "received_at": "yesterday",
            },
            400,
            "yesterday is not an ISO 8601 time",
        ),
        (
            {
                "device_id": 11231,
                "phone": "+491",
                "text": "x",
                "received_at": "2026-03-10T11:00:00",
            },
            400,
            "2026-03-10T11:00:00 has no time zone",
        ),
    ],
)
async def test_incoming_refusals(
    client: Client, body: dict[str, Any], status: int, error: str
) -> None:
    assert await client.control("POST", "incoming", body) == (status, {"error": error})


async def test_bodies_must_be_json_objects(client: Client) -> None:
    async with client.session.post(f"{client.url}/_sim/incoming", data="{oops") as resp:
        assert resp.status == 400
        assert await resp.json() == {"error": "body is not JSON"}
    assert await client.control("POST", "incoming", [1]) == (
        400,
        {"error": "body must be a JSON object"},
    )
    assert await client.control("POST", "history") == (
        400,
        {"error": "count is required"},
    )


async def test_phones(client: Client, world: World) -> None:
    status, answer = await client.control(
        "POST",
        "phones",
        {
            "title": "Moto",
            "sims": [
                {"slot": 0, "carrier": "Orange", "number": "+336", "roaming": True},
                {"slot": 1},
            ],
            "channels": [2],
        },
    )
    assert status == 200
    phone = world.sim.phone(answer["device_id"])
    assert phone.account is world.account
    assert phone.title == "Moto"
    assert phone.allowed_sims == {0, 1, 2}
    assert phone.sims[0].roaming
    assert (phone.sims[1].carrier, phone.sims[1].country) == ("", "us")

    other = world.sim.add_account("other@example.com", "pw")
    _, answer = await client.control(
        "POST", "phones", {"title": "Plain", "email": "other@example.com"}
    )
    plain = world.sim.phone(answer["device_id"])
    assert plain.account is other
    assert [sim.slot for sim in plain.sims] == [0]

    assert await client.control("POST", f"phones/{phone.id}/offline") == (200, OK)
    assert not world.sim.phone(phone.id).online
    assert await client.control("POST", f"phones/{phone.id}/online") == (200, OK)
    assert world.sim.phone(phone.id).online
    assert await client.control("DELETE", f"phones/{phone.id}") == (200, OK)
    assert phone.id not in world.account.phones


async def test_offline_since(client: Client, world: World) -> None:
    phone = world.other
    assert await client.control(
        "POST", f"phones/{phone.id}/offline", {"minutes": 30}
    ) == (200, OK)
    assert not phone.online
    assert phone.last_seen == START - timedelta(minutes=30)
    assert await client.control(
        "POST", f"phones/{phone.id}/offline", {"minutes": -1}
    ) == (400, {"error": "minutes cannot be negative"})
    assert await client.control(
        "POST", f"phones/{phone.id}/offline", {"minutes": "30"}
    ) == (400, {"error": "minutes must be a number"})
    assert phone.last_seen == START - timedelta(minutes=30)


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 400, "title is required"),
        ({"title": "x", "sims": "all"}, 400, "sims must be a list"),
        ({"title": "x", "sims": [0]}, 400, "each sim must be an object"),
        (
            {"title": "x", "sims": [{"slot": 0, "roaming": "yes"}]},
            400,
            "roaming must be true or false",
        ),
        (
            {"title": "x", "channels": ["whatsapp"]},
            400,
            "channels must be whole numbers",
        ),
        ({"title": "x", "email": 5}, 400, "email must be a string"),
        (
            {"title": "x", "email": "nobody@example.com"},
            404,
            "not found: 'nobody@example.com'",
        ),
    ],
)
async def test_phone_refusals(
    client: Client, body: dict[str, Any], status: int, error: str
) -> None:
    assert await client.control("POST", "phones", body) == (status, {"error": error})


async def test_unknown_or_malformed_phone_ids(client: Client) -> None:
    assert await client.control("DELETE", "phones/99") == (
        404,
        {"error": "not found: 99"},
    )
    assert await client.control("POST", "phones/pixel/online") == (
        400,
        {"error": "device id must be a number"},
    )


async def test_fail_and_tick(client: Client, world: World) -> None:
    first, second = world.sim.queue_messages(
        world.account,
        device_id=world.phone.id,
        recipients=["+491", "+492"],
        body="x",
        sim=0,
    )
    assert await client.control("POST", "fail", {"sms_id": first.id}) == (200, OK)
    assert await client.control(
        "POST", "fail", {"device_id": world.phone.id, "status": 12, "count": 1}
    ) == (200, OK)
    for _ in range(2):
        assert await client.control("POST", "tick") == (200, OK)
    assert (first.status, second.status) == (Status.FAILED, Status.RADIO_OFF)
    assert await client.control("POST", "fail", {"sms_id": first.id}) == (
        400,
        {"error": f"message {first.id} is already final"},
    )
    assert await client.control("POST", "fail", {"status": 7}) == (
        400,
        {"error": "7 is not a failure status"},
    )


async def test_latency(client: Client, world: World) -> None:
    assert await client.control("POST", "latency", {"seconds": 0.01}) == (200, OK)
    assert world.sim.latency == 0.01
    assert (await client.call("getalldevices"))["count"] == 2
    assert await client.control("POST", "latency", {"seconds": -1}) == (
        400,
        {"error": "latency cannot be negative"},
    )
    assert await client.control("POST", "latency", {"seconds": "1"}) == (
        400,
        {"error": "seconds must be a number"},
    )
    assert await client.control("POST", "latency", {"seconds": 0}) == (200, OK)


async def test_html_errors(client: Client, world: World) -> None:
    assert await client.control("POST", "html_errors", {"count": 2}) == (200, OK)
    for _ in range(2):
        async with client.session.post(
            f"{client.url}/getdata/getalldevices", data={"token": client.token}
        ) as resp:
            assert resp.status == 502
            assert resp.content_type == "text/html"
            assert "Bad Gateway" in await resp.text()
    assert (await client.call("getalldevices"))["error"] == 0
    assert [request.status for request in world.sim.requests] == [502, 502, 200]

    await client.control("POST", "html_errors", {"count": -1})
    for _ in range(3):
        async with client.session.get(f"{client.url}/getdata/gettoken") as resp:
            assert resp.status == 502
    await client.control("POST", "html_errors", {"count": 0})
    assert (await client.call("getalldevices"))["error"] == 0
    assert await client.control("POST", "html_errors", {"count": -5}) == (
        400,
        {"error": "count must be -1 or more"},
    )


async def test_expire_token(client: Client, world: World) -> None:
    assert await client.control("POST", "expire_token", {"email": EMAIL}) == (200, OK)
    assert world.account.token is None
    world.sim.issue_token(world.account)
    assert await client.control("POST", "expire_token") == (200, OK)
    assert world.account.token is None


async def test_history(client: Client, world: World) -> None:
    assert await client.control("POST", "history", {"count": 200}) == (
        200,
        {"count": 200},
    )
    assert await client.control("POST", "history", {"count": 20, "days": 0.5}) == (
        200,
        {"count": 20},
    )
    messages = world.account.messages
    assert len(messages) == 220
    assert messages[0].created >= START - timedelta(days=30)
    assert messages[-1].created <= START


async def test_the_request_log(client: Client, world: World) -> None:
    await client.call("getalldevices")
    await client.control("POST", "tick")
    status, log = await client.control("GET", "requests")
    assert status == 200
    assert log == [
        {
            "provider": "smsgateway24",
            "method": "getalldevices",
            "http_method": "POST",
            "path": "/getdata/getalldevices",
            "headers": {},
            "fields": {"token": client.token},
            "body": None,
            "status": 200,
            "response_bytes": world.sim.requests[0].response_bytes,
            "timestamp": "2026-03-10T12:00:00+00:00",
        }
    ]
    assert await client.control("DELETE", "requests") == (200, OK)
    assert await client.control("GET", "requests") == (200, [])


async def test_reset_restores_the_demo_world(client: Client, world: World) -> None:
    await client.call("getalldevices")
    world.sim.set_latency(0.001)
    assert await client.control("POST", "reset") == (200, OK)
    assert [account.email for account in world.sim.accounts] == [DEMO_EMAIL]
    account = world.sim.account(DEMO_EMAIL)
    assert [phone.title for phone in account.phones.values()] == [
        "Pixel 7",
        "Galaxy A52",
    ]
    assert list(account.phones) == [11231, 11232]
    assert world.sim.requests == []
    assert world.sim.latency == 0
    assert world.sim.clock is world.clock
    status, _ = await client.control("POST", "phones", {"title": "New one"})
    assert status == 200
    assert len(account.phones) == 3
