"""The config flow: sign-in, default phone, reauth, reconfigure and options.

Every error the forms can show is walked to its recovery in the same flow,
against the simulator standing in for the provider.
"""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from http import HTTPStatus
import json
from pathlib import Path
import re
import socket
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestServer
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_USER,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData, section
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import voluptuous as vol

from custom_components.smsgateway24 import config_flow
from custom_components.smsgateway24.clients.smsgateway24 import DEFAULT_URL
from custom_components.smsgateway24.const import (
    CONF_ADVANCED,
    CONF_CATCH_UP_HOURS,
    CONF_DEVICE_ID,
    CONF_FAILOVER_AFTER,
    CONF_FALLBACK_ROUTE,
    CONF_ONLINE_TIMEOUT,
    CONF_SCAN_INTERVAL,
    CONF_SIM,
    CONF_WEBHOOK,
    CONF_WEBHOOK_ID,
    DOMAIN,
    EVENT_SMS_RECEIVED,
)
from simulator.app import create_app
from simulator.demo import DEMO_EMAIL, DEMO_PASSWORD
from simulator.models import Sim
from tests.conftest import RunningSimulator

INTEGRATION = Path(config_flow.__file__).parent
OTHER_EMAIL = "other@example.com"
OTHER_PASSWORD = "other-password"


def sign_in_form(
    url: str, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD
) -> dict[str, Any]:
    """What the user step's form sends: e-mail, password and the advanced section."""
    return {
        CONF_EMAIL: email,
        CONF_PASSWORD: password,
        CONF_ADVANCED: {CONF_URL: url},
    }


def schema_of(result: ConfigFlowResult) -> dict[Any, Any]:
    """The fields of a shown form, keyed by their markers."""
    schema = result.get("data_schema")
    assert isinstance(schema, vol.Schema)
    fields: dict[Any, Any] = schema.schema
    return fields


def default(fields: Mapping[Any, Any], name: str) -> Any:
    """The default a form field shows."""
    key = next(key for key in fields if key == name)
    assert isinstance(key, vol.Required)
    assert callable(key.default)
    return key.default()


def suggested(fields: Mapping[Any, Any], name: str) -> Any:
    """The value a form field is pre-filled with after an error."""
    key = next(key for key in fields if key == name)
    assert isinstance(key, vol.Marker)
    assert key.description is not None
    return key.description["suggested_value"]


def choices(result: ConfigFlowResult, name: str) -> list[tuple[str, str]]:
    """The options of a select field, as (value, label) in the order shown."""
    selector = schema_of(result)[name]
    return [(option["value"], option["label"]) for option in selector.config["options"]]


def phone_choices(result: ConfigFlowResult) -> list[tuple[str, str]]:
    """The phones a form offers."""
    return choices(result, CONF_DEVICE_ID)


def field_names(result: ConfigFlowResult) -> list[str]:
    """The names of a form's fields, in order."""
    return [str(key) for key in schema_of(result)]


def placeholders_of(result: Mapping[str, Any]) -> Mapping[str, str]:
    """The placeholders of a form's texts."""
    placeholders: Mapping[str, str] | None = result.get("description_placeholders")
    assert placeholders is not None
    return placeholders


# The demo phones' SIMs as the forms list them: slot, operator and number.
PIXEL_SIMS = [
    ("0", "SIM 1 · Vodafone.de · +4915112345678"),
    ("1", "SIM 2 · Telekom.de · +4917012345678"),
]
GALAXY_SIMS = [("0", "SIM 1 · Orange F · +33612345678")]


def assert_no_password(data: Any) -> None:
    """The password is neither a key nor a value of what the entry keeps."""
    assert CONF_PASSWORD not in data
    assert DEMO_PASSWORD not in json.dumps(dict(data))


async def start_user_flow(hass: HomeAssistant) -> str:
    """Open the user step and return the flow's id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result["flow_id"]


async def sign_in(
    hass: HomeAssistant, flow_id: str, form: dict[str, Any]
) -> ConfigFlowResult:
    """Submit the sign-in form of a flow."""
    return await hass.config_entries.flow.async_configure(flow_id, form)


async def assert_recovers(
    hass: HomeAssistant, flow_id: str, simulator: RunningSimulator
) -> None:
    """After an error, the right sign-in reaches the phone step and ends in an entry."""
    result = await sign_in(hass, flow_id, sign_in_form(simulator.url))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "device"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_DEVICE_ID: str(simulator.galaxy)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == DEMO_EMAIL
    assert result["data"][CONF_URL] == simulator.url
    assert_no_password(result["data"])
    await hass.async_block_till_done()


@pytest.fixture
def closed_port_url(socket_enabled: None) -> str:
    """The URL of a port on 127.0.0.1 that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
