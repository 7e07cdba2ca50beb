"""Diagnostics: what the integration knows, with everything personal redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_KEY, CONF_EMAIL, CONF_PASSWORD, CONF_TOKEN
from homeassistant.core import HomeAssistant

from .assist import assist_diagnostics
from .const import (
    CONF_FALLBACK_ROUTE,
    CONF_SENDER,
    CONF_SIGNING_SECRET,
    CONF_WEBHOOK_ID,
)
from .coordinator import SmsGateway24ConfigEntry
from .routes import RouteBalanceCoordinator

TO_REDACT = {
    CONF_EMAIL,
    CONF_PASSWORD,
    CONF_TOKEN,
    # Anyone who knows it can push messages into Home Assistant.
    CONF_WEBHOOK_ID,
    CONF_API_KEY,
    CONF_SIGNING_SECRET,
    # A route's sender may be a phone number.
    CONF_SENDER,
    "title",
    "number",
    "imei",
    "iccid",
    "serial_number",
    "phone",
    "body",
    "text",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry
) -> dict[str, Any]:
    """Return the entry, the options, the last poll and Assist's counts, redacted."""
    coordinator = entry.runtime_data
    data = coordinator.data
    return {
        "entry": async_redact_data(
            {
                "title": entry.title,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            TO_REDACT,
        ),
        "last_update_success": coordinator.last_update_success,
        "phones": [
            {
                **async_redact_data(asdict(phone), TO_REDACT),
                # async_redact_data does not look into tuples: redact each SIM.
                "sims": [
                    async_redact_data(asdict(sim), TO_REDACT) for sim in phone.sims
                ],
                "online": coordinator.is_online(phone),
            }
            for phone in data.phones.values()
        ],
        "incoming_cursor": {
            "begin": coordinator.cursor.begin.isoformat(),
            "seen_ids": len(coordinator.cursor.seen),
            "pushed_ids": len(coordinator.cursor.pushed),
        },
        "tracked_messages": len(coordinator.tracker.tracked),
        "routes": [
            route_diagnostics(entry, route.balance)
            for route in coordinator.routes.values()
            if route.balance
        ],
        "assist": assist_diagnostics(hass, entry),
    }


def route_diagnostics(
    entry: SmsGateway24ConfigEntry, balance: RouteBalanceCoordinator
) -> dict[str, Any]:
    """A backup route: its subentry without secrets, its balance, whether it answers."""
    subentry_id = balance.route.subentry_id
    return {
        "data": async_redact_data(dict(entry.subentries[subentry_id].data), TO_REDACT),
        "fallback": subentry_id == entry.options.get(CONF_FALLBACK_ROUTE),
        "available": balance.last_update_success,
        "balance": None if balance.data is None else asdict(balance.data),
        "sms_price": balance.sms_price,
    }
