"""The provider API of the simulator, method by method, over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
import re
from typing import Any

import aiohttp
import pytest

from simulator.models import Status

from .conftest import EMAIL, PASSWORD, START, Client, World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32

MESSAGE_KEYS = {
    "id",
    "sendto",
    "body",
    "customerid",
    "status",
    "statustitle",
    "deviceid",
    "urgent",
    "sim",
    "created",
    "senttime",
    "timetosend",
    "paketid",
    "pakettitle",
    "paketbody",
}


def paris(text: str) -> dict[str, Any]:
    """A PHP date in the account's zone."""
    return {"date": f"{text}.000000", "timezone_type": 3, "timezone": "Europe/Paris"}


def utc(text: str) -> dict[str, Any]:
    """A PHP date in UTC."""
    return {"date": f"{text}.000000", "timezone_type": 3, "timezone": "UTC"}


async def send(client: Client, world: World, **fields: str | int) -> int:
    """Queue a message from the two-SIM phone; return its id."""
    base: dict[str, str | int] = {
        "sendto": "+4915700000001",
        "body": "Hello",
        "device_id": world.phone.id,
    }
    answer = await client.call("addsms", **base | fields)
    assert answer["error"] == 0, answer
    sms_id: int = answer["sms_id"]
    return sms_id


async def upload(client: Client, world: World, data: bytes, sim: int) -> dict[str, Any]:
    """Send an image with addsms as multipart form data."""
    form = aiohttp.FormData()
    form.add_field("token", client.token)
    form.add_field("sendto", "+4915700000001")
    form.add_field("device_id", str(world.phone.id))
    form.add_field("sim", str(sim))
    form.add_field("file", data, filename="photo.bin", content_type="image/png")
    async with client.session.post(f"{client.url}/getdata/addsms", data=form) as resp:
        answer: dict[str, Any] = await resp.json()
        return answer


# gettoken


async def test_gettoken_gives_the_same_token_until_it_expires(
    client: Client, world: World
) -> None:
    first = await client.call("gettoken", email=EMAIL, **{"pass": PASSWORD})
    assert first == {"error": 0, "token": client.token, "message": "OK"}
    assert re.fullmatch(r"[0-9a-f]{32}", client.token)
    again = await client.query("gettoken", email=EMAIL.upper(), **{"pass": PASSWORD})
    assert again["token"] == client.token

    world.sim.expire_token(EMAIL)
    world.sim.expire_token(world.account)
    assert await client.call("getalldevices") == {
        "error": 1,
        "message": "Token is invalid or expired",
    }
    renewed = await client.call("gettoken", email=EMAIL, **{"pass": PASSWORD})
    assert renewed["token"] != client.token


@pytest.mark.parametrize(
    ("email", "password"),
    [(EMAIL, "wrong"), ("nobody@example.com", PASSWORD)],
)
async def test_gettoken_refuses_wrong_credentials(
    client: Client, email: str, password: str
) -> None:
    answer = await client.call("gettoken", email=email, **{"pass": password})
    assert answer == {"error": 1, "message": "Login or password incorrect"}


async def test_missing_fields_are_named(client: Client) -> None:
    answer = await client.call("gettoken", email=EMAIL)
    assert answer == {"error": 1, "message": "Field pass is required"}
    answer = await client.call("getalldevices", token="  ")
    assert answer == {"error": 1, "message": "Field token is required"}


async def test_every_method_checks_the_token(client: Client) -> None:
    for method in (
        "addsms",
        "getallsms",
        "getsmsstatus",
        "getalldevices",
        "getdevicestatus",
        "savetag",
        "savecontact",
        "savepaket",
        "telegrammessage",
    ):
        answer = await client.call(method, token="0" * 32)
        assert answer == {"error": 1, "message": "Token is invalid or expired"}


# addsms and smstosend


async def test_addsms_queues_a_message(client: Client, world: World) -> None:
    answer = await client.call(
        "addsms",
        sendto="+4915700000001",
        body="Alarm!",
        device_id=world.phone.id,
        sim=1,
        customerid=42,
        urgent=1,
        timetosend="2026-03-10 14:00:00",
    )
    assert answer == {
        "error": 0,
        "sms_id": answer["sms_id"],
        "message": "Sms has been saved successfully",
    }
    message = world.sim.message(answer["sms_id"])
    assert message.status == Status.PENDING
    assert message.sim == 1
    assert message.customerid == 42
    assert message.urgent == 1
    assert message.created == START
    assert message.timetosend == datetime(2026, 3, 10, 14, tzinfo=UTC)


