"""The seven client against a canned seven: documented answers and odd ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import aiohttp
import pytest

from custom_components.smsgateway24.clients.seven import (
    DeliveryState,
    Encoding,
    ReturnCode,
    Seven,
    SevenApiError,
    SevenAuthenticationError,
    SevenError,
    SevenResponseError,
)
from tests.clients.common import CannedProvider, every_text

from .conftest import API_KEY

# Documented answers, read through the client


async def test_send(canned: CannedProvider, canned_client: Seven) -> None:
    canned.reply_fixture("sms", "sms.json")

    result = await canned_client.send_sms(
        ["+4917612345678", "+4915112345678"], "Water leak in the cellar"
    )

    request = canned.last
    assert (request.method, request.path) == ("POST", "/sms")
    assert request.headers["X-Api-Key"] == API_KEY
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.fields == {
        "to": "+4917612345678,+4915112345678",
        "text": "Water leak in the cellar",
        "json": "1",
    }
    assert request.query == {}
    assert result.code is ReturnCode.ACCEPTED
    assert (result.total_price, result.balance, result.debug) == (0.15, 46.7, False)
    assert [m.id for m in result.messages] == ["77229135982", "77229135983"]
    assert result.messages[0].encoding is Encoding.GSM
    assert result.messages[0].sender == "HomeAlert"


@pytest.mark.parametrize(
    "to",
    ["+4917612345678, +4915112345678 ,", [" +4917612345678", "+4915112345678", ""]],
)
async def test_recipients_as_text_or_list(
    canned: CannedProvider, canned_client: Seven, to: str | list[str]
) -> None:
    canned.reply_fixture("sms", "sms.json")

    await canned_client.send_sms(to, "Water leak in the cellar")

    assert canned.last.fields["to"] == "+4917612345678,+4915112345678"


async def test_send_in_debug_mode(canned: CannedProvider, canned_client: Seven) -> None:
    canned.reply_fixture("sms", "sms_debug.json")

    result = await canned_client.send_sms("491771783130", "Dear customer")

    assert result.debug is True
    (message,) = result.messages
    assert (message.id, message.success, message.price) == (None, True, 0.0)


async def test_send_partly_with_odd_types(
    canned: CannedProvider, canned_client: Seven
) -> None:
    canned.reply_fixture("sms", "sms_partly.json")

    result = await canned_client.send_sms(["+4917612345678", "12"], "Привет")

    assert result.code is ReturnCode.PARTLY_SENT
    assert result.balance == 12.5
    accepted, refused = result.messages
    # A numeric id, a text count, price and flag: read as the documented types.
    assert (accepted.id, accepted.parts, accepted.price, accepted.success) == (
        "77229135990",
        2,
        0.15,
        True,
    )
    assert accepted.encoding is Encoding.UCS2
    assert (refused.success, refused.error, refused.error_text) == (
        False,
        ReturnCode.INVALID_RECIPIENT,
        "Invalid recipient",
    )


async def test_send_answered_by_a_bare_code(
    canned: CannedProvider, canned_client: Seven
) -> None:
    canned.reply("sms", "100", content_type="text/plain")

    result = await canned_client.send_sms("+4917612345678", "Door open")

    assert result.code is ReturnCode.ACCEPTED
    assert result.messages == ()
    assert result.accepted == ()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("900", "text/plain"),
        ('"900"', "application/json"),
        (" 900\n", "text/plain"),
        ('{"success": "900", "messages": []}', "application/json"),
    ],
)
async def test_bad_key_in_every_shape(
    canned: CannedProvider, canned_client: Seven, body: str, content_type: str
) -> None:
    canned.reply("sms", body, content_type=content_type)

    with pytest.raises(SevenAuthenticationError) as caught:
        await canned_client.send_sms("+4917612345678", "Door open")

    assert caught.value.code is ReturnCode.BAD_API_KEY
    assert str(caught.value) == "seven refused the request: 900 (API key refused)"


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ("500", ReturnCode.NO_CREDIT, "not enough credit"),
        ('{"success": 202, "messages": null}', ReturnCode.INVALID_RECIPIENT, None),
        ("600", ReturnCode.CARRIER_FAILED, "carrier delivery failed"),
        ("403", ReturnCode.DAILY_LIMIT, None),
        ("777", 777, "unknown return code"),
    ],
)
async def test_send_refused(
    canned: CannedProvider,
    canned_client: Seven,
    body: str,
    code: int,
    words: str | None,
) -> None:
    canned.reply("sms", body)

    with pytest.raises(SevenApiError) as caught:
        await canned_client.send_sms("+4917612345678", "Door open")

    assert type(caught.value) is SevenApiError
    assert caught.value.code == code
    if words is not None:
        assert caught.value.code.description == words
        assert str(caught.value) == f"seven refused the request: {code} ({words})"


@pytest.mark.parametrize(
    "body",
    [
        '{"messages": []}',
        '{"success": true}',
        '{"success": "100", "messages": {"id": "1"}}',
        '{"success": "100", "messages": ["x"]}',
        '{"success": "100", "messages": [{"id": ["1"]}]}',
        '{"success": "100", "messages": [{"success": "maybe"}]}',
        '{"success": "100", "debug": "perhaps"}',
        "[1, 2]",
        '"OK"',
    ],
)
async def test_send_answers_that_say_nothing_clear(
    canned: CannedProvider, canned_client: Seven, body: str
) -> None:
    canned.reply("sms", body)

    with pytest.raises(SevenResponseError):
        await canned_client.send_sms("+4917612345678", "Door open")


async def test_balance(canned: CannedProvider, canned_client: Seven) -> None:
    canned.reply_fixture("balance", "balance.json")

    balance = await canned_client.get_balance()

    assert (canned.last.method, canned.last.path) == ("GET", "/balance")
    assert canned.last.headers["X-Api-Key"] == API_KEY
    assert (balance.amount, balance.currency) == (46.748, "EUR")


@pytest.mark.parametrize(
    ("body", "amount"),
    [("46.748", 46.748), ("12", 12.0), ('"0.5"', 0.5), ('{"amount": "3,5"}', None)],
)
async def test_balance_in_older_shapes(
    canned: CannedProvider, canned_client: Seven, body: str, amount: float | None
) -> None:
    canned.reply("balance", body, content_type="text/plain")

    if amount is None:
        with pytest.raises(SevenResponseError, match=r"^Answer has no balance amount$"):
            await canned_client.get_balance()
        return
    balance = await canned_client.get_balance()

    assert (balance.amount, balance.currency) == (amount, None)


async def test_balance_with_a_refused_key(
    canned: CannedProvider, canned_client: Seven
) -> None:
    canned.reply("balance", "900", content_type="text/plain")

    with pytest.raises(SevenAuthenticationError):
        await canned_client.get_balance()


async def test_journal(canned: CannedProvider, canned_client: Seven) -> None:
    canned.reply_fixture("journal/outbound", "journal_outbound.json")

    delivered, waiting, odd = await canned_client.get_journal(
        date_from=date(2026, 1, 1), limit=100
    )

    assert (canned.last.method, canned.last.path) == ("GET", "/journal/outbound")
    assert canned.last.query == {"date_from": "2026-01-01", "limit": "100"}
    assert delivered.id == "77229135983"
    assert delivered.state is DeliveryState.DELIVERED
    # Berlin's summer time is UTC+2, its winter time UTC+1.
    assert delivered.timestamp == datetime(2026, 7, 1, 12, 30, 5, tzinfo=UTC)
    assert delivered.state_time == datetime(2026, 7, 1, 12, 30, 12, 717000, tzinfo=UTC)
    assert (delivered.price, delivered.channel, delivered.foreign_id) == (
        0.075,
        "SMS",
        "alert-42",
    )
    assert waiting.id == "77229135982"
    assert waiting.state is DeliveryState.ACCEPTED
    assert waiting.timestamp == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    assert (waiting.channel, waiting.label, waiting.state_time) == (
        "direct",
        None,
        None,
    )
    assert odd.state is DeliveryState.NOTDELIVERED
    assert (odd.timestamp, odd.price) == (None, None)
    assert odd.state_time == datetime(2026, 1, 1, tzinfo=UTC)


async def test_journal_empty(canned: CannedProvider, canned_client: Seven) -> None:
    canned.reply_fixture("journal/outbound", "journal_empty.json")
    assert await canned_client.get_journal() == ()
    assert canned.last.query == {}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("900", SevenAuthenticationError),
        ("500", SevenApiError),
        ("null", None),
        ('{"id": "1"}', SevenResponseError),
        ('[{"to": "49176"}]', SevenResponseError),
        ('[{"id": "1", "dlr": 7}]', SevenResponseError),
        ('[{"id": "1", "text": 7}]', SevenResponseError),
    ],
)
async def test_journal_odd_answers(
    canned: CannedProvider,
    canned_client: Seven,
    body: str,
    error: type[SevenError] | None,
) -> None:
    canned.reply("journal/outbound", body)

    if error is None:
        assert await canned_client.get_journal() == ()
        return
    with pytest.raises(error):
        await canned_client.get_journal()


@pytest.mark.parametrize(
    ("dlr", "state"),
    [
        ("BUFFERED", DeliveryState.BUFFERED),
        ("transmitted", DeliveryState.TRANSMITTED),
        (" EXPIRED ", DeliveryState.EXPIRED),
        ("SOMETHING_NEW", DeliveryState.UNKNOWN),
        ("", DeliveryState.ACCEPTED),
    ],
)
async def test_journal_states(
    canned: CannedProvider, canned_client: Seven, dlr: str, state: DeliveryState
) -> None:
    canned.reply_json("journal/outbound", [{"id": "1", "dlr": dlr}])

    (entry,) = await canned_client.get_journal(message_id="1")

    assert entry.state is state
    assert canned.last.query == {"id": "1"}


# Answers that are not seven's


@pytest.mark.parametrize(
    ("body", "status", "content_type"),
    [
        ("<html><body>Maintenance</body></html>", 200, "text/html"),
        ("<html><h1>502 Bad Gateway</h1></html>", 502, "text/html"),
        ('{"amount": 1', 200, "application/json"),
        ("", 200, "application/json"),
        ("100\n77229135982", 200, "text/plain"),
        ("[" * 100_000, 200, "application/json"),
    ],
)
async def test_answers_that_are_not_json(
    canned: CannedProvider,
    canned_client: Seven,
    body: str,
    status: int,
    content_type: str,
) -> None:
    canned.reply("balance", body, status=status, content_type=content_type)

    with pytest.raises(SevenResponseError) as caught:
        await canned_client.get_balance()

    assert str(caught.value) == f"Answer to 'balance' is not JSON (HTTP {status})"


async def test_http_error_with_json(
    canned: CannedProvider, canned_client: Seven
) -> None:
    canned.reply_json("balance", {"amount": 1, "currency": "EUR"}, status=500)

    with pytest.raises(SevenResponseError, match=r"^Answer to 'balance' is HTTP 500$"):
        await canned_client.get_balance()


async def test_http_error_with_a_refused_key(
    canned: CannedProvider, canned_client: Seven
) -> None:
    canned.reply("balance", "900", status=401, content_type="text/plain")

    with pytest.raises(SevenAuthenticationError):
        await canned_client.get_balance()


# Refused before anything is sent


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"to": []}, "No recipient"),
        ({"to": [" ", ""]}, "No recipient"),
        ({"text": "  "}, "The text is empty"),
        ({"text": "x" * 1521}, "The text is longer than 1520 characters"),
        ({"sender": "A sender far too long"}, "The sender must be"),
        ({"sender": "+12345678901234567"}, "The sender must be"),
        ({"sender": "Home\n"}, "The sender must be"),
        ({"foreign_id": "not allowed!"}, "The foreign id must be"),
        ({"foreign_id": "x" * 65}, "The foreign id must be"),
        ({"delay": datetime(2026, 1, 1)}, "Datetime must carry a time zone"),  # noqa: DTZ001
    ],
)
async def test_local_refusals_send_nothing(
    canned: CannedProvider, canned_client: Seven, call: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"to": "+4917612345678", "text": "Door open"}
    arguments |= call

    with pytest.raises(ValueError, match=rf"^{message}"):
        await canned_client.send_sms(**arguments)  # type: ignore[arg-type]

    assert canned.received == []


@pytest.mark.parametrize(
    ("limit", "offset", "message"),
    [
        (0, None, "The limit must be 1 to 100"),
        (101, None, "The limit must be 1 to 100"),
        (None, -1, "The offset cannot be negative"),
    ],
)
async def test_journal_limits(
    canned: CannedProvider,
    canned_client: Seven,
    limit: int | None,
    offset: int | None,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        await canned_client.get_journal(limit=limit, offset=offset)
    assert canned.received == []


@pytest.mark.parametrize("key", ["", "with space", "key\n", "k€y", "tab\tkey"])
async def test_a_key_no_header_can_carry(
    canned: CannedProvider, session: aiohttp.ClientSession, key: str
) -> None:
    api = Seven(api_key=key, url=canned.url, session=session)

    with pytest.raises(SevenAuthenticationError) as caught:
        await api.get_balance()

    assert caught.value.code is ReturnCode.BAD_API_KEY
    assert canned.received == []
    if key:
        assert key not in every_text(caught.value)


# Secrets and sessions


async def test_the_key_is_never_shown(
    canned: CannedProvider, canned_client: Seven
) -> None:
    canned.reply("balance", f"<html>{API_KEY}</html>", status=503)

    with pytest.raises(SevenError) as caught:
        await canned_client.get_balance()

    assert API_KEY not in every_text(caught.value)
    assert API_KEY not in repr(canned_client)
    assert repr(canned_client) == f"Seven(url={canned.url!r})"
