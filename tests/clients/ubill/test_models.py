"""UBill's statuses, codes, numbers, times and delivery callbacks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.smsgateway24.clients.ubill import (
    Brand,
    Callback,
    DeliveryStatus,
    StatusCode,
    UBillResponseError,
    international_digits,
    parse_time,
)

CALLBACK = {
    "key": "callback-key",
    "smsID": "117345",
    "number": "995511194241",
    "statusID": "1",
    "date": "2026-02-01 23:30:05",
}


@pytest.mark.parametrize(
    ("status", "slug", "final", "failed"),
    [
        (DeliveryStatus.SENT, "sent", False, False),
        (DeliveryStatus.DELIVERED, "delivered", True, False),
        (DeliveryStatus.NOT_DELIVERED, "not_delivered", True, True),
        (DeliveryStatus.AWAITING, "pending", False, False),
        (DeliveryStatus.ERROR, "failed", True, True),
        (DeliveryStatus(12), "unknown_12", False, False),
    ],
)
def test_delivery_statuses(
    status: DeliveryStatus, slug: str, final: bool, failed: bool
) -> None:
    assert (status.slug, status.final, status.failed) == (slug, final, failed)


def test_status_codes() -> None:
    assert [(int(code), code.description) for code in StatusCode] == [
        (0, "success"),
        (10, "brand not found"),
        (20, "numbers not found"),
        (30, "empty text"),
        (40, "not enough balance"),
        (50, "no valid number"),
        (90, "bad JSON"),
        (99, "general error"),
    ]
    assert StatusCode(98).description == "unknown status"
    with pytest.raises(ValueError, match="is not a valid StatusCode"):
        StatusCode("0")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("995511194241", "995511194241"),
        ("+995 511 19-42-41", "995511194241"),
        ("00995 (511) 194 241", "995511194241"),
        ("+49.176.12345678", "4917612345678"),
        ("+0049176", None),
        ("0511194241", None),
        ("00", None),
        ("+995 511 194241 ext 5", None),
        ("995_511194241", None),
        ("9955111942410000", None),
    ],
)
def test_international_digits(written: str, digits: str | None) -> None:
    if digits is None:
        with pytest.raises(ValueError, match="is not an international phone number"):
            international_digits(written)
    else:
        assert international_digits(written) == digits


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-02-01 23:30:05", datetime(2026, 2, 1, 19, 30, 5, tzinfo=UTC)),
        ("2026-02-01T23:30:05+00:00", datetime(2026, 2, 1, 23, 30, 5, tzinfo=UTC)),
        ("0001-01-01 00:00:00", None),
        ("yesterday", None),
        (None, None),
        (1767225600, None),
    ],
)
def test_times(value: object, expected: datetime | None) -> None:
    assert parse_time(value) == expected


def test_brand_with_a_boolean_flag() -> None:
    brand = Brand.from_json({"id": 4, "name": " Flag ", "authorized": False})
    assert (brand.id, brand.name, brand.authorized, brand.created) == (
        4,
        "Flag",
        False,
        None,
    )


def test_callback() -> None:
    callback = Callback.from_query(CALLBACK)

    assert (callback.sms_id, callback.number, callback.status) == (
        "117345",
        "995511194241",
        DeliveryStatus.DELIVERED,
    )
    assert callback.date == datetime(2026, 2, 1, 19, 30, 5, tzinfo=UTC)
    assert callback.key_matches("callback-key")
    assert not callback.key_matches("callback-kez")
    assert not callback.key_matches("")
    assert "callback-key" not in repr(callback)


def test_callback_without_key_or_date() -> None:
    callback = Callback.from_query(
        {"smsID": " 5 ", "number": "995511194241", "statusID": "4"}
    )

    assert (callback.key, callback.sms_id, callback.date) == (None, "5", None)
    assert callback.status is DeliveryStatus.ERROR
    assert not callback.key_matches("anything")
    assert callback.key_matches("\udcff") is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"smsID": ""}, "Callback has no smsID"),
        ({"smsID": None}, "Callback has no smsID"),
        ({"number": "+995511194241"}, "Field 'number' is not a phone number"),
        ({"number": None}, "Field 'number' is not a phone number"),
        ({"statusID": "delivered"}, "Field 'statusID' is not a whole number"),
        ({"statusID": "²"}, "Field 'statusID' is not a whole number"),
        ({"statusID": "9" * 5000}, "Field 'statusID' is not a whole number"),
    ],
)
def test_callbacks_that_cannot_be_read(
    change: dict[str, str | None], message: str
) -> None:
    query = {
        key: value for key, value in (CALLBACK | change).items() if value is not None
    }

    with pytest.raises(UBillResponseError, match=rf"^{message}$"):
        Callback.from_query(query)
