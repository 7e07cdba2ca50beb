"""The backup route's forms: add, reconfigure, and the failover options.

Every error a form can show is walked to its recovery in the same flow,
against the simulator standing in for seven.io and UBill.
"""

from __future__ import annotations

import json
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigSubentry
from homeassistant.const import CONF_API_KEY, CONF_NAME, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData, section
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsgateway24 import config_flow
from custom_components.smsgateway24.clients import seven
from custom_components.smsgateway24.const import (
    CONF_ADVANCED,
    CONF_BRAND_ID,
    CONF_FAILOVER_AFTER,
    CONF_FALLBACK_ROUTE,
    CONF_PROVIDER,
    CONF_SENDER,
    CONF_SIGNING_SECRET,
    DOMAIN,
)
from custom_components.smsgateway24.routes import DEFAULT_URLS
from custom_components.smsgateway24.send import fallback_route
from simulator.demo import (
    DEMO_SEVEN_API_KEY,
    DEMO_SEVEN_SIGNING_SECRET,
    DEMO_UBILL_API_KEY,
    DEMO_UBILL_BRAND,
    DEMO_UBILL_BRAND_ID,
)
from tests.components.routes_common import (
    SEVEN_PATH,
    UBILL_PATH,
    add_route,
    route_calls,
    seven_data,
    ubill_data,
)
from tests.components.test_config_flow import (
    INTEGRATION,
    choices,
    default,
    field_names,
    flow_keys,
    open_options,
    options_form,
    placeholders_of,
    schema_of,
    suggested,
)
from tests.conftest import RunningSimulator

OTHER_SEVEN_KEY = "other-seven-key"


@pytest.fixture
def closed_port(socket_enabled: None) -> str:
    """The URL of a port on 127.0.0.1 that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def providers_at_simulator(
    simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The providers' own addresses are the simulator's: no test reaches the internet."""
    monkeypatch.setitem(DEFAULT_URLS, "seven", simulator.url + SEVEN_PATH)
    monkeypatch.setitem(DEFAULT_URLS, "ubill", simulator.url + UBILL_PATH)


def route_form(
    name: str = "Backup",
    provider: str | None = "seven",
    api_key: str = DEMO_SEVEN_API_KEY,
    url: str | None = None,
) -> dict[str, Any]:
    """What the route's first page sends; no provider on the reconfigure page."""
    form: dict[str, Any] = {
        CONF_NAME: name,
        CONF_API_KEY: api_key,
        CONF_ADVANCED: {} if url is None else {CONF_URL: url},
    }
    if provider is not None:
        form[CONF_PROVIDER] = provider
    return form


