"""The device triggers of a phone: an SMS received, delivered or failed, with filters."""

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


async def set_up_automation(
    hass: HomeAssistant, phone: str, kind: str = "sms_received", **filters: str
) -> None:
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
                    "type": kind,
                    **filters,
                },
                "actions": {
                    "action": "test.automation",
                    "data": {
                        # A number would come out as an int: the text keeps its "+".
                        "sender": "from {{ trigger.event.data.phone }}",
                        "text": "{{ trigger.event.data.text }}",
                        "status": "{{ trigger.event.data.status }}",
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
    """Each gateway phone offers "SMS received", "SMS delivered" and "SMS failed"."""
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
            "type": kind,
            "metadata": {},
        }
        for kind in ("sms_received", "sms_delivered", "sms_failed")
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


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("sms_received", ["sender", "contains"]),
        ("sms_delivered", ["to"]),
        ("sms_failed", ["to"]),
    ],
)
async def test_capabilities(  # noqa: PLR0917
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    kind: str,
    fields: list[str],
) -> None:
    """The automation editor shows each trigger's optional filters."""
    assert await async_setup_component(hass, "device_automation", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "device_automation/trigger/capabilities",
            "trigger": {
                "platform": "device",
                "domain": DOMAIN,
                "device_id": device_id(hass, simulator.pixel),
                "type": kind,
            },
        }
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    assert answer["result"]["extra_fields"] == [
        {"name": name, "optional": True, "required": False, "type": "string"}
        for name in fields
    ]


async def test_validation_refuses_unknown_type(hass: HomeAssistant) -> None:
    """Only the three types exist, each with its own filters."""
    config = {"platform": "device", "domain": DOMAIN, "device_id": "x"}
    validated = await device_trigger.async_validate_trigger_config(
        hass, {**config, "type": "sms_received", "sender": "+49 157"}
    )
    assert validated["sender"] == "+49 157"
    validated = await device_trigger.async_validate_trigger_config(
        hass, {**config, "type": "sms_failed", "to": "+49 157"}
    )
    assert validated["to"] == "+49 157"
    for wrong in (
        {"type": "sms_sent"},
        {"type": "sms_delivered", "sender": "+49 157"},
        {"type": "sms_received", "to": "+49 157"},
    ):
        with pytest.raises(vol.Invalid):
            await device_trigger.async_validate_trigger_config(
                hass, {**config, **wrong}
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
        {
            "sender": f"from {SENDER}",
            "text": "Hello",
            "status": "",
            "platform": "device",
        }
    ]


@pytest.mark.parametrize(
    ("filters", "runs"),
    [
        ({"sender": "+49 157 0000 0001"}, ["ALARM off", "hello"]),
        # 00 is the + of the number, as the send path reads it.
        ({"sender": "004915700000001"}, ["ALARM off", "hello"]),
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
    assert device_trigger.same_sender("0049 151 2345 678", "+491512345678")
    # A national number or a short code names no country: its digits count.
    assert device_trigger.same_sender("0151 2345", "01512345")
    assert not device_trigger.same_sender("0151 2345", "+491512345")
    assert not device_trigger.same_sender("+49 151 2345", "Bank")
    assert device_trigger.same_sender(" bank ", "BANK")
    assert not device_trigger.same_sender("Bank", "+491512345")


async def send_from_pixel(hass: HomeAssistant, to: str) -> int:
    """Send a message from the Pixel with the action; return its id."""
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"phone": to, "message": "Water leak in the cellar"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    sms_ids: list[int] = response["sms_ids"]  # type: ignore[assignment]
    return sms_ids[0]


async def follow(
    hass: HomeAssistant, simulator: RunningSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """Let the phone take, send and deliver what waits, polling in between."""
    for _ in range(4):
        await poll(hass, freezer)
        simulator.sim.tick()
    await poll(hass, freezer)


@pytest.mark.parametrize(
    ("kind", "filters", "numbers"),
    [
        ("sms_delivered", {}, ["+4915700000002", "+4915700000004"]),
        ("sms_failed", {}, ["+4915700000003"]),
        ("sms_delivered", {"to": "+49 157 0000 0002"}, ["+4915700000002"]),
        ("sms_failed", {"to": "0049 157 0000 0003"}, ["+4915700000003"]),
        ("sms_failed", {"to": "+4915700000002"}, []),
    ],
)
async def test_delivered_and_failed(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    calls: list[ServiceCall],
    kind: str,
    filters: dict[str, str],
    numbers: list[str],
) -> None:
    """A message that reaches its recipient runs "delivered"; one that does not, "failed".

    Neither runs for the steps before (pending, taken, sent), nor for the
    other phone's messages, nor for another number than the filter's.
    """
    await set_up_automation(hass, device_id(hass, simulator.pixel), kind, **filters)
    for to in ("+4915700000002", "+4915700000003", "+4915700000004"):
        sms_id = await send_from_pixel(hass, to)
        if to.endswith("3"):
            simulator.sim.force_failure(sms_id=sms_id, status=8)
    galaxy = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "phone": "+4915700000002",
            "message": "From the Galaxy",
            "device_id": device_id(hass, simulator.galaxy),
        },
        blocking=True,
        return_response=True,
    )
    assert galaxy is not None

    await follow(hass, simulator, freezer)

    galaxy_ids: list[int] = galaxy["sms_ids"]  # type: ignore[assignment]
    assert simulator.sim.message(galaxy_ids[0]).status == 7
    status = "delivered" if kind == "sms_delivered" else "not_delivered"
    assert [(call.data["status"], call.data["sender"]) for call in calls] == [
        (status, f"from {number}") for number in numbers
    ]
    assert all(call.data["platform"] == "device" for call in calls)
