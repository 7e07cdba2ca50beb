"""The actions: what reaches the simulator, what comes back, what is refused."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsgateway24.clients.smsgateway24 import (
    MessageList,
    SmsGateway24ConnectionError,
)
from custom_components.smsgateway24.const import CONF_DEVICE_ID, CONF_SIM, DOMAIN
from custom_components.smsgateway24.tracking import SentMessage
from simulator.demo import DEMO_EMAIL
from simulator.models import Sim
from tests.components.common import device_id
from tests.conftest import RunningSimulator

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# The provider's methods that change something: none may run on refused input.
WRITES = {"addsms", "telegrammessage", "savetag", "savecontact", "savepaket"}


@pytest.fixture
def image(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A PNG in a folder that the actions may read from."""
    path = tmp_path / "door.png"
    path.write_bytes(PNG)
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    return path


async def send_sms(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Call send_sms and return its response."""
    response = await hass.services.async_call(
        DOMAIN, "send_sms", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


def writes(simulator: RunningSimulator) -> list[str]:
    """The provider methods called so far that change something."""
    return [name for name in simulator.api_calls() if name in WRITES]


@pytest.mark.parametrize(
    ("extra", "sim_field"),
    [
        ({}, "0"),
        ({"sim": 1}, "1"),
        ({"channel": "sms", "sim": "1"}, "1"),
        ({"channel": "whatsapp_business"}, "2"),
        ({"channel": "whatsapp"}, "3"),
    ],
)
async def test_send_on_each_channel(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    extra: dict[str, Any],
    sim_field: str,
) -> None:
    """The channel becomes the provider's sim field; one addsms, one id back."""
    simulator.sim.clear_requests()
    response = await send_sms(hass, phone="+4915700000001", message="Hi", **extra)
    (request,) = simulator.sim.requests
    assert request.method == "addsms"
    assert request.fields["sim"] == sim_field
    assert request.fields["sendto"] == "+4915700000001"
    assert request.fields["device_id"] == str(simulator.pixel)
    message = simulator.sim.message(response["sms_ids"][0])
    assert (message.sendto, message.body, message.sim) == (
        "+4915700000001",
        "Hi",
        int(sim_field),
    )
    assert response["messages"] == [
        {
            "sms_id": message.id,
            "phone": "+4915700000001",
            "route": "phone",
            "encoding": "GSM-7",
            "parts": 1,
        }
    ]


async def test_send_over_rcs_from_another_phone(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """RCS is sim 4, sent from the phone the action names."""
    phone = simulator.sim.add_phone(DEMO_EMAIL, title="RCS phone", channels=[4])
    await init_integration.runtime_data.async_refresh()
    # Also the new phone's lookup of its newest message.
    await hass.async_block_till_done(wait_background_tasks=True)
    simulator.sim.clear_requests()
    response = await send_sms(
        hass,
        phone="+4915700000001",
        message="Hi",
        channel="rcs",
        device_id=device_id(hass, phone.id),
        urgent=True,
        customer_id=42,
    )
    (request,) = simulator.sim.requests
    assert request.fields["sim"] == "4"
    assert request.fields["device_id"] == str(phone.id)
    message = simulator.sim.message(response["sms_ids"][0])
    assert (message.device_id, message.urgent, message.customerid) == (phone.id, 1, 42)


async def test_send_later(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A local time to send reaches the provider in UTC."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    local = dt_util.now().replace(microsecond=0, tzinfo=None) + timedelta(hours=2)
    simulator.sim.clear_requests()
    await send_sms(hass, phone="+4915700000001", message="Later", send_at=local)
    (request,) = simulator.sim.requests
    expected = dt_util.as_utc(local.replace(tzinfo=dt_util.get_default_time_zone()))
    assert request.fields["timetosend"] == expected.strftime("%Y-%m-%d %H:%M:%S")


async def test_bulk_send_is_one_request(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Three numbers: one addsms, one lookup, and each recipient's own id."""
    numbers = ["+4915700000001", "+4915700000002", "+4915700000003"]
    simulator.sim.clear_requests()
    with patch.object(init_integration.runtime_data, "async_track_sent") as track:
        response = await send_sms(hass, phone=numbers, message="Dinner is ready")
    assert simulator.api_calls() == ["addsms", "getallsms"]
    assert simulator.sim.requests[0].fields["sendto"] == ",".join(numbers)
    ids = response["sms_ids"]
    assert [simulator.sim.message(sms_id).sendto for sms_id in ids] == numbers
    assert len(set(ids)) == 3
    assert [m["phone"] for m in response["messages"]] == numbers
    assert [tracked.sent for tracked in track.call_args.args[0]] == [
        SentMessage(sms_id=sms_id, gateway_device_id=simulator.pixel, phone=number)
        for sms_id, number in zip(ids, numbers, strict=True)
    ]


async def test_numbers_are_sent_in_international_form(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Spaces, brackets and a 00 prefix are gone before the provider sees a number.

    The same number written twice is one recipient.
    """
    simulator.sim.clear_requests()
    response = await send_sms(
        hass,
        phone=["+49 151 1111 2222", "+49 (151) 1111-3333", "0049 151 11112222"],
        message="x",
    )
    assert simulator.sim.requests[0].fields["sendto"] == "+4915111112222,+4915111113333"
    assert [m["phone"] for m in response["messages"]] == [
        "+4915111112222",
        "+4915111113333",
    ]
    assert [simulator.sim.message(i).sendto for i in response["sms_ids"]] == [
        "+4915111112222",
        "+4915111113333",
    ]


async def test_national_number_is_refused_with_the_form_expected(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """The error names the number and says how to write it."""
    simulator.sim.clear_requests()
    with pytest.raises(ServiceValidationError) as err:
        await send_sms(hass, phone="0151 1111 2222", message="x")
    assert err.value.translation_placeholders == {"phone": "0151 1111 2222"}
    assert str(err.value) == (
        '"0151 1111 2222" is not a phone number in international form: write it '
        "with + (or 00) and the country code first, such as +4915112345678"
    )
    assert simulator.api_calls() == []


async def test_bulk_send_takes_commas(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Numbers given as one comma-separated text are several recipients."""
    response = await send_sms(hass, phone="+4915700000001, +4915700000002", message="x")
    assert len(response["sms_ids"]) == 2
    assert None not in response["sms_ids"]


async def test_bulk_send_lookup_failure_keeps_the_send(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """When the ids cannot be looked up, the send still counts; only ids are missing."""
    client = init_integration.runtime_data.client
    with patch.object(
        client, "get_messages", side_effect=SmsGateway24ConnectionError("down")
    ):
        response = await send_sms(
            hass, phone=["+4915700000001", "+4915700000002"], message="x"
        )
    first = response["sms_ids"][0]
    assert simulator.sim.message(first).sendto == "+4915700000001"
    assert response["sms_ids"] == [first, None]


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("Alarm armed", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),
        ("€" * 81, "GSM-7", 2),
        ("Price: 5 € [net] {x}", "GSM-7", 1),
        ("Привет", "UCS-2", 1),
        ("я" * 70, "UCS-2", 1),
        ("я" * 71, "UCS-2", 2),
        ("Door open 🚪", "UCS-2", 1),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_encoding_and_parts(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    text: str,
    encoding: str,
    parts: int,
) -> None:
    """Each message says how it travels and in how many SMS."""
    response = await send_sms(hass, phone="+4915700000001", message=text)
    (message,) = response["messages"]
    assert (message["encoding"], message["parts"]) == (encoding, parts)
    assert simulator.sim.message(message["sms_id"]).body == text


async def test_image_over_whatsapp(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    image: Path,
) -> None:
    """An image in an allowed folder goes with the request; the text may be empty."""
    simulator.sim.clear_requests()
    response = await send_sms(
        hass, phone="+4915700000001", channel="whatsapp", image=str(image)
    )
    (request,) = simulator.sim.requests
    assert request.fields["file"] == {"filename": "door.png", "size": len(PNG)}
    assert request.fields["sim"] == "3"
    body = simulator.sim.message(response["sms_ids"][0]).body
    assert body.startswith("https://")


async def test_image_to_several_numbers(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    image: Path,
) -> None:
    """With an image the provider's text is a link: ids are matched by number."""
    numbers = ["+4915700000001", "+4915700000002"]
    response = await send_sms(
        hass, phone=numbers, channel="whatsapp_business", image=str(image)
    )
    assert [simulator.sim.message(i).sendto for i in response["sms_ids"]] == numbers


async def test_send_telegram(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A Telegram message goes through telegrammessage."""
    simulator.sim.clear_requests()
    await hass.services.async_call(
        DOMAIN,
        "send_telegram",
        {"telegram_id": " 123456789 ", "message": "Door open"},
        blocking=True,
    )
    (request,) = simulator.sim.requests
    assert request.method == "telegrammessage"
    assert (request.fields["telegramid"], request.fields["body"]) == (
        "123456789",
        "Door open",
    )
    (sent,) = simulator.sim.account(DEMO_EMAIL).telegram_messages
    assert (sent.telegram_id, sent.body) == ("123456789", "Door open")


async def test_tags_contacts_newsletter(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Tag, contact and newsletter ids are the simulator's; the number is international."""
    account = simulator.sim.account(DEMO_EMAIL)
    tag = await hass.services.async_call(
        DOMAIN, "create_tag", {"title": "Family"}, blocking=True, return_response=True
    )
    assert tag is not None
    assert account.tags[int(tag["tag_id"])].title == "Family"  # type: ignore[arg-type]
    contact = await hass.services.async_call(
        DOMAIN,
        "add_contact",
        {"phone": "+49 157 0000 0009", "tag_id": tag["tag_id"], "name": "Anna"},
        blocking=True,
        return_response=True,
    )
    assert contact is not None
    stored = account.contacts[int(contact["contact_id"])]  # type: ignore[arg-type]
    assert (stored.phone, stored.fullname, stored.tag_id) == (
        "+4915700000009",
        "Anna",
        tag["tag_id"],
    )
    newsletter = await hass.services.async_call(
        DOMAIN,
        "send_newsletter",
        {
            "title": "Party",
            "message": "At 3",
            "tag_ids": [str(tag["tag_id"])],
            "device_id": device_id(hass, simulator.galaxy),
            "send_at": dt_util.now() + timedelta(hours=1),
        },
        blocking=True,
        return_response=True,
    )
    assert newsletter is not None
    paket = account.pakets[int(newsletter["newsletter_id"])]  # type: ignore[arg-type]
    assert (paket.title, paket.device_id, paket.tag_ids) == (
        "Party",
        simulator.galaxy,
        (tag["tag_id"],),
    )


async def second_entry(
    hass: HomeAssistant, simulator: RunningSimulator
) -> MockConfigEntry:
    """A second account, set up."""
    account = simulator.sim.add_account("other@example.com", "pw")
    phone = simulator.sim.add_phone(account, title="Other")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="other@example.com",
        unique_id="other@example.com",
        data={
            "url": simulator.url,
            "email": "other@example.com",
            "token": simulator.sim.issue_token(account),
        },
        options={CONF_DEVICE_ID: phone.id, CONF_SIM: 0},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


async def test_choose_among_accounts(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """With two accounts the entry must be named, and the named one sends."""
    other = await second_entry(hass, simulator)
    simulator.sim.clear_requests()
    with pytest.raises(ServiceValidationError) as err:
        await send_sms(hass, phone="+4915700000001", message="x")
    assert err.value.translation_key == "entry_required"
    await send_sms(
        hass, phone="+4915700000001", message="x", config_entry_id=other.entry_id
    )
    (request,) = simulator.sim.requests
    assert request.fields["device_id"] == str(other.options[CONF_DEVICE_ID])
    with pytest.raises(ServiceValidationError) as err:
        await send_sms(
            hass,
            phone="+4915700000001",
            message="x",
            config_entry_id=other.entry_id,
            device_id=device_id(hass, simulator.pixel),
        )
    assert err.value.translation_key == "unknown_device"


BAD_SMS: list[tuple[dict[str, Any], str]] = [
    ({"message": "   "}, "empty_message"),
    ({"message": ""}, "empty_message"),
    ({"phone": "call me"}, "invalid_phone"),
    ({"phone": ["+4915700000001", "abc"]}, "invalid_phone"),
    ({"phone": " , "}, "invalid_phone"),
    # National, or too short: no country to send to.
    ({"phone": "0157 0000 0001"}, "invalid_phone"),
    ({"phone": "+49 157"}, "invalid_phone"),
    ({"sim": 1, "device": "galaxy"}, "sim_not_available"),
    ({"send_at": "2001-01-01 10:00:00"}, "send_at_past"),
    ({"image": "IMAGE"}, "image_needs_whatsapp"),
    ({"channel": "whatsapp", "image": "/etc/passwd"}, "image_not_allowed"),
    ({"channel": "whatsapp", "image": "MISSING"}, "image_not_found"),
    ({"config_entry_id": "nope"}, "entry_not_found"),
    ({"device_id": "nope"}, "unknown_device"),
]


@pytest.mark.parametrize(("data", "key"), BAD_SMS)
@pytest.mark.usefixtures("init_integration")
async def test_send_sms_refused(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    image: Path,
    data: dict[str, Any],
    key: str,
) -> None:
    """Each bad input is a translated validation error, and nothing is sent."""
    call = {"phone": "+4915700000001", "message": "Hello", **data}
    if call.get("image") == "IMAGE":
        call["image"] = str(image)
    if call.get("image") == "MISSING":
        call["image"] = str(image.parent / "missing.png")
    if call.pop("device", None) == "galaxy":
        call["device_id"] = device_id(hass, simulator.galaxy)
    simulator.sim.clear_requests()
    with pytest.raises(ServiceValidationError) as err:
        await send_sms(hass, **call)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert writes(simulator) == []


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        (
            "send_telegram",
            {"telegram_id": "@someone", "message": "x"},
            "invalid_telegram_id",
        ),
        ("send_telegram", {"telegram_id": "-100123", "message": " "}, "empty_message"),
        ("create_tag", {"title": "  "}, "empty_title"),
        ("add_contact", {"phone": "anna", "tag_id": 1}, "invalid_phone"),
        (
            "send_newsletter",
            {"title": " ", "message": "x", "tag_ids": [1]},
            "empty_title",
        ),
        (
            "send_newsletter",
            {"title": "t", "message": "", "tag_ids": [1]},
            "empty_message",
        ),
        (
            "send_newsletter",
            {"title": "t", "message": "x", "tag_ids": [1], "sim": 1, "device_id": "G"},
            "sim_not_available",
        ),
        (
            "send_newsletter",
            {"title": "t", "message": "x", "tag_ids": [1], "send_at": "2001-01-01"},
            "send_at_past",
        ),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_other_actions_refused(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """The other actions check their input before sending too."""
    if data.get("device_id") == "G":
        data = {**data, "device_id": device_id(hass, simulator.galaxy)}
    simulator.sim.clear_requests()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            service,
            data,
            blocking=True,
            return_response=service != "send_telegram",
        )
    assert err.value.translation_key == key
    assert writes(simulator) == []


async def test_entry_not_loaded(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """An unloaded account sends nothing, named or not."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    for extra in ({}, {"config_entry_id": init_integration.entry_id}):
        with pytest.raises(ServiceValidationError) as err:
            await send_sms(hass, phone="+4915700000001", message="x", **extra)
        assert err.value.translation_key == "entry_not_loaded"


async def test_unknown_default_phone(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A default phone no longer in the account is refused before sending."""
    hass.config_entries.async_update_entry(
        init_integration, options={**init_integration.options, CONF_DEVICE_ID: 1}
    )
    simulator.sim.clear_requests()
    with pytest.raises(ServiceValidationError) as err:
        await send_sms(hass, phone="+4915700000001", message="x")
    assert err.value.translation_key == "unknown_device"
    assert writes(simulator) == []


async def test_provider_failures(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """An HTML answer or a phone the provider lost: an error, sent once only."""
    simulator.sim.clear_requests()
    simulator.sim.set_html_errors(1)
    with pytest.raises(HomeAssistantError) as err:
        await send_sms(hass, phone="+4915700000001", message="x")
    assert err.value.translation_key == "send_failed"
    assert simulator.api_calls() == ["addsms"]
    simulator.sim.remove_phone(simulator.pixel)
    with pytest.raises(HomeAssistantError) as err:
        await send_sms(hass, phone="+4915700000001", message="x")
    assert err.value.translation_key == "send_failed"
    assert "Device not found" in str(err.value.translation_placeholders)
    assert simulator.api_calls() == ["addsms", "addsms"]


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("send_telegram", {"telegram_id": "1", "message": "x"}, "telegram_failed"),
        ("create_tag", {"title": "t"}, "create_tag_failed"),
        ("add_contact", {"phone": "+4915700000009", "tag_id": 1}, "add_contact_failed"),
        (
            "send_newsletter",
            {"title": "t", "message": "x", "tag_ids": [1]},
            "newsletter_failed",
        ),
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_other_provider_failures(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """Each action names what failed."""
    simulator.sim.set_html_errors(1)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            service,
            data,
            blocking=True,
            return_response=service != "send_telegram",
        )
    assert err.value.translation_key == key


async def test_auth_failure_starts_reauth(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A refused token fails the send and asks to sign in again."""
    simulator.sim.expire_token(DEMO_EMAIL)
    with pytest.raises(HomeAssistantError) as err:
        await send_sms(hass, phone="+4915700000001", message="x")
    assert err.value.translation_key == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_one_sim_phone_default(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A phone reporting a second SIM later can use it without a restart."""
    simulator.sim.add_phone(
        DEMO_EMAIL,
        title="Dual",
        sims=[Sim(slot=0, carrier="A"), Sim(slot=1, carrier="B")],
    )
    await init_integration.runtime_data.async_refresh()
    await hass.async_block_till_done()
    phone = next(
        p
        for p in init_integration.runtime_data.data.phones.values()
        if p.title == "Dual"
    )
    response = await send_sms(
        hass,
        phone="+4915700000001",
        message="x",
        sim=1,
        device_id=device_id(hass, phone.id),
    )
    assert simulator.sim.message(response["sms_ids"][0]).sim == 1


async def test_bulk_send_id_not_found(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A recipient whose message the lookup does not list has no id."""
    client = init_integration.runtime_data.client
    with patch.object(
        client, "get_messages", return_value=MessageList(count=0, messages=())
    ):
        response = await send_sms(
            hass, phone=["+4915700000001", "+4915700000002"], message="x"
        )
    assert response["sms_ids"][1] is None
    assert simulator.sim.message(response["sms_ids"][0]).sendto == "+4915700000001"


async def test_device_that_is_no_phone(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A device of the entry that is not a gateway phone cannot send."""
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, "not-a-phone"), ("other", "1")},
    )
    with pytest.raises(ServiceValidationError) as err:
        await send_sms(hass, phone="+4915700000001", message="x", device_id=device.id)
    assert err.value.translation_key == "unknown_device"
