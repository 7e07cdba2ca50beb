"""The control API under `/_sim/`: drives the simulated world over HTTP, JSON in and out.

Used by demos, the end-to-end test and the benchmark, which run the simulator in
another process. Mistakes in a call answer 400, unknown phones or accounts 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .models import Sim, Status

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .models import Account
    from .state import Simulator

type Handler = Callable[[web.Request], Awaitable[web.Response]]


class BadRequestError(Exception):
    """A control call with missing or wrong fields."""


class Body:
    """The JSON object of a control call, with typed reads."""

    def __init__(self, data: dict[str, Any]) -> None:
        """Read fields of `data`."""
        self._data = data

    @classmethod
    async def read(cls, request: web.Request) -> Body:
        """The body of `request`; none counts as an empty object."""
        if not request.can_read_body:
            return cls({})
        try:
            data = json.loads(await request.text())
        except json.JSONDecodeError:
            raise BadRequestError("body is not JSON") from None
        if not isinstance(data, dict):
            raise BadRequestError("body must be a JSON object")
        return cls(data)

    def optional_whole(self, name: str) -> int | None:
        """A whole number, or None when missing."""
        value = self._data.get(name)
        # bool is an int to Python, never to a caller of this API.
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise BadRequestError(f"{name} must be a whole number")

    def whole(self, name: str, default: int | None = None) -> int:
        """A whole number, or `default`; required without one."""
        return _or_default(name, self.optional_whole(name), default)

    def optional_number(self, name: str) -> float | None:
        """A number, or None when missing."""
        value = self._data.get(name)
        if value is None or (
            isinstance(value, int | float) and not isinstance(value, bool)
        ):
            return value
        raise BadRequestError(f"{name} must be a number")

    def number(self, name: str, default: float | None = None) -> float:
        """A number, or `default`; required without one."""
        return _or_default(name, self.optional_number(name), default)

    def optional_text(self, name: str) -> str | None:
        """A string, or None when missing."""
        value = self._data.get(name)
        if value is None or isinstance(value, str):
            return value
        raise BadRequestError(f"{name} must be a string")

    def text(self, name: str, default: str | None = None) -> str:
        """A string, or `default`; required without one."""
        return _or_default(name, self.optional_text(name), default)

    def flag(self, name: str, *, default: bool = False) -> bool:
        """True or false, or `default` when missing."""
        value = self._data.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        raise BadRequestError(f"{name} must be true or false")

    def optional_list(self, name: str) -> list[Any] | None:
        """A list, or None when missing."""
        value = self._data.get(name)
        if value is None or isinstance(value, list):
            return value
        raise BadRequestError(f"{name} must be a list")


def _or_default[T](name: str, value: T | None, default: T | None) -> T:
    if value is not None:
        return value
    if default is None:
        raise BadRequestError(f"{name} is required")
    return default


def _sims(items: list[Any]) -> list[Sim]:
    sims = []
    for item in items:
        if not isinstance(item, dict):
            raise BadRequestError("each sim must be an object")
        body = Body(item)
        sims.append(
            Sim(
                slot=body.whole("slot"),
                carrier=body.text("carrier", ""),
                number=body.text("number", ""),
                country=body.text("country", "us"),
                roaming=body.flag("roaming"),
                iccid=body.text("iccid", ""),
            )
        )
    return sims


def ok(data: object = None) -> web.Response:
    """Answer `data`, or that all went well."""
    return web.json_response({"ok": True} if data is None else data)


class ControlApi:
    """Handlers of the control API, bound to one simulated world."""

    def __init__(self, sim: Simulator, reset: Callable[[Simulator], None]) -> None:
        """Control `sim`; `reset` fills it again after `POST /_sim/reset` empties it."""
        self._sim = sim
        self._reset = reset

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Add the control routes to an application's router."""
        routes: list[tuple[str, str, Handler]] = [
            ("POST", "/_sim/incoming", self.incoming),
            ("POST", "/_sim/phones", self.add_phone),
            ("DELETE", "/_sim/phones/{device_id}", self.remove_phone),
            ("POST", "/_sim/phones/{device_id}/online", self.online),
            ("POST", "/_sim/phones/{device_id}/offline", self.offline),
            ("POST", "/_sim/fail", self.fail),
            ("POST", "/_sim/tick", self.tick),
            ("POST", "/_sim/latency", self.latency),
            ("POST", "/_sim/html_errors", self.html_errors),
            ("POST", "/_sim/expire_token", self.expire_token),
            ("POST", "/_sim/history", self.history),
            ("GET", "/_sim/requests", self.requests),
            ("DELETE", "/_sim/requests", self.clear_requests),
            ("POST", "/_sim/reset", self.reset),
        ]
        for method, path, handler in routes:
            router.add_route(method, path, guarded(handler))

    def _account(self, body: Body) -> Account:
        email = body.optional_text("email")
        if email is None:
            return self._sim.default_account()
        return self._sim.account(email)

    async def incoming(self, request: web.Request) -> web.Response:
        """Make a phone receive a message: `{device_id, phone, text, sim?, received_at?}`."""
        body = await Body.read(request)
        received_at = body.optional_text("received_at")
        sms_id = self._sim.inject_incoming(
            body.whole("device_id"),
            body.text("phone"),
            body.text("text"),
            sim=body.whole("sim", 0),
            received_at=None if received_at is None else _aware(received_at),
        )
        return ok({"sms_id": sms_id})

    async def add_phone(self, request: web.Request) -> web.Response:
        """Add a phone: `{title, sims?, channels?, email?}`."""
        body = await Body.read(request)
        sims = body.optional_list("sims")
        channels = body.optional_list("channels") or []
        if not all(isinstance(channel, int) for channel in channels):
            raise BadRequestError("channels must be whole numbers")
        phone = self._sim.add_phone(
            self._account(body),
            title=body.text("title"),
            sims=None if sims is None else _sims(sims),
            channels=channels,
        )
        return ok({"device_id": phone.id})

    async def remove_phone(self, request: web.Request) -> web.Response:
        """Delete a phone."""
        self._sim.remove_phone(_device_id(request))
        return ok()

    async def online(self, request: web.Request) -> web.Response:
        """Connect a phone."""
        self._sim.set_online(_device_id(request), online=True)
        return ok()

    async def offline(self, request: web.Request) -> web.Response:
        """Disconnect a phone: `{minutes?}` dates its last contact that long ago.

        Without waiting out the online timeout, a client then sees it offline.
        """
        device_id = _device_id(request)
        minutes = (await Body.read(request)).number("minutes", 0)
        if minutes < 0:
            raise BadRequestError("minutes cannot be negative")
        self._sim.set_online(device_id, online=False)
        if minutes:
            self._sim.phone(device_id).last_seen = self._sim.now() - timedelta(
                minutes=minutes
            )
        return ok()

    async def fail(self, request: web.Request) -> web.Response:
        """Force failures: `{sms_id?, device_id?, status?: 9, count?: 1}`."""
        body = await Body.read(request)
        self._sim.force_failure(
            sms_id=body.optional_whole("sms_id"),
            phone_id=body.optional_whole("device_id"),
            status=body.whole("status", Status.FAILED),
            count=body.whole("count", 1),
        )
        return ok()

    async def tick(self, _request: web.Request) -> web.Response:
        """Move every online phone one step."""
        self._sim.tick()
        return ok()

    async def latency(self, request: web.Request) -> web.Response:
        """Delay API answers: `{seconds}`."""
        self._sim.set_latency((await Body.read(request)).number("seconds"))
        return ok()

    async def html_errors(self, request: web.Request) -> web.Response:
        """Fail the next API calls with an HTML page: `{count}` (-1: until reset)."""
        self._sim.set_html_errors((await Body.read(request)).whole("count"))
        return ok()

    async def expire_token(self, request: web.Request) -> web.Response:
        """Invalidate an account's token: `{email?}`."""
        self._sim.expire_token(self._account(await Body.read(request)))
        return ok()

    async def history(self, request: web.Request) -> web.Response:
        """Add past messages: `{count, days?: 30, email?}`."""
        body = await Body.read(request)
        count = body.whole("count")
        days = body.number("days", 30)
        end = self._sim.now()
        self._sim.add_history(
            self._account(body), count, end - timedelta(days=days), end
        )
        return ok({"count": count})

    async def requests(self, _request: web.Request) -> web.Response:
        """List the recorded provider API calls."""
        return web.json_response([entry.as_json() for entry in self._sim.requests])

    async def clear_requests(self, _request: web.Request) -> web.Response:
        """Empty the request log."""
        self._sim.clear_requests()
        return ok()

    async def reset(self, _request: web.Request) -> web.Response:
        """Restore the initial world."""
        self._sim.clear()
        self._reset(self._sim)
        return ok()


def _device_id(request: web.Request) -> int:
    try:
        return int(request.match_info["device_id"])
    except ValueError:
        raise BadRequestError("device id must be a number") from None


def _aware(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequestError(f"{text} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise BadRequestError(f"{text} has no time zone")
    return moment


def guarded(handler: Handler) -> Handler:
    """Turn the simulator's refusals into 400 and 404 JSON answers."""

    async def guarded(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except LookupError as error:
            return web.json_response({"error": f"not found: {error}"}, status=404)
        except (BadRequestError, ValueError) as error:
            return web.json_response({"error": str(error)}, status=400)

    return guarded
