"""Assist by SMS: allowed people text the house, Assist acts and answers by SMS.

Messages arrive through the simulator and the coordinator's poll, as they do
in use; what counts is what users see: the light's state, the events an
automation receives, and the requests the simulator received.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
import json
import logging
from types import MappingProxyType
from typing import Any, Literal

from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import User
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.components.light import ColorMode, LightEntity
from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult, ConfigSubentry
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType
from homeassistant.setup import async_setup_component
from homeassistant.util.ulid import ulid_now
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_capture_events,
    mock_integration,
    mock_platform,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import voluptuous as vol

from custom_components.smsgateway24 import config_flow
from custom_components.smsgateway24.assist import capped, without_pin
from custom_components.smsgateway24.clients.smsgateway24.encoding import sms_length
from custom_components.smsgateway24.const import (
    ASSIST_SIGNATURE,
    EVENT_ASSIST,
    EVENT_SMS_RECEIVED,
    EVENT_SMS_STATUS,
)
from custom_components.smsgateway24.diagnostics import (
    async_get_config_entry_diagnostics,
)
from simulator.models import ApiError, RecordedRequest
from tests.components.common import logbook_describer, poll, restart, state
from tests.components.test_config_flow import INTEGRATION, schema_of
from tests.conftest import RunningSimulator

pytestmark = pytest.mark.usefixtures("frozen_time")

LIGHT = "light.kitchen_light"
ANNA = "+4915700000001"
BEN = "+4915700000002"
STRANGER = "+4915799999999"
PIN = "4711"
TURN_ON = "turn on the kitchen light"
TURN_OFF = "turn off the kitchen light"


class RecordingAgent(conversation.AbstractConversationAgent):
    """A conversation agent that keeps what it was asked and says one answer."""

    def __init__(self, answer: str, *, converses: bool = True) -> None:
        """Answer every question with ``answer``; in a conversation if ``converses``."""
        self.answer = answer
        self.converses = converses
        self.inputs: list[conversation.ConversationInput] = []

    @property
    def supported_languages(self) -> Literal["*"]:
        """Every language."""
        return "*"

    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        """Keep the question; answer in a conversation of its own or the one given."""
        self.inputs.append(user_input)
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_speech(self.answer)
        if not self.converses:
            return conversation.ConversationResult(response=response)
        return conversation.ConversationResult(
            response=response, conversation_id=user_input.conversation_id or ulid_now()
        )


class KitchenLight(LightEntity):
    """A light that only goes on and off."""

    _attr_name = "Kitchen light"
    _attr_unique_id = "kitchen_light"
    _attr_color_mode = ColorMode.ONOFF
    _attr_is_on = False

    def __init__(self) -> None:
        """Off, with no colour or brightness."""
        self._attr_supported_color_modes = {ColorMode.ONOFF}

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on."""
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        self._attr_is_on = False
        self.async_write_ha_state()


@pytest.fixture
async def kitchen_light(hass: HomeAssistant) -> str:
    """A light named "Kitchen light", off, exposed to Assist."""

    async def add_light(
        hass: HomeAssistant,
        config: ConfigType,
        async_add_entities: AddEntitiesCallback,
        discovery_info: DiscoveryInfoType | None = None,
    ) -> None:
        async_add_entities([KitchenLight()])

    mock_integration(hass, MockModule("kitchen"))
    mock_platform(hass, "kitchen.light", MockPlatform(async_setup_platform=add_light))
    assert await async_setup_component(
        hass, "light", {"light": {"platform": "kitchen"}}
    )
    await hass.async_block_till_done()
    async_expose_entity(hass, conversation.DOMAIN, LIGHT, True)
    assert state(hass, LIGHT) == "off"
    return LIGHT


@pytest.fixture
def answers(hass: HomeAssistant) -> list[Event]:
    """The smsgateway24_assist events fired."""
    events: list[Event] = async_capture_events(hass, EVENT_ASSIST)
    return events


@pytest.fixture
def received(hass: HomeAssistant) -> list[Event]:
    """The smsgateway24_sms_received events fired."""
    events: list[Event] = async_capture_events(hass, EVENT_SMS_RECEIVED)
    return events