async def mirror_url(simulator: RunningSimulator) -> AsyncIterator[str]:
    """A second address serving the same world: the account's server moved."""
    server = TestServer(create_app(simulator.sim), host="127.0.0.1")
    await server.start_server(access_log=None)
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


# The user step


async def test_user_flow_creates_entry(
    hass: HomeAssistant, simulator: RunningSimulator
) -> None:
    """Sign in, pick a phone, then one of its SIMs: the entry keeps URL, e-mail, token.

    The options start with the defaults and the account's push address.
    """
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    advanced = schema_of(result)[CONF_ADVANCED]
    assert isinstance(advanced, section)
    assert advanced.options["collapsed"] is True
    assert default(advanced.schema.schema, CONF_URL) == DEFAULT_URL

    typed_email = "  Demo@SMSGateway24.Local  "
    result = await sign_in(
        hass,
        result["flow_id"],
        sign_in_form(f"  {simulator.url}/  ", email=typed_email),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "device"
    # Several phones: the phone first, its SIM next.
    assert field_names(result) == [CONF_DEVICE_ID]
    assert phone_choices(result) == [
        (str(simulator.galaxy), "Galaxy A52"),
        (str(simulator.pixel), "Pixel 7"),
    ]
    assert simulator.api_calls() == ["gettoken", "getalldevices"]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_ID: str(simulator.pixel)}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sim"
    assert placeholders_of(result) == {"phone": "Pixel 7"}
    assert choices(result, CONF_SIM) == PIXEL_SIMS

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SIM: "1"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Demo@SMSGateway24.Local"
    token = simulator.sim.account(DEMO_EMAIL).token
    assert token
    assert result["data"] == {
        CONF_URL: simulator.url,
        CONF_EMAIL: "Demo@SMSGateway24.Local",
        CONF_TOKEN: token,
    }
    webhook_id = result["options"][CONF_WEBHOOK_ID]
    assert re.fullmatch(r"[0-9a-f]{64}", webhook_id)
    assert result["options"] == {
        CONF_DEVICE_ID: simulator.pixel,
        CONF_SIM: 1,
        CONF_SCAN_INTERVAL: 60,
        CONF_ONLINE_TIMEOUT: 10,
        CONF_CATCH_UP_HOURS: 24,
        CONF_FAILOVER_AFTER: 0,
        CONF_WEBHOOK: False,
        CONF_WEBHOOK_ID: webhook_id,
    }
    entry = result["result"]
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.unique_id == DEMO_EMAIL
    assert_no_password(entry.data)
    assert_no_password(entry.options)
    assert entry.state is ConfigEntryState.LOADED


async def test_phone_with_one_sim_needs_no_sim_step(
    hass: HomeAssistant, simulator: RunningSimulator
) -> None:
    """The Galaxy has one SIM: choosing it is choosing its SIM."""
    flow_id = await start_user_flow(hass)
    await sign_in(hass, flow_id, sign_in_form(simulator.url))

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_DEVICE_ID: str(simulator.galaxy)}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"][CONF_DEVICE_ID] == simulator.galaxy
    assert result["options"][CONF_SIM] == 0


async def test_one_phone_offers_its_sims_at_once(
    hass: HomeAssistant, simulator: RunningSimulator
) -> None:
    """With one phone, the phone and its SIMs are on one page; only its SIMs."""
    account = simulator.sim.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    phone = simulator.sim.add_phone(
        account,
        title="Nokia G22",
        sims=[
            Sim(slot=0, carrier="A1", number=" 436641234567", country="at"),
            Sim(slot=1, carrier="Magenta", country="at"),
        ],
    )
    flow_id = await start_user_flow(hass)
    result = await sign_in(
        hass,
        flow_id,
        sign_in_form(simulator.url, email=OTHER_EMAIL, password=OTHER_PASSWORD),
    )
    assert result["step_id"] == "device"
    assert field_names(result) == [CONF_DEVICE_ID, CONF_SIM]
    assert phone_choices(result) == [(str(phone.id), "Nokia G22")]
    # The number as the phone reports it gets its "+"; a SIM without one shows none.
    assert choices(result, CONF_SIM) == [
        ("0", "SIM 1 · A1 · +436641234567"),
        ("1", "SIM 2 · Magenta"),
    ]
    assert default(schema_of(result), CONF_SIM) == "0"

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_DEVICE_ID: str(phone.id), CONF_SIM: "1"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (result["options"][CONF_DEVICE_ID], result["options"][CONF_SIM]) == (
        phone.id,
        1,
    )


