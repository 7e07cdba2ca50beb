"""Whatever the provider answers, the client raises only its own errors.

Arbitrary JSON and mutated versions of the documented answers are fed to the
parsers and to the client's decoding: each either gives well-typed values or
raises a `SmsGateway24Error`, never a KeyError, TypeError, ValueError...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.smsgateway24.clients.smsgateway24 import (
    Image,
    Message,
    MessageList,
    MessageStatus,
    MessageStatusInfo,
    Phone,
    PhoneStatus,
    SmsGateway24,
    SmsGateway24ApiError,
    SmsGateway24Error,
    format_utc,
    parse_date,
)
from custom_components.smsgateway24.clients.smsgateway24.client import _decode
from custom_components.smsgateway24.clients.smsgateway24.models import JsonObject
from tests.clients.common import load_fixture

from .conftest import FIXTURES

# The Home Assistant plugin gives every test function-scoped fixtures these
# tests never use; each example builds what it needs itself.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Texts the provider's PHP habits make likely, and texts that broke parsers.
PHP_TEXTS = st.sampled_from(
    [
        "",
        " ",
        "null",
        "0",
        "1",
        "true",
        "no",
        " 42 ",
        "-1",
        "1.5",
        "²",
        "٣",
        "9" * 5000,
        "2020-04-23 17:02:21",
        "2020-04-23 17:02:21.000000",
        "23.04.2020 17:02:21",
        "0001-01-01 00:00:00",
        "9999-12-31 23:59:59",
        "0000-00-00 00:00:00",
        "UTC",
        "Z",
        "+02:00",
        "-0430",
        "+24:00",
        "+99:99",
        "Europe/Paris",
        "Europe",
        "Mars/Olympus",
        "../etc/passwd",
        "Europe/" + "x" * 300,
    ]
)
FIELD_NAMES = st.sampled_from(
    [
        "error",
        "message",
        "token",
        "id",
        "title",
        "date",
        "timezone",
        "timezone_type",
        "siminfo",
        "Slot",
        "Roaming",
        "Number",
        "device",
        "smss",
        "count",
        "status",
        "sms_id",
        "device_id",
        "online",
        "diffseconds",
        "lastseen",
        "created",
        "paket_id",
        "paket",
        "tag_id",
        "contact_id",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    PHP_TEXTS,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(FIELD_NAMES | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=16,
)
JSON_OBJECTS = st.dictionaries(
    FIELD_NAMES | st.text(max_size=8), JSON_VALUES, max_size=6
)


def mutated(value: object) -> st.SearchStrategy[Any]:
    """The value, with now and then a part replaced, dropped, or turned to text."""
    if isinstance(value, dict):
        parts = {key: mutated(item) for key, item in value.items()}
        whole = st.fixed_dictionaries(parts)
        some = st.fixed_dictionaries({}, optional=parts)
        # One object in four loses some keys.
        kept: st.SearchStrategy[Any] = st.integers(0, 3).flatmap(
            lambda n: some if n == 0 else whole
        )
    elif isinstance(value, list):
        kept = st.tuples(*(mutated(item) for item in value)).map(list)
    else:
        kept = st.just(value)
    changed = JSON_VALUES | st.just(str(value)) | st.just(f" {value} ")
    # About one part in ten is changed: deep parts stay reachable.
    return st.integers(0, 9).flatmap(lambda n: changed if n == 0 else kept)


def _is_object(value: object) -> bool:
    """Whether a mutated answer is still an object, as the client passes on."""
    return isinstance(value, dict)


DEVICE_EXAMPLE = load_fixture(FIXTURES, "getalldevices.json")
SMS_EXAMPLE = load_fixture(FIXTURES, "getallsms.json")
DATE_EXAMPLES = [
    {
        "date": "2023-11-02 22:44:43.000000",
        "timezone_type": 3,
        "timezone": "Europe/Paris",
    },
    {"date": "2020-04-23 19:02:21.000000", "timezone_type": 1, "timezone": "+02:00"},
]
ANSWERS: dict[str, Any] = {
    "gettoken": load_fixture(FIXTURES, "gettoken.json"),
    "addsms": load_fixture(FIXTURES, "addsms.json"),
    "getallsms": SMS_EXAMPLE,
    "getsmsstatus": load_fixture(FIXTURES, "getsmsstatus.json"),
    "getalldevices": DEVICE_EXAMPLE,
    "getdevicestatus": load_fixture(FIXTURES, "getdevicestatus.json"),
    "savetag": load_fixture(FIXTURES, "savetag.json"),
    "savecontact": load_fixture(FIXTURES, "savecontact.json"),
    "savepaket": load_fixture(FIXTURES, "savepaket.json"),
}


def _check_date(moment: datetime | None) -> None:
    assert moment is None or moment.tzinfo is UTC


def _check_phone(phone: Phone) -> None:
    assert type(phone.id) is int
    assert isinstance(phone.title, str)
    assert phone.title == phone.title.strip()
    assert phone.title
    assert phone.imei != "null"
    _check_date(phone.created)
    _check_date(phone.last_seen)
    assert [sim.slot for sim in phone.sims] == sorted(sim.slot for sim in phone.sims)
    for sim in phone.sims:
        assert type(sim.slot) is int
        assert type(sim.roaming) is bool
        assert sim.number is None or (sim.number and sim.number == sim.number.strip())
    assert type(phone.app_version_current) is bool
    assert type(phone.subscription_active) is bool
    for delay in (phone.delay_between_messages, phone.delay_between_requests):
        assert delay is None or type(delay) is int


def _check_status(status: MessageStatus) -> None:
    assert isinstance(status, MessageStatus)
    assert isinstance(status.slug, str)
    assert type(status.final) is bool
    assert type(status.failed) is bool
    # A failed message is always final.
    assert not status.failed or status.final


def _check_message(message: Message) -> None:
    assert type(message.id) is int
    assert isinstance(message.phone, str)
    assert isinstance(message.body, str)
    _check_status(message.status)
    assert type(message.urgent) is bool
    for moment in (message.created, message.sent_at, message.send_at):
        _check_date(moment)
    for number in (message.device_id, message.sim, message.customer_id):
        assert number is None or type(number) is int


# The parsers


@PROPERTY
@given(
    mutated(DEVICE_EXAMPLE["device"]["1576"])
    | mutated(DEVICE_EXAMPLE["device"]["1297"])
)
def test_phone_from_mutated_example(data: Any) -> None:
    try:
        phone = Phone.from_json(data)
    except SmsGateway24Error:
        return
    _check_phone(phone)


@PROPERTY
@given(JSON_VALUES)
def test_phone_from_anything(data: Any) -> None:
    try:
        phone = Phone.from_json(data)
    except SmsGateway24Error:
        return
    _check_phone(phone)


@PROPERTY
@given(mutated(SMS_EXAMPLE["smss"]["62050971"]) | JSON_VALUES)
def test_message_from_mutated_example_or_anything(data: Any) -> None:
    try:
        message = Message.from_json(data)
    except SmsGateway24Error:
        return
    _check_message(message)


@PROPERTY
@given(
    mutated(SMS_EXAMPLE).filter(_is_object)
    | JSON_OBJECTS
    | st.fixed_dictionaries({"count": JSON_VALUES, "smss": JSON_VALUES})
)
def test_message_list(data: Mapping[str, Any]) -> None:
    try:
        listing = MessageList.from_json(data)
    except SmsGateway24Error:
        return
    assert type(listing.count) is int
    for message in listing.messages:
        _check_message(message)


@PROPERTY
@given(
    mutated(load_fixture(FIXTURES, "getsmsstatus.json")).filter(_is_object)
    | mutated(load_fixture(FIXTURES, "getdevicestatus.json")).filter(_is_object)
    | JSON_OBJECTS
)
def test_status_answers(data: Mapping[str, Any]) -> None:
    try:
        info = MessageStatusInfo.from_json(data)
    except SmsGateway24Error:
        pass
    else:
        assert type(info.sms_id) is int
        _check_status(info.status)
    try:
        status = PhoneStatus.from_json(data)
    except SmsGateway24Error:
        return
    assert type(status.device_id) is int
    assert status.online is None or type(status.online) is bool
    _check_date(status.last_seen)


@PROPERTY
@given(mutated(DATE_EXAMPLES[0]) | mutated(DATE_EXAMPLES[1]) | JSON_VALUES)
def test_parse_date_from_anything(value: Any) -> None:
    try:
        moment = parse_date(value)
    except SmsGateway24Error:
        return
    _check_date(moment)


@PROPERTY
@given(st.integers())
def test_any_status_code(code: int) -> None:
    status = MessageStatus(code)

    assert status == code
    _check_status(status)
    if code not in {member.value for member in MessageStatus}:
        assert status.slug == f"unknown_{code}"
        assert not status.final


# Dates round-trip


@PROPERTY
@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),  # noqa: DTZ001
        max_value=datetime(2200, 1, 1),  # noqa: DTZ001
        timezones=st.timezones(),
    )
)
def test_format_then_parse_is_the_same_second(moment: datetime) -> None:
    # Compared in UTC: across zones, Python calls a time in a DST gap or fold
    # unequal to everything.
    second = moment.astimezone(UTC).replace(microsecond=0)

    assert parse_date(format_utc(moment)) == second
    assert parse_date(format_utc(moment, "%d.%m.%Y %H:%M:%S")) == second


@PROPERTY
@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),  # noqa: DTZ001
        max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    ),
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
    st.booleans(),
)
def test_php_date_with_offset_is_the_same_instant(
    naive_utc: datetime, minutes: int, colon: bool
) -> None:
    instant = naive_utc.replace(tzinfo=UTC)
    local = instant.astimezone(timezone(timedelta(minutes=minutes)))
    hours, rest = divmod(abs(minutes), 60)
    offset = f"{'-' if minutes < 0 else '+'}{hours:02d}{':' if colon else ''}{rest:02d}"

    parsed = parse_date(
        {
            "date": local.strftime("%Y-%m-%d %H:%M:%S.%f"),
            "timezone_type": 1,
            "timezone": offset,
        }
    )

    assert parsed == instant


# The client's decoding and every method's reading of the answer


@PROPERTY
@given(st.text() | JSON_VALUES.map(json.dumps), st.sampled_from([200, 404, 502]))
def test_decode_anything(text: str, status: int) -> None:
    try:
        answer = _decode("getalldevices", status, text)
    except SmsGateway24Error:
        return
    assert isinstance(answer, dict)
    assert answer.get("error") in (0, "0", False, None)
    assert status < 400


@dataclass(kw_only=True)
class _AnswerClient(SmsGateway24):
    """A client whose provider always sends `answer`; no network."""

    answer: str = ""

    async def _post(
        self, method: str, data: Mapping[str, str], image: Image | None
    ) -> JsonObject:
        return _decode(method, 200, self.answer)


_CALLS: dict[str, Callable[[SmsGateway24], Awaitable[object]]] = {
    "gettoken": lambda api: api.get_token("me@example.com", "secret"),
    "addsms": lambda api: api.send_sms("+1", "x", device_id=1),
    "getallsms": lambda api: api.get_messages(),
    "getsmsstatus": lambda api: api.get_message_status(1),
    "getalldevices": lambda api: api.get_phones(),
    "getdevicestatus": lambda api: api.get_phone_status(1),
    "savetag": lambda api: api.create_tag("t"),
    "savecontact": lambda api: api.add_contact("+1", 1),
    "savepaket": lambda api: api.create_newsletter("t", "b", device_id=1, tag_ids=[1]),
}


@st.composite
def _method_and_answer(draw: st.DrawFn) -> tuple[str, str]:
    method = draw(st.sampled_from(sorted(ANSWERS)))
    answer = draw(
        mutated(ANSWERS[method]).map(json.dumps)
        | JSON_OBJECTS.map(json.dumps)
        | st.text()
    )
    return method, answer


@PROPERTY
@given(_method_and_answer())
async def test_every_method_reads_any_answer(case: tuple[str, str]) -> None:
    method, answer = case
    api = _AnswerClient(token="0123456789abcdef", answer=answer)
    try:
        result = await _CALLS[method](api)
    except SmsGateway24Error:
        return
    if method in ("addsms", "savetag", "savecontact", "savepaket"):
        assert type(result) is int
    elif method == "gettoken":
        assert isinstance(result, str)
        assert result
    elif method == "getalldevices":
        assert isinstance(result, dict)
        for phone in result.values():
            _check_phone(phone)


# Secrets never leak, whatever the provider echoes

TOKENS = st.text(alphabet="0123456789abcdef", min_size=16, max_size=40)
# A password that is part of the marker itself could never be told apart from it.
PASSWORDS = st.text(
    alphabet=st.characters(exclude_characters="*", codec="utf-8"), min_size=1
).filter(lambda password: password not in "REDACTED")


@PROPERTY
@given(TOKENS, PASSWORDS, st.lists(st.text(max_size=10) | st.sampled_from(["T", "P"])))
async def test_secrets_never_in_errors(
    token: str, password: str, pieces: list[str]
) -> None:
    echoed = "".join(
        token if piece == "T" else password if piece == "P" else piece
        for piece in pieces
    )
    api = _AnswerClient(token=token, answer=json.dumps({"error": 1, "message": echoed}))

    with pytest.raises(SmsGateway24ApiError) as caught:
        await api.get_token("me@example.com", password)

    for text in (str(caught.value), caught.value.provider_message):
        assert token not in text
        assert password not in text
