"""The control API of the cloud SMS APIs: `/_sim/seven/...` and `/_sim/ubill/...`.

Sets balances, makes the APIs refuse, holds back or fails deliveries, sets a
delivery state as a report would, and fires seven's signed webhook or UBill's
callback at a URL. JSON in and out; mistakes answer 400, unknown ids 404.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from .cloud import HOLD_FOREVER, Delivery
from .control import BadRequestError, Body, guarded, ok
from .seven import State, signed_webhook
from .ubill import Status, callback_url

if TYPE_CHECKING:
    from .control import Handler
    from .seven import SevenAccount, SevenMessage
    from .state import Simulator
    from .ubill import UBillAccount

# How long a webhook's or callback's target may take to answer.
TARGET_TIMEOUT = 10.0


class CloudControl:
    """Handlers of the cloud APIs' control routes, bound to one simulated world."""

    def __init__(self, sim: Simulator) -> None:
        """Control the cloud APIs of `sim`."""
        self._sim = sim

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Add the control routes to an application's router."""
        routes: list[tuple[str, str, Handler]] = [
            ("POST", "/_sim/seven/accounts", self.seven_account),
            ("POST", "/_sim/seven/balance", self.seven_balance),
            ("POST", "/_sim/seven/refuse", self.seven_refuse),
            ("POST", "/_sim/seven/fail", self.seven_fail),
            ("POST", "/_sim/seven/delay", self.seven_delay),
            ("POST", "/_sim/seven/status", self.seven_status),
            ("POST", "/_sim/seven/webhook", self.seven_webhook),
            ("GET", "/_sim/seven/messages", self.seven_messages),
            ("POST", "/_sim/ubill/accounts", self.ubill_account),
            ("POST", "/_sim/ubill/balance", self.ubill_balance),
            ("POST", "/_sim/ubill/refuse", self.ubill_refuse),
            ("POST", "/_sim/ubill/brands", self.ubill_brand),
            ("POST", "/_sim/ubill/fail", self.ubill_fail),
            ("POST", "/_sim/ubill/delay", self.ubill_delay),
            ("POST", "/_sim/ubill/status", self.ubill_status),
            ("POST", "/_sim/ubill/callback", self.ubill_callback),
            ("GET", "/_sim/ubill/sends", self.ubill_sends),
        ]
        for method, path, handler in routes:
            router.add_route(method, path, guarded(handler))

    # seven

    def _seven_account(self, body: Body) -> SevenAccount:
        return self._sim.seven.account(body.optional_text("api_key"))

    def _seven_deliveries(self, body: Body) -> list[Delivery[State]] | None:
        message_id = body.optional_text("msg_id")
        if message_id is None:
            return None
        return [self._sim.seven.message(message_id).delivery]

    async def seven_account(self, request: web.Request) -> web.Response:
        """Open an account: `{api_key, balance?: 0, currency?: "EUR", signing_secret?}`."""
        body = await Body.read(request)
        account = self._sim.seven.add_account(
            body.text("api_key"),
            balance=body.number("balance", 0.0),
            currency=body.text("currency", "EUR"),
            signing_secret=body.optional_text("signing_secret"),
        )
        return ok({"signing_secret": account.signing_secret})

    async def seven_balance(self, request: web.Request) -> web.Response:
        """Set an account's credit: `{amount, api_key?}`."""
        body = await Body.read(request)
        self._seven_account(body).balance = body.number("amount")
        return ok()

    async def seven_refuse(self, request: web.Request) -> web.Response:
        """Answer the next requests with a return code: `{code, count?: 1}` (-1: all)."""
        body = await Body.read(request)
        self._sim.seven.refuse(body.whole("code"), body.whole("count", 1))
        return ok()

    async def seven_fail(self, request: web.Request) -> web.Response:
        """End a message, or the next ones, in a failure: `{msg_id?, state?, count?}`.

        `state` is NOTDELIVERED (default), EXPIRED, REJECTED or FAILED.
        """
        body = await Body.read(request)
        self._sim.seven.force_failure(
            self._seven_deliveries(body),
            _seven_state(body.text("state", State.NOTDELIVERED)),
            body.whole("count", 1),
        )
        return ok()

    async def seven_delay(self, request: web.Request) -> web.Response:
        """Hold a message, or the next ones: `{msg_id?, ticks?: -1, count?: 1}`.

        -1 holds it until a state is set with `/_sim/seven/status`.
        """
        body = await Body.read(request)
        self._sim.seven.delay(
            self._seven_deliveries(body),
            body.whole("ticks", HOLD_FOREVER),
            body.whole("count", 1),
        )
        return ok()

    async def seven_status(self, request: web.Request) -> web.Response:
        """Put a message in a state, as a delivery report would: `{msg_id, state}`."""
        body = await Body.read(request)
        message = self._sim.seven.message(body.text("msg_id"))
        self._sim.seven.set_state(
            [message.delivery], _seven_state(body.text("state")), self._sim.now()
        )
        return ok()

    async def seven_webhook(self, request: web.Request) -> web.Response:
        """POST a signed `dlr` webhook to a URL: `{url, msg_id, state?, path_only?, secret?}`.

        The state is the message's own unless given; the signature covers the
        full URL, or its path with `path_only`; `secret` signs it with
        another secret than the account's. Answers the target's HTTP status.
        """
        body = await Body.read(request)
        url = body.text("url")
        message: SevenMessage = self._sim.seven.message(body.text("msg_id"))
        state = body.optional_text("state")
        payload, headers = signed_webhook(
            message,
            message.state if state is None else _seven_state(state),
            url,
            now=self._sim.now(),
            path_only=body.flag("path_only"),
            secret=body.optional_text("secret"),
        )
        return await _call_target("POST", url, data=payload, headers=headers)

    async def seven_messages(self, _request: web.Request) -> web.Response:
        """List every seven message, oldest first, with its state."""
        return web.json_response(
            [
                {
                    "id": message.id,
                    "to": message.recipient,
                    "from": message.sender,
                    "text": message.text,
                    "foreign_id": message.foreign_id,
                    "state": message.state.value,
                }
                for message in self._sim.seven.messages.values()
            ]
        )

    # UBill

    def _ubill_account(self, body: Body) -> UBillAccount:
        return self._sim.ubill.account(body.optional_text("api_key"))

    def _ubill_deliveries(self, body: Body) -> list[Delivery[Status]] | None:
        sms_id = body.optional_text("sms_id")
        if sms_id is None:
            return None
        return self._sim.ubill.deliveries(sms_id, body.optional_text("number"))

    async def ubill_account(self, request: web.Request) -> web.Response:
        """Open an account: `{api_key, sms?: 0, callback_key?}`."""
        body = await Body.read(request)
        self._sim.ubill.add_account(
            body.text("api_key"),
            sms_credits=body.whole("sms", 0),
            callback_key=body.text("callback_key", ""),
        )
        return ok()

    async def ubill_balance(self, request: web.Request) -> web.Response:
        """Set an account's SMS credits: `{sms, api_key?}`."""
        body = await Body.read(request)
        self._ubill_account(body).credits = body.whole("sms")
        return ok()

    async def ubill_refuse(self, request: web.Request) -> web.Response:
        """Refuse the next requests: `{code, count?: 1}` (-1: all).

        `code` is a `statusID` (10, 40, 99...), or 401 for the plain-text
        HTTP 401 of a refused key.
        """
        body = await Body.read(request)
        self._sim.ubill.refuse(body.whole("code"), body.whole("count", 1))
        return ok()

    async def ubill_brand(self, request: web.Request) -> web.Response:
        """Add or change a brand: `{name, authorized?: true, id?, api_key?}`."""
        body = await Body.read(request)
        brand = self._sim.ubill.add_brand(
            self._ubill_account(body),
            body.text("name"),
            authorized=body.flag("authorized", default=True),
            brand_id=body.optional_whole("id"),
        )
        return ok({"id": brand.id})

    async def ubill_fail(self, request: web.Request) -> web.Response:
        """End a send, or the next messages, in a failure: `{sms_id?, number?, status?, count?}`.

        `status` is 2 (not delivered, the default) or 4 (error).
        """
        body = await Body.read(request)
        self._sim.ubill.force_failure(
            self._ubill_deliveries(body),
            _ubill_status(body.whole("status", Status.NOT_DELIVERED)),
            body.whole("count", 1),
        )
        return ok()

    async def ubill_delay(self, request: web.Request) -> web.Response:
        """Hold a send, or the next messages: `{sms_id?, number?, ticks?: -1, count?: 1}`."""
        body = await Body.read(request)
        self._sim.ubill.delay(
            self._ubill_deliveries(body),
            body.whole("ticks", HOLD_FOREVER),
            body.whole("count", 1),
        )
        return ok()

    async def ubill_status(self, request: web.Request) -> web.Response:
        """Put a send's messages in a status: `{sms_id, number?, status}`."""
        body = await Body.read(request)
        self._sim.ubill.set_state(
            self._sim.ubill.deliveries(
                body.text("sms_id"), body.optional_text("number")
            ),
            _ubill_status(body.whole("status")),
            self._sim.now(),
        )
        return ok()

    async def ubill_callback(self, request: web.Request) -> web.Response:
        """Call a URL as UBill's delivery callback: `{url, sms_id, number?, key?}`.

        With the send's first number unless given, its current status, and
        the account's callback key unless given. Answers the target's HTTP status.
        """
        body = await Body.read(request)
        sms_id = body.text("sms_id")
        sent = self._sim.ubill.send_of(sms_id)
        delivery = self._sim.ubill.deliveries(sms_id, body.optional_text("number"))[0]
        url = callback_url(
            body.text("url"),
            sent,
            delivery,
            key=body.text("key", sent.account.callback_key),
            now=self._sim.now(),
        )
        return await _call_target("GET", url)

    async def ubill_sends(self, _request: web.Request) -> web.Response:
        """List every UBill send, oldest first, with each number's status."""
        return web.json_response(
            [
                {
                    "sms_id": sent.sms_id,
                    "brand_id": sent.brand_id,
                    "text": sent.text,
                    "numbers": {
                        number: int(delivery.state)
                        for number, delivery in sent.deliveries.items()
                    },
                }
                for sent in self._sim.ubill.sends.values()
            ]
        )


def _seven_state(value: str) -> State:
    try:
        return State(value.upper())
    except ValueError:
        raise BadRequestError(f"{value} is not a seven delivery state") from None


def _ubill_status(value: int) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise BadRequestError(f"{value} is not a UBill status") from None


async def _call_target(
    method: str,
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """Call a webhook's or callback's target; answer its status, or 502."""
    try:
        async with (
            aiohttp.ClientSession() as session,
            asyncio.timeout(TARGET_TIMEOUT),
            session.request(method, url, data=data, headers=headers) as response,
        ):
            return ok({"status": response.status})
    except (aiohttp.ClientError, TimeoutError) as error:
        return web.json_response(
            {"error": f"could not reach {url}: {type(error).__name__}"}, status=502
        )
