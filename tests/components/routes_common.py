"""Helpers of the tests of backup routes: their subentries, against the simulator."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_API_KEY, CONF_URL
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsgateway24.const import CONF_BRAND_ID, CONF_PROVIDER
from simulator import seven as seven_api, ubill as ubill_api
from simulator.demo import (
    DEMO_SEVEN_API_KEY,
    DEMO_UBILL_API_KEY,
    DEMO_UBILL_BRAND_ID,
)
from tests.conftest import RunningSimulator

# Where the simulator serves each provider's API.
SEVEN_PATH = seven_api.PREFIX
UBILL_PATH = ubill_api.PREFIX


def seven_data(simulator: RunningSimulator, **changes: Any) -> dict[str, Any]:
    """A seven route of the demo key, at the simulator, as the route form stores it."""
    return {
        CONF_PROVIDER: "seven",
        CONF_API_KEY: DEMO_SEVEN_API_KEY,
        CONF_URL: simulator.url + SEVEN_PATH,
        **changes,
    }


def ubill_data(simulator: RunningSimulator, **changes: Any) -> dict[str, Any]:
    """A UBill route of the demo key and brand, at the simulator."""
    return {
        CONF_PROVIDER: "ubill",
        CONF_API_KEY: DEMO_UBILL_API_KEY,
        CONF_URL: simulator.url + UBILL_PATH,
        CONF_BRAND_ID: DEMO_UBILL_BRAND_ID,
        **changes,
    }


async def add_route(
    hass: HomeAssistant, entry: MockConfigEntry, title: str, data: dict[str, Any]
) -> ConfigSubentry:
    """Add a route subentry, and let it ask its balance."""
    subentry = ConfigSubentry(
        data=MappingProxyType(data),
        subentry_type="route",
        title=title,
        unique_id=None,
    )
    assert hass.config_entries.async_add_subentry(entry, subentry)
    await hass.async_block_till_done(wait_background_tasks=True)
    return subentry


def route_calls(simulator: RunningSimulator) -> list[tuple[str, str]]:
    """The calls of the routes' APIs so far: provider and method."""
    return [
        (request.provider, request.method)
        for request in simulator.sim.requests
        if request.provider != "smsgateway24"
    ]