async def open_route_form(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    """Open the route's first page."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "route"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result


async def start_route_flow(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Open the route's first page; return the flow's id."""
    return str((await open_route_form(hass, entry))["flow_id"])


async def configure(flow_id: str, hass: HomeAssistant, form: dict[str, Any]) -> Any:
    """Send a page of a route's flow."""
    result = await hass.config_entries.subentries.async_configure(flow_id, form)
    await hass.async_block_till_done(wait_background_tasks=True)
    return result


def only_route(entry: MockConfigEntry) -> ConfigSubentry:
    """The one route of the entry."""
    subentries: dict[str, ConfigSubentry] = dict(entry.subentries)
    (route,) = (
        subentry
        for subentry in subentries.values()
        if subentry.subentry_type == "route"
    )
    return route


def advanced_of(result: Any) -> section:
    """The Advanced section of a route's first page."""
    advanced = schema_of(result)[CONF_ADVANCED]
    assert isinstance(advanced, section)
    return advanced


# Adding a route


async def test_add_a_seven_route(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Name, provider and key, tried once; then sender and signing secret.

    The route keeps exactly its provider, key, address, sender and secret,
    and becomes a device with its balance.
    """
    entry = init_integration
    result = await open_route_form(hass, entry)
    flow_id = result["flow_id"]
    assert field_names(result) == [
        CONF_NAME,
        CONF_PROVIDER,
        CONF_API_KEY,
        CONF_ADVANCED,
    ]
    assert choices(result, CONF_PROVIDER) == [("seven", "seven.io"), ("ubill", "UBill")]
    assert default(schema_of(result), CONF_PROVIDER) == "seven"
    assert advanced_of(result).options["collapsed"] is True
    assert placeholders_of(result) == {
        "seven_url": "https://gateway.seven.io/api",
        "ubill_url": "https://api.ubill.dev/v1",
    }
    simulator.sim.clear_requests()

    result = await configure(
        flow_id,
        hass,
        route_form(
            name="  seven backup ",
            api_key=f" {DEMO_SEVEN_API_KEY} ",
            url=f"{simulator.url}{SEVEN_PATH}/",
        ),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "seven"
    assert field_names(result) == [CONF_SENDER, CONF_SIGNING_SECRET]
    (request,) = simulator.sim.requests
    assert (request.provider, request.method) == ("seven", "balance")
    assert request.headers["X-Api-Key"] == DEMO_SEVEN_API_KEY

    result = await configure(
        flow_id,
        hass,
        {CONF_SENDER: " HomeAlert ", CONF_SIGNING_SECRET: DEMO_SEVEN_SIGNING_SECRET},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    route = only_route(entry)
    assert route.title == "seven backup"
    assert dict(route.data) == {
        CONF_PROVIDER: "seven",
        CONF_API_KEY: DEMO_SEVEN_API_KEY,
        CONF_URL: simulator.url + SEVEN_PATH,
        CONF_SENDER: "HomeAlert",
        CONF_SIGNING_SECRET: DEMO_SEVEN_SIGNING_SECRET,
    }

    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"route_{route.subentry_id}"), entry.entry_id
    )
    assert device is not None
    assert (device.name, device.config_subentry_id) == (
        "seven backup",
        route.subentry_id,
    )
    balance = entity_registry.async_get("sensor.seven_backup_balance")
    assert balance is not None
    assert balance.device_id == device.id
    state = hass.states.get("sensor.seven_backup_balance")
    assert state is not None
    assert (state.state, state.attributes["unit_of_measurement"]) == ("25.0", "EUR")


async def test_seven_route_without_sender_or_secret(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """Both are optional: nothing is kept of fields left empty."""
    entry = init_integration
    flow_id = await start_route_flow(hass, entry)
    await configure(flow_id, hass, route_form(url=simulator.url + SEVEN_PATH))

    result = await configure(flow_id, hass, {CONF_SENDER: "  "})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert set(only_route(entry).data) == {CONF_PROVIDER, CONF_API_KEY, CONF_URL}


async def test_add_a_ubill_route_with_an_authorized_brand(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """UBill's key is tried by listing its brands; only authorized ones are offered."""
    entry = init_integration
    flow_id = await start_route_flow(hass, entry)
    simulator.sim.clear_requests()

    result = await configure(
        flow_id,
        hass,
        route_form(
            name="Georgia",
            provider="ubill",
            api_key=DEMO_UBILL_API_KEY,
            url=simulator.url + UBILL_PATH,
        ),
    )
    assert result["step_id"] == "brand"
    assert route_calls(simulator) == [("ubill", "sms/brandNames")]
    # The demo's second brand, not yet authorized, is not offered.
    assert choices(result, CONF_BRAND_ID) == [
        (str(DEMO_UBILL_BRAND_ID), DEMO_UBILL_BRAND)
    ]
    assert default(schema_of(result), CONF_BRAND_ID) == str(DEMO_UBILL_BRAND_ID)
    with pytest.raises(InvalidData):
        await configure(flow_id, hass, {CONF_BRAND_ID: "2"})

    result = await configure(flow_id, hass, {CONF_BRAND_ID: str(DEMO_UBILL_BRAND_ID)})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    route = only_route(entry)
    assert route.title == "Georgia"
    assert dict(route.data) == {
        CONF_PROVIDER: "ubill",
        CONF_API_KEY: DEMO_UBILL_API_KEY,
        CONF_URL: simulator.url + UBILL_PATH,
        CONF_BRAND_ID: DEMO_UBILL_BRAND_ID,
    }
    state = hass.states.get("sensor.georgia_balance")
    assert state is not None
    assert (state.state, state.attributes["unit_of_measurement"]) == ("500", "SMS")


@pytest.mark.usefixtures("providers_at_simulator")
@pytest.mark.parametrize(
    ("provider", "api_key", "typed", "calls"),
    [
        ("ubill", DEMO_UBILL_API_KEY, None, [("ubill", "sms/brandNames")]),
        ("seven", DEMO_SEVEN_API_KEY, None, [("seven", "balance")]),
        # The provider's own address, written out, is the same as none.
        ("seven", DEMO_SEVEN_API_KEY, "seven", [("seven", "balance")]),
    ],
)
async def test_an_empty_address_is_the_chosen_providers_own(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    *,
    provider: str,
    api_key: str,
    typed: str | None,
    calls: list[tuple[str, str]],
) -> None:
    """Whichever provider is chosen, an address left empty is that provider's.

    None is kept: the route follows its provider's address.
    """
    entry = init_integration
    flow_id = await start_route_flow(hass, entry)
    simulator.sim.clear_requests()

    result = await configure(
        flow_id,
        hass,
        route_form(
            provider=provider,
            api_key=api_key,
            url=None if typed is None else DEFAULT_URLS[typed],
        ),
    )
    assert route_calls(simulator) == calls
    last = {CONF_SENDER: ""} if provider == "seven" else {CONF_BRAND_ID: "1"}
    result = await configure(flow_id, hass, last)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    route = only_route(entry)
    assert CONF_URL not in route.data
    assert (
        entry.runtime_data.routes[route.subentry_id].client.url
        == DEFAULT_URLS[provider]
    )


# Errors, each followed by a successful try


async def assert_route_recovers(
    hass: HomeAssistant, simulator: RunningSimulator, flow_id: str
) -> None:
    """After an error, the right form goes on to the seven step and adds the route."""
    result = await configure(flow_id, hass, route_form(url=simulator.url + SEVEN_PATH))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "seven"
    result = await configure(flow_id, hass, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("form", "refusal", "error"),
    [
        ({"api_key": "wrong-key"}, None, "invalid_key"),
        # A key with a character no header can carry is refused unsent.
        ({"api_key": "wrong\nkey"}, None, "invalid_key"),
        ({}, 901, "invalid_key"),
        ({}, 902, "invalid_key"),
        ({}, 903, "invalid_key"),
    ],
)
async def test_seven_refuses_the_key(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    *,
    form: dict[str, Any],
    refusal: int | None,
    error: str,
) -> None:
    """seven's 900 to 903 refuse the key: the form says so and keeps nothing."""
    entry = init_integration
    flow_id = await start_route_flow(hass, entry)
    if refusal is not None:
        simulator.sim.seven.refuse(refusal, 1)

    result = await configure(
        flow_id, hass, route_form(url=simulator.url + SEVEN_PATH) | form
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}
    # What was typed stays in the form, the Advanced section closed.
    assert suggested(schema_of(result), CONF_NAME) == "Backup"
    assert advanced_of(result).options["collapsed"] is True
    assert not entry.subentries
    await assert_route_recovers(hass, simulator, flow_id)


async def test_ubill_refuses_the_key(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """UBill's plain-text 401 is a refused key."""
    entry = init_integration
    flow_id = await start_route_flow(hass, entry)
    ubill_form = route_form(
        provider="ubill", api_key="wrong-key", url=simulator.url + UBILL_PATH
    )

    result = await configure(flow_id, hass, ubill_form)
    assert result["errors"] == {"base": "invalid_key"}

    result = await configure(
        flow_id, hass, ubill_form | {CONF_API_KEY: DEMO_UBILL_API_KEY}
    )
    assert result["step_id"] == "brand"


async def test_unreachable_address(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    closed_port: str,
) -> None:
    """Nothing answers: cannot_connect, with the Advanced section open."""
    flow_id = await start_route_flow(hass, init_integration)

    result = await configure(flow_id, hass, route_form(url=closed_port + SEVEN_PATH))

    assert result["errors"] == {"base": "cannot_connect"}
    assert advanced_of(result).options["collapsed"] is False
    await assert_route_recovers(hass, simulator, flow_id)


@pytest.mark.parametrize("provider", ["seven", "ubill"])
async def test_html_page_instead_of_the_api(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    provider: str,
) -> None:
    """A proxy's error page is not the provider's API: cannot_connect."""
    flow_id = await start_route_flow(hass, init_integration)
    simulator.sim.set_html_errors(1)
    path = SEVEN_PATH if provider == "seven" else UBILL_PATH
    key = DEMO_SEVEN_API_KEY if provider == "seven" else DEMO_UBILL_API_KEY

    result = await configure(
        flow_id,
        hass,
        route_form(provider=provider, api_key=key, url=simulator.url + path),
    )

    assert result["errors"] == {"base": "cannot_connect"}
    await assert_route_recovers(hass, simulator, flow_id)


async def test_no_answer_in_time(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A timeout is a connection that failed: cannot_connect."""
    flow_id = await start_route_flow(hass, init_integration)
    with patch.object(
        seven.Seven,
        "get_balance",
        side_effect=seven.SevenTimeoutError("No answer to 'balance' within 15 s"),
    ):
        result = await configure(
            flow_id, hass, route_form(url=simulator.url + SEVEN_PATH)
        )

    assert result["errors"] == {"base": "cannot_connect"}
    await assert_route_recovers(hass, simulator, flow_id)


async def test_unexpected_error(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug shows as unknown, with its trace in the log, never the key."""
    flow_id = await start_route_flow(hass, init_integration)
    with patch.object(seven.Seven, "get_balance", side_effect=RuntimeError("boom")):
        result = await configure(
            flow_id, hass, route_form(url=simulator.url + SEVEN_PATH)
        )

    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while trying a backup route" in caplog.text
    assert DEMO_SEVEN_API_KEY not in caplog.text
    await assert_route_recovers(hass, simulator, flow_id)


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({CONF_NAME: "  "}, {CONF_NAME: "empty_name"}),
        ({CONF_ADVANCED: {CONF_URL: "ftp://example.com"}}, {"base": "invalid_url"}),
        ({CONF_ADVANCED: {CONF_URL: "not a url"}}, {"base": "invalid_url"}),
    ],
)
async def test_form_errors_ask_nothing(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    form: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """A missing name or a wrong address is refused before any request."""
    flow_id = await start_route_flow(hass, init_integration)
    simulator.sim.clear_requests()

    result = await configure(flow_id, hass, route_form() | form)

    assert result["errors"] == errors
    assert route_calls(simulator) == []
    await assert_route_recovers(hass, simulator, flow_id)


async def test_no_authorized_brand(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A UBill account whose brands wait for authorization cannot send: said so.

    Once UBill authorizes the brand, the same form goes on.
    """
    cloud = simulator.sim.ubill
    account = cloud.add_account("new-ubill-key", sms_credits=10)
    cloud.add_brand(account, "NewHouse", authorized=False, brand_id=7)
    flow_id = await start_route_flow(hass, init_integration)
    form = route_form(
        provider="ubill", api_key="new-ubill-key", url=simulator.url + UBILL_PATH
    )

    result = await configure(flow_id, hass, form)
    assert result["errors"] == {"base": "no_authorized_brand"}

    cloud.add_brand(account, "NewHouse", authorized=True, brand_id=7)
    result = await configure(flow_id, hass, form)
    assert result["step_id"] == "brand"
    assert choices(result, CONF_BRAND_ID) == [("7", "NewHouse")]
    result = await configure(flow_id, hass, {CONF_BRAND_ID: "7"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert only_route(init_integration).data[CONF_BRAND_ID] == 7


@pytest.mark.parametrize(
    "sender",
    ["A sender far too long", "+12345678901234567", "Home!", "Bäckerei"],
)
async def test_invalid_sender(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    sender: str,
) -> None:
    """A sender seven would refuse is refused here, on its field."""
    entry = init_integration
    flow_id = await start_route_flow(hass, entry)
    await configure(flow_id, hass, route_form(url=simulator.url + SEVEN_PATH))

    result = await configure(flow_id, hass, {CONF_SENDER: sender})
    assert result["step_id"] == "seven"
    assert result["errors"] == {CONF_SENDER: "invalid_sender"}
    assert suggested(schema_of(result), CONF_SENDER) == sender
    assert not entry.subentries

    result = await configure(flow_id, hass, {CONF_SENDER: "+4915112345678"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert only_route(entry).data[CONF_SENDER] == "+4915112345678"


@pytest.mark.parametrize(
    ("sender", "valid"),
    [
        ("Home Alarm", True),
        ("ABCDEFGHIJK", True),
        ("ABCDEFGHIJKL", False),
        ("1234567890123456", True),
        ("12345678901234567", False),
        ("", False),
    ],
)
def test_sender_rule(sender: str, valid: bool) -> None:
    """11 letters and digits, or 16 digits: seven's own rule."""
    assert seven.is_valid_sender(sender) is valid


# Reconfiguring a route


async def test_reconfigure_a_seven_route(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Name, key and address change in place; the key is tried; the device follows.

    The pages show what the route has; its provider cannot change.
    """
    entry = init_integration
    route = await add_route(
        hass,
        entry,
        "Backup",
        seven_data(simulator, sender="House", signing_secret="old-secret"),
    )
    simulator.sim.seven.add_account(OTHER_SEVEN_KEY, balance=3.5)
    state = hass.states.get("sensor.backup_balance")
    assert state is not None
    assert state.state == "25.0"

    result = await entry.start_subentry_reconfigure_flow(hass, route.subentry_id)
    assert result["step_id"] == "reconfigure"
    assert field_names(result) == [CONF_NAME, CONF_API_KEY, CONF_ADVANCED]
    assert suggested(schema_of(result), CONF_NAME) == "Backup"
    assert suggested(advanced_of(result).schema.schema, CONF_URL) == (
        simulator.url + SEVEN_PATH
    )
    assert placeholders_of(result)["provider"] == "seven.io"
    flow_id = result["flow_id"]

    result = await configure(
        flow_id,
        hass,
        route_form(
            name="Reserve",
            provider=None,
            api_key="wrong-key",
            url=simulator.url + SEVEN_PATH,
        ),
    )
    assert result["errors"] == {"base": "invalid_key"}
    result = await configure(
        flow_id,
        hass,
        route_form(
            name="Reserve",
            provider=None,
            api_key=OTHER_SEVEN_KEY,
            url=simulator.url + SEVEN_PATH,
        ),
    )
    assert result["step_id"] == "seven"
    assert suggested(schema_of(result), CONF_SENDER) == "House"
    assert suggested(schema_of(result), CONF_SIGNING_SECRET) == "old-secret"

    result = await configure(flow_id, hass, {CONF_SENDER: "Reserve"})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    changed = entry.subentries[route.subentry_id]
    assert changed.title == "Reserve"
    # The secret left empty is gone.
    assert dict(changed.data) == {
        CONF_PROVIDER: "seven",
        CONF_API_KEY: OTHER_SEVEN_KEY,
        CONF_URL: simulator.url + SEVEN_PATH,
        CONF_SENDER: "Reserve",
    }
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"route_{route.subentry_id}"), entry.entry_id
    )
    assert device is not None
    assert device.name == "Reserve"
    # The same entity, now named after the device, shows the new key's balance.
    state = hass.states.get("sensor.backup_balance")
    assert state is not None
    assert (state.state, state.attributes["friendly_name"]) == (
        "3.5",
        "Reserve Balance",
    )


async def test_reconfigure_a_ubill_route(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """The brand page shows the account's authorized brands, the route's chosen."""
    entry = init_integration
    cloud = simulator.sim.ubill
    account = cloud.account(DEMO_UBILL_API_KEY)
    cloud.add_brand(account, "Second", brand_id=5)
    route = await add_route(hass, entry, "Georgia", ubill_data(simulator, brand_id=5))

    result = await entry.start_subentry_reconfigure_flow(hass, route.subentry_id)
    result = await configure(
        result["flow_id"],
        hass,
        route_form(
            name="Georgia",
            provider=None,
            api_key=DEMO_UBILL_API_KEY,
            url=simulator.url + UBILL_PATH,
        ),
    )
    assert result["step_id"] == "brand"
    assert choices(result, CONF_BRAND_ID) == [
        (str(DEMO_UBILL_BRAND_ID), DEMO_UBILL_BRAND),
        ("5", "Second"),
    ]
    assert default(schema_of(result), CONF_BRAND_ID) == "5"

    result = await configure(result["flow_id"], hass, {CONF_BRAND_ID: "1"})

    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[route.subentry_id].data[CONF_BRAND_ID] == 1
    assert entry.runtime_data.routes[route.subentry_id].brand_id == 1


# The failover options


async def test_options_choose_the_fallback_route(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """None, or a route by name and provider; minutes before failing over.

    They apply at once: the entry is not reloaded.
    """
    entry = init_integration
    coordinator = entry.runtime_data
    backup = await add_route(hass, entry, "backup", seven_data(simulator))
    georgia = await add_route(hass, entry, "Georgia", ubill_data(simulator))

    result = await open_options(hass, entry)
    assert choices(result, CONF_FALLBACK_ROUTE) == [
        ("none", "none"),
        (backup.subentry_id, "backup (seven.io)"),
        (georgia.subentry_id, "Georgia (UBill)"),
    ]
    assert default(schema_of(result), CONF_FALLBACK_ROUTE) == "none"
    assert default(schema_of(result), CONF_FAILOVER_AFTER) == 0
    assert schema_of(result)[CONF_FALLBACK_ROUTE].config["translation_key"] == (
        CONF_FALLBACK_ROUTE
    )

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        options_form(
            simulator.galaxy,
            fallback_route=georgia.subentry_id,
            failover_after=15,
        ),
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_FALLBACK_ROUTE] == georgia.subentry_id
    assert entry.options[CONF_FAILOVER_AFTER] == 15
    assert type(entry.options[CONF_FAILOVER_AFTER]) is int
    assert entry.runtime_data is coordinator
    route = fallback_route(entry)
    assert route is not None
    assert route.name == "Georgia"

    result = await open_options(hass, entry)
    assert default(schema_of(result), CONF_FALLBACK_ROUTE) == georgia.subentry_id
    assert default(schema_of(result), CONF_FAILOVER_AFTER) == 15
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.galaxy, fallback_route="none")
    )
    await hass.async_block_till_done()
    assert entry.options[CONF_FALLBACK_ROUTE] is None
    assert fallback_route(entry) is None


@pytest.mark.parametrize("minutes", [-1, 1441, 2.5])
async def test_failover_after_out_of_range(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    minutes: float,
) -> None:
    """Whole minutes from 0 to 1440, or the field's own error; nothing is saved."""
    entry = init_integration
    before = dict(entry.options)
    result = await open_options(hass, entry)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.galaxy, failover_after=minutes)
    )

    assert result["errors"] == {CONF_FAILOVER_AFTER: "failover_after_range"}
    assert entry.options == before
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.galaxy, failover_after=1440)
    )
    await hass.async_block_till_done()
    assert entry.options[CONF_FAILOVER_AFTER] == 1440


async def test_fallback_route_removed_while_the_options_are_open(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A route removed meanwhile is refused; another choice goes through."""
    entry = init_integration
    backup = await add_route(hass, entry, "Backup", seven_data(simulator))
    result = await open_options(hass, entry)
    assert hass.config_entries.async_remove_subentry(entry, backup.subentry_id)
    await hass.async_block_till_done()

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        options_form(simulator.galaxy, fallback_route=backup.subentry_id),
    )

    assert result["errors"] == {CONF_FALLBACK_ROUTE: "route_gone"}
    assert choices(result, CONF_FALLBACK_ROUTE) == [("none", "none")]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options_form(simulator.galaxy, fallback_route="none")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_removing_the_fallback_route_clears_the_option(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """The option never points to a route that is gone; other options stay."""
    entry = init_integration
    backup = await add_route(hass, entry, "Backup", seven_data(simulator))
    georgia = await add_route(hass, entry, "Georgia", ubill_data(simulator))
    hass.config_entries.async_update_entry(
        entry,
        options={
            **entry.options,
            CONF_FALLBACK_ROUTE: backup.subentry_id,
            CONF_FAILOVER_AFTER: 10,
        },
    )
    await hass.async_block_till_done()

    assert hass.config_entries.async_remove_subentry(entry, georgia.subentry_id)
    await hass.async_block_till_done()
    assert entry.options[CONF_FALLBACK_ROUTE] == backup.subentry_id

    assert hass.config_entries.async_remove_subentry(entry, backup.subentry_id)
    await hass.async_block_till_done()
    assert entry.options[CONF_FALLBACK_ROUTE] is None
    assert entry.options[CONF_FAILOVER_AFTER] == 10
    assert fallback_route(entry) is None
    result = await open_options(hass, entry)
    assert default(schema_of(result), CONF_FALLBACK_ROUTE) == "none"


async def test_a_fallback_route_gone_while_unloaded_is_cleared_at_setup(
    hass: HomeAssistant, simulator: RunningSimulator, config_entry: MockConfigEntry
) -> None:
    """An option saved pointing to a route that no longer exists is none."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, CONF_FALLBACK_ROUTE: "gone"}
    )

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert config_entry.options[CONF_FALLBACK_ROUTE] is None


# Strings


def test_route_flow_keys_have_strings() -> None:
    """Each page, error and abort reason of the route's flow has its English string."""
    strings = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
    texts = strings["config_subentries"]["route"]
    steps, errors, aborts = flow_keys("RouteSubentryFlow")
    _, _, finish_aborts = flow_keys("SubentryFlow")
    assert steps == {"user", "reconfigure", "seven", "brand"}
    assert errors == {
        "empty_name",
        "invalid_url",
        "invalid_key",
        "cannot_connect",
        "no_authorized_brand",
        "invalid_sender",
        "unknown",
    }
    assert (aborts, finish_aborts) == (set(), set())
    assert set(texts["step"]) == steps
    assert set(texts["error"]) == errors
    # What async_update_and_abort ends a reconfiguration with.
    assert set(texts["abort"]) == {"reconfigure_successful"}
    assert set(texts["initiate_flow"]) == {"user", "reconfigure"}


def test_route_fields_have_labels() -> None:
    """Each field of each page has a label and a description."""
    texts = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))[
        "config_subentries"
    ]["route"]["step"]
    user = config_flow.route_schema(with_provider=True, collapsed=True).schema
    reconfigure = config_flow.route_schema(with_provider=False, collapsed=True).schema
    for step, fields in (("user", user), ("reconfigure", reconfigure)):
        names = {str(key) for key in fields} - {CONF_ADVANCED}
        assert set(texts[step]["data"]) == names
        assert set(texts[step]["data_description"]) == names
        advanced = fields[CONF_ADVANCED]
        assert isinstance(advanced, section)
        url_texts = texts[step]["sections"][CONF_ADVANCED]
        assert (
            set(url_texts["data"]) == set(url_texts["data_description"]) == {CONF_URL}
        )
    assert set(texts["seven"]["data"]) == {CONF_SENDER, CONF_SIGNING_SECRET}
    assert set(texts["seven"]["data_description"]) == {CONF_SENDER, CONF_SIGNING_SECRET}
    assert (
        set(texts["brand"]["data"])
        == set(texts["brand"]["data_description"])
        == {CONF_BRAND_ID}
    )


def test_the_develop_banner_says_how_to_add_the_demo_routes() -> None:
    """Its keys, secret, brand and addresses are the simulator's."""
    banner = (INTEGRATION.parents[1] / "scripts" / "develop").read_text(
        encoding="utf-8"
    )
    for text in (
        DEMO_SEVEN_API_KEY,
        DEMO_SEVEN_SIGNING_SECRET,
        f"$SIMULATOR_URL{SEVEN_PATH}",
        DEMO_UBILL_API_KEY,
        f"$SIMULATOR_URL{UBILL_PATH}",
        DEMO_UBILL_BRAND,
    ):
        assert text in banner
