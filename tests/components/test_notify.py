"""Recipients: subentries that each become a notify entity on a device of its own."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigSubentry
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsgateway24.const import CONF_DEVICE_ID, DOMAIN
from simulator.demo import DEMO_EMAIL
from tests.conftest import RunningSimulator

ANNA = {"name": "Anna", "channel": "sms", "address": "+49 157 0000 0001"}


async def add_recipient(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any]
) -> dict[str, Any]:
    """Walk the recipient flow with ``data``; return the last result."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], data
    )
    await hass.async_block_till_done()
    return dict(result)


def notify_entity(hass: HomeAssistant, subentry_id: str) -> str | None:
    """The entity id of a recipient's notify entity, if it exists."""
    return er.async_get(hass).async_get_entity_id("notify", DOMAIN, subentry_id)


async def notify(
    hass: HomeAssistant, entity_id: str, message: str, title: str | None = None
) -> None:
    """Call notify.send_message."""
    data = {ATTR_ENTITY_ID: entity_id, "message": message}
    if title is not None:
        data["title"] = title
    await hass.services.async_call("notify", "send_message", data, blocking=True)


def recipient_device(hass: HomeAssistant, subentry_id: str) -> dr.DeviceEntry:
    """The device of a recipient, which must exist."""
    (device,) = dr.async_get(hass).async_get_devices(
        identifiers={(DOMAIN, f"recipient_{subentry_id}")}
    )
    return device


def only_subentry(entry: MockConfigEntry) -> str:
    """The id of the entry's one subentry."""
    (subentry_id,) = entry.subentries
    return str(subentry_id)


async def test_recipient_lifecycle(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Add, send with a title, change, send again, remove.

    The recipient is a device of its own, owned by its subentry, with its
    entity; its number is kept as it is sent. A change applies without a reload.
    """
    entry = init_integration
    coordinator = entry.runtime_data
    result = await add_recipient(hass, entry, ANNA)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry_id = only_subentry(entry)
    subentry = entry.subentries[subentry_id]
    assert subentry.title == "Anna"
    assert dict(subentry.data) == {"channel": "sms", "address": "+4915700000001"}
    entity_id = notify_entity(hass, subentry_id)
    assert entity_id == "notify.anna"
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["friendly_name"] == "Anna"
    entity = er.async_get(hass).async_get(entity_id)
    assert entity is not None
    assert entity.config_subentry_id == subentry_id
    device = recipient_device(hass, subentry_id)
    assert entity.device_id == device.id
    assert (device.name, device.config_entry_id, device.config_subentry_id) == (
        "Anna",
        entry.entry_id,
        subentry_id,
    )
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert device.via_device_id is None

    simulator.sim.clear_requests()
    await notify(hass, entity_id, "Door open", title="Alarm")
    (request,) = simulator.sim.requests
    assert request.method == "addsms"
    assert request.fields["sendto"] == "+4915700000001"
    assert request.fields["body"] == "Alarm: Door open"
    assert request.fields["sim"] == "0"

    flow = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert flow["step_id"] == "reconfigure"
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"],
        {
            "name": "Anna Schmidt",
            "channel": "sms",
            "address": "+49 (157) 0000-0002",
            "device_id": str(simulator.pixel),
        },
    )
    assert flow["type"] is FlowResultType.FORM
    assert flow["step_id"] == "sim"
    assert flow["description_placeholders"] == {"phone": "Pixel 7"}
    done = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"sim": "1"}
    )
    assert done["type"] is FlowResultType.ABORT
    assert done["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.runtime_data is coordinator
    assert recipient_device(hass, subentry_id).name == "Anna Schmidt"
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["friendly_name"] == "Anna Schmidt"
    simulator.sim.clear_requests()
    await notify(hass, entity_id, "Line one\nline two", title="Alarm")
    request = simulator.sim.requests[-1]
    assert request.fields["sendto"] == "+4915700000002"
    assert request.fields["body"] == "Alarm\nLine one\nline two"
    assert request.fields["sim"] == "1"
    assert request.fields["device_id"] == str(simulator.pixel)

    hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()
    assert notify_entity(hass, subentry_id) is None
    assert hass.states.get(entity_id) is None
    assert dr.async_get(hass).async_get(device.id) is None


async def test_recipient_devices_outlive_the_phone_cleanup(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Polls remove the devices of phones gone from the account, not recipients'."""
    await add_recipient(hass, init_integration, ANNA)
    subentry_id = only_subentry(init_integration)
    simulator.sim.remove_phone(simulator.galaxy)

    await init_integration.runtime_data.async_refresh()

    devices = dr.async_entries_for_config_entry(
        dr.async_get(hass), init_integration.entry_id
    )
    assert sorted(device.name or "" for device in devices) == ["Anna", "Pixel 7"]
    assert recipient_device(hass, subentry_id).config_subentry_id == subentry_id


async def test_sim_of_a_one_sim_phone_is_taken(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A recipient on the one-SIM Galaxy needs no SIM page: its SIM is kept."""
    result = await add_recipient(
        hass, init_integration, {**ANNA, "device_id": str(simulator.galaxy)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry = init_integration.subentries[only_subentry(init_integration)]
    assert dict(subentry.data) == {
        "channel": "sms",
        "address": "+4915700000001",
        "device_id": simulator.galaxy,
        "sim": 0,
    }


async def test_sim_page_offers_the_phones_sims(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """The SIM page lists the Pixel's SIMs only, by slot, operator and number."""
    result = await add_recipient(
        hass, init_integration, {**ANNA, "device_id": str(simulator.pixel)}
    )
    assert result["step_id"] == "sim"
    selector = result["data_schema"].schema["sim"]
    assert [(o["value"], o["label"]) for o in selector.config["options"]] == [
        ("0", "SIM 1 · Vodafone.de · +4915112345678"),
        ("1", "SIM 2 · Telekom.de · +4917012345678"),
    ]
    with pytest.raises(InvalidData):
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"sim": "2"}
        )
    simulator.sim.remove_phone(simulator.pixel)
    await init_integration.runtime_data.async_refresh()
    gone = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"sim": "0"}
    )
    assert gone["type"] is FlowResultType.ABORT
    assert gone["reason"] == "unknown_device"