async def test_addsms_to_several_recipients_answers_the_first_id(
    client: Client, world: World
) -> None:
    sms_id = await send(client, world, sendto="+4911, +4922 ,+4933,")
    messages = world.account.messages
    assert [m.id for m in messages] == [sms_id, sms_id + 1, sms_id + 2]
    assert [m.sendto for m in messages] == ["+4911", "+4922", "+4933"]


async def test_addsms_reads_a_bare_date_as_midnight_utc(
    client: Client, world: World
) -> None:
    sms_id = await send(client, world, timetosend="2026-03-11")
    assert world.sim.message(sms_id).timetosend == datetime(2026, 3, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"device_id": 1}, "Device not found"),
        ({"device_id": "abc"}, "Field device_id must be a number"),
        ({"body": ""}, "Field body is required"),
        ({"sendto": " , "}, "Field sendto is required"),
        ({"sim": 2}, "Sim 2 is not available on device 11231"),
        ({"sim": "one"}, "Field sim must be a number"),
        ({"timetosend": "tomorrow"}, "Field timetosend must be YYYY-MM-DD [HH:MM:SS]"),
        ({"customerid": "x"}, "Field customerid must be a number"),
    ],
)
async def test_addsms_refusals(
    client: Client, world: World, fields: dict[str, str | int], message: str
) -> None:
    base: dict[str, str | int] = {
        "sendto": "+491",
        "body": "Hi",
        "device_id": world.phone.id,
    }
    answer = await client.call("addsms", **base | fields)
    assert answer == {"error": 1, "message": message}
    assert world.account.messages == []


async def test_addsms_refuses_a_phone_of_another_account(
    client: Client, world: World
) -> None:
    stranger = world.sim.add_account("other@example.com", "pw")
    phone = world.sim.add_phone(stranger)
    answer = await client.call("addsms", sendto="+491", body="Hi", device_id=phone.id)
    assert answer == {"error": 1, "message": "Device not found"}


async def test_addsms_sends_only_to_the_phone_s_sims(
    client: Client, world: World
) -> None:
    await send(client, world, sim=3)
    answer = await client.call(
        "addsms", sendto="+491", body="Hi", device_id=world.other.id, sim=1
    )
    assert answer == {"error": 1, "message": "Sim 1 is not available on device 11232"}


@pytest.mark.parametrize(
    ("data", "extension"),
    [
        (PNG, "png"),
        (JPEG, "jpg"),
        (GIF, "gif"),
        (b"GIF87a" + GIF[6:], "gif"),
        (WEBP, "webp"),
    ],
)
async def test_addsms_turns_an_image_into_a_public_url(
    client: Client, world: World, data: bytes, extension: str
) -> None:
    answer = await upload(client, world, data, sim=3)
    assert answer["error"] == 0
    body = world.sim.message(answer["sms_id"]).body
    assert re.fullmatch(
        rf"https://s3\.example\.invalid/[0-9a-f-]{{36}}\.{extension}", body
    )
    logged = world.sim.requests[-1]
    assert logged.fields["file"] == {"filename": "photo.bin", "size": len(data)}
    assert logged.fields["device_id"] == str(world.phone.id)


async def test_addsms_refuses_images_outside_whatsapp(
    client: Client, world: World
) -> None:
    assert await upload(client, world, PNG, sim=0) == {
        "error": 1,
        "message": "Images can only be sent over WhatsApp: sim 2 or 3",
    }
    assert await upload(client, world, b"%PDF-1.7", sim=3) == {
        "error": 1,
        "message": "File must be an image: jpeg, png, webp or gif",
    }


async def test_addsms_reads_multipart_fields_without_files(
    client: Client, world: World
) -> None:
    with aiohttp.MultipartWriter("form-data") as form:
        for name, value in (
            ("token", client.token),
            ("sendto", "+491"),
            ("device_id", str(world.phone.id)),
        ):
            form.append(value).set_content_disposition("form-data", name=name)
        # A part with neither a file name nor a text type arrives as bytes.
        form.append(
            b"raw bytes", {"Content-Type": "application/octet-stream"}
        ).set_content_disposition("form-data", name="body")
    async with client.session.post(f"{client.url}/getdata/addsms", data=form) as resp:
        answer = await resp.json()
    assert world.sim.message(answer["sms_id"]).body == "raw bytes"


