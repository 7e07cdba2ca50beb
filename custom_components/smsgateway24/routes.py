"""Backup routes: the cloud SMS APIs that send when the gateway phone cannot.

Each route is a subentry of the account (``route``) holding its provider, key
and sender; this module turns them into clients on Home Assistant's session,
and keeps them in step as routes are added, changed or removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntryChange,
    ConfigSubentry,
)
from homeassistant.const import CONF_API_KEY, CONF_URL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .clients import seven, ubill
from .const import (
    CONF_BRAND_ID,
    CONF_PROVIDER,
    CONF_SENDER,
    CONF_SIGNING_SECRET,
    PROVIDER_SEVEN,
    PROVIDER_UBILL,
    REQUEST_TIMEOUT,
    SUBENTRY_ROUTE,
)
from .coordinator import SmsGateway24ConfigEntry

# The address of each provider's API unless a route names another.
DEFAULT_URLS: dict[str, str] = {
    PROVIDER_SEVEN: seven.DEFAULT_URL,
    PROVIDER_UBILL: ubill.DEFAULT_URL,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """A backup route as its subentry sets it up.

    ``sender`` and ``signing_secret`` are seven's (both optional);
    ``brand_id`` is UBill's.
    """

    subentry_id: str
    name: str
    provider: str
    client: seven.Seven | ubill.UBill
    sender: str | None = None
    signing_secret: str | None = None
    brand_id: int | None = None


def route_of(hass: HomeAssistant, subentry: ConfigSubentry) -> Route:
    """The route a subentry describes, with its client on the shared session."""
    data = subentry.data
    provider: str = data[CONF_PROVIDER]
    url: str = data.get(CONF_URL) or DEFAULT_URLS[provider]
    session = async_get_clientsession(hass)
    client: seven.Seven | ubill.UBill
    if provider == PROVIDER_SEVEN:
        client = seven.Seven(
            api_key=data[CONF_API_KEY],
            url=url,
            session=session,
            request_timeout=REQUEST_TIMEOUT,
        )
    else:
        client = ubill.UBill(
            api_key=data[CONF_API_KEY],
            url=url,
            session=session,
            request_timeout=REQUEST_TIMEOUT,
        )
    return Route(
        subentry_id=subentry.subentry_id,
        name=subentry.title,
        provider=provider,
        client=client,
        sender=data.get(CONF_SENDER) or None,
        signing_secret=data.get(CONF_SIGNING_SECRET) or None,
        brand_id=data.get(CONF_BRAND_ID),
    )


@callback
def async_setup_routes(hass: HomeAssistant, entry: SmsGateway24ConfigEntry) -> None:
    """Keep the account's routes (``runtime_data.routes``) as its subentries say."""
    routes = entry.runtime_data.routes

    @callback
    def follow_subentries() -> None:
        wanted = {
            subentry_id: subentry
            for subentry_id, subentry in entry.subentries.items()
            if subentry.subentry_type == SUBENTRY_ROUTE
        }
        for subentry_id in routes.keys() - wanted.keys():
            del routes[subentry_id]
        for subentry_id, subentry in wanted.items():
            route = routes.get(subentry_id)
            if route is None or route_of(hass, subentry) != route:
                routes[subentry_id] = route_of(hass, subentry)

    @callback
    def entry_changed(change: ConfigEntryChange, changed: object) -> None:
        if change is ConfigEntryChange.UPDATED and changed is entry:
            follow_subentries()

    follow_subentries()
    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed)
    )
