"""Push: the providers' webhooks deliver received messages and delivery reports at once.

Nothing signs the phones' requests: the secrecy of the random webhook id is
the only protection, so every payload is checked against the account. Each
backup route has a push address of its own, derived from the entry's secret
id and the route's subentry: seven signs its delivery reports with the
route's signing secret, which is checked; UBill's callback only prompts a
fetch of the send's report with the route's key, and its own status is never
taken.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import hashlib
import hmac
from http import HTTPStatus
import json
from typing import Any

from aiohttp import web
from aiohttp.hdrs import METH_GET, METH_POST
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .clients import seven, ubill
from .clients.smsgateway24 import Message, SmsGateway24ResponseError, StatusReport
from .const import (
    CONF_WEBHOOK,
    CONF_WEBHOOK_ID,
    DOMAIN,
    LOGGER,
    PROVIDER_SEVEN,
)
from .coordinator import SmsGateway24ConfigEntry, SmsGateway24Coordinator
from .entity import async_follow_subentries
from .routes import Route, route_subentries


@callback
def async_setup_push(hass: HomeAssistant, entry: SmsGateway24ConfigEntry) -> None:
    """Listen on the entry's webhook and its routes' while loaded, if push is on."""
    webhook_id = entry.options.get(CONF_WEBHOOK_ID)
    if not entry.options.get(CONF_WEBHOOK) or not webhook_id:
        return
    coordinator = entry.runtime_data

    async def handle(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        return await async_handle_push(coordinator, request)

    webhook.async_register(
        hass,
        DOMAIN,
        f"SMSGateway24 {entry.title}",
        webhook_id,
        handle,
        local_only=False,
        allowed_methods=[METH_POST],
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))
    _async_setup_route_push(hass, entry, webhook_id)


def route_webhook_id(webhook_id: str, subentry_id: str) -> str:
    """The secret id of a route's push address.

    Derived from the entry's secret id, so that it never changes and cannot
    be guessed from the route's subentry id.
    """
    return hmac.new(
        webhook_id.encode(), subentry_id.encode(), hashlib.sha256
    ).hexdigest()


def route_push_addresses(
    entry: SmsGateway24ConfigEntry, webhook_id: str, address: Callable[[str], str]
) -> str:
    """One line per route with its push address, as the options' push page shows them.

    ``address`` makes the full address of a webhook id; "-" stands for no route.
    """
    lines = [
        f"- {subentry.title}: {address(route_webhook_id(webhook_id, subentry_id))}"
        for subentry_id, subentry in route_subentries(entry).items()
    ]
    return "\n".join(lines) or "-"


@callback
def _async_setup_route_push(
    hass: HomeAssistant, entry: SmsGateway24ConfigEntry, webhook_id: str
) -> None:
    """Give each route its push address, as routes are added and removed."""
    registered: set[str] = set()

    @callback
    def follow_subentries() -> None:
        wanted = route_subentries(entry).keys()
        for subentry_id in registered - wanted:
            webhook.async_unregister(hass, route_webhook_id(webhook_id, subentry_id))
        for subentry_id in wanted - registered:
            webhook.async_register(
                hass,
                DOMAIN,
                f"SMSGateway24 {entry.title} {entry.subentries[subentry_id].title}",
                route_webhook_id(webhook_id, subentry_id),
                _route_handler(entry.runtime_data, subentry_id),
                local_only=False,
                allowed_methods=[METH_GET, METH_POST],
            )
        registered.clear()
        registered.update(wanted)

    @callback
    def unregister_all() -> None:
        for subentry_id in registered:
            webhook.async_unregister(hass, route_webhook_id(webhook_id, subentry_id))

    async_follow_subentries(hass, entry, follow_subentries)
    entry.async_on_unload(unregister_all)


def _route_handler(
    coordinator: SmsGateway24Coordinator, subentry_id: str
) -> webhook.HandlerType:
    async def handle(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        return await async_handle_route_push(coordinator, subentry_id, request)

    return handle


def _reject(status: HTTPStatus, reason: str) -> web.Response:
    LOGGER.warning("Refused a pushed SMSGateway24 payload: %s", reason)
    return web.Response(status=status, text=reason)


async def async_handle_push(
    coordinator: SmsGateway24Coordinator, request: web.Request
) -> web.Response:
    """Take one incoming-message or delivery-status payload of the provider."""
    try:
        payload: Any = await request.json()
    except ValueError:
        return _reject(HTTPStatus.BAD_REQUEST, "body is not JSON")
    if not isinstance(payload, dict):
        return _reject(HTTPStatus.BAD_REQUEST, "body is not a JSON object")
    push: Message | StatusReport
    try:
        if "status_id" in payload:
            push = StatusReport.from_push(payload)
        else:
            push = Message.from_push(payload)
    except SmsGateway24ResponseError as err:
        return _reject(HTTPStatus.BAD_REQUEST, str(err))
    if push.device_id is not None and push.device_id not in coordinator.data.phones:
        return _reject(
            HTTPStatus.NOT_FOUND, f"phone {push.device_id} is not in the account"
        )
    # Answered once what it brought is on disk, and fired if Home Assistant runs.
    if isinstance(push, StatusReport):
        await coordinator.async_handle_status_push(push.sms_id, int(push.status))
    else:
        await coordinator.async_receive_pushed(push)
    return web.Response(status=HTTPStatus.OK)


async def async_handle_route_push(
    coordinator: SmsGateway24Coordinator, subentry_id: str, request: web.Request
) -> web.Response:
    """Take a route's push: seven's signed delivery report, UBill's callback."""
    route = coordinator.routes.get(subentry_id)
    if route is None:
        return _reject(HTTPStatus.NOT_FOUND, "the route is not set up")
    if route.provider == PROVIDER_SEVEN:
        return await _async_handle_seven(coordinator, route, request)
    try:
        prompt = ubill.Callback.from_query(request.query)
    except ubill.UBillResponseError as err:
        return _reject(HTTPStatus.BAD_REQUEST, str(err))
    await coordinator.async_handle_ubill_callback(route, prompt.sms_id)
    return web.Response(status=HTTPStatus.OK)