@pytest.fixture
def assist_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Everything logged, down to debug lines."""
    with caplog.at_level(logging.DEBUG):
        yield caplog


def add_recipient(
    hass: HomeAssistant, entry: MockConfigEntry, name: str, address: str, **data: Any
) -> ConfigSubentry:
    """Add a recipient as the form stores it: SMS, allowed to talk to Assist."""
    subentry = ConfigSubentry(
        data=MappingProxyType(
            {"channel": "sms", "address": address, "assist": True, **data}
        ),
        subentry_type="recipient",
        title=name,
        unique_id=None,
    )
    hass.config_entries.async_add_subentry(entry, subentry)
    return subentry


async def set_assist_options(
    hass: HomeAssistant, entry: MockConfigEntry, **options: Any
) -> None:
    """Store the entry's options of Assist by SMS and reload it, as the form does."""
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "assist": options}
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


async def recording_agent(
    hass: HomeAssistant, answer: str, *, converses: bool = True
) -> tuple[str, RecordingAgent]:
    """Register a recording conversation agent; return its id and itself."""
    agent_entry = MockConfigEntry(domain="test")
    agent_entry.add_to_hass(hass)
    agent = RecordingAgent(answer, converses=converses)
    conversation.async_set_agent(hass, agent_entry, agent)
    return agent_entry.entry_id, agent


def sent_sms(simulator: RunningSimulator) -> list[RecordedRequest]:
    """The addsms requests the simulator received."""
    return [r for r in simulator.sim.requests if r.method == "addsms"]


async def text_house(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    freezer: FrozenDateTimeFactory,
    sender: str,
    text: str,
    *,
    phone: int | None = None,
    sim: int = 0,
) -> None:
    """Let a gateway phone receive a message, and the coordinator poll it."""
    simulator.sim.inject_incoming(
        simulator.pixel if phone is None else phone, sender, text, sim=sim
    )
    await poll(hass, freezer)


# The conversation


@pytest.mark.parametrize(("phone", "sim"), [("Pixel 7", 1), ("Galaxy A52", 0)])
async def test_allowed_sender_switches_the_light_and_gets_the_answer(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    answers: list[Event],
    received: list[Event],
    phone: str,
    sim: int,
) -> None:
    """The light goes on; the answer leaves the phone and SIM the question reached."""
    add_recipient(hass, init_integration, "Anna", "+49 157 0000 0001")
    phone_id = simulator.phone_id(phone)
    statuses = async_capture_events(hass, EVENT_SMS_STATUS)

    await text_house(hass, simulator, freezer, ANNA, TURN_ON, phone=phone_id, sim=sim)

    assert state(hass, kitchen_light) == "on"
    assert [r.fields for r in sent_sms(simulator)] == [
        {
            "token": simulator.sim.account("demo@smsgateway24.local").token,
            "sendto": ANNA,
            "body": f"Turned on the light{ASSIST_SIGNATURE}",
            "device_id": str(phone_id),
            "sim": str(sim),
        }
    ]
    assert len(received) == 1
    assert [event.data for event in answers] == [
        {
            "config_entry_id": init_integration.entry_id,
            "phone": ANNA,
            "recipient": "Anna",
            "text": TURN_ON,
            "answer": "Turned on the light",
            "agent_id": conversation.HOME_ASSISTANT_AGENT,
            "acted": True,
        }
    ]

    # The answer is a tracked message like any other sent.
    simulator.sim.tick()
    await poll(hass, freezer)
    assert [(e.data["phone"], e.data["status"]) for e in statuses] == [(ANNA, "taken")]


async def test_a_question_is_answered_without_acting(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    answers: list[Event],
) -> None:
    """ "Is the kitchen light on?" changes nothing, and the event says so."""
    add_recipient(hass, init_integration, "Anna", ANNA)

    await text_house(hass, simulator, freezer, ANNA, "is the kitchen light on?")

    assert state(hass, kitchen_light) == "off"
    (event,) = answers
    assert event.data["acted"] is False
    assert event.data["answer"] == "No, off"
    (request,) = sent_sms(simulator)
    assert request.fields["body"] == event.data["answer"] + ASSIST_SIGNATURE


