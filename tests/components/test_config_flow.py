"""The config flow: sign-in, default phone, reauth, reconfigure and options.

Every error the forms can show is walked to its recovery in the same flow,
against the simulator standing in for the provider.
"""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
import json
from pathlib import Path
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
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
import voluptuous as vol

from custom_components.smsgateway24 import config_flow
from custom_components.smsgateway24.clients.smsgateway24 import DEFAULT_URL, Phone
from custom_components.smsgateway24.const import (
    CONF_ADVANCED,
    CONF_CATCH_UP_HOURS,
    CONF_DEVICE_ID,
    CONF_ONLINE_TIMEOUT,
    CONF_SCAN_INTERVAL,
    CONF_SIM,
    CONF_WEBHOOK,
    CONF_WEBHOOK_ID,
    DOMAIN,
)
from simulator.app import create_app
from simulator.demo import DEMO_EMAIL, DEMO_PASSWORD
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


def phone_choices(result: ConfigFlowResult) -> list[tuple[str, str]]:
    """The phones a form offers, as (value, label) in the order shown."""
    selector = schema_of(result)[CONF_DEVICE_ID]
    return [(option["value"], option["label"]) for option in selector.config["options"]]


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
    assert result["errors"] == {}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_DEVICE_ID: str(simulator.pixel), CONF_SIM: "0"}
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
    """Sign in, pick a phone and SIM: the entry keeps URL, e-mail and token only."""
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
    assert result["errors"] == {}
    assert phone_choices(result) == [
        (str(simulator.galaxy), "Galaxy A52"),
        (str(simulator.pixel), "Pixel 7"),
    ]
    assert simulator.api_calls() == ["gettoken", "getalldevices"]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_ID: str(simulator.pixel), CONF_SIM: "1"}
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
    assert result["options"] == {
        CONF_DEVICE_ID: simulator.pixel,
        CONF_SIM: 1,
        CONF_SCAN_INTERVAL: 60,
        CONF_ONLINE_TIMEOUT: 10,
    }
    entry = result["result"]
    assert entry.unique_id == DEMO_EMAIL
    assert_no_password(entry.data)
    assert_no_password(entry.options)
    assert entry.state is ConfigEntryState.LOADED


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
    """Refused credentials show invalid_auth; the form keeps the e-mail; then success."""
    flow_id = await start_user_flow(hass)

    result = await sign_in(
        hass, flow_id, sign_in_form(simulator.url, email=email, password=password)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested(schema_of(result), CONF_EMAIL) == email
    await assert_recovers(hass, flow_id, simulator)


async def test_user_flow_server_unreachable(
    hass: HomeAssistant, simulator: RunningSimulator, closed_port_url: str
) -> None:
    """Nothing listening at the URL: cannot_connect, then the right URL works."""
    flow_id = await start_user_flow(hass)

    result = await sign_in(hass, flow_id, sign_in_form(closed_port_url))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
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
    """A URL that is not http(s) is refused before any request; then success."""
    flow_id = await start_user_flow(hass)

    result = await sign_in(hass, flow_id, sign_in_form(url))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_url"}
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

    The new phone reports no SIM information, so any slot is accepted.
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

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_DEVICE_ID: str(phone.id), CONF_SIM: "1"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == OTHER_EMAIL
    assert result["options"][CONF_DEVICE_ID] == phone.id
    assert result["options"][CONF_SIM] == 1


async def test_device_step_sim_not_available(
    hass: HomeAssistant, simulator: RunningSimulator
) -> None:
    """SIM 2 of the one-SIM Galaxy is refused, the choice kept; SIM 1 works."""
    flow_id = await start_user_flow(hass)
    result = await sign_in(hass, flow_id, sign_in_form(simulator.url))
    assert result["step_id"] == "device"

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_DEVICE_ID: str(simulator.galaxy), CONF_SIM: "1"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "device"
    assert result["errors"] == {"base": "sim_not_available"}
    assert default(schema_of(result), CONF_DEVICE_ID) == str(simulator.galaxy)
    assert default(schema_of(result), CONF_SIM) == "1"

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_DEVICE_ID: str(simulator.galaxy), CONF_SIM: "0"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"][CONF_DEVICE_ID] == simulator.galaxy
    assert result["options"][CONF_SIM] == 0


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


async def test_user_flow_already_in_progress(
    hass: HomeAssistant, simulator: RunningSimulator
) -> None:
    """A second flow for an account another flow is adding aborts; the first ends."""
    first = await start_user_flow(hass)
    result = await sign_in(hass, first, sign_in_form(simulator.url))
    assert result["step_id"] == "device"
    second = await start_user_flow(hass)

    result = await sign_in(
        hass, second, sign_in_form(simulator.url, email="Demo@SMSGateway24.local")
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_in_progress"
    result = await hass.config_entries.flow.async_configure(
        first, {CONF_DEVICE_ID: str(simulator.pixel), CONF_SIM: "0"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


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


async def test_reconfigure(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    mirror_url: str,
) -> None:
    """A new server and a new password: the old one is refused, the new one kept out.

    The data change, the entry reloads, and its entities and devices stay.
    """
    entry = init_integration
    simulator.sim.account(DEMO_EMAIL).password = "new-password"
    entity_registry = er.async_get(hass)
    device_registry = dr.async_get(hass)
    entities_before = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    devices_before = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert entities_before
    assert len(devices_before) == 2

    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert default(schema_of(result), CONF_EMAIL) == DEMO_EMAIL
    advanced = schema_of(result)[CONF_ADVANCED]
    assert default(advanced.schema.schema, CONF_URL) == simulator.url

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], sign_in_form(f"{mirror_url}/")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], sign_in_form(f"{mirror_url}/", password="new-password")
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
        result["flow_id"], sign_in_form(url or closed_port_url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert entry.data == old_data

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], sign_in_form(old_data[CONF_URL])
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == old_data
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_wrong_account(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Another account's e-mail aborts without signing in or changing the entry."""
    entry = init_integration
    simulator.sim.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    simulator.sim.add_phone(OTHER_EMAIL, title="Moto G")
    old_data = dict(entry.data)
    simulator.sim.clear_requests()
    result = await entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        sign_in_form(simulator.url, email=OTHER_EMAIL, password=OTHER_PASSWORD),
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert simulator.api_calls() == []
    assert entry.data == old_data
    assert entry.unique_id == DEMO_EMAIL


# Options


async def test_options_flow(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """New options are stored and the reloaded coordinator follows them."""
    entry = init_integration
    coordinator = entry.runtime_data
    assert coordinator.update_interval == timedelta(seconds=60)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert default(schema_of(result), CONF_SCAN_INTERVAL) == 60
    assert default(schema_of(result), CONF_ONLINE_TIMEOUT) == 10
    assert default(schema_of(result), CONF_CATCH_UP_HOURS) == 24
    assert default(schema_of(result), CONF_DEVICE_ID) == str(simulator.pixel)
    assert default(schema_of(result), CONF_SIM) == "0"
    assert phone_choices(result) == [
        (str(simulator.galaxy), "Galaxy A52"),
        (str(simulator.pixel), "Pixel 7"),
    ]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_SCAN_INTERVAL: 120,
            CONF_ONLINE_TIMEOUT: 30,
            CONF_CATCH_UP_HOURS: 48,
            CONF_DEVICE_ID: str(simulator.galaxy),
            CONF_SIM: "0",
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    expected = {
        CONF_SCAN_INTERVAL: 120,
        CONF_ONLINE_TIMEOUT: 30,
        CONF_CATCH_UP_HOURS: 48,
        CONF_DEVICE_ID: simulator.galaxy,
        CONF_SIM: 0,
        CONF_WEBHOOK: False,
        CONF_WEBHOOK_ID: entry.options[CONF_WEBHOOK_ID],
    }
    assert result["data"] == expected
    assert entry.options == expected
    assert all(
        type(entry.options[key]) is int
        for key in expected
        if key not in (CONF_WEBHOOK, CONF_WEBHOOK_ID)
    )
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not coordinator
    assert entry.runtime_data.update_interval == timedelta(seconds=120)
    assert entry.runtime_data.online_timeout == timedelta(minutes=30)
    assert entry.runtime_data.catch_up_limit == timedelta(hours=48)


async def test_options_flow_sim_not_available(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """SIM 2 of the Galaxy is refused with the typed values kept; SIM 1 is stored."""
    entry = init_integration
    result = await hass.config_entries.options.async_init(entry.entry_id)
    choice = {
        CONF_SCAN_INTERVAL: 30,
        CONF_ONLINE_TIMEOUT: 5,
        CONF_DEVICE_ID: str(simulator.galaxy),
        CONF_SIM: "1",
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], choice
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {"base": "sim_not_available"}
    assert default(schema_of(result), CONF_SCAN_INTERVAL) == 30
    assert default(schema_of(result), CONF_DEVICE_ID) == str(simulator.galaxy)
    assert default(schema_of(result), CONF_SIM) == "1"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], choice | {CONF_SIM: "0"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_DEVICE_ID] == simulator.galaxy
    assert entry.options[CONF_SIM] == 0
    assert entry.runtime_data.update_interval == timedelta(seconds=30)


async def test_options_flow_phone_removed_meanwhile(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A phone that left the account while the form was open is refused."""
    entry = init_integration
    pixel, galaxy = simulator.pixel, simulator.galaxy
    result = await hass.config_entries.options.async_init(entry.entry_id)
    simulator.sim.remove_phone(pixel)
    await entry.runtime_data.async_refresh()
    choice = {
        CONF_SCAN_INTERVAL: 60,
        CONF_ONLINE_TIMEOUT: 10,
        CONF_DEVICE_ID: str(pixel),
        CONF_SIM: "0",
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], choice
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown_device"}
    assert phone_choices(result) == [(str(galaxy), "Galaxy A52")]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], choice | {CONF_DEVICE_ID: str(galaxy)}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_DEVICE_ID] == galaxy


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


# Strings

# Abort reasons of the Home Assistant methods that the flow calls.
IMPLIED_ABORTS = {
    "async_set_unique_id": {"already_in_progress"},
    "_abort_if_unique_id_configured": {"already_configured"},
    "async_update_reload_and_abort": {"reauth_successful", "reconfigure_successful"},
}
STRING_FILES = ("strings.json", "translations/en.json")


def flow_keys(class_name: str) -> tuple[set[str], set[str], set[str]]:
    """Step ids, error keys and abort reasons of one flow class of the module.

    The error keys a module-level function returns count for the flows that
    call it.
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
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and isinstance(target := node.targets[0], ast.Subscript)
            and isinstance(target.value, ast.Name)
            and target.value.id == "errors"
        ):
            errors.add(node.value.value)
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
        {"user", "device", "reauth", "reauth_confirm", "reconfigure"},
        {
            "invalid_url",
            "invalid_auth",
            "cannot_connect",
            "unknown",
            "no_devices",
            "unknown_device",
            "sim_not_available",
        },
        {
            "already_in_progress",
            "already_configured",
            "wrong_account",
            "reauth_successful",
            "reconfigure_successful",
        },
    )
    assert flow_keys("SmsGateway24OptionsFlow") == (
        {"init"},
        {
            "unknown_device",
            "sim_not_available",
            "unknown_agent",
            "language_not_supported",
        },
        {"not_loaded", "no_devices"},
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
    phone = Phone.from_json({"id": 1, "title": "Pixel 7"})
    sign_in_fields = config_flow.credentials_schema().schema
    sign_in_keys = {str(key) for key in sign_in_fields} - {CONF_ADVANCED}
    phone_fields = {str(key) for key in config_flow.phone_schema({1: phone}, {}).schema}
    expected = {
        ("config", "user"): sign_in_keys,
        ("config", "reconfigure"): sign_in_keys,
        ("config", "device"): phone_fields,
        ("config", "reauth_confirm"): {CONF_PASSWORD},
        ("options", "init"): phone_fields
        | {CONF_SCAN_INTERVAL, CONF_ONLINE_TIMEOUT, CONF_CATCH_UP_HOURS, CONF_WEBHOOK},
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
