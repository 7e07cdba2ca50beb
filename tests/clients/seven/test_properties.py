"""Whatever seven answers or pushes, the client raises only its own errors.

Arbitrary JSON and mutated versions of the documented answers are fed to the
parsers and to the client's decoding: each either gives well-typed values or
raises a `SevenError`, never a KeyError, TypeError, ValueError...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import json
from typing import Any
from urllib.parse import urlsplit

from hypothesis import given, strategies as st

from custom_components.smsgateway24.clients.seven import (
    Balance,
    DeliveryReport,
    DeliveryState,
    JournalEntry,
    ReturnCode,
    SendResult,
    SentMessage,
    Seven,
    SevenError,
    SevenSignatureError,
    parse_time,
    signature,
    verify_signature,
)
from custom_components.smsgateway24.clients.seven.client import _decode
from tests.clients.common import load_fixture
from tests.clients.strategies import PROPERTY, json_values, mutated, printable_keys

from .conftest import FIXTURES

# Texts seven's habits make likely, and texts that broke parsers.
ODD_TEXTS = (
    "",
    " ",
    "null",
    "0",
    "1",
    "100",
    "900",
    " 101 ",
    "-1",
    "1.5",
    "3,5",
    "NaN",
    "inf",
    "1e999",
    "²",
    "٣",
    "9" * 5000,
    "true",
    "false",
    "gsm",
    "UCS2",
    "DELIVERED",
    "notdelivered",
    "2026-07-01 14:30:12",
    "2026-07-01 14:30:12.717",
    "0001-01-01 00:00:00",
    "9999-12-31 23:59:59",
    "1767225600",
)
FIELD_NAMES = (
    "success",
    "total_price",
    "balance",
    "debug",
    "messages",
    "id",
    "recipient",
    "sender",
    "encoding",
    "parts",
    "price",
    "error",
    "error_text",
    "amount",
    "currency",
    "to",
    "from",
    "text",
    "timestamp",
    "dlr",
    "dlr_timestamp",
    "webhook_event",
    "data",
    "msg_id",
    "status",
)
JSON_VALUES = json_values(FIELD_NAMES, ODD_TEXTS)


JSON_OBJECTS = st.dictionaries(
    st.sampled_from(FIELD_NAMES) | st.text(max_size=8), JSON_VALUES, max_size=6
)


def _mutated(value: object) -> st.SearchStrategy[Any]:
    return mutated(value, JSON_VALUES)


SEND_EXAMPLES = [
    load_fixture(FIXTURES, name) for name in ("sms.json", "sms_partly.json")
]
JOURNAL_EXAMPLE = load_fixture(FIXTURES, "journal_outbound.json")
ANSWERS: dict[str, Any] = {
    "sms": SEND_EXAMPLES[0],
    "balance": load_fixture(FIXTURES, "balance.json"),
    "journal/outbound": JOURNAL_EXAMPLE,
}


def _check_time(moment: datetime | None) -> None:
    assert moment is None or moment.tzinfo is UTC


def _check_state(state: DeliveryState) -> None:
    assert isinstance(state, DeliveryState)
    assert isinstance(state.slug, str)
    # A failed message is always final.
    assert not state.failed or state.final


def _check_sent(message: SentMessage) -> None:
    assert message.id is None or (isinstance(message.id, str) and message.id)
    assert isinstance(message.recipient, str)
    assert type(message.success) is bool
    assert message.parts is None or (type(message.parts) is int and message.parts >= 0)
    assert message.price is None or type(message.price) is float
    assert message.error is None or isinstance(message.error, ReturnCode)


def _check_result(result: SendResult) -> None:
    assert isinstance(result.code, ReturnCode)
    assert type(result.debug) is bool
    for message in result.messages:
        _check_sent(message)


def _check_entry(entry: JournalEntry) -> None:
    assert isinstance(entry.id, str)
    assert entry.id
    assert isinstance(entry.to, str)
    assert isinstance(entry.text, str)
    _check_state(entry.state)
    _check_time(entry.timestamp)
    _check_time(entry.state_time)
    assert entry.price is None or type(entry.price) is float


# The parsers


@PROPERTY
@given(
    _mutated(SEND_EXAMPLES[0]).filter(lambda value: isinstance(value, dict))
    | _mutated(SEND_EXAMPLES[1]).filter(lambda value: isinstance(value, dict))
    | JSON_OBJECTS
)
def test_send_result(data: Mapping[str, Any]) -> None:
    try:
        result = SendResult.from_json(data)
    except SevenError:
        return
    _check_result(result)


@PROPERTY
@given(_mutated(JOURNAL_EXAMPLE[0]) | _mutated(JOURNAL_EXAMPLE[2]) | JSON_VALUES)
def test_journal_entry(data: Any) -> None:
    try:
        entry = JournalEntry.from_json(data)
    except SevenError:
        return
    _check_entry(entry)


@PROPERTY
@given(JSON_VALUES | _mutated(ANSWERS["balance"]))
def test_balance(data: Any) -> None:
    try:
        balance = Balance.from_json(data)
    except SevenError:
        return
    assert type(balance.amount) is float
    assert balance.currency is None or isinstance(balance.currency, str)


@PROPERTY
@given(_mutated(load_fixture(FIXTURES, "webhook_dlr.json")) | JSON_VALUES)
def test_delivery_report(data: Any) -> None:
    try:
        report = DeliveryReport.from_webhook(data)
    except SevenError:
        return
    assert isinstance(report.message_id, str)
    assert report.message_id
    _check_state(report.state)
    _check_time(report.timestamp)


@PROPERTY
@given(JSON_VALUES)
def test_times(value: Any) -> None:
    _check_time(parse_time(value))


@PROPERTY
@given(st.text())
def test_any_state_text(text: str) -> None:
    _check_state(DeliveryState(text))


@PROPERTY
@given(st.integers())
def test_any_return_code(code: int) -> None:
    member = ReturnCode(code)
    assert member == code
    assert isinstance(member.description, str)


# The client's decoding and every method's reading of the answer


@PROPERTY
@given(st.text() | JSON_VALUES.map(json.dumps), st.sampled_from([200, 401, 502]))
def test_decode_anything(text: str, status: int) -> None:
    try:
        _decode("balance", status, text)
    except SevenError:
        return
    assert status < 400


@dataclass(kw_only=True, repr=False)
class _AnswerClient(Seven):
    """A client whose seven always sends `answer`; no network."""

    answer: str = ""

    async def _request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> object:
        return _decode(endpoint, 200, self.answer)


_CALLS: dict[str, Callable[[Seven], Awaitable[object]]] = {
    "sms": lambda api: api.send_sms(["+4917612345678", "+4915112345678"], "x"),
    "balance": lambda api: api.get_balance(),
    "journal/outbound": lambda api: api.get_journal(),
}


@st.composite
def _endpoint_and_answer(draw: st.DrawFn) -> tuple[str, str]:
    endpoint = draw(st.sampled_from(sorted(ANSWERS)))
    answer = draw(
        _mutated(ANSWERS[endpoint]).map(json.dumps)
        | JSON_VALUES.map(json.dumps)
        | st.text()
        | st.sampled_from(ODD_TEXTS)
    )
    return endpoint, answer


@PROPERTY
@given(_endpoint_and_answer())
async def test_every_method_reads_any_answer(case: tuple[str, str]) -> None:
    endpoint, answer = case
    api = _AnswerClient(api_key="k3y", answer=answer)
    try:
        result = await _CALLS[endpoint](api)
    except SevenError:
        return
    if endpoint == "sms":
        assert isinstance(result, SendResult)
        _check_result(result)
        # What comes back was accepted, at least for someone.
        assert result.code.accepted
    elif endpoint == "balance":
        assert isinstance(result, Balance)
    else:
        assert isinstance(result, tuple)
        for entry in result:
            _check_entry(entry)


# Secrets never leak, whatever seven echoes

KEYS = printable_keys()


@PROPERTY
@given(
    KEYS,
    st.lists(st.text(max_size=10) | st.just("K")),
    st.sampled_from(sorted(ANSWERS)),
)
async def test_the_key_never_in_errors(
    key: str, pieces: list[str], endpoint: str
) -> None:
    echoed = "".join(key if piece == "K" else piece for piece in pieces)
    answers = [echoed, json.dumps({"success": echoed, "messages": [echoed]})]
    for answer in answers:
        api = _AnswerClient(api_key=key, answer=answer)
        texts = [repr(api)]
        try:
            await _CALLS[endpoint](api)
        except SevenError as err:
            texts += [str(err), repr(err)]
        assert not [text for text in texts if key in text]


# Webhook signatures

HEADER_VALUES = st.text(max_size=70) | st.sampled_from(["", "1783000000", "0" * 64])


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(
            ["X-Signature", "X-Timestamp", "X-Nonce", "x-signature", "Other"]
        ),
        HEADER_VALUES,
    ),
    st.text(),
    st.text(),
    st.binary(),
)
def test_any_request_is_judged_without_crashing(
    headers: dict[str, str], url: str, method: str, body: bytes
) -> None:
    try:
        verify_signature(
            "secret", headers, method=method, url=url, body=body, now=1_783_000_000
        )
    except SevenSignatureError:
        return
    # What passes was signed with the secret, over the URL or its path.
    found = {name.lower(): value for name, value in headers.items()}
    parts = urlsplit(url)
    assert found["x-signature"].strip().lower() in {
        signature(
            "secret",
            timestamp=found["x-timestamp"].strip(),
            nonce=found["x-nonce"],
            method=method,
            url=candidate,
            body=body,
        )
        for candidate in (url, parts.path, f"{parts.path}?{parts.query}")
    }


@PROPERTY
@given(
    st.text(min_size=1),
    st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyz", min_size=32, max_size=32),
    st.tuples(
        st.sampled_from(["POST", "GET", "post"]),
        st.sampled_from(
            [
                "https://ha.example.com/api/webhook/x",
                "http://10.0.0.2:8123/api/webhook/y?z=1",
            ]
        ),
    ),
    st.binary(),
    st.integers(-300, 300),
)
def test_what_seven_signs_passes_and_a_changed_body_fails(
    secret: str, nonce: str, target: tuple[str, str], body: bytes, skew: int
) -> None:
    method, url = target
    now = 1_783_000_000
    stamp = str(now + skew)
    headers = {
        "X-Signature": signature(
            secret, timestamp=stamp, nonce=nonce, method=method, url=url, body=body
        ),
        "X-Timestamp": stamp,
        "X-Nonce": nonce,
    }

    verify_signature(secret, headers, method=method, url=url, body=body, now=now)
    try:
        verify_signature(
            secret, headers, method=method, url=url, body=body + b"!", now=now
        )
    except SevenSignatureError:
        return
    raise AssertionError("a changed body passed")
