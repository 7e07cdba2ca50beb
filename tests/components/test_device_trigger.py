"""The device trigger "SMS received", with and without its filters."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator
import voluptuous as vol

from custom_components.smsgateway24 import device_trigger
from custom_components.smsgateway24.const import DOMAIN
from tests.components.common import device_id, poll
from tests.conftest import RunningSimulator

SENDER = "+4915700000001"
AUTOMATION = "automation"


pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def calls(hass: HomeAssistant) -> list[ServiceCall]:
    """The calls of the automations' action."""
    calls: list[ServiceCall] = async_mock_service(hass, "test", "automation")
    return calls


async def set_up_automation(hass: HomeAssistant, phone: str, **filters: str) -> None:
    """An automation on the phone's trigger that calls test.automation."""
    assert await async_setup_component(
        hass,
        AUTOMATION,
        {
            AUTOMATION: {
                "triggers": {
                    "trigger": "device",
                    "domain": DOMAIN,
                    "device_id": phone,
                    "type": "sms_received",
                    **filters,
                },
                "actions": {
                    "action": "test.automation",
                    "data": {
                        # A number would come out as an int: the text keeps its "+".
                        "sender": "from {{ trigger.event.data.phone }}",
                        "text": "{{ trigger.event.data.text }}",
                        "platform": "{{ trigger.platform }}",
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()


async def test_triggers_of_a_phone(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Each gateway phone offers "SMS received"."""
    phone = device_id(hass, simulator.pixel)
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, phone
    )
    ours = [trigger for trigger in triggers if trigger["domain"] == DOMAIN]
    assert ours == [
        {
            "platform": "device",
            "domain": DOMAIN,
            "device_id": phone,
            "type": "sms_received",
            "metadata": {},
        }
    ]


async def test_no_trigger_for_other_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A device that is not a gateway phone of the account offers no trigger."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    registry = dr.async_get(hass)
    foreign = registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "1")}
    )
    not_a_phone = registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, "recipient_alice")},
    )
    for device in (foreign.id, not_a_phone.id):
        assert await device_trigger.async_get_triggers(hass, device) == []
    assert await device_trigger.async_get_triggers(hass, "no-such-device") == []


async def test_capabilities(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The automation editor shows the two optional filters."""
    assert await async_setup_component(hass, "device_automation", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "device_automation/trigger/capabilities",
            "trigger": {
                "platform": "device",
                "domain": DOMAIN,
                "device_id": device_id(hass, simulator.pixel),
                "type": "sms_received",
            },
        }
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    assert answer["result"]["extra_fields"] == [
        {"name": "sender", "optional": True, "required": False, "type": "string"},
        {"name": "contains", "optional": True, "required": False, "type": "string"},
    ]


async def test_validation_refuses_unknown_type(hass: HomeAssistant) -> None:
    """Only "sms_received" is a trigger type."""
    config = {"platform": "device", "domain": DOMAIN, "device_id": "x"}
    validated = await device_trigger.async_validate_trigger_config(
        hass, {**config, "type": "sms_received", "sender": "+49 157"}
    )
    assert validated["sender"] == "+49 157"
    with pytest.raises(vol.Invalid):
        await device_trigger.async_validate_trigger_config(
            hass, {**config, "type": "sms_sent"}
        )


async def test_trigger_without_filters(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    calls: list[ServiceCall],
) -> None:
    """Every message the phone receives runs the action; the other phone's not."""
    await set_up_automation(hass, device_id(hass, simulator.pixel))
    await poll(hass, freezer)
    simulator.sim.inject_incoming(simulator.pixel, SENDER, "Hello")
    simulator.sim.inject_incoming(simulator.galaxy, SENDER, "Not for the Pixel")
    await poll(hass, freezer)

    assert [call.data for call in calls] == [
        {"sender": f"from {SENDER}", "text": "Hello", "platform": "device"}
    ]


@pytest.mark.parametrize(
    ("filters", "runs"),
    [
        ({"sender": "+49 157 0000 0001"}, ["ALARM off", "hello"]),
        ({"sender": "004915700000001"}, []),
        ({"contains": "alarm OFF"}, ["ALARM off", "alarm off please"]),
        ({"sender": "+4915700000001", "contains": "alarm"}, ["ALARM off"]),
        ({"sender": "Bank"}, ["Your code"]),
    ],
)
async def test_trigger_with_filters(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    calls: list[ServiceCall],
    filters: dict[str, Any],
    runs: list[str],
) -> None:
    """The sender is compared on its digits (or as a name), the text ignoring case."""
    await set_up_automation(hass, device_id(hass, simulator.pixel), **filters)
    await poll(hass, freezer)
    for sender, text in (
        (SENDER, "ALARM off"),
        (SENDER, "hello"),
        ("+4915700000002", "alarm off please"),
        ("BANK", "Your code"),
    ):
        simulator.sim.inject_incoming(simulator.pixel, sender, text)
    await poll(hass, freezer)

    assert [call.data["text"] for call in calls] == runs


def test_same_sender() -> None:
    """Numbers match on digits; names without digits match on their text."""
    assert device_trigger.same_sender("+49 (151) 234-5", "+491512345")
    assert not device_trigger.same_sender("+49 151 2345", "Bank")
    assert device_trigger.same_sender(" bank ", "BANK")
    assert not device_trigger.same_sender("Bank", "+491512345")