async def test_sim_outside_the_phones_is_refused_by_the_form(
    hass: HomeAssistant, simulator: RunningSimulator
) -> None:
    """A SIM the chosen phone lacks is no option: nothing can choose it."""
    flow_id = await start_user_flow(hass)
    await sign_in(hass, flow_id, sign_in_form(simulator.url))
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_DEVICE_ID: str(simulator.pixel)}
    )

    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(flow_id, {CONF_SIM: "2"})

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_SIM: "0"})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("email", "password"),
    [
        (DEMO_EMAIL, "wrong-password"),
        ("nobody@example.com", DEMO_PASSWORD),
    ],
    ids=["wrong_password", "unknown_email"],
)
async def test_user_flow_invalid_auth(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    email: str,
    password: str,
) -> None:
    """Refused credentials show invalid_auth; the form keeps the e-mail; then success.

    The server URL is not in question: its section stays closed.
    """
    flow_id = await start_user_flow(hass)

    result = await sign_in(
        hass, flow_id, sign_in_form(simulator.url, email=email, password=password)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested(schema_of(result), CONF_EMAIL) == email
    assert schema_of(result)[CONF_ADVANCED].options["collapsed"] is True
    await assert_recovers(hass, flow_id, simulator)


async def test_user_flow_server_unreachable(
    hass: HomeAssistant, simulator: RunningSimulator, closed_port_url: str
) -> None:
    """Nothing listening at the URL: cannot_connect, with the URL's section open."""
    flow_id = await start_user_flow(hass)

    result = await sign_in(hass, flow_id, sign_in_form(closed_port_url))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    advanced = schema_of(result)[CONF_ADVANCED]
    assert advanced.options["collapsed"] is False
    await assert_recovers(hass, flow_id, simulator)


async def test_user_flow_html_answer(
    hass: HomeAssistant, simulator: RunningSimulator
) -> None:
    """An HTML error page instead of the API's JSON: cannot_connect, then success."""
    simulator.sim.set_html_errors(1)
    flow_id = await start_user_flow(hass)

    result = await sign_in(hass, flow_id, sign_in_form(simulator.url))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert simulator.sim.requests[-1].status == 502
    await assert_recovers(hass, flow_id, simulator)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x",
        "not a url",
        "http://",
        "http://[::1",
        "http://host:99999",
        "http://a b",
    ],
)
async def test_user_flow_invalid_url(
    hass: HomeAssistant, simulator: RunningSimulator, url: str
) -> None:
    """A URL that is not http(s) is refused before any request, its section open."""
    flow_id = await start_user_flow(hass)

    result = await sign_in(hass, flow_id, sign_in_form(url))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_url"}
    assert schema_of(result)[CONF_ADVANCED].options["collapsed"] is False
    assert simulator.api_calls() == []
    await assert_recovers(hass, flow_id, simulator)


async def test_user_flow_unexpected_error(
    hass: HomeAssistant, simulator: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected exception shows unknown and is logged; the next try works."""
    flow_id = await start_user_flow(hass)

    with patch.object(config_flow, "sign_in", side_effect=RuntimeError("boom")):
        result = await sign_in(hass, flow_id, sign_in_form(simulator.url))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while signing in" in caplog.text
    await assert_recovers(hass, flow_id, simulator)


async def test_user_flow_no_phones(
    hass: HomeAssistant, simulator: RunningSimulator
) -> None:
    """An account without a phone shows no_devices; once a phone joins, it works.

    The new phone reports no SIM information: both slots are offered.
    """
    account = simulator.sim.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    form = sign_in_form(simulator.url, email=OTHER_EMAIL, password=OTHER_PASSWORD)
    flow_id = await start_user_flow(hass)

    result = await sign_in(hass, flow_id, form)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "no_devices"}

    phone = simulator.sim.add_phone(account, title="Moto G", sims=[])
    result = await sign_in(hass, flow_id, form)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "device"
    assert phone_choices(result) == [(str(phone.id), "Moto G")]
    assert choices(result, CONF_SIM) == [("0", "SIM 1"), ("1", "SIM 2")]

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_DEVICE_ID: str(phone.id), CONF_SIM: "1"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == OTHER_EMAIL
    assert result["options"][CONF_DEVICE_ID] == phone.id
    assert result["options"][CONF_SIM] == 1


async def test_user_flow_already_configured(
    hass: HomeAssistant, simulator: RunningSimulator, config_entry: MockConfigEntry
) -> None:
    """The same account, whatever the case of its e-mail, is not added twice."""
    config_entry.add_to_hass(hass)
    flow_id = await start_user_flow(hass)

    result = await sign_in(
        hass, flow_id, sign_in_form(simulator.url, email=" DEMO@smsgateway24.local")
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert simulator.api_calls() == []
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_flow_left_open_does_not_block_the_account(
    hass: HomeAssistant, simulator: RunningSimulator
) -> None:
    """A flow left at its phone step does not stop another from adding the account.

    When the forgotten one is finished later, it ends cleanly: already set up.
    """
    forgotten = await start_user_flow(hass)
    result = await sign_in(hass, forgotten, sign_in_form(simulator.url))
    assert result["step_id"] == "device"

    second = await start_user_flow(hass)
    result = await sign_in(
        hass, second, sign_in_form(simulator.url, email="Demo@SMSGateway24.local")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "device"
    result = await hass.config_entries.flow.async_configure(
        second, {CONF_DEVICE_ID: str(simulator.galaxy)}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY

    # Still there, not aborted behind the user's back.
    assert [flow["flow_id"] for flow in hass.config_entries.flow.async_progress()] == [
        forgotten
    ]
    result = await hass.config_entries.flow.async_configure(
        forgotten, {CONF_DEVICE_ID: str(simulator.pixel)}
    )
    assert result["step_id"] == "sim"
    result = await hass.config_entries.flow.async_configure(forgotten, {CONF_SIM: "0"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert hass.config_entries.flow.async_progress() == []


# Reauthentication


async def test_reauth(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A wrong password is refused; the right one stores the new token and reloads."""
    entry = init_integration
    old_data = dict(entry.data)
    simulator.sim.expire_token(DEMO_EMAIL)

    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    placeholders = result.get("description_placeholders")
    assert placeholders is not None
    assert placeholders[CONF_EMAIL] == DEMO_EMAIL
    assert list(schema_of(result)) == [CONF_PASSWORD]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "wrong-password"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: DEMO_PASSWORD}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    new_token = simulator.sim.account(DEMO_EMAIL).token
    assert new_token
    assert new_token != old_data[CONF_TOKEN]
    assert entry.data == old_data | {CONF_TOKEN: new_token}
    assert_no_password(entry.data)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.client.token == new_token
    assert entry.runtime_data.last_update_success


