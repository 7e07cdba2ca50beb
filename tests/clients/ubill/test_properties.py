"""Whatever UBill answers or calls back with, the client raises only its own errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC
import json
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.smsgateway24.clients.ubill import (
    Brand,
    Callback,
    DeliveryStatus,
    NumberStatus,
    SendResult,
    UBill,
    UBillApiError,
    UBillError,
    international_digits,
)
from custom_components.smsgateway24.clients.ubill.models import JsonObject
from tests.clients.common import load_fixture
from tests.clients.strategies import PROPERTY, json_values, mutated, printable_keys

from .conftest import FIXTURES

ODD_TEXTS = (
    "",
    " ",
    "0",
    "1",
    "-1",
    "4",
    "99",
    "1.5",
    "²",
    "٣",
    "9" * 5000,
    "true",
    "+995511194241",
    "995511194241",
    "2026-02-01 23:30:05",
    "0001-01-01 00:00:00",
)
FIELD_NAMES = (
    "statusID",
    "smsID",
    "message",
    "sms",
    "brands",
    "id",
    "name",
    "authorized",
    "createdAt",
    "result",
    "number",
)
JSON_VALUES = json_values(FIELD_NAMES, ODD_TEXTS)


def _mutated(value: object) -> st.SearchStrategy[Any]:
    return mutated(value, JSON_VALUES)


ANSWERS: dict[str, Any] = {
    "send": load_fixture(FIXTURES, "send.json"),
    "balance": load_fixture(FIXTURES, "balance.json"),
    "brandNames": load_fixture(FIXTURES, "brands.json"),
    "report": load_fixture(FIXTURES, "report.json"),
}


def _check_status(status: DeliveryStatus) -> None:
    assert isinstance(status, DeliveryStatus)
    assert isinstance(status.slug, str)
    assert not status.failed or status.final


def _check_row(row: NumberStatus) -> None:
    assert row.number.isdecimal()
    _check_status(row.status)


@dataclass(kw_only=True, repr=False)
class _AnswerClient(UBill):
    """A client whose UBill always sends `answer` with `status`; no network."""

    answer: str = ""
    status: int = 200

    async def _request(
        self, method: str, endpoint: str, *, payload: JsonObject | None = None
    ) -> JsonObject:
        return self._decode(endpoint.split("/")[1], self.status, self.answer)


_CALLS: dict[str, Callable[[UBill], Awaitable[object]]] = {
    "send": lambda api: api.send_sms(["995511194241"], "x", brand_id=1),
    "balance": lambda api: api.get_balance(),
    "brandNames": lambda api: api.get_brands(),
    "report": lambda api: api.get_report("117345"),
}


@st.composite
def _call_and_answer(draw: st.DrawFn) -> tuple[str, str, int]:
    name = draw(st.sampled_from(sorted(ANSWERS)))
    answer = draw(
        _mutated(ANSWERS[name]).map(json.dumps)
        | JSON_VALUES.map(json.dumps)
        | st.text()
    )
    return name, answer, draw(st.sampled_from([200, 200, 401, 500]))


@PROPERTY
@given(_call_and_answer())
async def test_every_method_reads_any_answer(case: tuple[str, str, int]) -> None:
    name, answer, status = case
    api = _AnswerClient(api_key="k3y", answer=answer, status=status)
    try:
        result = await _CALLS[name](api)
    except UBillError:
        return
    assert status == 200
    if name == "send":
        assert isinstance(result, SendResult)
        assert isinstance(result.sms_id, str)
        assert result.sms_id
    elif name == "balance":
        assert type(result) is int
    else:
        assert isinstance(result, tuple)
        for item in result:
            if isinstance(item, Brand):
                assert type(item.id) is int
                assert type(item.authorized) is bool
                assert item.created is None or item.created.tzinfo is UTC
            else:
                _check_row(item)


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(["key", "smsID", "number", "statusID", "date", "other"]),
        st.text() | st.sampled_from(ODD_TEXTS),
    )
)
def test_any_callback(query: dict[str, str]) -> None:
    try:
        callback = Callback.from_query(query)
    except UBillError:
        return
    assert callback.sms_id
    assert callback.number.isdecimal()
    _check_status(callback.status)
    assert callback.date is None or callback.date.tzinfo is UTC
    assert type(callback.key_matches("k")) is bool


@PROPERTY
@given(st.text() | st.sampled_from(ODD_TEXTS))
def test_any_number(written: str) -> None:
    try:
        digits = international_digits(written)
    except ValueError:
        return
    assert digits.isascii()
    assert digits.isdecimal()
    assert 7 <= len(digits) <= 15
    assert not digits.startswith("0")


@PROPERTY
@given(st.integers())
def test_any_delivery_status(code: int) -> None:
    status = DeliveryStatus(code)
    assert status == code
    _check_status(status)


# Secrets never leak, whatever UBill echoes

KEYS = printable_keys()


@PROPERTY
@given(KEYS, st.lists(st.text(max_size=10) | st.just("K")), st.integers(1, 99))
async def test_the_key_never_in_errors(key: str, pieces: list[str], code: int) -> None:
    echoed = "".join(key if piece == "K" else piece for piece in pieces)
    api = _AnswerClient(
        api_key=key, answer=json.dumps({"statusID": code, "message": echoed})
    )
    with pytest.raises(UBillApiError) as caught:
        await api.get_balance()
    assert key not in str(caught.value)
    assert key not in (caught.value.provider_message or "")
    assert key not in repr(api)
