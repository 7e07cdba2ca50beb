"""Every client coroutine against the simulator, and what the simulator received."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.smsgateway24.clients.smsgateway24 import (
    Image,
    MessageStatus,
    OutgoingMessage,
    SmsGateway24,
    SmsGateway24ApiError,
    SmsGateway24AuthenticationError,
    SmsGateway24ResponseError,
    SmsGateway24TimeoutError,
)
from simulator.demo import DEMO_EMAIL, DEMO_PASSWORD
from simulator.models import Account, UploadInfo
from tests.clients.common import RunningSimulator, every_text

PARIS = ZoneInfo("Europe/Paris")
SYDNEY = ZoneInfo("Australia/Sydney")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _phone_id(sim_server: RunningSimulator, title: str) -> int:
    account = sim_server.sim.account(DEMO_EMAIL)
    return next(p.id for p in account.phones.values() if p.title == title)


def _account(sim_server: RunningSimulator) -> Account:
    return sim_server.sim.account(DEMO_EMAIL)


def _only_request(
    sim_server: RunningSimulator, method: str
) -> dict[str, str | UploadInfo]:
    """The fields of the one request the simulator received, checked to be `method`."""
    requests = sim_server.sim.requests
    assert [(r.method, r.http_method) for r in requests] == [(method, "POST")]
    return requests[0].fields


# Signing in


async def test_get_token(
    sim_server: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    api = SmsGateway24(url=sim_server.url, session=session)

    token = await api.get_token(DEMO_EMAIL, DEMO_PASSWORD)

    assert token == _account(sim_server).token
    assert api.token == token
    assert _only_request(sim_server, "gettoken") == {
        "email": DEMO_EMAIL,
        "pass": DEMO_PASSWORD,
    }


async def test_wrong_password(
    sim_server: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    api = SmsGateway24(url=sim_server.url, session=session)
    wrong = "not-the-password"

    with pytest.raises(SmsGateway24AuthenticationError) as caught:
        await api.get_token(DEMO_EMAIL, wrong)

    assert caught.value.provider_message == "Login or password incorrect"
    assert wrong not in every_text(caught.value)
    assert api.token is None


async def test_expired_token(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    old_token = client.token
    assert old_token is not None
    sim_server.sim.expire_token(DEMO_EMAIL)

    with pytest.raises(SmsGateway24AuthenticationError) as caught:
        await client.get_phones()

    assert caught.value.provider_message == "Token is invalid or expired"
    assert old_token not in every_text(caught.value)
    # Signing in again gives a new token that works.
    new_token = await client.get_token(DEMO_EMAIL, DEMO_PASSWORD)
    assert new_token != old_token
    assert len(await client.get_phones()) == 2


# Sending


async def test_send_sms_with_every_field(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    pixel = _phone_id(sim_server, "Pixel 7")

    sms_id = await client.send_sms(
        ["+4915752982212", " +4917642111111 "],
        "Your code is 1234",
        device_id=pixel,
        sim=1,
        send_at=datetime(2025, 1, 12, 3, 3, 39, tzinfo=PARIS),
        customer_id=122,
        urgent=True,
    )

    assert _only_request(sim_server, "addsms") == {
        "token": client.token,
        "sendto": "+4915752982212,+4917642111111",
        "body": "Your code is 1234",
        "device_id": str(pixel),
        "sim": "1",
        "timetosend": "2025-01-12 02:03:39",
        "customerid": "122",
        "urgent": "1",
    }
    # One id comes back; the second recipient's message has the next one.
    first = sim_server.sim.message(sms_id)
    second = sim_server.sim.message(sms_id + 1)
    assert (first.sendto, second.sendto) == ("+4915752982212", "+4917642111111")
    assert first.timetosend == datetime(2025, 1, 12, 2, 3, 39, tzinfo=UTC)
    assert first.customerid == 122
    assert first.urgent == 1


async def test_send_sms_with_defaults(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    galaxy = _phone_id(sim_server, "Galaxy A52")

    sms_id = await client.send_sms("+33612345678", "Alarm armed", device_id=galaxy)

    assert _only_request(sim_server, "addsms") == {
        "token": client.token,
        "sendto": "+33612345678",
        "body": "Alarm armed",
        "device_id": str(galaxy),
        "sim": "0",
    }
    assert sim_server.sim.message(sms_id).body == "Alarm armed"


async def test_send_image_over_whatsapp(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    pixel = _phone_id(sim_server, "Pixel 7")

    sms_id = await client.send_sms(
        "+4915752982212",
        "",
        device_id=pixel,
        sim=3,
        image=Image(filename="door.png", content=PNG, content_type="image/png"),
    )

    fields = _only_request(sim_server, "addsms")
    assert fields["file"] == {"filename": "door.png", "size": len(PNG)}
    assert fields["sendto"] == "+4915752982212"
    assert fields["sim"] == "3"
    assert fields["token"] == client.token
    # The provider stores the uploaded image's address as the body.
    body = sim_server.sim.message(sms_id).body
    assert body.startswith("https://")
    assert body.endswith(".png")


async def test_send_sms_with_password(
    sim_server: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    galaxy = _phone_id(sim_server, "Galaxy A52")
    api = SmsGateway24(url=sim_server.url, session=session)

    sms_id = await api.send_sms_with_password(
        DEMO_EMAIL,
        DEMO_PASSWORD,
        "+33612345678",
        "Legacy hello",
        device_id=galaxy,
        send_at=datetime(2025, 6, 1, 8, 0, tzinfo=UTC),
    )

    assert _only_request(sim_server, "smstosend") == {
        "sendto": "+33612345678",
        "body": "Legacy hello",
        "device_id": str(galaxy),
        "sim": "0",
        "timetosend": "2025-06-01 08:00:00",
        "email": DEMO_EMAIL,
        "pass": DEMO_PASSWORD,
    }
    assert sim_server.sim.message(sms_id).body == "Legacy hello"
    # The legacy method does not sign the client in.
    assert api.token is None


async def test_send_sms_with_wrong_password(
    sim_server: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    api = SmsGateway24(url=sim_server.url, session=session)
    wrong = "guessed-password"

    with pytest.raises(SmsGateway24AuthenticationError) as caught:
        await api.send_sms_with_password(DEMO_EMAIL, wrong, "+1", "x", device_id=1)

    assert caught.value.provider_message == "Login or password incorrect"
    assert wrong not in every_text(caught.value)


async def test_send_bulk(sim_server: RunningSimulator, client: SmsGateway24) -> None:
    pixel = _phone_id(sim_server, "Pixel 7")
    before = len(_account(sim_server).messages)

    await client.send_bulk(
        [
            OutgoingMessage(
                to="015752982212",
                body="Your password is 12345",
                device_id=pixel,
                sim=1,
                send_at=datetime(2019, 7, 2, 1, 50, tzinfo=PARIS),
                customer_id=122,
                urgent=True,
            ),
            OutgoingMessage(to="+4915752982212", body="Regular SMS", device_id=pixel),
        ]
    )

    fields = _only_request(sim_server, "addalotofsms")
    assert set(fields) == {"datajson"}
    datajson = fields["datajson"]
    assert isinstance(datajson, str)
    assert json.loads(datajson) == {
        "token": client.token,
        "smsdata": [
            {
                "sendto": "015752982212",
                "body": "Your password is 12345",
                "sim": 1,
                "device_id": pixel,
                "urgent": 1,
                "timetosend": "2019-07-01 23:50:00",
                "customerid": 122,
            },
            {
                "sendto": "+4915752982212",
                "body": "Regular SMS",
                "sim": 0,
                "device_id": pixel,
                "urgent": 0,
            },
        ],
    }
    bodies = {message.body for message in _account(sim_server).messages[before:]}
    assert bodies == {"Your password is 12345", "Regular SMS"}


# Reading messages


async def test_get_messages_with_every_filter(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    sim = sim_server.sim
    pixel = _phone_id(sim_server, "Pixel 7")
    sms_id = await client.send_sms(
        "+49 1575 2982212", "Filtered", device_id=pixel, sim=1, customer_id=77
    )
    sim.clear_requests()
    created = sim.message(sms_id).created
    begin = (created - timedelta(minutes=5)).astimezone(SYDNEY)
    end = created + timedelta(minutes=5)

    listing = await client.get_messages(
        device_id=pixel,
        status=MessageStatus.PENDING,
        begin=begin,
        end=end,
        sim=1,
        customer_id=77,
        phone="+4915752982212",
        newest_first=True,
    )

    assert _only_request(sim_server, "getallsms") == {
        "token": client.token,
        "timezone": "UTC",
        "device_id": str(pixel),
        "status": "1",
        "begindate": (created - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S"),
        "enddate": end.strftime("%Y-%m-%d %H:%M:%S"),
        "sim": "1",
        "customerid": "77",
        "phone": "+4915752982212",
        "orderbydesc": "1",
    }
    assert listing.count == 1
    (message,) = listing.messages
    assert message.id == sms_id
    assert message.body == "Filtered"
    assert message.phone == "+49 1575 2982212"
    assert message.status is MessageStatus.PENDING
    assert message.device_id == pixel
    assert message.sim == 1
    assert message.customer_id == 77
    assert message.created == created
    assert message.created is not None
    assert message.created.tzinfo is UTC


async def test_get_incoming_messages_newest_first(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    pixel = _phone_id(sim_server, "Pixel 7")

    listing = await client.get_messages(
        device_id=pixel, status=MessageStatus.INCOMING, newest_first=True
    )

    assert [(m.phone, m.body, m.incoming) for m in listing.messages] == [
        ("+4915209876543", "ALARM OFF", True),
        ("+4917655501234", "Are you home tonight?", True),
    ]
    first, second = listing.messages
    assert first.created is not None
    assert second.created is not None
    assert first.created - second.created == timedelta(hours=45)


async def test_get_every_message(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    listing = await client.get_messages()

    stored = _account(sim_server).messages
    assert listing.count == len(stored)
    assert [m.id for m in listing.messages] == [m.id for m in stored]
    assert _only_request(sim_server, "getallsms") == {
        "token": client.token,
        "timezone": "UTC",
    }


async def test_get_messages_none_found(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    listing = await client.get_messages(phone="+10000000000")
    assert listing.count == 0
    assert listing.messages == ()


async def test_count_messages(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    galaxy = _phone_id(sim_server, "Galaxy A52")
    expected = sum(
        1 for message in _account(sim_server).messages if message.device_id == galaxy
    )

    count = await client.count_messages(device_id=galaxy)

    assert count == expected
    assert count > 0
    assert _only_request(sim_server, "getallsms") == {
        "token": client.token,
        "timezone": "UTC",
        "device_id": str(galaxy),
        "onlycount": "1",
    }


async def test_message_status_follows_the_phone(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    sim = sim_server.sim
    pixel = _phone_id(sim_server, "Pixel 7")
    sms_id = await client.send_sms("+4915752982212", "Hello", device_id=pixel)
    sim.clear_requests()

    pending = await client.get_message_status(sms_id)

    assert _only_request(sim_server, "getsmsstatus") == {
        "token": client.token,
        "sms_id": str(sms_id),
    }
    assert pending.sms_id == sms_id
    assert pending.status is MessageStatus.PENDING
    assert pending.status.final is False
    seen: list[MessageStatus] = [pending.status]
    for _ in range(10):
        sim.tick()
        info = await client.get_message_status(sms_id)
        if info.status != seen[-1]:
            seen.append(info.status)
        if info.status.final:
            break
    assert seen[-1] is MessageStatus.DELIVERED
    assert seen[-1].failed is False
    assert info.description == "Delivered"


async def test_forced_failure_is_reported(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    sim = sim_server.sim
    pixel = _phone_id(sim_server, "Pixel 7")
    sms_id = await client.send_sms("+4915752982212", "Hello", device_id=pixel)
    sim.force_failure(sms_id=sms_id, status=MessageStatus.NO_SERVICE)

    for _ in range(10):
        sim.tick()
        info = await client.get_message_status(sms_id)
        if info.status.final:
            break

    assert info.status is MessageStatus.NO_SERVICE
    assert info.status.failed is True
    assert info.status.slug == "no_service"


async def test_unknown_message(client: SmsGateway24) -> None:
    with pytest.raises(SmsGateway24ApiError) as caught:
        await client.get_message_status(1)

    assert not isinstance(caught.value, SmsGateway24AuthenticationError)
    assert caught.value.provider_message == "Sms not found"


# Phones


async def test_get_phones(sim_server: RunningSimulator, client: SmsGateway24) -> None:
    pixel_id = _phone_id(sim_server, "Pixel 7")
    galaxy_id = _phone_id(sim_server, "Galaxy A52")

    phones = await client.get_phones()

    assert _only_request(sim_server, "getalldevices") == {"token": client.token}
    assert sorted(phones) == sorted([pixel_id, galaxy_id])
    pixel = phones[pixel_id]
    assert pixel.title == "Pixel 7"
    assert pixel.imei == "358240051111110"
    assert [(s.slot, s.number, s.roaming, s.carrier) for s in pixel.sims] == [
        (0, "+4915112345678", False, "Vodafone.de"),
        (1, "4917012345678", True, "Telekom.de"),
    ]
    assert pixel.app_version_current is True
    assert pixel.delay_between_requests == 1
    assert pixel.last_seen == sim_server.sim.phone(pixel_id).last_seen
    galaxy = phones[galaxy_id]
    assert galaxy.imei is None
    assert galaxy.app_version == "12.1.21"
    assert galaxy.app_version_current is False
    assert galaxy.delay_between_messages == 5
    assert galaxy.created is not None
    assert galaxy.created.tzinfo is UTC


async def test_get_phone_status(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    pixel = _phone_id(sim_server, "Pixel 7")

    online = await client.get_phone_status(pixel)
    sim_server.sim.set_online(pixel, False)
    offline = await client.get_phone_status(pixel)

    assert [r.fields for r in sim_server.sim.requests] == [
        {"token": client.token, "device_id": str(pixel)}
    ] * 2
    assert online.device_id == pixel
    assert online.title == "Pixel 7"
    assert online.online is True
    assert online.last_seen == sim_server.sim.phone(pixel).last_seen
    assert online.seconds_since_seen is not None
    assert online.seconds_since_seen >= 0
    assert offline.online is False


async def test_unknown_phone(client: SmsGateway24) -> None:
    with pytest.raises(SmsGateway24ApiError) as caught:
        await client.get_phone_status(424242)

    assert type(caught.value) is SmsGateway24ApiError
    assert caught.value.provider_message == "Device not found"
    assert str(caught.value) == "Device not found"


async def test_channel_the_phone_lacks(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    galaxy = _phone_id(sim_server, "Galaxy A52")

    with pytest.raises(SmsGateway24ApiError) as caught:
        await client.send_sms("+1", "x", device_id=galaxy, sim=1)

    assert caught.value.provider_message == f"Sim 1 is not available on device {galaxy}"


# Tags, contacts, newsletters, Telegram


async def test_newsletter_workflow(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    sim = sim_server.sim
    pixel = _phone_id(sim_server, "Pixel 7")

    staff = await client.create_tag("Employees")
    family = await client.create_tag("Family")
    anna = await client.add_contact("+4915752982212", staff, full_name="Anna")
    ben = await client.add_contact("+4917642111111", family)
    paket_id = await client.create_newsletter(
        "Closing time",
        "We close at 18:00 today",
        device_id=pixel,
        tag_ids=[staff, family],
        sim=1,
        send_at=datetime(2025, 3, 30, 4, 5, 6, tzinfo=PARIS),
    )

    assert [(r.method, r.fields) for r in sim.requests] == [
        ("savetag", {"token": client.token, "title": "Employees"}),
        ("savetag", {"token": client.token, "title": "Family"}),
        (
            "savecontact",
            {
                "token": client.token,
                "phone": "+4915752982212",
                "tag_id": str(staff),
                "ctag_id": str(staff),
                "fullname": "Anna",
            },
        ),
        (
            "savecontact",
            {
                "token": client.token,
                "phone": "+4917642111111",
                "tag_id": str(family),
                "ctag_id": str(family),
            },
        ),
        (
            "savepaket",
            {
                "token": client.token,
                "title": "Closing time",
                "body": "We close at 18:00 today",
                "device_id": str(pixel),
                "tags": f"{staff},{family}",
                "sim": "1",
                # 04:05:06 in Paris on the day summer time starts is 02:05:06 UTC.
                "time_to_send": "30.03.2025 02:05:06",
            },
        ),
    ]
    account = _account(sim_server)
    assert account.tags[staff].title == "Employees"
    assert account.contacts[anna].fullname == "Anna"
    assert account.contacts[ben].tag_id == family
    paket = account.pakets[paket_id]
    assert paket.tag_ids == (staff, family)
    assert paket.time_to_send == datetime(2025, 3, 30, 2, 5, 6, tzinfo=UTC)
    queued = {m.sendto for m in account.messages if m.paket is paket}
    assert queued == {"+4915752982212", "+4917642111111"}


async def test_contact_under_unknown_tag(client: SmsGateway24) -> None:
    with pytest.raises(SmsGateway24ApiError) as caught:
        await client.add_contact("+1", 1)

    assert caught.value.provider_message == "Tag not found"


async def test_send_telegram(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    await client.send_telegram("123456789", "Door opened")

    assert _only_request(sim_server, "telegrammessage") == {
        "token": client.token,
        "telegramid": "123456789",
        "body": "Door opened",
    }
    sent = _account(sim_server).telegram_messages[-1]
    assert (sent.telegram_id, sent.body) == ("123456789", "Door opened")


# Faults


async def test_html_error_page(
    sim_server: RunningSimulator, client: SmsGateway24
) -> None:
    sim_server.sim.set_html_errors(1)

    with pytest.raises(SmsGateway24ResponseError) as caught:
        await client.get_phones()

    assert str(caught.value) == (
        "Answer to 'getalldevices' is not a JSON object (HTTP 502)"
    )
    # The next answer is JSON again.
    assert len(await client.get_phones()) == 2


async def test_latency_beyond_the_timeout(
    sim_server: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    api = SmsGateway24(url=sim_server.url, session=session, request_timeout=0.2)
    await api.get_token(DEMO_EMAIL, DEMO_PASSWORD)
    sim_server.sim.set_latency(60)

    with pytest.raises(SmsGateway24TimeoutError) as caught:
        await api.get_phones()

    assert str(caught.value) == "No answer to 'getalldevices' within 0.2 s"
    assert api.token is not None
    assert api.token not in every_text(caught.value)


async def test_own_session(sim_server: RunningSimulator) -> None:
    async with SmsGateway24(url=sim_server.url) as api:
        await api.get_token(DEMO_EMAIL, DEMO_PASSWORD)
        phones = await api.get_phones()
        session = api.session

    assert len(phones) == 2
    assert session is not None
    assert session.closed