async def test_form_fields_win_over_the_query(client: Client, world: World) -> None:
    async with client.session.post(
        f"{client.url}/getdata/addsms",
        params={"body": "from query", "sendto": "+491"},
        data={"token": client.token, "body": "from form", "device_id": world.phone.id},
    ) as resp:
        answer = await resp.json()
    message = world.sim.message(answer["sms_id"])
    assert (message.body, message.sendto) == ("from form", "+491")


async def test_smstosend_signs_in_with_email_and_password(
    client: Client, world: World
) -> None:
    answer = await client.query(
        "smstosend",
        email=EMAIL,
        sendto="+4915700000001",
        body="Hi",
        device_id=world.phone.id,
        **{"pass": PASSWORD},
    )
    assert answer["message"] == "Sms has been saved successfully"
    assert world.sim.message(answer["sms_id"]).sendto == "+4915700000001"
    refused = await client.query(
        "smstosend", email=EMAIL, sendto="+491", body="Hi", device_id=1, **{"pass": "x"}
    )
    assert refused == {"error": 1, "message": "Login or password incorrect"}


# addalotofsms


def bulk(token: str, *items: object) -> str:
    """The datajson field of addalotofsms."""
    return json.dumps({"token": token, "smsdata": list(items)})


async def test_addalotofsms_queues_everything_without_ids(
    client: Client, world: World
) -> None:
    answer = await client.call(
        "addalotofsms",
        datajson=bulk(
            client.token,
            {"sendto": "+491", "body": "One", "sim": 1, "device_id": world.phone.id},
            {
                "sendto": "+492",
                "body": "Two",
                "sim": 0,
                "device_id": world.other.id,
                "timetosend": "2026-03-10 13:00:00",
                "customerid": None,
                "urgent": 1,
            },
        ),
    )
    assert answer == {"error": 0, "message": "OK"}
    one, two = world.account.messages
    assert (one.body, one.sim, one.device_id) == ("One", 1, world.phone.id)
    assert (two.body, two.urgent, two.customerid) == ("Two", 1, None)
    assert two.timetosend == datetime(2026, 3, 10, 13, tzinfo=UTC)


@pytest.mark.parametrize(
    ("datajson", "message"),
    [
        ("{not json", "Field datajson is not valid JSON"),
        ("[]", "Field datajson must hold token and smsdata"),
        ('{"token": "x"}', "Field datajson must hold token and smsdata"),
        ('{"token": "x", "smsdata": []}', "Token is invalid or expired"),
    ],
)
async def test_addalotofsms_refuses_bad_json(
    client: Client, datajson: str, message: str
) -> None:
    answer = await client.call("addalotofsms", datajson=datajson)
    assert answer == {"error": 1, "message": message}


async def test_addalotofsms_queues_nothing_when_one_item_is_bad(
    client: Client, world: World
) -> None:
    good = {"sendto": "+491", "body": "One", "device_id": world.phone.id}
    for bad, message in (
        ({"sendto": "+492", "body": "Two", "device_id": 1}, "Device not found"),
        (
            {"sendto": "+492", "body": "Two", "device_id": world.other.id, "sim": 1},
            "Sim 1 is not available on device 11232",
        ),
        ({"sendto": "+492", "device_id": world.phone.id}, "Field body is required"),
        ("text", "Every smsdata item must be an object"),
    ):
        answer = await client.call(
            "addalotofsms", datajson=bulk(client.token, good, bad)
        )
        assert answer == {"error": 1, "message": message}
    assert world.account.messages == []


# getallsms


async def test_getallsms_of_an_empty_account(client: Client) -> None:
    answer = await client.call("getallsms")
    assert answer == {"error": 0, "count": 0, "smss": [], "message": "OK"}


