"""Every seven client coroutine against the simulator, and what it received."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
import json

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.smsgateway24.clients.seven import (
    DeliveryReport,
    DeliveryState,
    Encoding,
    ReturnCode,
    Seven,
    SevenApiError,
    SevenAuthenticationError,
    SevenResponseError,
    SevenSignatureError,
    SevenTimeoutError,
    verify_signature,
)
from simulator.demo import (
    DEMO_SEVEN_API_KEY,
    DEMO_SEVEN_BALANCE,
    DEMO_SEVEN_SIGNING_SECRET,
)
from simulator.seven import PREFIX, State
from tests.clients.common import RunningSimulator, every_text, only_request
from tests.clients.conftest import HOST, START, server_url

FORM = "application/x-www-form-urlencoded"
HEADERS = {"X-Api-Key": DEMO_SEVEN_API_KEY, "Accept": "application/json"}


# Sending


async def test_send_to_several_numbers_in_one_request(
    sim_server: RunningSimulator, client: Seven
) -> None:
    result = await client.send_sms(
        ["+49 176 12345678", "0151 12345678"],
        "Water leak in the cellar",
        sender="HomeAlert",
        delay=START - timedelta(minutes=1),
        foreign_id="alert-42",
    )

    request = only_request(sim_server, "seven")
    assert (request.http_method, request.path, request.method) == (
        "POST",
        f"{PREFIX}/sms",
        "sms",
    )
    assert request.headers == HEADERS | {"Content-Type": FORM}
    assert request.fields == {
        "to": "+49 176 12345678,0151 12345678",
        "text": "Water leak in the cellar",
        "json": "1",
        "from": "HomeAlert",
        "delay": str(int((START - timedelta(minutes=1)).timestamp())),
        "foreign_id": "alert-42",
    }
    assert result.code is ReturnCode.ACCEPTED
    assert result.debug is False
    assert [(m.recipient, m.success, m.error) for m in result.messages] == [
        ("4917612345678", True, None),
        ("4915112345678", True, None),
    ]
    first, second = result.messages
    assert first.id is not None
    assert second.id is not None
    assert int(second.id) == int(first.id) + 1
    assert (first.encoding, first.parts, first.price) == (Encoding.GSM, 1, 0.075)
    assert first.sender == "HomeAlert"
    assert result.total_price == 0.15
    assert result.balance == DEMO_SEVEN_BALANCE - 0.15
    stored = sim_server.sim.seven.message(first.id)
    assert (stored.recipient, stored.text, stored.foreign_id) == (
        "4917612345678",
        "Water leak in the cellar",
        "alert-42",
    )
    assert result.accepted == result.messages
    assert result.refused == ()


async def test_send_with_defaults_and_a_long_unicode_text(
    sim_server: RunningSimulator, client: Seven
) -> None:
    text = "Протечка воды в подвале! " * 4

    result = await client.send_sms("+4917612345678", text)

    assert only_request(sim_server, "seven").fields == {
        "to": "+4917612345678",
        "text": text,
        "json": "1",
    }
    (message,) = result.messages
    assert (message.encoding, message.parts, message.price) == (Encoding.UCS2, 2, 0.15)
    assert message.sender == "seven.io"


async def test_some_recipients_refused(client: Seven) -> None:
    result = await client.send_sms(["+4917612345678", "12"], "Door open")

    assert result.code is ReturnCode.PARTLY_SENT
    (accepted,) = result.accepted
    (refused,) = result.refused
    assert accepted.recipient == "4917612345678"
    assert (refused.recipient, refused.id, refused.error, refused.error_text) == (
        "12",
        None,
        ReturnCode.INVALID_RECIPIENT,
        "Invalid recipient",
    )


async def test_every_recipient_refused(
    sim_server: RunningSimulator, client: Seven
) -> None:
    with pytest.raises(SevenApiError) as caught:
        await client.send_sms(["12", "not a number"], "Door open")

    assert caught.value.code is ReturnCode.INVALID_RECIPIENT
    assert str(caught.value) == "seven refused the request: 202 (invalid recipient)"
    assert sim_server.sim.seven.messages == {}


async def test_the_reload_lock(sim_server: RunningSimulator, client: Seven) -> None:
    await client.send_sms("+4917612345678", "Door open")

    with pytest.raises(SevenApiError) as caught:
        await client.send_sms("+4917612345678", "Door open")
    again = await client.send_sms("+4917612345678", "Door open", no_reload=True)

    assert caught.value.code is ReturnCode.RELOAD_LOCK
    assert sim_server.sim.requests[-1].fields["no_reload"] == "1"
    assert again.code is ReturnCode.ACCEPTED
    assert len(sim_server.sim.seven.messages) == 2


async def test_no_credit(sim_server: RunningSimulator, client: Seven) -> None:
    sim_server.sim.seven.account().balance = 0.07

    with pytest.raises(SevenApiError) as caught:
        await client.send_sms("+4917612345678", "Door open")

    assert caught.value.code is ReturnCode.NO_CREDIT
    assert not isinstance(caught.value, SevenAuthenticationError)
    assert sim_server.sim.seven.messages == {}
    assert sim_server.sim.seven.account().balance == 0.07


async def test_wrong_key(
    sim_server: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    wrong = "not-the-demo-key"
    api = Seven(api_key=wrong, url=sim_server.url + PREFIX, session=session)

    with pytest.raises(SevenAuthenticationError) as caught:
        await api.send_sms("+4917612345678", "Door open")
    with pytest.raises(SevenAuthenticationError):
        await api.get_balance()
    with pytest.raises(SevenAuthenticationError):
        await api.get_journal()

    assert caught.value.code is ReturnCode.BAD_API_KEY
    assert wrong not in every_text(caught.value)
    assert [r.headers["X-Api-Key"] for r in sim_server.sim.requests] == [wrong] * 3


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (903, SevenAuthenticationError),
        (902, SevenAuthenticationError),
        (600, SevenApiError),
        (500, SevenApiError),
    ],
)
async def test_refusals_switched_on(
    sim_server: RunningSimulator,
    client: Seven,
    code: int,
    error: type[SevenApiError],
) -> None:
    sim_server.sim.seven.refuse(code, 1)

    with pytest.raises(error) as caught:
        await client.send_sms("+4917612345678", "Door open")

    assert caught.value.code == code
    assert (await client.send_sms("+4917612345678", "Door open")).code == 100


# Balance


async def test_balance(sim_server: RunningSimulator, client: Seven) -> None:
    balance = await client.get_balance()

    request = only_request(sim_server, "seven")
    assert (request.http_method, request.path) == ("GET", f"{PREFIX}/balance")
    assert request.headers == HEADERS
    assert request.fields == {}
    assert (balance.amount, balance.currency) == (DEMO_SEVEN_BALANCE, "EUR")


# Delivery states


async def test_delivery_follows_the_ticks(
    sim_server: RunningSimulator, client: Seven
) -> None:
    sent = await client.send_sms("+4917612345678", "Door open", foreign_id="a-1")
    (message,) = sent.messages
    assert message.id is not None
    sim_server.sim.clear_requests()

    seen = []
    for _ in range(4):
        (entry,) = await client.get_journal(message_id=message.id)
        seen.append(entry.state)
        sim_server.clock.advance(10)
        sim_server.sim.tick()

    request = sim_server.sim.requests[0]
    assert (request.http_method, request.path) == ("GET", f"{PREFIX}/journal/outbound")
    assert request.headers == HEADERS
    assert request.fields == {"id": message.id}
    assert seen == [
        DeliveryState.ACCEPTED,
        DeliveryState.TRANSMITTED,
        DeliveryState.DELIVERED,
        DeliveryState.DELIVERED,
    ]
    assert [state.final for state in seen] == [False, False, True, True]
    assert entry.state.failed is False
    assert entry.state_time == START + timedelta(seconds=20)
    assert (entry.id, entry.to, entry.text, entry.price) == (
        message.id,
        "4917612345678",
        "Door open",
        0.075,
    )
    assert (entry.timestamp, entry.foreign_id, entry.sender) == (
        START,
        "a-1",
        "seven.io",
    )


@pytest.mark.parametrize(
    ("state", "path"),
    [
        (State.NOTDELIVERED, [DeliveryState.TRANSMITTED, DeliveryState.NOTDELIVERED]),
        (State.EXPIRED, [DeliveryState.TRANSMITTED, DeliveryState.EXPIRED]),
        (State.REJECTED, [DeliveryState.REJECTED, DeliveryState.REJECTED]),
    ],
)
async def test_forced_failures(
    sim_server: RunningSimulator,
    client: Seven,
    state: State,
    path: list[DeliveryState],
) -> None:
    (message,) = (await client.send_sms("+4917612345678", "Door open")).messages
    assert message.id is not None
    sim_server.sim.seven.force_failure(None, state)

    seen = []
    for _ in path:
        sim_server.sim.tick()
        (entry,) = await client.get_journal(message_id=message.id)
        seen.append(entry.state)

    assert seen == path
    assert seen[-1].final
    assert seen[-1].failed


async def test_a_scheduled_message_waits(
    sim_server: RunningSimulator, client: Seven
) -> None:
    later = START + timedelta(minutes=30)
    (message,) = (
        await client.send_sms("+4917612345678", "Reminder", delay=later)
    ).messages
    assert message.id is not None

    sim_server.sim.tick()
    (waiting,) = await client.get_journal(message_id=message.id)
    sim_server.clock.set(later)
    sim_server.sim.tick()
    (moving,) = await client.get_journal(message_id=message.id)

    assert waiting.state is DeliveryState.ACCEPTED
    assert waiting.state_time is None
    assert moving.state is DeliveryState.TRANSMITTED


async def test_journal_filters(sim_server: RunningSimulator, client: Seven) -> None:
    await client.send_sms(["+4917612345678", "+4915112345678"], "First")
    sim_server.clock.advance(86_400)
    await client.send_sms("+4917612345678", "Second")
    sim_server.sim.clear_requests()

    today = await client.get_journal(
        date_from=date(2026, 3, 11),
        date_to=date(2026, 3, 11),
        state=DeliveryState.ACCEPTED,
        to="+49 176 12345678",
        limit=10,
        offset=0,
    )
    newest = await client.get_journal(limit=1)
    skipped = await client.get_journal(offset=1)

    assert sim_server.sim.requests[0].fields == {
        "date_from": "2026-03-11",
        "date_to": "2026-03-11",
        "state": "ACCEPTED",
        "to": "+49 176 12345678",
        "limit": "10",
        "offset": "0",
    }
    assert [entry.text for entry in today] == ["Second"]
    assert [entry.text for entry in newest] == ["Second"]
    assert [(entry.text, entry.to) for entry in skipped] == [
        ("First", "4915112345678"),
        ("First", "4917612345678"),
    ]
    assert await client.get_journal(state=DeliveryState.DELIVERED) == ()


# Webhooks


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[tuple[str, list[bytes]]]:
    """A web server that checks seven's webhooks: its URL and the bodies it took."""
    taken: list[bytes] = []

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            verify_signature(
                DEMO_SEVEN_SIGNING_SECRET,
                request.headers,
                method=request.method,
                url=str(request.url),
                body=body,
                now=START.timestamp(),
            )
        except SevenSignatureError as err:
            return web.Response(status=401, text=str(err))
        taken.append(body)
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_post("/api/webhook/{hook_id}", hook)
    async with TestServer(app, host=HOST) as server:
        yield server_url(server) + "/api/webhook/abc123", taken