async def test_one_phone_account_offers_its_sims_on_the_first_page(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """With one phone, its SIMs are on the recipient's page; the SIM is kept."""
    simulator.sim.remove_phone(simulator.galaxy)
    await init_integration.runtime_data.async_refresh()

    result = await add_recipient(hass, init_integration, {**ANNA, "sim": "1"})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry = init_integration.subentries[only_subentry(init_integration)]
    assert subentry.data["sim"] == 1


async def test_recipient_stored_as_typed_still_sends(
    hass: HomeAssistant, simulator: RunningSimulator, config_entry: MockConfigEntry
) -> None:
    """A recipient kept with spaces by an earlier version sends in international form."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(
        config_entry,
        ConfigSubentry(
            data=MappingProxyType({"channel": "sms", "address": "+49 157 0000 0001"}),
            subentry_type="recipient",
            title="Anna",
            unique_id=None,
        ),
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    simulator.sim.clear_requests()

    await notify(hass, "notify.anna", "Hi")

    (request,) = simulator.sim.requests
    assert request.fields["sendto"] == "+4915700000001"


@pytest.mark.parametrize(("channel", "sim"), [("whatsapp", "3"), ("rcs", "4")])
async def test_recipient_channels(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    channel: str,
    sim: str,
) -> None:
    """A recipient's channel is the provider's sim field."""
    phone = simulator.sim.add_phone(DEMO_EMAIL, title="RCS phone", channels=[3, 4])
    await init_integration.runtime_data.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    result = await add_recipient(
        hass, init_integration, {**ANNA, "channel": channel, "device_id": str(phone.id)}
    )
    # A SIM means nothing off SMS: none is asked, none is kept.
    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry_id = only_subentry(init_integration)
    assert "sim" not in init_integration.subentries[subentry_id].data
    entity_id = notify_entity(hass, subentry_id)
    assert entity_id is not None
    simulator.sim.clear_requests()
    await notify(hass, entity_id, "Hi")
    (request,) = simulator.sim.requests
    assert (request.fields["sim"], request.fields["device_id"]) == (sim, str(phone.id))


async def test_telegram_recipient(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A Telegram recipient sends through the bot."""
    await add_recipient(
        hass,
        init_integration,
        {"name": "Family chat", "channel": "telegram", "address": "-100123"},
    )
    entity_id = notify_entity(hass, only_subentry(init_integration))
    assert entity_id == "notify.family_chat"
    simulator.sim.clear_requests()
    await notify(hass, entity_id, "Hi", title="Home")
    (request,) = simulator.sim.requests
    assert request.method == "telegrammessage"
    assert (request.fields["telegramid"], request.fields["body"]) == (
        "-100123",
        "Home: Hi",
    )


async def test_recipients_exist_after_restart(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A reload brings every recipient's entity back."""
    await add_recipient(hass, init_integration, ANNA)
    await add_recipient(hass, init_integration, {**ANNA, "name": "Ben"})
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    for subentry_id in init_integration.subentries:
        entity_id = notify_entity(hass, subentry_id)
        assert entity_id is not None
        assert hass.states.get(entity_id) is not None


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({**ANNA, "name": " "}, {"name": "empty_name"}),
        ({**ANNA, "address": "anna"}, {"address": "invalid_phone"}),
        ({**ANNA, "address": "+"}, {"address": "invalid_phone"}),
        # National, or too short: no country to send to.
        ({**ANNA, "address": "0157 0000 0001"}, {"address": "invalid_phone"}),
        ({**ANNA, "address": "+49 157"}, {"address": "invalid_phone"}),
        (
            {**ANNA, "channel": "telegram", "address": "@anna"},
            {"address": "invalid_telegram_id"},
        ),
    ],
)
async def test_recipient_errors(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    data: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Bad recipients are refused with the field's error, then fixed."""
    result = await add_recipient(hass, init_integration, data)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    fixed = await hass.config_entries.subentries.async_configure(
        result["flow_id"], ANNA
    )
    assert fixed["type"] is FlowResultType.CREATE_ENTRY


async def test_recipient_unknown_default_phone(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A default phone gone from the account must be replaced by a chosen one."""
    hass.config_entries.async_update_entry(
        init_integration, options={**init_integration.options, CONF_DEVICE_ID: 1}
    )
    result = await add_recipient(hass, init_integration, ANNA)
    assert result["errors"] == {"device_id": "unknown_device"}


async def test_recipient_needs_loaded_entry(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """No recipient can be added while the account is not loaded."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"


async def test_other_subentries_get_no_notify_entity(
    hass: HomeAssistant, simulator: RunningSimulator, config_entry: MockConfigEntry
) -> None:
    """A subentry of another type (a backup route) is no recipient."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(
        config_entry,
        ConfigSubentry(
            data=MappingProxyType(
                {
                    "provider": "seven",
                    "api_key": "key",
                    # A route asks its balance: the simulator's, not the internet's.
                    "url": f"{simulator.url}/seven/api",
                }
            ),
            subentry_type="route",
            title="seven.io",
            unique_id=None,
        ),
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    (subentry_id,) = config_entry.subentries
    assert notify_entity(hass, subentry_id) is None
    assert hass.states.async_entity_ids("notify") == []