async def test_getallsms_lists_messages_keyed_by_id(
    client: Client, world: World
) -> None:
    sms_id = await send(client, world, customerid=7, timetosend="2026-03-10 18:30:00")
    world.clock.advance(90)
    incoming = world.sim.inject_incoming(world.phone.id, "+4917600000002", "STATUS")
    answer = await client.call("getallsms")
    assert answer["count"] == 2
    assert list(answer["smss"]) == [str(sms_id), str(incoming)]
    sent = answer["smss"][str(sms_id)]
    assert set(sent) == MESSAGE_KEYS
    assert sent == {
        "id": sms_id,
        "sendto": "+4915700000001",
        "body": "Hello",
        "customerid": 7,
        "status": 1,
        "statustitle": "new",
        "deviceid": world.phone.id,
        "urgent": None,
        "sim": 0,
        "created": paris("2026-03-10 13:00:00"),
        "senttime": None,
        "timetosend": paris("2026-03-10 19:30:00"),
        "paketid": None,
        "pakettitle": None,
        "paketbody": None,
    }
    received = answer["smss"][str(incoming)]
    assert received["status"] == 5
    assert received["statustitle"] == "income"
    assert received["sendto"] == "+4917600000002"
    assert received["created"] == paris("2026-03-10 13:01:30")


async def test_getallsms_shows_dates_in_the_given_zone(
    client: Client, world: World
) -> None:
    await send(client, world)
    answer = await client.call("getallsms", timezone="Australia/Sydney")
    (message,) = answer["smss"].values()
    assert message["created"] == {
        "date": "2026-03-10 23:00:00.000000",
        "timezone_type": 3,
        "timezone": "Australia/Sydney",
    }
    refused = await client.call("getallsms", timezone="Mars/Olympus")
    assert refused == {"error": 1, "message": "Unknown timezone Mars/Olympus"}
    for malformed in ("../etc", "Europe"):
        refused = await client.call("getallsms", timezone=malformed)
        assert refused["error"] == 1


async def test_getallsms_escapes_slashes_like_php(client: Client, world: World) -> None:
    await send(client, world, body="a/b")
    async with client.session.post(
        f"{client.url}/getdata/getallsms", data={"token": client.token}
    ) as resp:
        text = await resp.text()
    assert '"body":"a\\/b"' in text
    assert '"timezone":"Europe\\/Paris"' in text


async def test_getallsms_date_window_is_inclusive_to_the_second(
    client: Client, world: World
) -> None:
    ids = []
    for _ in range(4):
        ids.append(await send(client, world))
        world.clock.advance(60)
    # Created 13:00, 13:01, 13:02 and 13:03, Paris time.

    async def window(**fields: str) -> list[int]:
        answer = await client.call("getallsms", **fields)
        return [int(key) for key in answer["smss"]]

    assert await window(begindate="2026-03-10 13:01:00") == ids[1:]
    assert await window(begindate="2026-03-10 13:01:01") == ids[2:]
    assert await window(enddate="2026-03-10 13:02:00") == ids[:3]
    assert (
        await window(begindate="2026-03-10 13:01:00", enddate="2026-03-10 13:02:00")
        == ids[1:3]
    )
    assert await window(begindate="2026-03-10", enddate="2026-03-10") == ids
    assert await window(enddate="2026-03-09") == []
    assert await window(begindate="2026-03-10 12:01:00", timezone="UTC") == ids[1:]
    answer = await client.call("getallsms", begindate="10.03.2026")
    assert answer == {
        "error": 1,
        "message": "Field begindate must be YYYY-MM-DD [HH:MM:SS]",
    }


async def test_getallsms_filters(client: Client, world: World) -> None:
    first = await send(client, world, sendto="+49 157 111", sim=1, customerid=5)
    world.clock.advance(1)
    second = await send(client, world, sendto="+49157222")
    world.clock.advance(1)
    other = (
        await client.call(
            "addsms", sendto="+49157111", body="x", device_id=world.other.id
        )
    )["sms_id"]
    world.sim.force_failure(sms_id=second)
    world.sim.tick()
    world.sim.tick()

    async def ids(**fields: str | int) -> list[int]:
        answer = await client.call("getallsms", **fields)
        assert answer["count"] == len(answer["smss"])
        return [int(key) for key in answer["smss"]]

    assert await ids() == [first, second, other]
    assert await ids(orderbydesc=1) == [other, second, first]
    assert await ids(device_id=world.other.id) == [other]
    assert await ids(status=9) == [second]
    assert await ids(sim=1) == [first]
    assert await ids(customerid=5) == [first]
    assert await ids(phone="0049-157111") == []
    assert await ids(phone="+49157111") == [first, other]
    assert await ids(device_id="", status="") == [first, second, other]
    counted = await client.call("getallsms", onlycount=1, device_id=world.phone.id)
    assert counted == {"error": 0, "count": 2, "smss": [], "message": "OK"}


# getsmsstatus


