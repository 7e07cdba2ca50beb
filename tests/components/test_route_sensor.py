"""The balance of each backup route: its sensor, its cost, and its repair issue."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.const import CONF_URL, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.smsgateway24.const import DOMAIN
from custom_components.smsgateway24.routes import RouteBalanceCoordinator
from simulator.demo import DEMO_SEVEN_API_KEY, DEMO_UBILL_API_KEY
from tests.components.common import poll, state
from tests.components.routes_common import (
    add_route,
    route_calls,
    seven_data,
    ubill_data,
)
from tests.conftest import RunningSimulator

pytestmark = pytest.mark.usefixtures("frozen_time")

SEVEN_SENSOR = "sensor.seven_backup_balance"
UBILL_SENSOR = "sensor.georgia_balance"
HOUR = 3600


@pytest.fixture
async def routes(
    frozen_time: None,
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
) -> tuple[ConfigSubentry, ConfigSubentry]:
    """The demo's two routes on the demo account: seven's and UBill's.

    Added once the clock is fixed: their hourly requests are timed by it.
    """
    backup = await add_route(
        hass, init_integration, "seven backup", seven_data(simulator)
    )
    georgia = await add_route(hass, init_integration, "Georgia", ubill_data(simulator))
    return backup, georgia


def balance_of(
    entry: MockConfigEntry, route: ConfigSubentry
) -> RouteBalanceCoordinator:
    """The coordinator that follows a route's balance."""
    balance: RouteBalanceCoordinator | None = entry.runtime_data.routes[
        route.subentry_id
    ].balance
    assert balance is not None
    return balance


def route_issues(issue_registry: ir.IssueRegistry) -> dict[str, dict[str, str] | None]:
    """The integration's issues about routes: their placeholders by id."""
    return {
        issue_id: issue.translation_placeholders
        for (domain, issue_id), issue in issue_registry.issues.items()
        if domain == DOMAIN and issue_id.startswith("route_")
    }


async def test_balance_sensors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    routes: tuple[ConfigSubentry, ConfigSubentry],
    *,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """seven's balance is money in its currency; UBill's, SMS credits.

    Each sensor is on its route's device, owned by the route's subentry.
    """
    for route, entity_id in zip(routes, (SEVEN_SENSOR, UBILL_SENSOR), strict=True):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None
        assert entry == snapshot(name=f"{entity_id}-entry", exclude=props("unique_id"))
        assert entry.unique_id == f"{route.subentry_id}_balance"
        assert entry.config_subentry_id == route.subentry_id
        assert hass.states.get(entity_id) == snapshot(name=f"{entity_id}-state")
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, f"route_{route.subentry_id}"), init_integration.entry_id
        )
        assert device is not None
        assert device.id == entry.device_id
        assert device.config_subentry_id == route.subentry_id
        assert device.entry_type is dr.DeviceEntryType.SERVICE


async def test_currency_of_the_answer(
    hass: HomeAssistant, simulator: RunningSimulator, init_integration: MockConfigEntry
) -> None:
    """A seven account in another currency shows it."""
    simulator.sim.seven.add_account("swiss-key", balance=12.5, currency="CHF")
    await add_route(
        hass, init_integration, "Swiss", seven_data(simulator, api_key="swiss-key")
    )

    found = hass.states.get("sensor.swiss_balance")
    assert found is not None
    assert (found.state, found.attributes["unit_of_measurement"]) == ("12.5", "CHF")