async def test_reauth_cannot_connect(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """The server failing during reauth shows cannot_connect; the next try works."""
    entry = init_integration
    result = await entry.start_reauth_flow(hass)
    simulator.sim.set_html_errors(1)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: DEMO_PASSWORD}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: DEMO_PASSWORD}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.state is ConfigEntryState.LOADED


async def test_reauth_without_phones(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """An account whose phones are all gone can still renew its token."""
    entry = init_integration
    for phone_id in (simulator.pixel, simulator.galaxy):
        simulator.sim.remove_phone(phone_id)
    simulator.sim.expire_token(DEMO_EMAIL)

    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: DEMO_PASSWORD}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_TOKEN] == simulator.sim.account(DEMO_EMAIL).token
    assert entry.state is ConfigEntryState.LOADED


async def test_poll_with_expired_token_starts_reauth(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A poll refused for its token opens the reauth form; signing in heals it."""
    entry = init_integration
    assert hass.config_entries.flow.async_progress() == []
    simulator.sim.expire_token(DEMO_EMAIL)

    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entry.state is ConfigEntryState.LOADED
    assert not entry.runtime_data.last_update_success
    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    flow = flows[0]
    assert flow["handler"] == DOMAIN
    assert flow["step_id"] == "reauth_confirm"
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == entry.entry_id

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_PASSWORD: DEMO_PASSWORD}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.last_update_success
    assert hass.config_entries.flow.async_progress() == []


# Reconfiguration


async def test_reconfigure_moves_the_server_without_the_password(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    mirror_url: str,
) -> None:
    """A new address of the same server needs no password: the token is tried there.

    The form names the account instead of offering its e-mail to edit; the
    entry reloads, and its entities and devices stay.
    """
    entry = init_integration
    entity_registry = er.async_get(hass)
    device_registry = dr.async_get(hass)
    entities_before = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    devices_before = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert entities_before
    assert len(devices_before) == 2
    old_data = dict(entry.data)

    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert field_names(result) == [CONF_PASSWORD, CONF_ADVANCED]
    assert isinstance(next(iter(schema_of(result))), vol.Optional)
    assert placeholders_of(result) == {CONF_EMAIL: DEMO_EMAIL}
    advanced = schema_of(result)[CONF_ADVANCED]
    assert advanced.options["collapsed"] is False
    assert default(advanced.schema.schema, CONF_URL) == simulator.url
    simulator.sim.clear_requests()

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ADVANCED: {CONF_URL: f"{mirror_url}/"}}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert simulator.api_calls()[0] == "getalldevices"
    assert "gettoken" not in simulator.api_calls()
    assert entry.data == old_data | {CONF_URL: mirror_url}
    assert entry.unique_id == DEMO_EMAIL
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.client.url == mirror_url
    assert entry.runtime_data.last_update_success
    assert (
        er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        == entities_before
    )
    assert (
        dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        == devices_before
    )


async def test_reconfigure_with_the_password(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    mirror_url: str,
) -> None:
    """When the token is refused, the form asks for the password; a wrong one is refused.

    The right one stores a new token, never the password.
    """
    entry = init_integration
    simulator.sim.account(DEMO_EMAIL).password = "new-password"
    simulator.sim.expire_token(DEMO_EMAIL)
    result = await entry.start_reconfigure_flow(hass)
    flow_id = result["flow_id"]

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_ADVANCED: {CONF_URL: mirror_url}}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "password_needed"}

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_PASSWORD: DEMO_PASSWORD, CONF_ADVANCED: {CONF_URL: mirror_url}}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_PASSWORD: "new-password", CONF_ADVANCED: {CONF_URL: mirror_url}}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {
        CONF_URL: mirror_url,
        CONF_EMAIL: DEMO_EMAIL,
        CONF_TOKEN: simulator.sim.account(DEMO_EMAIL).token,
    }
    assert "new-password" not in json.dumps(dict(entry.data))
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.last_update_success


@pytest.mark.parametrize(
    ("url", "error"),
    [("ftp://x", "invalid_url"), (None, "cannot_connect")],
    ids=["invalid_url", "cannot_connect"],
)
async def test_reconfigure_errors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    closed_port_url: str,
    url: str | None,
    error: str,
) -> None:
    """A bad or dead URL is refused and the entry is kept; the right one works."""
    entry = init_integration
    old_data = dict(entry.data)
    result = await entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ADVANCED: {CONF_URL: url or closed_port_url}}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert entry.data == old_data

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ADVANCED: {CONF_URL: old_data[CONF_URL]}}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == old_data
    assert entry.state is ConfigEntryState.LOADED


# Options


async def open_options(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    """Open the options' first page."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    return result


def options_form(phone_id: int, **changes: Any) -> dict[str, Any]:
    """What the options' first page sends: the defaults, changed by ``changes``."""
    return {
        CONF_SCAN_INTERVAL: 60,
        CONF_ONLINE_TIMEOUT: 10,
        CONF_CATCH_UP_HOURS: 24,
        CONF_DEVICE_ID: str(phone_id),
        CONF_WEBHOOK: False,
        **changes,
    }


async def test_options_flow(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """New options are stored, and the reloaded coordinator follows them."""
    entry = init_integration
    coordinator = entry.runtime_data
    assert coordinator.update_interval == timedelta(seconds=60)

    result = await open_options(hass, entry)
    assert default(schema_of(result), CONF_SCAN_INTERVAL) == 60
    assert default(schema_of(result), CONF_ONLINE_TIMEOUT) == 10
    assert default(schema_of(result), CONF_CATCH_UP_HOURS) == 24
    assert default(schema_of(result), CONF_DEVICE_ID) == str(simulator.pixel)
    assert default(schema_of(result), CONF_WEBHOOK) is False
    # Several phones: the SIM comes after the phone.
    assert CONF_SIM not in field_names(result)
    assert phone_choices(result) == [
        (str(simulator.galaxy), "Galaxy A52"),
        (str(simulator.pixel), "Pixel 7"),
    ]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        options_form(
            simulator.galaxy,
            scan_interval=120,
            online_timeout=30,
            catch_up_hours=48,
        ),
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    expected = {
        CONF_SCAN_INTERVAL: 120,
        CONF_ONLINE_TIMEOUT: 30,
        CONF_CATCH_UP_HOURS: 48,
        CONF_FAILOVER_AFTER: 0,
        CONF_DEVICE_ID: simulator.galaxy,
        CONF_SIM: 0,
        CONF_WEBHOOK: False,
        CONF_FALLBACK_ROUTE: None,
        CONF_WEBHOOK_ID: entry.options[CONF_WEBHOOK_ID],
    }
    assert result["data"] == expected
    assert entry.options == expected
    assert all(
        type(entry.options[key]) is int
        for key in expected
        if key not in (CONF_WEBHOOK, CONF_WEBHOOK_ID, CONF_FALLBACK_ROUTE)
    )
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not coordinator
    assert entry.runtime_data.update_interval == timedelta(seconds=120)
    assert entry.runtime_data.online_timeout == timedelta(minutes=30)
    assert entry.runtime_data.catch_up_limit == timedelta(hours=48)


async def test_options_pick_the_sim_of_the_chosen_phone(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """The second page offers the chosen phone's SIMs, the current one first chosen.

    Options that are read where they are used apply without a reload: the
    entities stay as they are.
    """
    entry = init_integration
    coordinator = entry.runtime_data
    result = await open_options(hass, entry)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        options_form(simulator.pixel, online_timeout=1, catch_up_hours=2),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "sim"
    assert placeholders_of(result) == {"phone": "Pixel 7"}
    assert choices(result, CONF_SIM) == PIXEL_SIMS
    assert default(schema_of(result), CONF_SIM) == "0"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SIM: "1"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (entry.options[CONF_DEVICE_ID], entry.options[CONF_SIM]) == (
        simulator.pixel,
        1,
    )
    assert entry.runtime_data is coordinator
    assert coordinator.online_timeout == timedelta(minutes=1)
    assert coordinator.catch_up_limit == timedelta(hours=2)


async def test_options_on_an_account_with_one_phone(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """With one phone, its SIMs are on the first page, and only its SIMs."""
    entry = init_integration
    simulator.sim.remove_phone(simulator.galaxy)
    await entry.runtime_data.async_refresh()

    result = await open_options(hass, entry)
    assert choices(result, CONF_SIM) == PIXEL_SIMS
    assert default(schema_of(result), CONF_SIM) == "0"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.pixel, sim="1")
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_SIM] == 1


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_SCAN_INTERVAL: 5}, {CONF_SCAN_INTERVAL: "scan_interval_range"}),
        ({CONF_SCAN_INTERVAL: 15.5}, {CONF_SCAN_INTERVAL: "scan_interval_range"}),
        ({CONF_SCAN_INTERVAL: 3601}, {CONF_SCAN_INTERVAL: "scan_interval_range"}),
        ({CONF_ONLINE_TIMEOUT: 0}, {CONF_ONLINE_TIMEOUT: "online_timeout_range"}),
        (
            {CONF_CATCH_UP_HOURS: 721, CONF_ONLINE_TIMEOUT: -1},
            {
                CONF_CATCH_UP_HOURS: "catch_up_hours_range",
                CONF_ONLINE_TIMEOUT: "online_timeout_range",
            },
        ),
    ],
)
async def test_options_out_of_range(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    changes: dict[str, float],
    errors: dict[str, str],
) -> None:
    """A number out of its range gets its field's own error, which names the range."""
    entry = init_integration
    before = dict(entry.options)
    result = await open_options(hass, entry)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.galaxy, **changes)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == errors
    assert default(schema_of(result), CONF_DEVICE_ID) == str(simulator.galaxy)
    assert entry.options == before

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.galaxy)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


