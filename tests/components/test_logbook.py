"""What the activity log (logbook) shows of an account: messages, not routine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import (
    RecorderInstanceContextManager,
    WebSocketGenerator,
)

from custom_components.smsgateway24.const import (
    CONF_ONLINE_TIMEOUT,
    CONF_SIM,
    EVENT_SMS_STATUS,
)
from tests.components.common import logbook_describer, poll
from tests.conftest import RunningSimulator


@pytest.fixture(autouse=True)
async def auto_enable_custom_integrations(
    recorder_mock: RecorderInstanceContextManager,
    hass: HomeAssistant,
    enable_custom_integrations: None,
) -> None:
    """The recorder starts before Home Assistant: the logbook reads what it wrote.

    Home Assistant's core integration runs too, as it always does.
    """
    assert await async_setup_component(hass, "homeassistant", {})


async def logbook(
    hass: HomeAssistant, client_factory: WebSocketGenerator, since: str
) -> list[dict[str, Any]]:
    """The logbook's entries since ``since``, as the frontend gets them."""
    await async_wait_recording_done(hass)
    client = await client_factory()
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": since,
            "end_time": (dt_util.utcnow() + timedelta(hours=1)).isoformat(),
        }
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    entries: list[dict[str, Any]] = answer["result"]
    return entries


def about_the_account(entry: dict[str, Any]) -> bool:
    """An entry about the demo phones' entities or the integration's events."""
    return entry.get("domain") == "smsgateway24" or any(
        name in str(entry.get("entity_id")) for name in ("pixel_7", "galaxy_a52")
    )


async def test_polls_and_settings_stay_out_of_the_log(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: RunningSimulator,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Polls that only move the phones' last contact log nothing; an SMS logs once.

    Changing the default phone or the offline time, or a recipient, applies
    without a reload, so the entities do not go unavailable and back, and
    the phone's event entity shows no event that did not happen.
    """
    assert await async_setup_component(hass, "logbook", {})
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    flow = await hass.config_entries.subentries.async_init(
        (config_entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"name": "Anna", "channel": "sms", "address": "+4915700000001"}
    )
    await hass.async_block_till_done()
    since = dt_util.utcnow().isoformat()
    coordinator = config_entry.runtime_data
    first_seen = coordinator.data.phones[simulator.pixel].last_seen

    for _ in range(3):
        freezer.tick(timedelta(minutes=1))
        simulator.sim.tick()
        await poll(hass, freezer)
    assert coordinator.data.phones[simulator.pixel].last_seen != first_seen
    simulator.sim.inject_incoming(simulator.pixel, "+4915700000001", "Gate open")
    await poll(hass, freezer)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval": 60,
            CONF_ONLINE_TIMEOUT: 20,
            "catch_up_hours": 24,
            "device_id": str(simulator.galaxy),
            "webhook": False,
        },
    )
    await hass.async_block_till_done()
    assert config_entry.options[CONF_ONLINE_TIMEOUT] == 20
    assert config_entry.options[CONF_SIM] == 0
    (subentry_id,) = config_entry.subentries
    flow = await config_entry.start_subentry_reconfigure_flow(hass, subentry_id)
    await hass.config_entries.subentries.async_configure(
        flow["flow_id"],
        {"name": "Anna Schmidt", "channel": "sms", "address": "+4915700000002"},
    )
    await hass.async_block_till_done()
    assert config_entry.runtime_data is coordinator
    await poll(hass, freezer)

    entries = [
        entry
        for entry in await logbook(hass, hass_ws_client, since)
        if about_the_account(entry)
    ]

    event_state = hass.states.get("event.pixel_7_sms")
    assert event_state is not None
    assert sorted(
        (
            entry.get("entity_id") or "",
            entry.get("state") or entry["message"],
            entry.get("attributes", {}).get("event_type"),
        )
        for entry in entries
    ) == [
        ("", "SMS received from +4915700000001 on Pixel 7: Gate open", None),
        ("event.pixel_7_sms", event_state.state, "sms_received"),
        ("sensor.pixel_7_last_message", "Gate open", None),
    ]


@pytest.mark.parametrize(
    ("status", "final", "icon"),
    [
        ("pending", False, "mdi:message-arrow-right"),
        ("sent", False, "mdi:message-arrow-right"),
        ("delivered", True, "mdi:message-check"),
        ("not_delivered", True, "mdi:message-alert"),
        ("failed", True, "mdi:message-alert"),
        ("expired", True, "mdi:message-alert"),
    ],
)
def test_status_lines_have_the_event_entitys_icons(
    hass: HomeAssistant, status: str, final: bool, icon: str
) -> None:
    """Each line has an icon, as the phone's SMS entity shows the same outcome."""
    describe = logbook_describer(hass, EVENT_SMS_STATUS)
    data = {
        "device_id": None,
        "gateway_device_id": 1,
        "phone": "+4915700000001",
        "status": status,
        "final": final,
    }
    assert describe(Event(EVENT_SMS_STATUS, data))["icon"] == icon