async def test_getsmsstatus(client: Client, world: World) -> None:
    sms_id = await send(client, world)
    world.sim.tick()
    answer = await client.call("getsmsstatus", sms_id=sms_id)
    assert answer == {
        "error": 0,
        "sms_id": sms_id,
        "status": 2,
        "status_description": "Taken from Server",
        "message": "OK",
    }
    assert await client.call("getsmsstatus", sms_id=1) == {
        "error": 1,
        "message": "Sms not found",
    }
    stranger = world.sim.add_account("other@example.com", "pw")
    foreign = world.sim.add_phone(stranger)
    (message,) = world.sim.queue_messages(
        stranger, device_id=foreign.id, recipients=["+491"], body="x", sim=0
    )
    assert (await client.call("getsmsstatus", sms_id=message.id))["error"] == 1


# Phones


async def test_getalldevices_has_the_documented_shape(
    client: Client, world: World
) -> None:
    world.clock.advance(3600)
    world.sim.tick()
    answer = await client.call("getalldevices")
    assert answer["error"] == 0
    assert answer["message"] == "Ok"
    assert answer["count"] == 2
    assert list(answer["device"]) == [str(world.phone.id), str(world.other.id)]
    assert answer["device"][str(world.phone.id)] == {
        "id": world.phone.id,
        "title": "Pixel",
        "number": None,
        "imei": "358240051111110",
        "created": utc("2026-03-10 12:00:00"),
        "createdhumanformat": "10.03.2026 12:00:00",
        "lastseen": utc("2026-03-10 13:00:00"),
        "lastseenhumanformat": "10.03.2026 13:00:00",
        "serialnumber": "unknown",
        "siminfo": [
            {
                "Slot": "0",
                "IccId": "8949000001123100000",
                "Number": "+4915112345678",
                "Roaming": "0",
                "CountryIso": "de",
                "CarrierName": "Vodafone.de",
            },
            {
                "Slot": "1",
                "IccId": "8949000001123100001",
                "Number": " 4917012345678",
                "Roaming": "1",
                "CountryIso": "us",
                "CarrierName": "Telekom.de",
            },
        ],
        "appversion": "12.3.4",
        "isappversionactual": True,
        "delaybetweeneachsms": None,
        "delaybetweenrequest": 10,
        "subscription": True,
    }
    galaxy = answer["device"][str(world.other.id)]
    assert galaxy["imei"] == "null"
    assert galaxy["isappversionactual"] is False
    assert galaxy["siminfo"][0]["Number"] == " 15555215554"


async def test_getalldevices_of_an_account_without_phones(
    client: Client, world: World
) -> None:
    world.sim.remove_phone(world.phone.id)
    world.sim.remove_phone(world.other.id)
    answer = await client.call("getalldevices")
    assert answer == {"error": 0, "count": 0, "device": [], "message": "Ok"}


async def test_getdevicestatus(client: Client, world: World) -> None:
    world.clock.advance(30)
    world.sim.tick()
    world.sim.set_online(world.phone.id, False)
    world.clock.advance(95.7)
    answer = await client.call("getdevicestatus", device_id=world.phone.id)
    assert answer == {
        "error": 0,
        "device_id": world.phone.id,
        "title": "Pixel",
        "lastseen": utc("2026-03-10 12:00:30"),
        "online": False,
        "diffseconds": 95,
        "message": "ok",
    }
    assert await client.call("getdevicestatus", device_id=5) == {
        "error": 1,
        "message": "Device not found",
    }
    assert await client.call("getdevicestatus") == {
        "error": 1,
        "message": "Field device_id is required",
    }


# Tags, contacts, newsletters, Telegram


