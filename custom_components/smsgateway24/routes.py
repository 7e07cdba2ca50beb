"""Backup routes: the cloud SMS APIs that send when the gateway phone cannot.

Each route is a subentry of the account (``route``) holding its provider, key
and sender; this module turns them into clients on Home Assistant's session,
keeps them in step as routes are added, changed or removed, and follows each
route's balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigSubentry,
)
from homeassistant.const import CONF_API_KEY, CONF_URL
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import (
    async_dispatcher_send,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .clients import seven, ubill
from .const import (
    CONF_BRAND_ID,
    CONF_FALLBACK_ROUTE,
    CONF_PROVIDER,
    CONF_SENDER,
    CONF_SIGNING_SECRET,
    DEFAULT_SEVEN_SMS_PRICE,
    DOMAIN,
    LOGGER,
    PROVIDER_NAMES,
    PROVIDER_SEVEN,
    PROVIDER_UBILL,
    REQUEST_TIMEOUT,
    ROUTE_BALANCE_INTERVAL,
    SUBENTRY_ROUTE,
)
from .coordinator import SmsGateway24ConfigEntry
from .entity import async_follow_subentries, async_rename_subentry_device
from .send import fallback_route

# The address of each provider's API unless a route names another.
DEFAULT_URLS: dict[str, str] = {
    PROVIDER_SEVEN: seven.DEFAULT_URL,
    PROVIDER_UBILL: ubill.DEFAULT_URL,
}
# UBill counts a balance in SMS credits, not money: one credit, one SMS.
UBILL_CREDITS: Final = "SMS"
# seven names its currency; its older, bare answer does not, and is in euros.
SEVEN_CURRENCY: Final = "EUR"
# Sent with the balance coordinator of a route new to an account, for its entity.
SIGNAL_ROUTE_ADDED: Final = "smsgateway24_route_added_{}"


def route_client(
    hass: HomeAssistant, provider: str, api_key: str, url: str | None = None
) -> seven.Seven | ubill.UBill:
    """A client of the provider's API on the shared session, at its own address unless ``url``."""
    session = async_get_clientsession(hass)
    url = url or DEFAULT_URLS[provider]
    if provider == PROVIDER_SEVEN:
        return seven.Seven(
            api_key=api_key, url=url, session=session, request_timeout=REQUEST_TIMEOUT
        )
    return ubill.UBill(
        api_key=api_key, url=url, session=session, request_timeout=REQUEST_TIMEOUT
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """A backup route as its subentry sets it up.

    ``sender`` and ``signing_secret`` are seven's (both optional);
    ``brand_id`` is UBill's. ``balance`` follows the route's balance while
    the account has the route (``async_setup_routes`` gives it); a send
    through the route tells it with ``async_request_balance``.
    """

    subentry_id: str
    name: str
    provider: str
    client: seven.Seven | ubill.UBill
    sender: str | None = None
    signing_secret: str | None = None
    brand_id: int | None = None
    balance: RouteBalanceCoordinator | None = field(
        default=None, compare=False, repr=False
    )


def route_subentries(entry: ConfigEntry) -> dict[str, ConfigSubentry]:
    """The account's backup routes, by subentry id."""
    return {
        subentry_id: subentry
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_ROUTE
    }


def route_of(hass: HomeAssistant, subentry: ConfigSubentry) -> Route:
    """The route a subentry describes, with its client on the shared session."""
    data = subentry.data
    provider: str = data[CONF_PROVIDER]
    return Route(
        subentry_id=subentry.subentry_id,
        name=subentry.title,
        provider=provider,
        client=route_client(hass, provider, data[CONF_API_KEY], data.get(CONF_URL)),
        sender=data.get(CONF_SENDER) or None,
        signing_secret=data.get(CONF_SIGNING_SECRET) or None,
        brand_id=data.get(CONF_BRAND_ID),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteBalance:
    """What a route's account has left: money (seven) or SMS credits (UBill)."""

    amount: float
    unit: str

    def __str__(self) -> str:
        """As a repair issue says it: ``0.05 EUR``, ``0 SMS``."""
        return f"{self.amount:g} {self.unit}"


class RouteBalanceCoordinator(DataUpdateCoordinator[RouteBalance | None]):
    """The balance of one route, and the repair issue when it cannot pay an SMS.

    One request an hour (``ROUTE_BALANCE_INTERVAL``), and one after a send
    through the route unless the provider's answer to the send carried the
    new balance (seven's does). The account's own poll never asks for it.
    ``data`` is None until the provider first answers.
    """

    config_entry: SmsGateway24ConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: SmsGateway24ConfigEntry, route: Route
    ) -> None:
        """Follow ``route``'s balance; the first request is ``async_refresh_later``'s."""
        self.route = route
        # What one SMS cost through the route, once a send said so.
        self.sms_price: float | None = None
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} route {route.name}",
            update_interval=ROUTE_BALANCE_INTERVAL,
        )
        # A listener of its own keeps the hourly refresh going, and so the
        # repair issue up to date, while the balance sensor is disabled too.
        self._unsub_repair: CALLBACK_TYPE | None = self.async_add_listener(
            self._async_update_repair
        )

    @property
    def issue_id(self) -> str:
        """The id of the route's repair issue.

        Not led by the entry's id: those are the phones' issues, which each
        poll of the account sets anew.
        """
        return f"route_{self.route.subentry_id}_balance"

    @property
    def price(self) -> RouteBalance:
        """What one SMS costs through the route, as far as it is known."""
        if self.route.provider == PROVIDER_UBILL:
            return RouteBalance(amount=1, unit=UBILL_CREDITS)
        unit = SEVEN_CURRENCY if self.data is None else self.data.unit
        return RouteBalance(amount=self.sms_price or DEFAULT_SEVEN_SMS_PRICE, unit=unit)

    async def _async_update_data(self) -> RouteBalance:
        """Ask the provider; an unreachable route or a refused key fails the update."""
        client = self.route.client
        try:
            if isinstance(client, seven.Seven):
                balance = await client.get_balance()
                return RouteBalance(
                    amount=balance.amount, unit=balance.currency or SEVEN_CURRENCY
                )
            return RouteBalance(amount=await client.get_balance(), unit=UBILL_CREDITS)
        except (seven.SevenError, ubill.UBillError) as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="route_update_failed",
                translation_placeholders={"route": self.route.name, "error": str(err)},
            ) from err

    @callback
    def async_refresh_later(self) -> None:
        """Ask for the balance now, in a task of the entry."""
        self.config_entry.async_create_background_task(
            self.hass, self.async_refresh(), f"{self.name} balance"
        )

    @callback
    def async_request_balance(
        self, amount: float | None = None, *, price: float | None = None
    ) -> None:
        """Take the balance after a send through the route.

        ``amount`` is the balance the provider's answer to the send carried
        (seven's ``balance``), in the account's currency: it is shown at once,
        and nothing is asked. Without it, the balance is asked for, once for
        sends close together. ``price`` is what one SMS (one part) of the send
        cost, when the answer says (seven's message ``price`` / ``parts``).
        """
        if price:
            self.sms_price = price
        if amount is not None and self.data is not None:
            self.async_set_updated_data(replace(self.data, amount=amount))
            return
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), f"{self.name} balance"
        )

    @callback
    def async_follow(self, route: Route) -> None:
        """Take a change of the route (its key, address or name): ask again."""
        self.route = route
        self.name = f"{DOMAIN} route {route.name}"
        self.async_refresh_later()

    async def async_shutdown(self) -> None:
        """Stop following the balance; the repair issue goes with it."""
        await super().async_shutdown()
        if self._unsub_repair is not None:
            self._unsub_repair()
            self._unsub_repair = None
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)

    @callback
    def _async_update_repair(self) -> None:
        """Raise the repair issue while the balance cannot pay one SMS; withdraw it after.

        While the route cannot be reached, the issue stays as it was.
        """
        if not self.last_update_success or self.data is None:
            return
        price = self.price
        if self.data.amount >= price.amount:
            ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="route_balance_low",
            translation_placeholders={
                "route": self.route.name,
                "provider": PROVIDER_NAMES[self.route.provider],
                "balance": str(self.data),
                "price": str(price),
            },
        )