@pytest.mark.parametrize("path_only", [False, True])
async def test_signed_webhook_is_checked_and_read(
    sim_server: RunningSimulator,
    client: Seven,
    session: aiohttp.ClientSession,
    receiver: tuple[str, list[bytes]],
    path_only: bool,
) -> None:
    url, taken = receiver
    (message,) = (await client.send_sms("+4917612345678", "Door open")).messages
    sim_server.sim.tick()

    async with session.post(
        f"{sim_server.url}/_sim/seven/webhook",
        json={"url": url, "msg_id": message.id, "path_only": path_only},
    ) as response:
        assert await response.json() == {"status": 200}

    (body,) = taken
    report = DeliveryReport.from_webhook(json.loads(body))
    assert report.message_id == message.id
    assert report.state is DeliveryState.TRANSMITTED
    assert report.timestamp == START


async def test_webhook_signed_with_another_secret_is_refused(
    sim_server: RunningSimulator,
    client: Seven,
    session: aiohttp.ClientSession,
    receiver: tuple[str, list[bytes]],
) -> None:
    url, taken = receiver
    (message,) = (await client.send_sms("+4917612345678", "Door open")).messages

    async with session.post(
        f"{sim_server.url}/_sim/seven/webhook",
        json={
            "url": url,
            "msg_id": message.id,
            "state": "DELIVERED",
            "secret": "someone-else",
        },
    ) as response:
        assert await response.json() == {"status": 401}
    assert taken == []


# Faults


async def test_html_error_page(sim_server: RunningSimulator, client: Seven) -> None:
    sim_server.sim.set_html_errors(1)

    with pytest.raises(SevenResponseError) as caught:
        await client.get_balance()

    assert str(caught.value) == "Answer to 'balance' is not JSON (HTTP 502)"
    assert (await client.get_balance()).currency == "EUR"


async def test_latency_beyond_the_timeout(
    sim_server: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    api = Seven(
        api_key=DEMO_SEVEN_API_KEY,
        url=sim_server.url + PREFIX,
        session=session,
        request_timeout=0.2,
    )
    sim_server.sim.set_latency(60)

    with pytest.raises(SevenTimeoutError) as caught:
        await api.send_sms("+4917612345678", "Door open")

    assert str(caught.value) == "No answer to 'sms' within 0.2 s"
    assert DEMO_SEVEN_API_KEY not in every_text(caught.value)