async def test_follow_up_keeps_the_conversation(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A follow-up within minutes goes on with the sender's conversation; not later."""
    agent_id, agent = await recording_agent(hass, "Done.")
    await set_assist_options(hass, init_integration, agent_id=agent_id)
    add_recipient(hass, init_integration, "Anna", ANNA)
    add_recipient(hass, init_integration, "Ben", BEN)

    await text_house(hass, simulator, freezer, ANNA, "turn on the light")
    await text_house(hass, simulator, freezer, ANNA, "and the kitchen?")
    await text_house(hass, simulator, freezer, BEN, "hello")
    freezer.tick(timedelta(minutes=6))
    await text_house(hass, simulator, freezer, ANNA, "turn it off")

    first, follow_up, other, later = agent.inputs
    assert first.conversation_id is None
    assert follow_up.conversation_id is not None
    assert other.conversation_id is None
    assert later.conversation_id is None
    assert [i.text for i in agent.inputs] == [
        "turn on the light",
        "and the kitchen?",
        "hello",
        "turn it off",
    ]
    assert all(i.agent_id == agent_id for i in agent.inputs)
    assert len(sent_sms(simulator)) == 4


async def test_silent_agent_sends_nothing(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    answers: list[Event],
) -> None:
    """An agent that says nothing and keeps no conversation: no SMS, no follow-up."""
    agent_id, agent = await recording_agent(hass, "", converses=False)
    await set_assist_options(hass, init_integration, agent_id=agent_id)
    add_recipient(hass, init_integration, "Anna", ANNA)

    await text_house(hass, simulator, freezer, ANNA, "good night")
    await text_house(hass, simulator, freezer, ANNA, "and sleep well")

    assert sent_sms(simulator) == []
    assert [e.data["answer"] for e in answers] == ["", ""]
    assert [i.conversation_id for i in agent.inputs] == [None, None]


async def test_the_user_acts(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    answers: list[Event],
    hass_admin_user: User,
) -> None:
    """A recipient tied to a user: the change carries that user's id."""
    add_recipient(hass, init_integration, "Anna", ANNA, user_id=hass_admin_user.id)

    await text_house(hass, simulator, freezer, ANNA, TURN_ON)

    light = hass.states.get(kitchen_light)
    assert light is not None
    assert light.state == "on"
    assert light.context.user_id == hass_admin_user.id
    (event,) = answers
    assert event.context.user_id == hass_admin_user.id


async def test_without_user_no_one_acts(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
) -> None:
    """A recipient without a user: the change carries no user."""
    add_recipient(hass, init_integration, "Anna", ANNA)

    await text_house(hass, simulator, freezer, ANNA, TURN_ON)

    light = hass.states.get(kitchen_light)
    assert light is not None
    assert light.state == "on"
    assert light.context.user_id is None


async def test_language_option(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant's language by default; the chosen one when set."""
    agent_id, agent = await recording_agent(hass, "Erledigt.")
    add_recipient(hass, init_integration, "Anna", ANNA)
    await set_assist_options(hass, init_integration, agent_id=agent_id)
    await text_house(hass, simulator, freezer, ANNA, "Licht an")
    await set_assist_options(hass, init_integration, agent_id=agent_id, language="de")
    await text_house(hass, simulator, freezer, ANNA, "Licht aus")

    assert [i.language for i in agent.inputs] == [hass.config.language, "de"]


# Who may talk


async def test_pin_is_taken_off(  # noqa: PLR0917
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    answers: list[Event],
    assist_log: pytest.LogCaptureFixture,
) -> None:
    """With the PIN in front, Assist gets the words only; the PIN is shown nowhere."""
    add_recipient(hass, init_integration, "Anna", ANNA, pin=PIN)

    await text_house(hass, simulator, freezer, ANNA, f"{PIN}: {TURN_ON}")

    assert state(hass, kitchen_light) == "on"
    (event,) = answers
    assert event.data["text"] == TURN_ON
    assert PIN not in json.dumps(event.data)
    described = logbook_describer(hass, EVENT_ASSIST)(event)
    assert PIN not in json.dumps(described)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert PIN not in json.dumps(diagnostics)
    assert diagnostics["assist"]["exchanges"] == 1
    # The received message itself carries the PIN, as any text it holds:
    # only the integration's and Assist's own lines are ours to keep clean.
    ours = [
        record.getMessage()
        for record in assist_log.records
        if record.name.startswith(
            ("custom_components.smsgateway24", "homeassistant.components.conversation")
        )
    ]
    assert ours
    assert not [line for line in ours if PIN in line]


async def test_pin_is_hidden_where_messages_are_shown(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    received: list[Event],
) -> None:
    """The logbook, Last message and the SMS event entity show dots for the PIN.

    The bus event keeps the text as received; a wrong PIN is no secret.
    """
    add_recipient(hass, init_integration, "Anna", ANNA, pin=PIN)

    await text_house(hass, simulator, freezer, ANNA, f"{PIN}: {TURN_ON}")

    (event,) = received
    assert event.data["text"] == f"{PIN}: {TURN_ON}"
    described = logbook_describer(hass, EVENT_SMS_RECEIVED)(event)
    assert described["message"].endswith(f": •••• {TURN_ON}")
    assert state(hass, "sensor.pixel_7_last_message") == f"•••• {TURN_ON}"
    sms = hass.states.get("event.pixel_7_sms")
    assert sms is not None
    assert sms.attributes["text"] == f"•••• {TURN_ON}"

    await text_house(hass, simulator, freezer, ANNA, f"1234 {TURN_OFF}")
    assert state(hass, "sensor.pixel_7_last_message") == f"1234 {TURN_OFF}"
    await text_house(hass, simulator, freezer, BEN, f"{PIN} {TURN_OFF}")
    assert state(hass, "sensor.pixel_7_last_message") == f"{PIN} {TURN_OFF}"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (TURN_ON, "wrong_pin"),
        (f"1234 {TURN_ON}", "wrong_pin"),
        (f"{PIN}2 {TURN_ON}", "wrong_pin"),
        (f"{PIN[:3]} {TURN_ON}", "wrong_pin"),
        (PIN, "empty"),
    ],
)
async def test_missing_or_wrong_pin_changes_nothing(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    answers: list[Event],
    received: list[Event],
    assist_log: pytest.LogCaptureFixture,
    text: str,
    reason: str,
) -> None:
    """No PIN, a wrong one, or one too long: ignored, answered by nothing."""
    add_recipient(hass, init_integration, "Anna", ANNA, pin=PIN)

    await text_house(hass, simulator, freezer, ANNA, text)

    await assert_refused(hass, simulator, init_integration, kitchen_light, reason)
    assert answers == []
    assert [event.data["text"] for event in received] == [text]
    ours = [
        r.getMessage()
        for r in assist_log.records
        if r.name.startswith("custom_components.smsgateway24")
    ]
    assert not [line for line in ours if PIN in line]