async def _async_handle_seven(
    coordinator: SmsGateway24Coordinator, route: Route, request: web.Request
) -> web.Response:
    """Take a delivery report seven signed with the route's secret, and fresh.

    Anything else changes nothing: without a signing secret, every push is
    refused, since none can be checked.
    """
    if not route.signing_secret:
        return _reject(
            HTTPStatus.FORBIDDEN,
            f"{route.name} has no signing secret to check its pushes with",
        )
    body = await request.read()
    try:
        _verify(coordinator.hass, route.signing_secret, request, body)
    except seven.SevenSignatureError as err:
        return _reject(HTTPStatus.UNAUTHORIZED, str(err))
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return _reject(HTTPStatus.BAD_REQUEST, "body is not JSON")
    event = payload.get("webhook_event") if isinstance(payload, dict) else None
    if isinstance(event, str) and event.strip().lower() != "dlr":
        # Another event the hook was set up for: taken, so that seven stops.
        LOGGER.debug("Ignored a seven %s webhook", event)
        return web.Response(status=HTTPStatus.OK)
    try:
        report = seven.DeliveryReport.from_webhook(payload)
    except seven.SevenResponseError as err:
        return _reject(HTTPStatus.BAD_REQUEST, str(err))
    await coordinator.async_handle_route_status(
        route.subentry_id, report.message_id, report.state
    )
    return web.Response(status=HTTPStatus.OK)


def _verify(
    hass: HomeAssistant, secret: str, request: web.Request, body: bytes
) -> None:
    """Check seven's signature over the URL it called.

    That is the address Home Assistant is reached at from outside, which a
    proxy in front of it may have changed: the URL of the request and the
    external address Home Assistant knows of itself are tried (and their
    path, by the client).
    """
    urls = [str(request.url)]
    with contextlib.suppress(NoURLAvailableError):
        urls.append(f"{get_url(hass, allow_internal=False)}{request.path_qs}")
    refusal = seven.SevenSignatureError("The webhook is not signed")
    for url in urls:
        try:
            seven.verify_signature(
                secret, request.headers, method=request.method, url=url, body=body
            )
        except seven.SevenSignatureError as err:
            refusal = err
        else:
            return
    raise refusal
