"""The client against a canned provider: documented answers and odd ones."""

from __future__ import annotations

from datetime import UTC, datetime
import json

import aiohttp
import pytest

from custom_components.smsgateway24.clients.smsgateway24 import (
    Image,
    MessageStatus,
    OutgoingMessage,
    SmsGateway24,
    SmsGateway24ApiError,
    SmsGateway24AuthenticationError,
    SmsGateway24ConnectionError,
    SmsGateway24Error,
    SmsGateway24ResponseError,
    SmsGateway24TimeoutError,
)
from tests.clients.common import CannedProvider, closed_port, every_text

from .conftest import PASSWORD, TOKEN

# Documented answers, read through the client


async def test_get_token(
    canned: CannedProvider, session: aiohttp.ClientSession
) -> None:
    canned.reply_fixture("gettoken", "gettoken.json")
    api = SmsGateway24(url=canned.url, session=session)

    token = await api.get_token("support@smsgateway24.com", PASSWORD)

    assert token == "abbde3e31e9d026c02f41119fc551111e"
    assert api.token == token
    assert canned.received[-1].fields == {
        "email": "support@smsgateway24.com",
        "pass": PASSWORD,
    }
    await api.get_phones()
    assert canned.received[-1].fields == {"token": token}


async def test_get_token_refused(
    canned: CannedProvider, session: aiohttp.ClientSession
) -> None:
    canned.reply_fixture("gettoken", "gettoken_error.json")
    api = SmsGateway24(url=canned.url, session=session)

    with pytest.raises(SmsGateway24AuthenticationError) as caught:
        await api.get_token("support@smsgateway24.com", "wrong")

    assert caught.value.provider_message == "Login or password incorrect"
    assert api.token is None


@pytest.mark.parametrize("token", [None, "", 12345])
async def test_get_token_without_token(
    canned: CannedProvider, session: aiohttp.ClientSession, token: object
) -> None:
    canned.reply_json("gettoken", {"error": 0, "message": "OK", "token": token})
    api = SmsGateway24(url=canned.url, session=session)

    with pytest.raises(SmsGateway24ResponseError, match="Answer has no token"):
        await api.get_token("support@smsgateway24.com", PASSWORD)
    assert api.token is None


async def test_get_phones(canned: CannedProvider, canned_client: SmsGateway24) -> None:
    canned.reply_fixture("getalldevices", "getalldevices.json")

    phones = await canned_client.get_phones()

    assert sorted(phones) == [1297, 1576]
    assert phones[1576].title == "AOSP_on_IA_Emulator"
    assert phones[1576].sims[0].number == "15555215554"
    assert phones[1297].imei is None
    assert phones[1297].sims[0].roaming is True
    assert phones[1297].last_seen == datetime(2020, 4, 20, 20, 51, 34, tzinfo=UTC)


