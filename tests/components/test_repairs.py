"""Repair issues: a lapsed subscription or an outdated app on a gateway phone."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.smsgateway24.const import DOMAIN
from tests.components.common import poll
from tests.conftest import RunningSimulator

pytestmark = pytest.mark.usefixtures("frozen_time")


def issues(
    issue_registry: ir.IssueRegistry, entry: MockConfigEntry
) -> dict[str, tuple[str | None, dict[str, str] | None]]:
    """The integration's issues, by id without the entry id: key and placeholders."""
    prefix = f"{entry.entry_id}_"
    return {
        issue_id.removeprefix(prefix): (
            issue.translation_key,
            issue.translation_placeholders,
        )
        for (domain, issue_id), issue in issue_registry.issues.items()
        if domain == DOMAIN
    }


async def test_outdated_app(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The demo Galaxy's outdated app is a warning until the app is updated."""
    galaxy = simulator.galaxy
    assert issues(issue_registry, init_integration) == {
        f"{galaxy}_app_outdated": (
            "app_outdated",
            {"phone": "Galaxy A52", "version": "12.1.21"},
        ),
    }
    issue = issue_registry.async_get_issue(
        DOMAIN, f"{init_integration.entry_id}_{galaxy}_app_outdated"
    )
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable

    await poll(hass, freezer)
    assert len(issues(issue_registry, init_integration)) == 1

    phone = simulator.sim.phone(galaxy)
    phone.app_version = "12.3.4"
    phone.app_version_current = True
    await poll(hass, freezer)

    assert issues(issue_registry, init_integration) == {}


async def test_subscription_expired(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A lapsed subscription is a warning on that phone until it is renewed."""
    pixel = simulator.sim.phone(simulator.pixel)
    pixel.subscription = False
    pixel.app_version_current = False

    await poll(hass, freezer)

    assert issues(issue_registry, init_integration) == {
        f"{simulator.pixel}_subscription": (
            "subscription_expired",
            {"phone": "Pixel 7", "version": "12.3.4"},
        ),
        f"{simulator.pixel}_app_outdated": (
            "app_outdated",
            {"phone": "Pixel 7", "version": "12.3.4"},
        ),
        f"{simulator.galaxy}_app_outdated": (
            "app_outdated",
            {"phone": "Galaxy A52", "version": "12.1.21"},
        ),
    }

    pixel.subscription = True
    pixel.app_version_current = True
    await poll(hass, freezer)

    assert set(issues(issue_registry, init_integration)) == {
        f"{simulator.galaxy}_app_outdated"
    }


async def test_issues_of_a_removed_phone_go(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Removing a phone from the account withdraws its issues."""
    simulator.sim.phone(simulator.galaxy).subscription = False
    await poll(hass, freezer)
    assert set(issues(issue_registry, init_integration)) == {
        f"{simulator.galaxy}_app_outdated",
        f"{simulator.galaxy}_subscription",
    }

    simulator.sim.remove_phone(simulator.galaxy)
    await poll(hass, freezer)

    assert issues(issue_registry, init_integration) == {}


async def test_issues_of_other_entries_stay(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An entry withdraws only its own issues, not another account's."""
    other = f"{'0' * 26}_{simulator.pixel}_subscription"
    ir.async_create_issue(
        hass,
        DOMAIN,
        other,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="subscription_expired",
        translation_placeholders={"phone": "Other", "version": "?"},
    )

    await poll(hass, freezer)

    assert issue_registry.async_get_issue(DOMAIN, other) is not None


async def test_issues_go_with_the_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Deleting the account's entry withdraws its issues."""
    assert issues(issue_registry, init_integration)

    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()

    assert issues(issue_registry, init_integration) == {}
