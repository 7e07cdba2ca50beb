"""Recipients: subentries that each become a notify entity."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
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


def only_subentry(entry: MockConfigEntry) -> str:
    """The id of the entry's one subentry."""
    (subentry_id,) = entry.subentries
    return str(subentry_id)


async def test_recipient_lifecycle(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Add, send with a title, reconfigure, send again, remove."""
    result = await add_recipient(hass, init_integration, ANNA)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry_id = only_subentry(init_integration)
    subentry = init_integration.subentries[subentry_id]
    assert subentry.title == "Anna"
    assert dict(subentry.data) == {"channel": "sms", "address": "+49 157 0000 0001"}
    entity_id = notify_entity(hass, subentry_id)
    assert entity_id == "notify.anna"
    assert hass.states.get(entity_id) is not None
    entity = er.async_get(hass).async_get(entity_id)
    assert entity is not None
    assert entity.config_subentry_id == subentry_id

    simulator.sim.clear_requests()
    await notify(hass, entity_id, "Door open", title="Alarm")
    (request,) = simulator.sim.requests
    assert request.method == "addsms"
    assert request.fields["sendto"] == "+49 157 0000 0001"
    assert request.fields["body"] == "Alarm: Door open"
    assert request.fields["sim"] == "0"

    flow = await init_integration.start_subentry_reconfigure_flow(hass, subentry_id)
    assert flow["step_id"] == "reconfigure"
    done = await hass.config_entries.subentries.async_configure(
        flow["flow_id"],
        {
            "name": "Anna",
            "channel": "sms",
            "address": "+4915700000002",
            "device_id": str(simulator.pixel),
            "sim": "1",
        },
    )
    assert done["type"] is FlowResultType.ABORT
    assert done["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    simulator.sim.clear_requests()
    await notify(hass, entity_id, "Line one\nline two", title="Alarm")
    request = simulator.sim.requests[-1]
    assert request.fields["sendto"] == "+4915700000002"
    assert request.fields["body"] == "Alarm\nLine one\nline two"
    assert request.fields["sim"] == "1"

    hass.config_entries.async_remove_subentry(init_integration, subentry_id)
    await hass.async_block_till_done()
    assert notify_entity(hass, subentry_id) is None
    assert hass.states.get(entity_id) is None


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
    await add_recipient(
        hass,
        init_integration,
        {**ANNA, "channel": channel, "device_id": str(phone.id), "sim": "1"},
    )
    subentry_id = only_subentry(init_integration)
    # A SIM means nothing off SMS: it is not kept.
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
        (
            {**ANNA, "channel": "telegram", "address": "@anna"},
            {"address": "invalid_telegram_id"},
        ),
        ({**ANNA, "device_id": "GALAXY", "sim": "1"}, {"sim": "sim_not_available"}),
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
    if data.get("device_id") == "GALAXY":
        data = {**data, "device_id": str(simulator.galaxy)}
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