def test_range_errors_name_the_ranges() -> None:
    """Each range error says the range the flow checks."""
    errors = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))[
        "options"
    ]["error"]
    for key, (_unit, minimum, maximum) in config_flow.NUMBER_OPTIONS.items():
        assert f"from {minimum} to {maximum}." in errors[f"{key}_range"]


async def test_options_flow_phone_removed_meanwhile(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A phone that left the account while the form was open is refused."""
    entry = init_integration
    pixel, galaxy = simulator.pixel, simulator.galaxy
    result = await open_options(hass, entry)
    simulator.sim.remove_phone(pixel)
    await entry.runtime_data.async_refresh()

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(pixel)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown_device"}
    assert phone_choices(result) == [(str(galaxy), "Galaxy A52")]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(galaxy)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_DEVICE_ID] == galaxy


async def test_options_sim_or_phone_gone_at_the_sim_page(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A SIM taken out while its page was open is refused; a phone gone ends the flow."""
    entry = init_integration
    result = await open_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.pixel)
    )
    assert result["step_id"] == "sim"
    simulator.sim.phone(simulator.pixel).sims.pop()
    await entry.runtime_data.async_refresh()

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SIM: "1"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "sim_not_available"}
    assert choices(result, CONF_SIM) == PIXEL_SIMS[:1]

    simulator.sim.remove_phone(simulator.pixel)
    await entry.runtime_data.async_refresh()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SIM: "0"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unknown_device"


