"""The models read the provider's documented answers and absorb its PHP habits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.smsgateway24.clients.smsgateway24 import (
    Channel,
    Message,
    MessageList,
    MessageStatus,
    MessageStatusInfo,
    OutgoingMessage,
    Phone,
    PhoneStatus,
    SimCard,
    SmsGateway24ResponseError,
    format_utc,
    parse_date,
)
from custom_components.smsgateway24.clients.smsgateway24.models import keyed
from tests.clients.common import load_fixture

from .conftest import FIXTURES


def _phones() -> dict[int, Phone]:
    devices = load_fixture(FIXTURES, "getalldevices.json")["device"]
    return {int(key): Phone.from_json(value) for key, value in devices.items()}


def test_documented_phones() -> None:
    phones = _phones()
    emulator = phones[1576]

    assert emulator.id == 1576
    assert emulator.title == "AOSP_on_IA_Emulator"
    assert emulator.number is None
    assert emulator.imei == "358240051111110"
    assert emulator.serial_number == "EMULATOR30X0X5X0"
    assert emulator.created == datetime(2020, 3, 28, 20, 10, 29, tzinfo=UTC)
    assert emulator.last_seen == datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC)
    assert emulator.app_version == "12.1.21"
    assert emulator.app_version_current is False
    assert emulator.subscription_active is True
    assert emulator.delay_between_messages is None
    assert emulator.delay_between_requests == 1
    assert emulator.sims == (
        SimCard(
            slot=0,
            iccid="89014103211118510720",
            number="15555215554",
            roaming=False,
            country="us",
            carrier="Android (T-Mobile)",
        ),
    )

    sdk = phones[1297]
    assert sdk.imei is None
    assert sdk.subscription_active is False
    assert sdk.delay_between_messages == 5
    assert sdk.sims[0].number == "+4915752982212"
    assert sdk.sims[0].roaming is True
    assert sdk.sims[0].slot == 0


def test_phone_dates_are_aware_utc() -> None:
    for phone in _phones().values():
        for moment in (phone.created, phone.last_seen):
            assert moment is not None
            assert moment.utcoffset() == timedelta(0)


def test_sims_sorted_by_slot_and_defaults() -> None:
    data = load_fixture(FIXTURES, "getalldevices.json")["device"]["1576"]
    data["siminfo"] = [
        {"Slot": "1", "Number": "", "CarrierName": "Two"},
        {"Slot": 0, "Roaming": "true", "Number": "null"},
    ]
    del data["isappversionactual"], data["subscription"]

    phone = Phone.from_json(data)

    assert [sim.slot for sim in phone.sims] == [0, 1]
    assert phone.sims[0].roaming is True
    assert phone.sims[0].number is None
    assert phone.sims[0].carrier is None
    assert phone.sims[1].roaming is False
    assert phone.sims[1].number is None
    assert phone.sims[1].carrier == "Two"
    assert phone.app_version_current is True
    assert phone.subscription_active is False


def test_phone_fields_in_other_types() -> None:
    data = load_fixture(FIXTURES, "getalldevices.json")["device"]["1576"] | {
        "id": " 1576 ",
        "imei": 358240051111110,
        "number": 4915752982212,
        "appversion": 12.1,
        "serialnumber": ["EMULATOR30X0X5X0"],
        "delaybetweenrequest": True,
        "delaybetweeneachsms": "null",
        "lastseen": "23.04.2020 17:02:21",
    }

    phone = Phone.from_json(data)

    assert phone.id == 1576
    assert phone.imei == "358240051111110"
    assert phone.number == "4915752982212"
    assert phone.app_version == "12.1"
    assert phone.serial_number is None
    assert phone.delay_between_requests == 1
    assert phone.delay_between_messages is None
    assert phone.last_seen == datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC)


def test_phone_without_sims() -> None:
    data = load_fixture(FIXTURES, "getalldevices.json")["device"]["1297"]
    data["siminfo"] = None
    assert Phone.from_json(data).sims == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"siminfo": {"Slot": "0"}}, "Field 'siminfo' is not a list"),
        ({"siminfo": ["0"]}, "Field 'siminfo' is not an object"),
        ({"siminfo": [{"Slot": "first"}]}, "Field 'Slot' is not a whole number"),
        (
            {"siminfo": [{"Slot": "0", "Roaming": "maybe"}]},
            "Field 'Roaming' is not a flag",
        ),
        ({"title": "  "}, "Field 'title' is missing"),
        ({"id": None}, "Field 'id' is not a whole number"),
        ({"id": 1.5}, "Field 'id' is not a whole number"),
        ({"subscription": 2}, "Field 'subscription' is not a flag"),
        (
            {"delaybetweenrequest": "soon"},
            "Field 'delaybetweenrequest' is not a whole number",
        ),
        ({"created": "yesterday"}, "Date text is not in a known format"),
    ],
)
def test_phone_refusals(change: dict[str, Any], message: str) -> None:
    data = load_fixture(FIXTURES, "getalldevices.json")["device"]["1576"] | change
    with pytest.raises(SmsGateway24ResponseError, match=f"^{message}$"):
        Phone.from_json(data)


def test_phone_that_is_not_an_object() -> None:
    with pytest.raises(
        SmsGateway24ResponseError, match="Field 'device' is not an object"
    ):
        Phone.from_json(["1576"])


def test_documented_messages() -> None:
    listing = MessageList.from_json(load_fixture(FIXTURES, "getallsms.json"))

    # The documented answer has no count: the messages are counted.
    assert listing.count == 2
    first, second = listing.messages
    assert first.id == 62050971
    assert first.phone == "+4912312312332"
    assert first.body == "Hello! Thank you for Order! "
    assert first.status is MessageStatus.TAKEN
    assert first.status_title == "sending"
    assert first.device_id == 11231
    assert first.sim is None
    assert first.customer_id is None
    assert first.urgent is False
    assert first.incoming is False
    assert first.sent_at is None
    assert first.send_at is None
    assert first.newsletter_id is None
    # 22:44:43 in Paris on 2 November 2023 (winter time, UTC+1).
    assert first.created == datetime(2023, 11, 2, 21, 44, 43, tzinfo=UTC)
    assert second.status is MessageStatus.DELIVERED
    assert second.created == datetime(2023, 11, 2, 21, 46, 9, tzinfo=UTC)


def test_message_with_every_field() -> None:
    data = load_fixture(FIXTURES, "getallsms.json")["smss"]["62051117"] | {
        "status": "5",
        "sim": "1",
        "customerid": "122",
        "urgent": "1",
        "deviceid": "11231",
        "paketid": 40117,
        "body": 12345,
        "sendto": " +4915752982212 ",
        "senttime": {
            "date": "2023-07-01 12:00:00.000000",
            "timezone_type": 1,
            "timezone": "+02:00",
        },
        "timetosend": "2023-07-01 10:00:00",
    }

    message = Message.from_json(data)

    assert message.incoming is True
    assert message.status is MessageStatus.INCOMING
    assert message.sim == 1
    assert message.customer_id == 122
    assert message.urgent is True
    assert message.device_id == 11231
    assert message.newsletter_id == 40117
    assert message.body == "12345"
    assert message.phone == "+4915752982212"
    assert message.sent_at == datetime(2023, 7, 1, 10, 0, tzinfo=UTC)
    assert message.send_at == datetime(2023, 7, 1, 10, 0, tzinfo=UTC)


def test_message_with_missing_optional_fields() -> None:
    message = Message.from_json({"id": "7", "status": 1})

    assert message.id == 7
    assert message.phone == ""
    assert message.body == ""
    assert message.status is MessageStatus.PENDING
    assert message.created is None
    assert message.device_id is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"body": ["Hello"]}, "Field 'body' is not text"),
        ({"body": True}, "Field 'body' is not text"),
        ({"status": "sent"}, "Field 'status' is not a whole number"),
        ({"urgent": "often"}, "Field 'urgent' is not a flag"),
        ({"customerid": {}}, "Field 'customerid' is not a whole number"),
    ],
)
def test_message_refusals(change: dict[str, Any], message: str) -> None:
    data = load_fixture(FIXTURES, "getallsms.json")["smss"]["62050971"] | change
    with pytest.raises(SmsGateway24ResponseError, match=f"^{message}$"):
        Message.from_json(data)


@pytest.mark.parametrize("empty", [[], {}, None])
def test_empty_message_list(empty: object) -> None:
    listing = MessageList.from_json({"error": 0, "count": "0", "smss": empty})
    assert listing == MessageList(count=0, messages=())


def test_message_list_as_json_list() -> None:
    items = list(load_fixture(FIXTURES, "getallsms.json")["smss"].values())
    listing = MessageList.from_json({"count": 9, "smss": items})

    assert listing.count == 9
    assert [message.id for message in listing.messages] == [62050971, 62051117]


def test_message_list_refusals() -> None:
    with pytest.raises(
        SmsGateway24ResponseError, match="Collection is neither an object nor a list"
    ):
        MessageList.from_json({"smss": "62050971"})
    with pytest.raises(SmsGateway24ResponseError, match="Field 'count' is not"):
        MessageList.from_json({"smss": [], "count": "many"})


def test_documented_status() -> None:
    info = MessageStatusInfo.from_json(load_fixture(FIXTURES, "getsmsstatus.json"))

    assert info == MessageStatusInfo(
        sms_id=62807347, status=MessageStatus.DELIVERED, description="Delivered"
    )
    assert info.status.final is True
    assert info.status.failed is False
    assert info.status.slug == "delivered"


def test_unknown_status_code_is_tolerated() -> None:
    info = MessageStatusInfo.from_json(
        load_fixture(FIXTURES, "getsmsstatus_unknown.json")
    )

    assert info.sms_id == 62807348
    assert info.status == 13
    assert info.status.slug == "unknown_13"
    assert info.status.final is False
    assert info.status.failed is False
    assert info.description == "Paused by operator"


@pytest.mark.parametrize(
    ("status", "slug", "final", "failed"),
    [
        (MessageStatus.PENDING, "pending", False, False),
        (MessageStatus.TAKEN, "taken", False, False),
        (MessageStatus.QUEUED, "queued", False, False),
        (MessageStatus.INCOMING, "incoming", True, False),
        (MessageStatus.SENT, "sent", False, False),
        (MessageStatus.DELIVERED, "delivered", True, False),
        (MessageStatus.NOT_DELIVERED, "not_delivered", True, True),
        (MessageStatus.FAILED, "failed", True, True),
        (MessageStatus.NO_SERVICE, "no_service", True, True),
        (MessageStatus.NULL_PDU, "null_pdu", True, True),
        (MessageStatus.RADIO_OFF, "radio_off", True, True),
        (MessageStatus.NOT_ALLOWED, "not_allowed", True, True),
        (MessageStatus.NOT_ALLOWED_AT_ALL, "not_allowed_at_all", True, True),
    ],
)
def test_status_table(
    status: MessageStatus, slug: str, final: bool, failed: bool
) -> None:
    assert status.slug == slug
    assert status.final is final
    assert status.failed is failed


def test_status_refuses_what_is_not_a_number() -> None:
    text: Any = "7"
    with pytest.raises(ValueError, match="is not a valid MessageStatus"):
        MessageStatus(text)


def test_documented_phone_status_with_offset_date() -> None:
    status = PhoneStatus.from_json(load_fixture(FIXTURES, "getdevicestatus.json"))

    assert status == PhoneStatus(
        device_id=1576,
        title="AOSP_on_IA_Emulator",
        # 19:02:21 at +02:00.
        last_seen=datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC),
        online=True,
        seconds_since_seen=17,
    )


def test_phone_status_without_online_fields() -> None:
    status = PhoneStatus.from_json(load_fixture(FIXTURES, "getdevicestatus_short.json"))

    assert status.device_id == 1297
    assert status.online is None
    assert status.seconds_since_seen is None
    assert status.last_seen == datetime(2020, 4, 20, 20, 51, 34, tzinfo=UTC)


@pytest.mark.parametrize(
    ("online", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("1", True),
        (" Yes ", True),
        ("true", True),
        ("no", False),
        ("FALSE", False),
        ("", False),
    ],
)
def test_flags(online: object, expected: bool) -> None:
    assert PhoneStatus.from_json({"device_id": 1, "online": online}).online is expected


@pytest.mark.parametrize("online", [2, -1, 1.0, "online", [], {}])
def test_flag_refusals(online: object) -> None:
    with pytest.raises(
        SmsGateway24ResponseError, match=r"^Field 'online' is not a flag$"
    ):
        PhoneStatus.from_json({"device_id": 1, "online": online})


def test_phone_status_online_as_text() -> None:
    status = PhoneStatus.from_json(
        {"device_id": 1, "online": "0", "diffseconds": "null"}
    )
    assert status.online is False
    assert status.seconds_since_seen is None
    assert status.title is None
    assert status.last_seen is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("2020-04-23 17:02:21", datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC)),
        ("23.04.2020 17:02:21", datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC)),
        (
            {"date": "2020-04-23 17:02:21.000000", "timezone_type": 3},
            datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC),
        ),
        (
            {"date": "2020-04-23 17:02:21.250000", "timezone_type": 3, "timezone": "Z"},
            datetime(2020, 4, 23, 17, 2, 21, 250000, tzinfo=UTC),
        ),
        (
            {
                "date": "2020-04-23 19:02:21.000000",
                "timezone_type": 1,
                "timezone": "+02:00",
            },
            datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC),
        ),
        (
            {
                "date": "2020-04-23 12:32:21.000000",
                "timezone_type": 1,
                "timezone": "-0430",
            },
            datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC),
        ),
        (
            {
                "date": "2020-04-23 17:02:21.000000",
                "timezone_type": 1,
                "timezone": "+00:00",
            },
            datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC),
        ),
        (
            # Summer time in Sydney is UTC+10 in April (DST ended on 5 April 2020).
            {
                "date": "2020-04-24 03:02:21.000000",
                "timezone_type": 3,
                "timezone": "Australia/Sydney",
            },
            datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC),
        ),
        (
            {
                "date": "2023-07-01 12:00:00.000000",
                "timezone_type": 3,
                "timezone": "Europe/Paris",
            },
            datetime(2023, 7, 1, 10, 0, tzinfo=UTC),
        ),
    ],
)
def test_parse_date(value: object, expected: datetime | None) -> None:
    parsed = parse_date(value)

    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1587661341, "Field 'date' is not an object"),
        ({"timezone": "UTC"}, "Date object has no 'date' text"),
        (
            {"date": "2020-04-23", "timezone": "UTC"},
            "Date text is not in a known format",
        ),
        ({"date": "2020-04-23 17:02:21", "timezone": 2}, "Date zone is not a string"),
        (
            {"date": "2020-04-23 17:02:21", "timezone": "Mars/Olympus"},
            "Date zone is not known",
        ),
        (
            {"date": "2020-04-23 17:02:21", "timezone": "../etc/passwd"},
            "Date zone is not known",
        ),
        # A folder of the zone database, not a zone.
        (
            {"date": "2020-04-23 17:02:21", "timezone": "Europe"},
            "Date zone is not known",
        ),
        (
            {"date": "2020-04-23 17:02:21", "timezone": "Europe/" + "x" * 300},
            "Date zone is not known",
        ),
        (
            {"date": "2020-04-23 17:02:21", "timezone": "+24:00"},
            "Date offset is out of range",
        ),
        ({"date": "0001-01-01 00:00:00", "timezone": "+01:00"}, "Date is out of range"),
        (
            {"date": "9999-12-31 23:59:59", "timezone": "America/New_York"},
            "Date is out of range",
        ),
    ],
)
def test_parse_date_refusals(value: object, message: str) -> None:
    with pytest.raises(SmsGateway24ResponseError, match=f"^{message}"):
        parse_date(value)


def test_format_utc() -> None:
    paris = datetime(2025, 1, 12, 3, 3, 39, tzinfo=ZoneInfo("Europe/Paris"))

    assert format_utc(paris) == "2025-01-12 02:03:39"
    assert format_utc(paris, "%d.%m.%Y %H:%M:%S") == "12.01.2025 02:03:39"
    assert format_utc(datetime(2025, 1, 12, 2, 3, 39, 999999, tzinfo=UTC)) == (
        "2025-01-12 02:03:39"
    )


def test_format_utc_refuses_naive_time() -> None:
    with pytest.raises(ValueError, match="Datetime must carry a time zone"):
        format_utc(datetime(2025, 1, 12, 2, 3, 39))  # noqa: DTZ001


def test_outgoing_message_as_json() -> None:
    minimal = OutgoingMessage(to="015752982212", body="Test message", device_id=260)
    full = OutgoingMessage(
        to="+4915752982212",
        body="Your password is 12345",
        device_id=260,
        sim=1,
        send_at=datetime(2019, 7, 2, 1, 50, tzinfo=timezone(timedelta(hours=2))),
        customer_id=122,
        urgent=True,
    )

    assert minimal.as_json() == {
        "sendto": "015752982212",
        "body": "Test message",
        "sim": 0,
        "device_id": 260,
        "urgent": 0,
    }
    assert full.as_json() == {
        "sendto": "+4915752982212",
        "body": "Your password is 12345",
        "sim": 1,
        "device_id": 260,
        "urgent": 1,
        "timetosend": "2019-07-01 23:50:00",
        "customerid": 122,
    }


def test_keyed_collections() -> None:
    assert list(keyed({"2": "b", "1": "a"})) == ["b", "a"]
    assert list(keyed(["a", "b"])) == ["a", "b"]
    assert list(keyed(None)) == []
    with pytest.raises(SmsGateway24ResponseError):
        keyed(3)


@pytest.mark.parametrize(
    ("channel", "is_sim", "is_whatsapp"),
    [
        (Channel.SIM_1, True, False),
        (Channel.SIM_2, True, False),
        (Channel.WHATSAPP_BUSINESS, False, True),
        (Channel.WHATSAPP, False, True),
        (Channel.RCS_1, False, False),
        (Channel.RCS_2, False, False),
    ],
)
def test_channels(channel: Channel, is_sim: bool, is_whatsapp: bool) -> None:
    assert channel.is_sim is is_sim
    assert channel.is_whatsapp is is_whatsapp
    assert Channel(int(channel)) is channel