@pytest.mark.usefixtures("routes")
async def test_balances_cost_one_request_an_hour(
    hass: HomeAssistant, simulator: RunningSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """The account's polls ask nothing of the routes; each route asks once an hour."""
    simulator.sim.clear_requests()
    simulator.sim.seven.account(DEMO_SEVEN_API_KEY).balance = 20.0
    simulator.sim.ubill.account(DEMO_UBILL_API_KEY).credits = 400

    for _ in range(59):
        await poll(hass, freezer)
    assert route_calls(simulator) == []
    assert state(hass, SEVEN_SENSOR) == "25.0"

    await poll(hass, freezer)
    assert sorted(route_calls(simulator)) == [
        ("seven", "balance"),
        ("ubill", "sms/balance"),
    ]
    assert state(hass, SEVEN_SENSOR) == "20.0"
    assert state(hass, UBILL_SENSOR) == "400"


async def test_unavailable_while_refused_or_unreachable(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    *,
    routes: tuple[ConfigSubentry, ConfigSubentry],
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused key or no answer makes the balance unavailable, until it answers.

    The log says so once, and once again when it recovers; never the key.
    """
    simulator.sim.seven.refuse(900, -1)
    simulator.sim.ubill.refuse(401, -1)
    await poll(hass, freezer, HOUR)
    assert state(hass, SEVEN_SENSOR) == STATE_UNAVAILABLE
    assert state(hass, UBILL_SENSOR) == STATE_UNAVAILABLE
    assert "Could not fetch the balance of the backup route seven backup" in caplog.text
    assert DEMO_SEVEN_API_KEY not in caplog.text
    assert DEMO_UBILL_API_KEY not in caplog.text

    simulator.sim.seven.refuse(900, 0)
    simulator.sim.ubill.refuse(401, 0)
    await poll(hass, freezer, HOUR)
    assert state(hass, SEVEN_SENSOR) == "25.0"
    assert state(hass, UBILL_SENSOR) == "500"

    backup, _ = routes
    hass.config_entries.async_update_subentry(
        init_integration,
        backup,
        data={**backup.data, CONF_URL: "http://127.0.0.1:9/seven/api"},
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state(hass, SEVEN_SENSOR) == STATE_UNAVAILABLE


async def test_balance_after_a_send(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    routes: tuple[ConfigSubentry, ConfigSubentry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A balance the send's answer carried costs no request; else one is made."""
    backup, georgia = routes
    simulator.sim.clear_requests()

    balance_of(init_integration, backup).async_request_balance(24.925)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state(hass, SEVEN_SENSOR) == "24.925"
    assert route_calls(simulator) == []

    simulator.sim.ubill.account(DEMO_UBILL_API_KEY).credits = 498
    balance_of(init_integration, georgia).async_request_balance()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state(hass, UBILL_SENSOR) == "498"
    assert route_calls(simulator) == [("ubill", "sms/balance")]

    # Sends close together are followed by one request, not one each.
    simulator.sim.clear_requests()
    for left in (497, 496):
        simulator.sim.ubill.account(DEMO_UBILL_API_KEY).credits = left
        balance_of(init_integration, georgia).async_request_balance()
        await hass.async_block_till_done(wait_background_tasks=True)
    assert route_calls(simulator) == []
    await poll(hass, freezer, 10)
    assert route_calls(simulator) == [("ubill", "sms/balance")]
    assert state(hass, UBILL_SENSOR) == "496"


async def test_repair_when_the_balance_cannot_pay_an_sms(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    *,
    init_integration: MockConfigEntry,
    routes: tuple[ConfigSubentry, ConfigSubentry],
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Below one SMS: a warning naming the route, withdrawn once topped up.

    seven's price of an SMS is the last one a send said, else 0.075 EUR;
    UBill's is one credit.
    """
    backup, georgia = routes
    assert route_issues(issue_registry) == {}
    simulator.sim.seven.account(DEMO_SEVEN_API_KEY).balance = 0.07
    simulator.sim.ubill.account(DEMO_UBILL_API_KEY).credits = 0

    await poll(hass, freezer, HOUR)

    seven_issue = f"route_{backup.subentry_id}_balance"
    ubill_issue = f"route_{georgia.subentry_id}_balance"
    assert route_issues(issue_registry) == {
        seven_issue: {
            "route": "seven backup",
            "provider": "seven.io",
            "balance": "0.07 EUR",
            "price": "0.075 EUR",
        },
        ubill_issue: {
            "route": "Georgia",
            "provider": "UBill",
            "balance": "0 SMS",
            "price": "1 SMS",
        },
    }
    issue = issue_registry.async_get_issue(DOMAIN, seven_issue)
    assert issue is not None
    assert (issue.severity, issue.is_fixable, issue.translation_key) == (
        ir.IssueSeverity.WARNING,
        False,
        "route_balance_low",
    )

    # Unreachable: what is known of the balance stands.
    simulator.sim.seven.refuse(900, 1)
    await poll(hass, freezer, HOUR)
    assert seven_issue in route_issues(issue_registry)

    # A send said an SMS costs less: 0.07 EUR pays for one.
    balance_of(init_integration, backup).async_request_balance(0.07, price=0.05)
    simulator.sim.ubill.account(DEMO_UBILL_API_KEY).credits = 100
    balance_of(init_integration, georgia).async_request_balance()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert route_issues(issue_registry) == {}

    # A dearer SMS makes the same balance too low again.
    balance_of(init_integration, backup).async_request_balance(0.07, price=0.19)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert route_issues(issue_registry)[seven_issue]["price"] == "0.19 EUR"  # type: ignore[index]


async def test_removing_a_route_removes_its_device_entity_and_repair(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    *,
    init_integration: MockConfigEntry,
    routes: tuple[ConfigSubentry, ConfigSubentry],
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A removed route leaves nothing behind, and asks nothing any more."""
    backup, georgia = routes
    simulator.sim.seven.account(DEMO_SEVEN_API_KEY).balance = 0
    await poll(hass, freezer, HOUR)
    assert len(route_issues(issue_registry)) == 1
    entity_id = entity_registry.async_get_entity_id(
        "sensor", DOMAIN, f"{backup.subentry_id}_balance"
    )
    assert entity_id == SEVEN_SENSOR

    assert hass.config_entries.async_remove_subentry(
        init_integration, backup.subentry_id
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entity_registry.async_get(SEVEN_SENSOR) is None
    assert hass.states.get(SEVEN_SENSOR) is None
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, f"route_{backup.subentry_id}"), init_integration.entry_id
        )
        is None
    )
    assert route_issues(issue_registry) == {}
    simulator.sim.clear_requests()
    await poll(hass, freezer, HOUR)
    assert route_calls(simulator) == [("ubill", "sms/balance")]
    assert state(hass, UBILL_SENSOR) == "500"
    assert set(init_integration.runtime_data.routes) == {georgia.subentry_id}


async def test_unloading_withdraws_the_repair_and_stops_asking(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    *,
    init_integration: MockConfigEntry,
    routes: tuple[ConfigSubentry, ConfigSubentry],
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Nothing follows the balance of an unloaded account; set up again, it does."""
    simulator.sim.ubill.account(DEMO_UBILL_API_KEY).credits = 0
    await poll(hass, freezer, HOUR)
    assert len(route_issues(issue_registry)) == 1

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert route_issues(issue_registry) == {}
    simulator.sim.clear_requests()
    freezer.tick(timedelta(hours=2))
    await poll(hass, freezer, HOUR)
    assert route_calls(simulator) == []

    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert init_integration.state is ConfigEntryState.LOADED
    assert sorted(route_calls(simulator)) == [
        ("seven", "balance"),
        ("ubill", "sms/balance"),
    ]
    assert len(route_issues(issue_registry)) == 1
    assert state(hass, UBILL_SENSOR) == "0"