async def test_options_flow_not_loaded(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """An entry that is not set up has no phones to offer: the flow aborts."""
    config_entry.add_to_hass(hass)

    result = await hass.config_entries.options.async_init(config_entry.entry_id)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"


async def test_options_flow_after_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An unloaded entry aborts the options flow too."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED

    result = await hass.config_entries.options.async_init(init_integration.entry_id)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"


async def test_options_flow_no_phones(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Once the account has no phone any more, the options flow aborts."""
    entry = init_integration
    pixel, galaxy = simulator.pixel, simulator.galaxy
    simulator.sim.remove_phone(pixel)
    simulator.sim.remove_phone(galaxy)
    await entry.runtime_data.async_refresh()
    assert entry.runtime_data.data.phones == {}

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_devices"


# Push


async def test_push_shows_the_address_made_with_the_entry(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Turning push on shows the entry's address on a page of its own; it answers.

    It is the address the entry had before the options were ever saved, and
    it stays the same when the options open again.
    """
    hass.config.external_url = "https://home.example.com"
    entry = init_integration
    webhook_id = entry.options[CONF_WEBHOOK_ID]
    result = await open_options(hass, entry)
    # No address while push is off.
    assert (
        "description_placeholders" not in result
        or not result["description_placeholders"]
    )

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.galaxy, webhook=True)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "push"
    assert result["errors"] == {}
    assert field_names(result) == []
    address = f"https://home.example.com/api/webhook/{webhook_id}"
    assert placeholders_of(result) == {"webhook_url": address, "route_urls": "-"}

    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_WEBHOOK] is True
    assert entry.options[CONF_WEBHOOK_ID] == webhook_id

    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    client = await hass_client_no_auth()
    response = await client.post(
        f"/api/webhook/{webhook_id}",
        json={
            "sms_id": 904,
            "address": "+4915700000001",
            "body": "Pushed",
            "device_id": simulator.galaxy,
            # Within the catch-up limit: the phone's clock, to the second.
            "date": dt_util.utcnow().strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert [event.data["text"] for event in events] == ["Pushed"]

    result = await open_options(hass, entry)
    assert default(schema_of(result), CONF_WEBHOOK) is True
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.galaxy, webhook=True)
    )
    assert placeholders_of(result) == {"webhook_url": address, "route_urls": "-"}


