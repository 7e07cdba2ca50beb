"""The account's backup routes follow its route subentries."""

from __future__ import annotations

from types import MappingProxyType

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_API_KEY, CONF_URL
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsgateway24.clients import seven, ubill
from custom_components.smsgateway24.const import (
    CONF_BRAND_ID,
    CONF_PROVIDER,
    CONF_SENDER,
    CONF_SIGNING_SECRET,
)
from custom_components.smsgateway24.routes import DEFAULT_URLS
from simulator.demo import DEMO_SEVEN_API_KEY, DEMO_UBILL_API_KEY
from tests.conftest import RunningSimulator


def route_subentry(title: str, **data: object) -> ConfigSubentry:
    """A route subentry as the route form stores it."""
    return ConfigSubentry(
        data=MappingProxyType(data),
        subentry_type="route",
        title=title,
        unique_id=None,
    )


async def test_routes_follow_their_subentries(
    hass: HomeAssistant,
    simulator: RunningSimulator,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Added, changed and removed routes are the account's at once, no reload.

    A route without an address of its own uses its provider's (the
    simulator's here: no test reaches the internet).
    """
    entry = init_integration
    routes = entry.runtime_data.routes
    assert routes == {}

    backup = route_subentry(
        "Backup",
        **{
            CONF_PROVIDER: "seven",
            CONF_API_KEY: DEMO_SEVEN_API_KEY,
            CONF_SENDER: "House",
            CONF_SIGNING_SECRET: "signing",
            CONF_URL: f"{simulator.url}/seven/api",
        },
    )
    georgia = route_subentry(
        "Georgia",
        **{CONF_PROVIDER: "ubill", CONF_API_KEY: DEMO_UBILL_API_KEY, CONF_BRAND_ID: 1},
    )
    ubill_url = f"{simulator.url}/ubill/v1"
    monkeypatch.setitem(DEFAULT_URLS, "ubill", ubill_url)
    assert hass.config_entries.async_add_subentry(entry, backup)
    assert hass.config_entries.async_add_subentry(entry, georgia)
    await hass.async_block_till_done(wait_background_tasks=True)

    first = routes[backup.subentry_id]
    assert (first.name, first.provider, first.sender, first.signing_secret) == (
        "Backup",
        "seven",
        "House",
        "signing",
    )
    assert isinstance(first.client, seven.Seven)
    assert first.client.url == f"{simulator.url}/seven/api"
    second = routes[georgia.subentry_id]
    assert isinstance(second.client, ubill.UBill)
    assert (second.brand_id, second.sender, second.client.url) == (1, None, ubill_url)

    hass.config_entries.async_update_subentry(
        entry, backup, data={**backup.data, CONF_API_KEY: "new-key"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    changed = routes[backup.subentry_id]
    assert changed is not first
    assert changed.client.api_key == "new-key"
    assert changed.balance is first.balance
    assert routes[georgia.subentry_id] is second

    assert hass.config_entries.async_remove_subentry(entry, georgia.subentry_id)
    await hass.async_block_till_done()
    assert set(routes) == {backup.subentry_id}