async def assert_refused(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    entry: MockConfigEntry,
    light: str,
    reason: str,
) -> None:
    """Nothing changed, nothing was sent, and diagnostics count the reason."""
    assert state(hass, light) == "off"
    assert sent_sms(simulator) == []
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["assist"]["exchanges"] == 0
    assert diagnostics["assist"]["refusals"] == {reason: 1}


@pytest.mark.parametrize(
    ("recipient", "sender", "text", "reason"),
    [
        (None, STRANGER, TURN_ON, "unknown_sender"),
        ({"assist": False}, ANNA, TURN_ON, "unknown_sender"),
        ({"address": "72345"}, "72345", TURN_ON, "not_a_phone_number"),
        ({"address": "Bank"}, "Bank", TURN_ON, "not_a_phone_number"),
        # The gateway's own SIM: one phone of the account texting another.
        ({"address": "+4915112345678"}, "+4915112345678", TURN_ON, "own_number"),
        # Another house's answer.
        ({}, ANNA, f"{TURN_ON}{ASSIST_SIGNATURE}", "answer"),
        ({}, ANNA, "   ", "empty"),
    ],
)
async def test_refused_senders_change_nothing(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    answers: list[Event],
    received: list[Event],
    recipient: dict[str, Any] | None,
    sender: str,
    text: str,
    reason: str,
) -> None:
    """Strangers, names, short codes, own numbers, answers: only the received event."""
    if recipient is not None:
        address = recipient.pop("address", ANNA)
        add_recipient(hass, init_integration, "Anna", address, **recipient)

    await text_house(hass, simulator, freezer, sender, text, phone=simulator.galaxy)

    await assert_refused(hass, simulator, init_integration, kitchen_light, reason)
    assert answers == []
    assert [event.data["phone"] for event in received] == [sender]


async def test_whatsapp_message_is_not_taken(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
) -> None:
    """A message that came over WhatsApp, not a SIM, is not answered by SMS."""
    add_recipient(hass, init_integration, "Anna", ANNA)

    await text_house(hass, simulator, freezer, ANNA, TURN_ON, sim=2)

    await assert_refused(hass, simulator, init_integration, kitchen_light, "not_sms")


@pytest.mark.usefixtures("hass_owner_user")
async def test_inactive_user_changes_nothing(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
) -> None:
    """A recipient tied to a user who was deactivated may no longer act."""
    user = await hass.auth.async_create_user("Anna")
    add_recipient(hass, init_integration, "Anna", ANNA, user_id=user.id)
    await hass.auth.async_deactivate_user(user)

    await text_house(hass, simulator, freezer, ANNA, TURN_ON)

    await assert_refused(
        hass, simulator, init_integration, kitchen_light, "unknown_user"
    )