@pytest.mark.parametrize(
    ("internal_url", "shown"),
    [
        ("http://192.168.1.20:8123", "http://192.168.1.20:8123/api/webhook/"),
        (None, "/api/webhook/"),
    ],
    ids=["home_network_only", "no_address"],
)
async def test_push_warns_without_an_address_on_the_internet(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    internal_url: str | None,
    shown: str,
) -> None:
    """Without an external URL, the page warns that the phones cannot reach it."""
    hass.config.external_url = None
    hass.config.internal_url = internal_url
    if internal_url is None:
        # Nor the address Home Assistant serves on.
        hass.config.api = None
    entry = init_integration
    result = await open_options(hass, entry)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.galaxy, webhook=True)
    )

    assert result["step_id"] == "push"
    assert result["errors"] == {"base": "no_external_url"}
    assert placeholders_of(result)["webhook_url"] == (
        f"{shown}{entry.options[CONF_WEBHOOK_ID]}"
    )


# Migration


async def test_migration_gives_an_old_entry_its_push_address(
    hass: HomeAssistant, simulator: RunningSimulator, config_entry: MockConfigEntry
) -> None:
    """An entry of 1.1 without a push address gets one, made once; 1.2 keeps it."""
    assert (config_entry.version, config_entry.minor_version) == (1, 1)
    assert CONF_WEBHOOK_ID not in config_entry.options
    config_entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert config_entry.minor_version == 2
    webhook_id = config_entry.options[CONF_WEBHOOK_ID]
    assert re.fullmatch(r"[0-9a-f]{64}", webhook_id)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.options[CONF_WEBHOOK_ID] == webhook_id