@callback
def async_setup_routes(hass: HomeAssistant, entry: SmsGateway24ConfigEntry) -> None:
    """Keep the account's routes (``runtime_data.routes``) as its subentries say.

    Each route follows its balance while it exists. A route that is removed
    is no longer the fallback route of the options.
    """
    routes = entry.runtime_data.routes
    balances: dict[str, RouteBalanceCoordinator] = {}

    @callback
    def follow_subentries() -> None:
        wanted = route_subentries(entry)
        for subentry_id in routes.keys() - wanted.keys():
            del routes[subentry_id]
            entry.async_create_task(
                hass, balances.pop(subentry_id).async_shutdown(), "route removed"
            )
        for subentry_id, subentry in wanted.items():
            route = route_of(hass, subentry)
            known = routes.get(subentry_id)
            if known is None:
                balances[subentry_id] = RouteBalanceCoordinator(hass, entry, route)
                routes[subentry_id] = replace(route, balance=balances[subentry_id])
                balances[subentry_id].async_refresh_later()
                async_dispatcher_send(
                    hass,
                    SIGNAL_ROUTE_ADDED.format(entry.entry_id),
                    balances[subentry_id],
                )
            elif route != known:
                routes[subentry_id] = replace(route, balance=balances[subentry_id])
                balances[subentry_id].async_follow(route)
                async_rename_subentry_device(hass, entry.entry_id, subentry)
        if entry.options.get(CONF_FALLBACK_ROUTE) and fallback_route(entry) is None:
            hass.config_entries.async_update_entry(
                entry, options={**entry.options, CONF_FALLBACK_ROUTE: None}
            )

    async_follow_subentries(hass, entry, follow_subentries)
