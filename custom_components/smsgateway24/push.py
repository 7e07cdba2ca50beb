"""Push: the provider's webhooks deliver received messages and delivery reports at once.

Nothing signs the provider's requests: the secrecy of the random webhook id is
the only protection, so every payload is checked against the account.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aiohttp import web
from aiohttp.hdrs import METH_POST
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback

from .clients.smsgateway24 import Message, SmsGateway24ResponseError, StatusReport
from .const import CONF_WEBHOOK, CONF_WEBHOOK_ID, DOMAIN, LOGGER
from .coordinator import SmsGateway24ConfigEntry, SmsGateway24Coordinator


@callback
def async_setup_push(hass: HomeAssistant, entry: SmsGateway24ConfigEntry) -> None:
    """Listen on the entry's webhook while the entry is loaded, if push is on."""
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
