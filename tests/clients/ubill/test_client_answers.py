"""The UBill client against a canned UBill: documented answers and odd ones."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from custom_components.smsgateway24.clients.ubill import (
    DeliveryStatus,
    StatusCode,
    UBill,
    UBillApiError,
    UBillAuthenticationError,
    UBillError,
    UBillResponseError,
)
from tests.clients.common import CannedProvider, every_text

from .conftest import API_KEY

# Documented answers, read through the client


async def test_send(canned: CannedProvider, canned_client: UBill) -> None:
    canned.reply_fixture("sms/send", "send.json")

    result = await canned_client.send_sms(
        "+995511194241, 995511194242", "Hello", brand_id=1
    )

    request = canned.last
    assert (request.method, request.path) == ("POST", "/sms/send")
    assert request.headers["key"] == API_KEY
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {
        "brandID": 1,
        "numbers": [995511194241, 995511194242],
        "text": "Hello",
    }
    assert (result.sms_id, result.numbers) == (
        "117345",
        ("995511194241", "995511194242"),
    )


async def test_send_with_a_numeric_id(
    canned: CannedProvider, canned_client: UBill
) -> None:
    canned.reply_fixture("sms/send", "send_numeric.json")

    result = await canned_client.send_sms(["995511194241"], "Hello", brand_id=1)

    assert result.sms_id == "117346"


async def test_send_time_is_tbilisi_s(
    canned: CannedProvider, canned_client: UBill
) -> None:
    canned.reply_fixture("sms/send", "send.json")

    await canned_client.send_sms(
        "995511194241",
        "Hello",
        brand_id=1,
        send_time=datetime(2026, 2, 1, 19, 30, 59, tzinfo=UTC),
    )

    assert canned.last.json == {
        "brandID": 1,
        "numbers": [995511194241],
        "text": "Hello",
        "sendTime": "2026-02-01 23:30",
    }


@pytest.mark.parametrize(
    ("fixture", "code", "message"),
    [
        ("error_brand.json", StatusCode.BRAND_NOT_FOUND, "Brand not found"),
        ("error_balance.json", StatusCode.NOT_ENOUGH_BALANCE, "Not enough balance"),
    ],
)
async def test_send_refused(
    canned: CannedProvider,
    canned_client: UBill,
    fixture: str,
    code: StatusCode,
    message: str,
) -> None:
    canned.reply_fixture("sms/send", fixture)

    with pytest.raises(UBillApiError) as caught:
        await canned_client.send_sms("995511194241", "Hello", brand_id=7)

    assert caught.value.code is code
    assert caught.value.provider_message == message


@pytest.mark.parametrize(
    ("answer", "code", "text"),
    [
        ({"statusID": 20}, 20, "UBill refused the request: 20 (numbers not found)"),
        (
            {"statusID": "30", "message": " "},
            30,
            "UBill refused the request: 30 (empty text)",
        ),
        (
            {"statusID": 50, "message": 5},
            50,
            "UBill refused the request: 50 (no valid number)",
        ),
        ({"statusID": 90}, 90, "UBill refused the request: 90 (bad JSON)"),
        ({"statusID": 77}, 77, "UBill refused the request: 77 (unknown status)"),
    ],
)
async def test_every_refusal_keeps_its_code(
    canned: CannedProvider,
    canned_client: UBill,
    answer: dict[str, object],
    code: int,
    text: str,
) -> None:
    canned.reply_json("sms/send", answer)

    with pytest.raises(UBillApiError) as caught:
        await canned_client.send_sms("995511194241", "Hello", brand_id=1)

    assert caught.value.code == code
    assert str(caught.value) == text


async def test_refusal_with_http_error_keeps_its_code(
    canned: CannedProvider, canned_client: UBill
) -> None:
    canned.reply_json("sms/balance", {"statusID": 99, "message": "Down"}, status=500)

    with pytest.raises(UBillApiError) as caught:
        await canned_client.get_balance()

    assert caught.value.code is StatusCode.GENERAL_ERROR


@pytest.mark.parametrize(
    "answer",
    [
        {"statusID": 0, "message": "Success"},
        {"statusID": 0, "smsID": ""},
        {"statusID": 0, "smsID": None},
        {"statusID": 0, "smsID": 1.5},
    ],
)
async def test_accepted_without_an_id(
    canned: CannedProvider, canned_client: UBill, answer: dict[str, object]
) -> None:
    canned.reply_json("sms/send", answer)

    with pytest.raises(UBillResponseError, match=r"^Field 'smsID' is not an id$"):
        await canned_client.send_sms("995511194241", "Hello", brand_id=1)


async def test_balance(canned: CannedProvider, canned_client: UBill) -> None:
    canned.reply_fixture("sms/balance", "balance.json")

    assert await canned_client.get_balance() == 1000
    assert (canned.last.method, canned.last.path) == ("GET", "/sms/balance")
    assert canned.last.headers["key"] == API_KEY


@pytest.mark.parametrize("sms", [None, "", "1.5", "-3", "many", True])
async def test_balance_unreadable(
    canned: CannedProvider, canned_client: UBill, sms: object
) -> None:
    canned.reply_json("sms/balance", {"statusID": 0, "sms": sms})

    with pytest.raises(
        UBillResponseError, match=r"^Field 'sms' is not a whole number$"
    ):
        await canned_client.get_balance()


async def test_brands(canned: CannedProvider, canned_client: UBill) -> None:
    canned.reply_fixture("sms/brandNames", "brands.json")

    brands = await canned_client.get_brands()

    assert (canned.last.method, canned.last.path) == ("GET", "/sms/brandNames")
    assert [(b.id, b.name, b.authorized) for b in brands] == [
        (1, "ubill-info", True),
        (2, "HomeAlerts", False),
        (3, "42", True),
    ]
    assert brands[0].created == datetime(2024, 5, 14, 6, 20, 30, tzinfo=UTC)
    assert brands[1].created is None


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"statusID": 0, "brands": {"1": {}}}, "Field 'brands' is not a list"),
        ({"statusID": 0, "brands": ["x"]}, "Field 'brands' is not an object"),
        (
            {"statusID": 0, "brands": [{"name": "x"}]},
            "Field 'id' is not a whole number",
        ),
        (
            {"statusID": 0, "brands": [{"id": 1, "authorized": "maybe"}]},
            "Field 'authorized' is not a flag",
        ),
    ],
)
async def test_brands_unreadable(
    canned: CannedProvider,
    canned_client: UBill,
    answer: dict[str, object],
    message: str,
) -> None:
    canned.reply_json("sms/brandNames", answer)

    with pytest.raises(UBillResponseError, match=rf"^{message}$"):
        await canned_client.get_brands()


async def test_no_brands(canned: CannedProvider, canned_client: UBill) -> None:
    canned.reply_json("sms/brandNames", {"statusID": 0, "brands": None})
    assert await canned_client.get_brands() == ()


async def test_report(canned: CannedProvider, canned_client: UBill) -> None:
    canned.reply_fixture("sms/report/117345", "report.json")

    rows = await canned_client.get_report(" 117345 ")

    assert (canned.last.method, canned.last.path) == ("GET", "/sms/report/117345")
    assert [(row.number, row.status) for row in rows] == [
        ("995511194241", DeliveryStatus.DELIVERED),
        ("995511194242", DeliveryStatus.AWAITING),
        ("995511194243", DeliveryStatus.NOT_DELIVERED),
        ("995511194244", DeliveryStatus.SENT),
        ("995511194245", DeliveryStatus.ERROR),
    ]


async def test_report_id_is_one_path_segment(
    canned: CannedProvider, canned_client: UBill
) -> None:
    canned.reply_json("sms/report/1/../2", {"statusID": 0, "result": []})

    assert await canned_client.get_report("1/../2") == ()

    # Quoted, the id cannot climb out of the report's path.
    assert canned.last.raw_path == "/sms/report/1%2F..%2F2"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"statusID": 0, "result": {"a": 1}}, "Field 'result' is not a list"),
        (
            {"statusID": 0, "result": [{"number": "+995"}]},
            "Field 'number' is not a phone number",
        ),
        (
            {"statusID": 0, "result": [{"number": "995", "statusID": "x"}]},
            "Field 'statusID' is not a whole number",
        ),
    ],
)
async def test_report_unreadable(
    canned: CannedProvider,
    canned_client: UBill,
    answer: dict[str, object],
    message: str,
) -> None:
    canned.reply_json("sms/report/1", answer)

    with pytest.raises(UBillResponseError, match=rf"^{message}$"):
        await canned_client.get_report("1")


async def test_report_with_an_unknown_status(
    canned: CannedProvider, canned_client: UBill
) -> None:
    canned.reply_json(
        "sms/report/1", {"statusID": 0, "result": [{"number": "995", "statusID": 8}]}
    )

    (row,) = await canned_client.get_report("1")

    assert row.status == 8
    assert (row.status.slug, row.status.final, row.status.failed) == (
        "unknown_8",
        False,
        False,
    )


# Answers that are not UBill's documented JSON


@pytest.mark.parametrize("body", ["Unauthorized", "", '{"statusID": 0, "sms": "5"}'])
async def test_http_401_is_a_refused_key(
    canned: CannedProvider, canned_client: UBill, body: str
) -> None:
    canned.reply("sms/balance", body, status=401, content_type="text/plain")

    with pytest.raises(UBillAuthenticationError) as caught:
        await canned_client.get_balance()

    assert str(caught.value) == "API key refused (HTTP 401)"


@pytest.mark.parametrize(
    ("body", "status", "content_type"),
    [
        ("<html><body>Maintenance</body></html>", 200, "text/html"),
        ("<html><h1>502 Bad Gateway</h1></html>", 502, "text/html"),
        ('{"statusID": 0, "sms": ', 200, "application/json"),
        ("[]", 200, "application/json"),
        ("null", 200, "application/json"),
        ("", 200, "application/json"),
        ("[" * 100_000, 200, "application/json"),
    ],
)
async def test_answers_that_are_not_json_objects(
    canned: CannedProvider,
    canned_client: UBill,
    body: str,
    status: int,
    content_type: str,
) -> None:
    canned.reply("sms/balance", body, status=status, content_type=content_type)

    with pytest.raises(UBillResponseError) as caught:
        await canned_client.get_balance()

    assert str(caught.value) == (
        f"Answer to 'balance' is not a JSON object (HTTP {status})"
    )


@pytest.mark.parametrize("status_id", [None, "", "ok", True, [0]])
async def test_answers_without_a_status(
    canned: CannedProvider, canned_client: UBill, status_id: object
) -> None:
    canned.reply_json("sms/balance", {"statusID": status_id, "sms": "5"})

    with pytest.raises(
        UBillResponseError, match=r"^Answer to 'balance' has no statusID$"
    ):
        await canned_client.get_balance()


async def test_http_error_with_a_success_status(
    canned: CannedProvider, canned_client: UBill
) -> None:
    canned.reply_json("sms/balance", {"statusID": 0, "sms": "5"}, status=500)

    with pytest.raises(UBillResponseError, match=r"^Answer to 'balance' is HTTP 500$"):
        await canned_client.get_balance()


# Refused before anything is sent


@pytest.mark.parametrize(
    ("numbers", "text", "message"),
    [
        ([], "Hello", "No recipient"),
        (" , ", "Hello", "No recipient"),
        (["995511194241"], " ", "The text is empty"),
        (["0555 12 34 56"], "Hello", "'0555 12 34 56' is not an international"),
        (["+995 555 CALL ME"], "Hello", "'\\+995 555 CALL ME' is not an international"),
        (
            ["995\u0665\u0661\u0661\u0661\u0669\u0664\u0662\u0664\u0661"],
            "Hello",
            "is not an international",
        ),
        (["12345"], "Hello", "'12345' is not an international"),
        (["+1234567890123456"], "Hello", "is not an international"),
    ],
)
async def test_local_refusals_send_nothing(
    canned: CannedProvider,
    canned_client: UBill,
    numbers: str | list[str],
    text: str,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        await canned_client.send_sms(numbers, text, brand_id=1)
    assert canned.received == []


async def test_naive_send_time_and_empty_report_id(
    canned: CannedProvider, canned_client: UBill
) -> None:
    with pytest.raises(ValueError, match="Datetime must carry a time zone"):
        await canned_client.send_sms(
            "995511194241",
            "Hi",
            brand_id=1,
            send_time=datetime(2026, 1, 1),  # noqa: DTZ001
        )
    with pytest.raises(ValueError, match="No SMS id"):
        await canned_client.get_report(" ")
    assert canned.received == []


@pytest.mark.parametrize("key", ["", "with space", "key\n", "k€y"])
async def test_a_key_no_header_can_carry(
    canned: CannedProvider, session: aiohttp.ClientSession, key: str
) -> None:
    api = UBill(api_key=key, url=canned.url, session=session)

    with pytest.raises(UBillAuthenticationError) as caught:
        await api.get_balance()

    assert canned.received == []
    if key:
        assert key not in every_text(caught.value)


# Secrets and sessions


async def test_the_key_echoed_in_a_refusal_is_hidden(
    canned: CannedProvider, canned_client: UBill
) -> None:
    canned.reply_json(
        "sms/send", {"statusID": 99, "message": f"Key {API_KEY} is suspended"}
    )

    with pytest.raises(UBillApiError) as caught:
        await canned_client.send_sms("995511194241", "Hello", brand_id=1)

    assert caught.value.provider_message == "Key **REDACTED** is suspended"
    assert API_KEY not in every_text(caught.value)


async def test_the_key_is_never_shown(
    canned: CannedProvider, canned_client: UBill
) -> None:
    canned.reply("sms/balance", f"<html>{API_KEY}</html>", status=503)

    with pytest.raises(UBillError) as caught:
        await canned_client.get_balance()

    assert API_KEY not in every_text(caught.value)
    assert repr(canned_client) == f"UBill(url={canned.url!r})"