async def test_migration_keeps_an_address_saved_before(
    hass: HomeAssistant, simulator: RunningSimulator, config_entry: MockConfigEntry
) -> None:
    """An entry whose options were saved has its address already: it stays."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        options={**config_entry.options, CONF_WEBHOOK: True, CONF_WEBHOOK_ID: "kept"},
    )

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert config_entry.minor_version == 2
    assert config_entry.options[CONF_WEBHOOK_ID] == "kept"


# Strings

# Abort reasons of the Home Assistant methods that the flow calls.
IMPLIED_ABORTS = {
    "async_set_unique_id": {"already_in_progress"},
    "_abort_if_unique_id_configured": {"already_configured"},
    "async_update_reload_and_abort": {"reauth_successful", "reconfigure_successful"},
}
STRING_FILES = ("strings.json", "translations/en.json")


def texts_of(expression: ast.expr) -> set[str]:
    """The strings an expression can be: a literal, or either side of a condition."""
    if isinstance(expression, ast.IfExp):
        return texts_of(expression.body) | texts_of(expression.orelse)
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return {expression.value}
    return set()


def flow_keys(class_name: str) -> tuple[set[str], set[str], set[str]]:
    """Step ids, error keys and abort reasons of one flow class of the module.

    The error keys a module-level function returns count for the flows that
    call it; so do the range errors of the options, made from their keys.
    """
    tree = ast.parse((INTEGRATION / "config_flow.py").read_text(encoding="utf-8"))
    functions = {
        node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)
    }
    flow_class = next(
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == class_name
    )
    steps: set[str] = set()
    errors: set[str] = set()
    aborts: set[str] = set()
    for node in ast.walk(flow_class):
        if isinstance(node, ast.AsyncFunctionDef) and node.name.startswith(
            "async_step_"
        ):
            steps.add(node.name.removeprefix("async_step_"))
        elif (
            isinstance(node, ast.Assign)
            and isinstance(target := node.targets[0], ast.Subscript)
            and isinstance(target.value, ast.Name)
            and target.value.id == "errors"
        ):
            errors |= texts_of(node.value)
        elif isinstance(node, ast.Dict):
            errors |= {
                value.value
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant)
                and key.value == "base"
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            }
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in functions:
                errors |= {
                    ret.value.value
                    for ret in ast.walk(functions[name])
                    if isinstance(ret, ast.Return)
                    and isinstance(ret.value, ast.Constant)
                    and isinstance(ret.value.value, str)
                }
                if name == "check_numbers":
                    errors |= {f"{key}_range" for key in config_flow.NUMBER_OPTIONS}
            aborts |= IMPLIED_ABORTS.get(name, set())
            aborts |= {
                keyword.value.value
                for keyword in node.keywords
                if keyword.arg == "reason"
                and isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, str)
            }
    return steps, errors, aborts


def test_flows_use_the_expected_keys() -> None:
    """The key lists read from the module are complete (guards the parser)."""
    assert flow_keys("SmsGateway24ConfigFlow") == (
        {"user", "device", "sim", "reauth", "reauth_confirm", "reconfigure"},
        {
            "invalid_url",
            "invalid_auth",
            "password_needed",
            "cannot_connect",
            "unknown",
            "no_devices",
        },
        {
            "already_in_progress",
            "already_configured",
            "reauth_successful",
            "reconfigure_successful",
        },
    )
    assert flow_keys("SmsGateway24OptionsFlow") == (
        {"init", "sim", "push"},
        {
            "unknown_device",
            "sim_not_available",
            "scan_interval_range",
            "online_timeout_range",
            "catch_up_hours_range",
            "failover_after_range",
            "route_gone",
            "no_external_url",
            "unknown_agent",
            "language_not_supported",
        },
        {"not_loaded", "no_devices", "unknown_device"},
    )


@pytest.mark.parametrize("file_name", STRING_FILES)
@pytest.mark.parametrize(
    ("flow", "class_name"),
    [("config", "SmsGateway24ConfigFlow"), ("options", "SmsGateway24OptionsFlow")],
)
def test_every_key_has_a_string(file_name: str, flow: str, class_name: str) -> None:
    """Each form, error and abort reason of the flows has an English string."""
    strings = json.loads((INTEGRATION / file_name).read_text(encoding="utf-8"))[flow]
    steps, errors, aborts = flow_keys(class_name)

    # reauth only hands over to reauth_confirm: it shows no form of its own.
    assert steps - {"reauth"} <= set(strings["step"])
    assert errors <= set(strings["error"])
    assert aborts <= set(strings["abort"])


@pytest.mark.parametrize("file_name", STRING_FILES)
def test_already_in_progress_has_a_string(file_name: str) -> None:
    """The abort of a second flow for the same account is worded too."""
    strings = json.loads((INTEGRATION / file_name).read_text(encoding="utf-8"))
    assert "already_in_progress" in strings["config"]["abort"]


def test_every_field_has_a_label() -> None:
    """Each field of each form has a label and a description in strings.json."""
    strings = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
    sign_in_fields = config_flow.credentials_schema().schema
    sign_in_keys = {str(key) for key in sign_in_fields} - {CONF_ADVANCED}
    phone_fields = {CONF_DEVICE_ID, CONF_SIM}
    option_fields = {str(key) for key in config_flow.NUMBER_OPTIONS}
    expected = {
        ("config", "user"): sign_in_keys,
        ("config", "reconfigure"): {CONF_PASSWORD},
        ("config", "device"): phone_fields,
        ("config", "sim"): {CONF_SIM},
        ("config", "reauth_confirm"): {CONF_PASSWORD},
        ("options", "init"): phone_fields
        | option_fields
        | {CONF_WEBHOOK, CONF_FALLBACK_ROUTE},
        ("options", "sim"): {CONF_SIM},
    }
    for (flow, step), fields in expected.items():
        texts = strings[flow]["step"][step]
        assert set(texts["data"]) == fields, step
        assert set(texts["data_description"]) == fields, step
    advanced = sign_in_fields[CONF_ADVANCED]
    assert isinstance(advanced, section)
    advanced_keys = {str(key) for key in advanced.schema.schema}
    for step in ("user", "reconfigure"):
        texts = strings["config"]["step"][step]["sections"][CONF_ADVANCED]
        assert set(texts["data"]) == advanced_keys, step
        assert set(texts["data_description"]) == advanced_keys, step