async def test_tags_contacts_and_newsletters(client: Client, world: World) -> None:
    family = await client.call("savetag", title="Family")
    assert family == {"error": 0, "tag_id": 8303, "message": "OK"}
    friends = (await client.call("savetag", title="Friends"))["tag_id"]
    assert await client.call(
        "savecontact", phone="+491", fullname="Ann", tag_id=family["tag_id"]
    ) == {"error": 0, "contact_id": 15954765, "message": "ok"}
    await client.call("savecontact", phone="+492", ctag_id=friends)
    await client.call("savecontact", phone="+491", fullname="Ann", tag_id=friends)
    assert world.account.contacts[15954766].fullname == ""

    answer = await client.call(
        "savepaket",
        title="Party",
        device_id=world.phone.id,
        body="Come at 8",
        tags=f"{family['tag_id']}, {friends},",
        sim=1,
        time_to_send="10.03.2026 18:00:00",
    )
    assert answer == {"error": 0, "paket_id": 40117, "message": "OK"}
    listed = (await client.call("getallsms"))["smss"]
    assert [m["sendto"] for m in listed.values()] == ["+491", "+492"]
    first = next(iter(listed.values()))
    assert (first["paketid"], first["pakettitle"], first["paketbody"]) == (
        40117,
        "Party",
        "Come at 8",
    )
    assert first["timetosend"] == paris("2026-03-10 19:00:00")
    assert first["sim"] == 1

    now = await client.call(
        "savepaket",
        title="Now",
        device_id=world.phone.id,
        body="x",
        tags=str(friends),
        time_to_send="0",
    )
    assert world.account.pakets[now["paket_id"]].time_to_send == START
    dated = await client.call(
        "savepaket",
        title="Day",
        device_id=world.phone.id,
        body="x",
        tags=str(friends),
        time_to_send="11.03.2026",
    )
    assert world.account.pakets[dated["paket_id"]].time_to_send == START.replace(
        day=11, hour=0
    )


@pytest.mark.parametrize(
    ("method", "fields", "message"),
    [
        ("savetag", {}, "Field title is required"),
        ("savecontact", {"phone": "+491"}, "Field tag_id is required"),
        ("savecontact", {"phone": "+491", "tag_id": 1}, "Tag not found"),
        ("savecontact", {"tag_id": 1}, "Field phone is required"),
        (
            "savepaket",
            {"title": "x", "device_id": 1, "body": "x", "tags": "1"},
            "Device not found",
        ),
        (
            "savepaket",
            {"title": "x", "device_id": 11231, "body": "x", "tags": "1"},
            "Tag not found",
        ),
        (
            "savepaket",
            {"title": "x", "device_id": 11231, "body": "x", "tags": "a"},
            "Field tags must be a number",
        ),
        (
            "savepaket",
            {"title": "x", "device_id": 11231, "body": "x", "tags": "1", "sim": 4},
            "Sim 4 is not available on device 11231",
        ),
        (
            "savepaket",
            {
                "title": "x",
                "device_id": 11231,
                "body": "x",
                "tags": "8303",
                "time_to_send": "2026-03-10",
            },
            "Field time_to_send must be DD.MM.YYYY H:i:s",
        ),
        ("telegrammessage", {"body": "x"}, "Field telegramid is required"),
    ],
)
async def test_newsletter_refusals(
    client: Client, method: str, fields: dict[str, str | int], message: str
) -> None:
    await client.call("savetag", title="Family")
    assert await client.call(method, **fields) == {"error": 1, "message": message}


async def test_telegrammessage_is_recorded(client: Client, world: World) -> None:
    answer = await client.call("telegrammessage", body="Door open", telegramid="123")
    assert answer == {"error": 0, "message": "Ok"}
    (sent,) = world.account.telegram_messages
    assert (sent.telegram_id, sent.body, sent.sent_at) == ("123", "Door open", START)


# Transport


async def test_unknown_method_is_an_html_404(client: Client, world: World) -> None:
    async with client.session.get(f"{client.url}/getdata/sendfax") as resp:
        assert resp.status == 404
        assert resp.content_type == "text/html"
        assert "Not Found" in await resp.text()
    assert world.sim.requests[-1].method == "sendfax"
    assert world.sim.requests[-1].status == 404


async def test_other_http_methods_are_refused(client: Client) -> None:
    async with client.session.put(f"{client.url}/getdata/getallsms") as resp:
        assert resp.status == 405


async def test_the_request_log(client: Client, world: World) -> None:
    world.clock.advance(5)
    await client.query("getalldevices", token=client.token)
    async with client.session.post(
        f"{client.url}/getdata/getallsms", data={"token": client.token}
    ) as resp:
        body = await resp.read()
    first, second = world.sim.requests
    assert (first.method, first.http_method, first.status) == (
        "getalldevices",
        "GET",
        200,
    )
    assert first.fields == {"token": client.token}
    assert first.timestamp == START + timedelta(seconds=5)
    assert (second.method, second.http_method) == ("getallsms", "POST")
    assert second.response_bytes == len(body)
    world.sim.clear_requests()
    assert world.sim.requests == []