async def test_missing_agent_changes_nothing(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An agent removed since it was chosen: nothing happens, the log says why."""
    add_recipient(hass, init_integration, "Anna", ANNA)
    await set_assist_options(hass, init_integration, agent_id="conversation.gone")

    await text_house(hass, simulator, freezer, ANNA, TURN_ON)

    await assert_refused(
        hass,
        simulator,
        init_integration,
        kitchen_light,
        "agent_unavailable",
    )
    assert "there is no conversation agent conversation.gone" in caplog.text


# Safety limits


async def test_old_catch_up_message_is_not_acted_on(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    received: list[Event],
) -> None:
    """A five-hour-old "turn on" received while stopped fires, but acts on nothing."""
    add_recipient(hass, init_integration, "Anna", ANNA)

    def while_stopped() -> None:
        freezer.tick(timedelta(hours=6))
        simulator.sim.inject_incoming(
            simulator.pixel,
            ANNA,
            TURN_ON,
            received_at=simulator.sim.now() - timedelta(hours=5),
        )

    await restart(hass, init_integration, while_stopped)

    await assert_refused(hass, simulator, init_integration, kitchen_light, "too_old")
    assert [(e.data["text"], e.data["catch_up"]) for e in received] == [(TURN_ON, True)]


async def test_recent_catch_up_message_is_acted_on(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    received: list[Event],
) -> None:
    """A message received a minute before a quick restart is answered after it."""
    add_recipient(hass, init_integration, "Anna", ANNA)

    def while_stopped() -> None:
        simulator.sim.inject_incoming(simulator.pixel, ANNA, TURN_ON)
        freezer.tick(timedelta(minutes=2))

    await restart(hass, init_integration, while_stopped)

    assert [e.data["catch_up"] for e in received] == [True]
    assert state(hass, kitchen_light) == "on"
    assert len(sent_sms(simulator)) == 1


async def test_max_age_option(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
) -> None:
    """With a limit of one minute, a message polled two minutes late is too old."""
    add_recipient(hass, init_integration, "Anna", ANNA)
    await set_assist_options(hass, init_integration, max_age=1)

    simulator.sim.inject_incoming(simulator.pixel, ANNA, TURN_ON)
    await poll(hass, freezer, seconds=120)

    await assert_refused(hass, simulator, init_integration, kitchen_light, "too_old")


async def test_rate_limit(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    answers: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two answers an hour: the third and fourth are ignored, logged once; then again."""
    add_recipient(hass, init_integration, "Anna", ANNA)
    add_recipient(hass, init_integration, "Ben", BEN)
    await set_assist_options(hass, init_integration, answers_per_hour=2)

    await text_house(hass, simulator, freezer, ANNA, TURN_ON)
    await text_house(hass, simulator, freezer, ANNA, TURN_OFF)
    await text_house(hass, simulator, freezer, ANNA, TURN_ON)
    await text_house(hass, simulator, freezer, ANNA, TURN_ON)

    assert state(hass, kitchen_light) == "off"
    assert [r.fields["sendto"] for r in sent_sms(simulator)] == [ANNA, ANNA]
    silenced = [r for r in caplog.records if "within an hour" in r.getMessage()]
    assert len(silenced) == 1
    assert silenced[0].levelno == logging.WARNING

    # Another sender has answers of their own.
    await text_house(hass, simulator, freezer, BEN, TURN_ON)
    assert state(hass, kitchen_light) == "on"
    await text_house(hass, simulator, freezer, BEN, TURN_OFF)

    freezer.tick(timedelta(hours=1))
    await text_house(hass, simulator, freezer, ANNA, TURN_ON)
    assert state(hass, kitchen_light) == "on"
    assert [r.fields["sendto"] for r in sent_sms(simulator)] == [
        ANNA,
        ANNA,
        BEN,
        BEN,
        ANNA,
    ]
    assert [e.data["phone"] for e in answers] == [ANNA, ANNA, BEN, BEN, ANNA]


@pytest.mark.parametrize(
    ("answer", "max_parts", "ellipsis"),
    [
        ("The forecast for tomorrow is sunny. " * 20, 1, "..."),
        ("The forecast for tomorrow is sunny. " * 20, 2, "..."),
        ("Завтра солнечно и тепло. " * 20, 2, "…"),
    ],
    ids=["gsm-1-part", "gsm-2-parts", "ucs2-2-parts"],
)
async def test_long_answer_is_capped(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    answers: list[Event],
    answer: str,
    max_parts: int,
    ellipsis: str,
) -> None:
    """The answer is cut with an ellipsis to fit the number of SMS chosen."""
    agent_id, _ = await recording_agent(hass, answer)
    await set_assist_options(
        hass, init_integration, agent_id=agent_id, max_parts=max_parts
    )
    add_recipient(hass, init_integration, "Anna", ANNA)

    await text_house(hass, simulator, freezer, ANNA, "what's the weather tomorrow?")

    (request,) = sent_sms(simulator)
    body = str(request.fields["body"])
    assert sms_length(body).parts == max_parts
    assert body.endswith(f"{ellipsis}{ASSIST_SIGNATURE}")
    (event,) = answers
    assert event.data["answer"] == body.removesuffix(ASSIST_SIGNATURE)
    assert answer.startswith(event.data["answer"].removesuffix(ellipsis))
    # Not one character more would have fitted.
    kept = len(event.data["answer"]) - len(ellipsis)
    longer = answer[: kept + 1] + ellipsis + ASSIST_SIGNATURE
    assert sms_length(longer).parts > max_parts


def test_capped_keeps_what_fits() -> None:
    """A short answer is left alone; the cut never takes more than allowed."""
    assert capped("Turned on the light", 1) == "Turned on the light"
    for length in range(140, 200):
        cut = capped("x" * length, 1)
        assert sms_length(cut + ASSIST_SIGNATURE).parts == 1
    # "€" takes two places of 160, the ellipsis three, the signature ten.
    assert capped("€" * 100, 1) == "€" * ((160 - 3 - 10) // 2) + "..."


def test_without_pin() -> None:
    """The PIN must lead, whole, followed by a separator or nothing."""
    assert without_pin("4711 turn on", "4711") == "turn on"
    assert without_pin("  4711: turn on", "4711") == "turn on"
    assert without_pin("4711,turn on", "4711") == "turn on"
    assert without_pin("4711", "4711") == ""
    assert without_pin("47112 turn on", "4711") is None
    assert without_pin("4711turn on", "4711") is None
    assert without_pin("turn on 4711", "4711") is None
    assert without_pin("", "4711") is None


# Sending, unloading, removing


async def test_answer_that_cannot_be_sent(  # noqa: PLR0917
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    answers: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The provider refuses the answer: the log says so, it is not sent again."""
    add_recipient(hass, init_integration, "Anna", ANNA)
    simulator.sim.inject_incoming(simulator.pixel, ANNA, TURN_ON)
    # The poll's own requests pass; the answer's is refused.
    original = simulator.sim.queue_messages

    def refuse(*args: Any, **kwargs: Any) -> Any:
        simulator.sim.queue_messages = original  # type: ignore[method-assign]
        raise ApiError("Sim 0 is blocked")

    simulator.sim.queue_messages = refuse  # type: ignore[method-assign]
    await poll(hass, freezer)

    assert state(hass, kitchen_light) == "on"
    assert [e.data["answer"] for e in answers] == ["Turned on the light"]
    assert "Could not send the answer of Assist to +4915700000001" in caplog.text
    assert [r.status for r in sent_sms(simulator)] == [200]
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics["assist"]["answers_not_sent"] == 1
    assert diagnostics["assist"]["exchanges"] == 1


async def test_unloaded_entry_does_not_listen(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    kitchen_light: str,
    received: list[Event],
) -> None:
    """After unloading, a received message event reaches Assist no more."""
    add_recipient(hass, init_integration, "Anna", ANNA)
    data = {
        "config_entry_id": init_integration.entry_id,
        "device_id": None,
        "gateway_device_id": simulator.pixel,
        "sms_id": 1,
        "phone": ANNA,
        "text": TURN_ON,
        "sim": 0,
        "received_at": "2026-11-20T12:00:00+00:00",
        "catch_up": False,
    }
    assert await hass.config_entries.async_unload(init_integration.entry_id)

    hass.bus.async_fire(EVENT_SMS_RECEIVED, data)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert len(received) == 1
    assert state(hass, kitchen_light) == "off"
    assert sent_sms(simulator) == []


async def test_other_entry_messages_are_not_taken(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    kitchen_light: str,
) -> None:
    """A message of another account is that account's to answer."""
    add_recipient(hass, init_integration, "Anna", ANNA)

    hass.bus.async_fire(
        EVENT_SMS_RECEIVED,
        {
            "config_entry_id": "another",
            "gateway_device_id": simulator.pixel,
            "phone": ANNA,
            "text": TURN_ON,
            "sim": 0,
            "received_at": "2026-11-20T12:00:00+00:00",
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert state(hass, kitchen_light) == "off"
    assert sent_sms(simulator) == []


async def test_removed_entry_forgets(  # noqa: PLR0917
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
) -> None:
    """Counts outlive a reload; an entry removed and added again starts from none."""
    add_recipient(hass, init_integration, "Anna", ANNA)
    await text_house(hass, simulator, freezer, ANNA, TURN_ON)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics["assist"] == {
        "recipients": 1,
        "exchanges": 1,
        "answers_not_sent": 0,
        "refusals": {},
    }

    await hass.config_entries.async_remove(init_integration.entry_id)
    # Past the first poll's window, so that the message does not fire again.
    freezer.tick(timedelta(minutes=10))
    init_integration.add_to_hass(hass)
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics["assist"]["exchanges"] == 0


# Logbook


async def test_logbook(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kitchen_light: str,
    answers: list[Event],
) -> None:
    """The logbook shows who asked what, and the answer."""
    add_recipient(hass, init_integration, "Anna", ANNA)
    await text_house(hass, simulator, freezer, ANNA, TURN_ON)

    (event,) = answers
    assert logbook_describer(hass, EVENT_ASSIST)(event) == {
        "name": "SMSGateway24",
        "message": (
            "Anna (+4915700000001) asked Assist by SMS: turn on the kitchen light; "
            "answer: Turned on the light"
        ),
        "icon": "mdi:message-question",
    }


# The forms


async def start_recipient_flow(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, Any]:
    """Open the form of a new recipient."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return dict(result)


async def test_recipient_form_assist_fields(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_admin_user: User,
) -> None:
    """Assist, PIN and user are stored with the recipient; each error is shown."""
    result = await start_recipient_flow(hass, init_integration)
    fields = schema_of(result)  # type: ignore[arg-type]
    assert shown(fields, "assist") is False
    users = fields[next(key for key in fields if key == "user_id")]
    assert [option["value"] for option in users.config["options"]] == [
        hass_admin_user.id
    ]
    anna = {"name": "Anna", "channel": "sms", "address": ANNA, "assist": True}

    for form, errors in (
        (
            {**anna, "channel": "telegram", "address": "123456789"},
            {"assist": "assist_needs_phone_number"},
        ),
        ({**anna, "address": "72345"}, {"address": "invalid_phone"}),
        ({**anna, "pin": "12a4"}, {"pin": "invalid_pin"}),
        ({**anna, "pin": "123"}, {"pin": "invalid_pin"}),
        ({**anna, "pin": "1234567890123"}, {"pin": "invalid_pin"}),
    ):
        result = dict(
            await hass.config_entries.subentries.async_configure(
                result["flow_id"], form
            )
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors

    # A user removed while the form was open.
    leaving = await hass.auth.async_create_user("Leaving")
    result = await start_recipient_flow(hass, init_integration)
    await hass.auth.async_remove_user(leaving)
    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {**anna, "user_id": leaving.id}
        )
    )
    assert result["errors"] == {"user_id": "unknown_user"}

    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {**anna, "pin": " 4711 ", "user_id": hass_admin_user.id}
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (subentry,) = init_integration.subentries.values()
    assert dict(subentry.data) == {
        "channel": "sms",
        "address": ANNA,
        "assist": True,
        "pin": "4711",
        "user_id": hass_admin_user.id,
    }

    # The same number cannot talk to Assist as a second recipient.
    result = await start_recipient_flow(hass, init_integration)
    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"],
            {**anna, "name": "Anna 2", "address": "+49 157 0000 0001"},
        )
    )
    assert result["errors"] == {"address": "assist_number_taken"}
    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {**anna, "name": "Anna 2", "assist": False, "pin": "99"}
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [dict(s.data) for s in init_integration.subentries.values()][1] == {
        "channel": "sms",
        "address": ANNA,
    }


async def test_recipient_reconfigure_assist(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
) -> None:
    """The form shows the recipient's Assist fields; turning Assist off drops them."""
    subentry = add_recipient(hass, init_integration, "Anna", ANNA, pin=PIN)
    result = await init_integration.start_subentry_reconfigure_flow(
        hass, subentry.subentry_id
    )
    fields = schema_of(result)
    suggested = {
        str(key): key.description["suggested_value"]
        for key in fields
        if key.description and "suggested_value" in key.description
    }
    assert suggested["assist"] is True
    assert suggested["pin"] == PIN

    # The same number is no conflict with itself.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Anna", "channel": "sms", "address": ANNA, "assist": True, "pin": PIN},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()

    result = await init_integration.start_subentry_reconfigure_flow(
        hass, subentry.subentry_id
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Anna",
            "channel": "sms",
            "address": ANNA,
            "assist": False,
            "pin": PIN,
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert dict(init_integration.subentries[subentry.subentry_id].data) == {
        "channel": "sms",
        "address": ANNA,
    }


def shown(fields: Any, name: str) -> Any:
    """The default a form field shows, whether it is required or not."""
    key = next(key for key in fields if key == name)
    assert isinstance(key, vol.Required | vol.Optional)
    assert callable(key.default)
    return key.default()


def assist_section(result: Any) -> section:
    """The Assist section of the options form."""
    found = next(value for key, value in schema_of(result).items() if key == "assist")
    assert isinstance(found, section)
    return found


def options_form(simulator: RunningSimulator, **assist: Any) -> dict[str, Any]:
    """What the options' first page sends, with its Assist section when given."""
    form: dict[str, Any] = {
        "scan_interval": 60,
        "online_timeout": 10,
        "catch_up_hours": 24,
        "device_id": str(simulator.pixel),
        "webhook": False,
    }
    if assist:
        form["assist"] = assist
    return form


async def save_options(
    hass: HomeAssistant, flow_id: str, form: dict[str, Any]
) -> ConfigFlowResult:
    """Send the options' first page; then pick SIM 1 when the phone has several."""
    result = await hass.config_entries.options.async_configure(flow_id, form)
    if result.get("step_id") == "sim":
        result = await hass.config_entries.options.async_configure(
            flow_id, {"sim": "0"}
        )
    await hass.async_block_till_done()
    return result


async def test_options_assist_section(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Agent, language and limits are stored together; defaults shown first."""
    agent_id, _ = await recording_agent(hass, "Done.")
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assist = assist_section(result)
    assert isinstance(assist, section)
    assert assist.options["collapsed"] is True
    inner = assist.schema.schema
    assert shown(inner, "agent_id") == conversation.HOME_ASSISTANT_AGENT
    assert shown(inner, "answers_per_hour") == 10
    assert shown(inner, "max_parts") == 3
    assert shown(inner, "max_age") == 5

    chosen = {
        "agent_id": agent_id,
        "language": "de",
        "answers_per_hour": 4.0,
        "max_parts": 2.0,
        "max_age": 3.0,
    }
    result = await save_options(
        hass, result["flow_id"], options_form(simulator, **chosen)
    )

    assert result.get("errors") is None, result.get("errors")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["assist"] == {
        "agent_id": agent_id,
        "language": "de",
        "answers_per_hour": 4,
        "max_parts": 2,
        "max_age": 3,
    }

    # A form without the section keeps them; the section shows them.
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    inner = assist_section(result).schema.schema
    assert shown(inner, "agent_id") == agent_id
    assert shown(inner, "max_parts") == 2
    result = await save_options(hass, result["flow_id"], options_form(simulator))
    assert init_integration.options["assist"]["agent_id"] == agent_id

    # Home Assistant's language again when it is cleared.
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await save_options(
        hass, result["flow_id"], options_form(simulator, **{**chosen, "language": ""})
    )
    assert "language" not in init_integration.options["assist"]


async def test_options_assist_errors(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """An agent that does not exist or a language it does not speak is refused."""
    options = dict(init_integration.options)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    good = {
        "agent_id": conversation.HOME_ASSISTANT_AGENT,
        "answers_per_hour": 10,
        "max_parts": 3,
        "max_age": 5,
    }
    for assist, error in (
        ({**good, "agent_id": "conversation.gone"}, "unknown_agent"),
        ({**good, "language": "tlh"}, "language_not_supported"),
    ):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], options_form(simulator, **assist)
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"base": error}
    assert dict(init_integration.options) == options

    result = await save_options(
        hass, result["flow_id"], options_form(simulator, **good, language="en")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


def test_assist_fields_have_labels() -> None:
    """Each Assist field of the forms has a label and a description in strings.json."""
    strings = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
    recipient_keys = {str(k) for k in config_flow.assist_recipient_fields([])}
    for step in ("user", "reconfigure"):
        texts = strings["config_subentries"]["recipient"]["step"][step]
        assert recipient_keys <= set(texts["data"])
        assert recipient_keys <= set(texts["data_description"])
    ((marker, assist),) = config_flow.assist_options_fields({}).items()
    assert isinstance(assist, section)
    assert isinstance(marker, vol.Optional)
    keys = {str(k) for k in assist.schema.schema}
    texts = strings["options"]["step"]["init"]["sections"][str(marker)]
    assert set(texts["data"]) == keys
    assert set(texts["data_description"]) == keys
    assert texts["name"]
