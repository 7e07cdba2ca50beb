"""The blueprint "SMS command": it loads, and runs only for allowed senders and keyword."""

from __future__ import annotations

from pathlib import Path
import shutil

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint, BlueprintInputs
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.smsgateway24.const import DOMAIN
from scripts import onboard
from tests.components.common import device_id, poll
from tests.conftest import RunningSimulator

ROOT = Path(__file__).parents[2]
BLUEPRINT = ROOT / "blueprints" / "automation" / DOMAIN / "sms_command.yaml"
USE_PATH = f"{DOMAIN}/sms_command.yaml"
AUTOMATION = "automation"


pytestmark = pytest.mark.usefixtures("frozen_time")


def load() -> Blueprint:
    """The blueprint, checked by Home Assistant's own schema."""
    return Blueprint(
        load_yaml_dict(str(BLUEPRINT)),
        path=USE_PATH,
        expected_domain=AUTOMATION,
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


def test_blueprint_loads() -> None:
    """The blueprint is a valid automation blueprint with the documented inputs."""
    blueprint = load()
    assert blueprint.domain == AUTOMATION
    assert set(blueprint.inputs) == {"phone", "allowed_numbers", "keyword", "actions"}
    # The gateway phones only: they have the event entity, recipients do not.
    assert blueprint.inputs["phone"]["selector"]["device"]["filter"] == [
        {"integration": DOMAIN}
    ]
    assert blueprint.inputs["phone"]["selector"]["device"]["entity"] == [
        {"integration": DOMAIN, "domain": ["event"]}
    ]
    assert blueprint.metadata["source_url"].endswith(
        "/blueprints/automation/smsgateway24/sms_command.yaml"
    )
    inputs = BlueprintInputs(
        blueprint,
        {
            "use_blueprint": {
                "path": USE_PATH,
                "input": {
                    "phone": "abc",
                    "allowed_numbers": ["+49 157 0000 0001"],
                    "keyword": "alarm",
                    "actions": [],
                },
            }
        },
    )
    inputs.validate()
    substituted = inputs.async_substitute()
    assert substituted["triggers"][0]["device_id"] == "abc"


async def test_blueprint_runs_on_allowed_sender_and_keyword(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
) -> None:
    """The action runs for an allowed number whose text has the keyword, only."""
    folder = tmp_path / "blueprints" / AUTOMATION / DOMAIN
    folder.mkdir(parents=True)
    shutil.copy(BLUEPRINT, folder)
    hass.config.config_dir = str(tmp_path)
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        AUTOMATION,
        {
            AUTOMATION: {
                "alias": "SMS command",
                "use_blueprint": {
                    "path": USE_PATH,
                    "input": {
                        "phone": device_id(hass, simulator.pixel),
                        "allowed_numbers": ["+49 157 0000 0001", "0049 157 0000 0002"],
                        "keyword": "Alarm off",
                        "actions": [
                            {
                                "action": "test.automation",
                                "data": {"text": "{{ trigger.event.data.text }}"},
                            }
                        ],
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.sms_command")
    assert state is not None
    assert state.state == "on"

    await poll(hass, freezer)
    for phone, sender, text in (
        (simulator.pixel, "+4915700000001", "ALARM OFF now"),
        (simulator.pixel, "+4915700000002", "please alarm off"),
        (simulator.pixel, "+4915700000003", "ALARM OFF"),
        (simulator.pixel, "+4915700000001", "alarm on"),
        (simulator.pixel, "Bank", "alarm off"),
        (simulator.galaxy, "+4915700000001", "ALARM OFF on the other phone"),
    ):
        simulator.sim.inject_incoming(phone, sender, text)
    await poll(hass, freezer)
    await hass.async_block_till_done()

    assert sorted(call.data["text"] for call in calls) == [
        "ALARM OFF now",
        "please alarm off",
    ]


async def test_development_config_offers_the_blueprint(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    tmp_path: Path,
) -> None:
    """The development Home Assistant has the blueprint ready: no import needed."""
    onboard.prepare(tmp_path)
    # Again, as on every start of scripts/develop: the link is renewed, not doubled.
    onboard.prepare(tmp_path)
    hass.config.config_dir = str(tmp_path)
    assert await async_setup_component(hass, AUTOMATION, {})
    client = await hass_ws_client(hass)

    await client.send_json_auto_id({"type": "blueprint/list", "domain": AUTOMATION})
    answer = await client.receive_json()

    assert answer["success"], answer
    assert answer["result"][USE_PATH]["metadata"]["name"] == "SMS command"
    assert (tmp_path / "blueprints" / AUTOMATION / USE_PATH).resolve() == BLUEPRINT