async def test_get_phones_empty(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_fixture("getalldevices", "getalldevices_empty.json")
    assert await canned_client.get_phones() == {}


async def test_get_messages(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_fixture("getallsms", "getallsms.json")

    listing = await canned_client.get_messages()

    assert listing.count == 2
    assert [(m.id, m.status) for m in listing.messages] == [
        (62050971, MessageStatus.TAKEN),
        (62051117, MessageStatus.DELIVERED),
    ]
    assert listing.messages[0].created == datetime(2023, 11, 2, 21, 44, 43, tzinfo=UTC)
    assert canned.received[-1].fields == {"token": TOKEN, "timezone": "UTC"}


async def test_get_messages_empty(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_fixture("getallsms", "getallsms_empty.json")

    listing = await canned_client.get_messages()

    assert listing.count == 0
    assert listing.messages == ()


async def test_count_messages(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_fixture("getallsms", "getallsms_count.json")

    assert await canned_client.count_messages(status=MessageStatus.INCOMING) == 42
    assert canned.received[-1].fields == {
        "token": TOKEN,
        "timezone": "UTC",
        "status": "5",
        "onlycount": "1",
    }


async def test_get_message_status(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_fixture("getsmsstatus", "getsmsstatus.json")

    info = await canned_client.get_message_status(62807347)

    assert info.sms_id == 62807347
    assert info.status is MessageStatus.DELIVERED
    assert info.status.final is True
    assert info.description == "Delivered"
    assert canned.received[-1].fields == {"token": TOKEN, "sms_id": "62807347"}


async def test_get_message_status_unknown_code(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_fixture("getsmsstatus", "getsmsstatus_unknown.json")

    info = await canned_client.get_message_status(62807348)

    assert info.status == 13
    assert info.status.slug == "unknown_13"
    assert info.status.final is False


async def test_get_phone_status(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_fixture("getdevicestatus", "getdevicestatus.json")

    status = await canned_client.get_phone_status(1576)

    assert status.device_id == 1576
    assert status.online is True
    assert status.seconds_since_seen == 17
    assert status.last_seen == datetime(2020, 4, 23, 17, 2, 21, tzinfo=UTC)
    assert canned.received[-1].fields == {"token": TOKEN, "device_id": "1576"}


async def test_send_sms(canned: CannedProvider, canned_client: SmsGateway24) -> None:
    canned.reply_fixture("addsms", "addsms.json")

    sms_id = await canned_client.send_sms("+4915752982212", "Hello", device_id=260)

    assert sms_id == 62807347
    assert canned.received[-1].content_type == "application/x-www-form-urlencoded"
    assert canned.received[-1].fields == {
        "token": TOKEN,
        "sendto": "+4915752982212",
        "body": "Hello",
        "device_id": "260",
        "sim": "0",
    }


async def test_send_image_is_multipart(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_fixture("addsms", "addsms.json")
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256))

    await canned_client.send_sms(
        "+4915752982212",
        "",
        device_id=260,
        sim=2,
        image=Image(filename="door.png", content=picture, content_type="image/png"),
    )

    request = canned.received[-1]
    assert request.content_type == "multipart/form-data"
    assert request.files == {"file": ("door.png", picture, "image/png")}
    assert request.fields == {
        "token": TOKEN,
        "sendto": "+4915752982212",
        "body": "",
        "device_id": "260",
        "sim": "2",
    }


async def test_send_bulk(canned: CannedProvider, canned_client: SmsGateway24) -> None:
    canned.reply_fixture("addalotofsms", "addalotofsms.json")

    await canned_client.send_bulk(
        [OutgoingMessage(to="015752982212", body="Test message", device_id=260)]
    )

    fields = canned.received[-1].fields
    assert set(fields) == {"datajson"}
    assert json.loads(fields["datajson"]) == {
        "token": TOKEN,
        "smsdata": [
            {
                "sendto": "015752982212",
                "body": "Test message",
                "sim": 0,
                "device_id": 260,
                "urgent": 0,
            }
        ],
    }


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("savepaket.json", 40117), ("savepaket_legacy.json", 40118)],
)
async def test_create_newsletter_ids(
    canned: CannedProvider, canned_client: SmsGateway24, fixture: str, expected: int
) -> None:
    canned.reply_fixture("savepaket", fixture)

    paket_id = await canned_client.create_newsletter(
        "Sale", "20% off", device_id=260, tag_ids=[8303]
    )

    assert paket_id == expected


async def test_tag_contact_and_telegram(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_fixture("savetag", "savetag.json")
    canned.reply_fixture("savecontact", "savecontact.json")
    canned.reply_fixture("telegrammessage", "telegrammessage.json")

    assert await canned_client.create_tag("Employees") == 8303
    assert await canned_client.add_contact("+4915752982212", 8303) == 15954765
    await canned_client.send_telegram("123456789", "Door opened")

    # Without a name, no fullname field is sent.
    assert [(r.path, r.fields) for r in canned.received[1:]] == [
        (
            "/getdata/savecontact",
            {
                "token": TOKEN,
                "phone": "+4915752982212",
                "tag_id": "8303",
                "ctag_id": "8303",
            },
        ),
        (
            "/getdata/telegrammessage",
            {"token": TOKEN, "telegramid": "123456789", "body": "Door opened"},
        ),
    ]


# Ids in odd shapes


@pytest.mark.parametrize(
    ("sms_id", "expected"),
    [(62807347, 62807347), ("62807347", 62807347), (" 12 ", 12), ("٣", 3)],
)
async def test_sms_id_shapes(
    canned: CannedProvider,
    canned_client: SmsGateway24,
    sms_id: object,
    expected: int,
) -> None:
    canned.reply_json("addsms", {"error": 0, "message": "OK", "sms_id": sms_id})
    assert await canned_client.send_sms("+1", "x", device_id=1) == expected


@pytest.mark.parametrize(
    "sms_id", [None, True, False, "", "abc", "-5", "1.5", 1.5, "²", "9" * 5000, [1]]
)
async def test_sms_id_refused(
    canned: CannedProvider, canned_client: SmsGateway24, sms_id: object
) -> None:
    canned.reply_json("addsms", {"error": 0, "message": "OK", "sms_id": sms_id})
    with pytest.raises(SmsGateway24ResponseError, match=r"^Answer has no 'sms_id'$"):
        await canned_client.send_sms("+1", "x", device_id=1)


async def test_newsletter_without_id(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_json("savepaket", {"error": 0, "message": "OK"})
    with pytest.raises(SmsGateway24ResponseError, match=r"^Answer has no 'paket'$"):
        await canned_client.create_newsletter("t", "b", device_id=1, tag_ids=[1])


# The error envelope


@pytest.mark.parametrize("flag", [0, "0", False, None])
async def test_success_flags(
    canned: CannedProvider, canned_client: SmsGateway24, flag: object
) -> None:
    canned.reply_json("savetag", {"error": flag, "message": "OK", "tag_id": 8303})
    assert await canned_client.create_tag("Employees") == 8303


@pytest.mark.parametrize("flag", [1, "1", True])
async def test_error_flags(
    canned: CannedProvider, canned_client: SmsGateway24, flag: object
) -> None:
    canned.reply_json("savetag", {"error": flag, "message": "Title is too long"})

    with pytest.raises(SmsGateway24ApiError) as caught:
        await canned_client.create_tag("x" * 300)

    assert type(caught.value) is SmsGateway24ApiError
    assert caught.value.provider_message == "Title is too long"
    assert str(caught.value) == "Title is too long"


async def test_documented_refusal_keyed_by_text_flag(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_fixture("getdevicestatus", "error_device.json")

    with pytest.raises(SmsGateway24ApiError) as caught:
        await canned_client.get_phone_status(1)

    assert not isinstance(caught.value, SmsGateway24AuthenticationError)
    assert caught.value.provider_message == "Device not found"


@pytest.mark.parametrize(
    "message",
    [
        "Token is invalid or expired",
        "Wrong TOKEN",
        "Please login first",
        "Password changed",
        "Unauthorized",
        "unauthorised",
    ],
)
async def test_refusals_about_credentials(
    canned: CannedProvider, canned_client: SmsGateway24, message: str
) -> None:
    canned.reply_json("getalldevices", {"error": 1, "message": message})

    with pytest.raises(SmsGateway24AuthenticationError) as caught:
        await canned_client.get_phones()

    assert caught.value.provider_message == message


@pytest.mark.parametrize("message", [None, ""])
async def test_refusal_without_words(
    canned: CannedProvider, canned_client: SmsGateway24, message: object
) -> None:
    canned.reply_json("telegrammessage", {"error": 1, "message": message})

    with pytest.raises(SmsGateway24ApiError) as caught:
        await canned_client.send_telegram("1", "x")

    assert caught.value.provider_message == "Unknown error"


@pytest.mark.parametrize("flag", [2, -1, "yes", [], {"code": 1}])
async def test_odd_error_flag(
    canned: CannedProvider, canned_client: SmsGateway24, flag: object
) -> None:
    canned.reply_json("getalldevices", {"error": flag, "message": "OK", "device": []})

    with pytest.raises(
        SmsGateway24ResponseError,
        match=r"^Answer to 'getalldevices' has an odd error flag$",
    ):
        await canned_client.get_phones()


@pytest.mark.parametrize(
    ("body", "status", "content_type"),
    [
        ("<html><body>Maintenance</body></html>", 200, "text/html"),
        ("<html><h1>502 Bad Gateway</h1></html>", 502, "text/html"),
        ('{"error":0,"message":"OK","device":', 200, "application/json"),
        ("[]", 200, "application/json"),
        ('[{"error":0}]', 200, "application/json"),
        ('"OK"', 200, "application/json"),
        ("null", 200, "application/json"),
        ("", 200, "application/json"),
        ("NaN", 200, "text/plain"),
        ("[" * 100_000, 200, "application/json"),
    ],
)
async def test_answers_that_are_not_json_objects(
    canned: CannedProvider,
    canned_client: SmsGateway24,
    body: str,
    status: int,
    content_type: str,
) -> None:
    canned.reply("getalldevices", body, status=status, content_type=content_type)

    with pytest.raises(SmsGateway24ResponseError) as caught:
        await canned_client.get_phones()

    assert str(caught.value) == (
        f"Answer to 'getalldevices' is not a JSON object (HTTP {status})"
    )


async def test_http_error_with_success_envelope(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_json("getalldevices", {"error": 0, "device": []}, status=502)

    with pytest.raises(
        SmsGateway24ResponseError, match=r"^Answer to 'getalldevices' is HTTP 502$"
    ):
        await canned_client.get_phones()


async def test_http_error_with_refusal_keeps_the_words(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_json(
        "getdevicestatus", {"error": 1, "message": "Device not found"}, status=404
    )

    with pytest.raises(SmsGateway24ApiError) as caught:
        await canned_client.get_phone_status(99)

    assert caught.value.provider_message == "Device not found"


async def test_answer_not_in_its_charset(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply(
        "getalldevices",
        b'{"error":0,"device":[],"message":"\xff\xfe"}',
        content_type="application/json",
        charset="utf-8",
    )

    with pytest.raises(
        SmsGateway24ResponseError,
        match=r"^Answer to 'getalldevices' is not text in its charset$",
    ):
        await canned_client.get_phones()


async def test_answer_in_another_charset(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply(
        "savetag",
        '{"error":1,"message":"Tag existiert: Grüße"}'.encode("latin-1"),
        content_type="application/json",
        charset="latin-1",
    )

    with pytest.raises(SmsGateway24ApiError) as caught:
        await canned_client.create_tag("Grüße")

    assert caught.value.provider_message == "Tag existiert: Grüße"


# Transport failures


async def test_timeout(canned: CannedProvider, session: aiohttp.ClientSession) -> None:
    canned.reply("getalldevices", b'{"error":0,"device":[]}', delay=60)
    api = SmsGateway24(
        url=canned.url, token=TOKEN, session=session, request_timeout=0.2
    )

    with pytest.raises(SmsGateway24TimeoutError) as caught:
        await api.get_phones()

    assert isinstance(caught.value, SmsGateway24ConnectionError)
    assert str(caught.value) == "No answer to 'getalldevices' within 0.2 s"


async def test_connection_refused(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    api = SmsGateway24(
        url=f"http://127.0.0.1:{closed_port()}", token=TOKEN, session=session
    )

    with pytest.raises(SmsGateway24ConnectionError) as caught:
        await api.get_phones()

    assert not isinstance(caught.value, SmsGateway24TimeoutError)
    assert str(caught.value) == (
        "Could not reach the server for 'getalldevices': ClientConnectorError"
    )
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectionError)


# Secrets never appear in what is raised


async def test_token_echoed_in_refusal_is_hidden(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_json(
        "getalldevices",
        {"error": 1, "message": f"Token {TOKEN} is invalid or expired"},
    )

    with pytest.raises(SmsGateway24AuthenticationError) as caught:
        await canned_client.get_phones()

    assert caught.value.provider_message == "Token **REDACTED** is invalid or expired"
    assert TOKEN not in every_text(caught.value)


async def test_token_echoed_in_other_refusal_is_hidden(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    canned.reply_json(
        "getdevicestatus", {"error": 1, "message": f"Device 7 is not in {TOKEN}"}
    )

    with pytest.raises(SmsGateway24ApiError) as caught:
        await canned_client.get_phone_status(7)

    # Hiding the token keeps the kind of error.
    assert type(caught.value) is SmsGateway24ApiError
    assert caught.value.provider_message == "Device 7 is not in **REDACTED**"
    assert TOKEN not in every_text(caught.value)


async def test_password_echoed_at_sign_in_is_hidden(
    canned: CannedProvider, session: aiohttp.ClientSession
) -> None:
    canned.reply_json(
        "gettoken", {"error": 1, "message": f"Password '{PASSWORD}' is incorrect"}
    )
    api = SmsGateway24(url=canned.url, session=session)

    with pytest.raises(SmsGateway24AuthenticationError) as caught:
        await api.get_token("me@example.com", PASSWORD)

    assert str(caught.value) == "Password '**REDACTED**' is incorrect"
    assert PASSWORD not in every_text(caught.value)


async def test_password_echoed_by_legacy_send_is_hidden(
    canned: CannedProvider, session: aiohttp.ClientSession
) -> None:
    canned.reply_json(
        "smstosend",
        {"error": 1, "message": f"Device 1 not found for me@example.com/{PASSWORD}"},
    )
    api = SmsGateway24(url=canned.url, session=session)

    with pytest.raises(SmsGateway24ApiError) as caught:
        await api.send_sms_with_password(
            "me@example.com", PASSWORD, "+1", "x", device_id=1
        )

    assert caught.value.provider_message == (
        "Device 1 not found for me@example.com/**REDACTED**"
    )
    assert PASSWORD not in every_text(caught.value)


async def test_secrets_never_in_transport_errors(
    canned: CannedProvider, session: aiohttp.ClientSession
) -> None:
    canned.reply(
        "getalldevices", "<html>down</html>", status=503, content_type="text/html"
    )
    api = SmsGateway24(url=canned.url, token=TOKEN, session=session)

    with pytest.raises(SmsGateway24Error) as caught:
        await api.get_phones()

    assert TOKEN not in every_text(caught.value)
    assert TOKEN not in repr(api)
    assert repr(api) == f"SmsGateway24(url={canned.url!r})"


# Local refusals: nothing is sent


async def test_not_signed_in(
    canned: CannedProvider, session: aiohttp.ClientSession
) -> None:
    api = SmsGateway24(url=canned.url, session=session)

    with pytest.raises(SmsGateway24AuthenticationError, match="Not signed in"):
        await api.get_phones()
    with pytest.raises(SmsGateway24AuthenticationError, match="Not signed in"):
        await api.send_bulk([OutgoingMessage(to="+1", body="x", device_id=1)])

    assert canned.received == []


async def test_bulk_and_newsletter_need_content(
    canned: CannedProvider, canned_client: SmsGateway24
) -> None:
    with pytest.raises(ValueError, match="No messages to send"):
        await canned_client.send_bulk([])
    with pytest.raises(ValueError, match="A newsletter needs at least one tag"):
        await canned_client.create_newsletter("t", "b", device_id=1, tag_ids=[])
    with pytest.raises(ValueError, match="Datetime must carry a time zone"):
        await canned_client.get_messages(begin=datetime(2025, 1, 1))  # noqa: DTZ001

    assert canned.received == []


# Sessions


async def test_own_session_is_opened_and_closed(canned: CannedProvider) -> None:
    canned.reply_fixture("savetag", "savetag.json")

    async with SmsGateway24(url=canned.url + "/", token=TOKEN) as api:
        assert api.url == canned.url
        assert await api.create_tag("Employees") == 8303
        own = api.session
        assert own is not None
        # A second request reuses the session the client opened.
        await api.create_tag("Family")
        assert api.session is own

    assert own.closed


async def test_shared_session_is_left_open(
    canned: CannedProvider, session: aiohttp.ClientSession
) -> None:
    canned.reply_fixture("savetag", "savetag.json")

    async with SmsGateway24(url=canned.url, token=TOKEN, session=session) as api:
        await api.create_tag("Employees")

    assert not session.closed


async def test_close_without_session() -> None:
    api = SmsGateway24(token=TOKEN)
    await api.close()
    assert api.session is None
