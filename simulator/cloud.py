"""What the simulated cloud SMS APIs (seven, UBill) share.

A message to one number moves through its provider's states one step per
tick; a test can make it fail, hold it back, or set its state by hand, and
can make the API refuse its next requests with a code.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import math
from typing import TYPE_CHECKING

from .serving import Call, Reply, respond

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence
    from datetime import datetime

    from aiohttp import web

    from .state import Simulator

# Held until a state is set by hand.
HOLD_FOREVER = -1

# The GSM 03.38 alphabet: a text of these travels 7 bits a character;
# any other character makes the whole text UCS-2.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Escaped characters: each takes two places.
_GSM_ESCAPED = frozenset("\f^{}\\[~]|€")


@dataclass(frozen=True, slots=True)
class TextSize:
    """How a text travels: ``gsm`` or ``ucs2``, and in how many SMS."""

    encoding: str
    parts: int


def text_size(text: str) -> TextSize:
    """Count the SMS a text takes: 160 GSM places (153 a part) or 70 UCS-2 (67)."""
    if set(text) <= _GSM_BASIC | _GSM_ESCAPED:
        places = len(text) + sum(char in _GSM_ESCAPED for char in text)
        single, part, encoding = 160, 153, "gsm"
    else:
        places = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "ucs2"
    return TextSize(encoding, 1 if places <= single else math.ceil(places / part))


@dataclass(slots=True, eq=False, kw_only=True)
class Delivery[S]:
    """One message to one number, on its way."""

    number: str
    state: S
    updated: datetime
    # A scheduled message does not move before this time.
    not_before: datetime | None = None
    # A failure forced by a test, taken instead of the step it replaces.
    fail_with: S | None = None
    # Ticks to stay put; HOLD_FOREVER: until a state is set by hand.
    hold: int = 0


class Progression[S]:
    """The states a message goes through on one provider, and how it fails.

    An early failure replaces the first step (the provider refuses it); a
    late one replaces the last (the recipient's network gives up).
    """

    def __init__(
        self, path: Sequence[S], *, early: Collection[S], late: Collection[S]
    ) -> None:
        """Go along `path`, from the state a message is accepted in to delivered."""
        self.path = tuple(path)
        self.early = frozenset(early)
        self.late = frozenset(late)
        self.failures = self.early | self.late

    def final(self, state: S) -> bool:
        """Whether a message in `state` is done."""
        return state == self.path[-1] or state in self.failures

    def step(self, delivery: Delivery[S], now: datetime) -> None:
        """Move a message one step, unless it waits."""
        if delivery.not_before is not None and delivery.not_before > now:
            return
        if delivery.hold:
            if delivery.hold > 0:
                delivery.hold -= 1
            return
        # A state set by hand off the path (seven's BUFFERED) goes on to the end.
        position = (
            self.path.index(delivery.state)
            if delivery.state in self.path
            else len(self.path) - 2
        )
        following = self.path[position + 1]
        failure = delivery.fail_with
        if failure is not None and (
            failure in self.early or following == self.path[-1]
        ):
            following = failure
        delivery.state = following
        delivery.updated = now


class CloudService[S, A]:
    """One provider: its accounts by API key, messages in flight and faults.

    `A` is the type of its accounts; the faults are those a test switched on.
    """

    def __init__(
        self, name: str, progression: Progression[S], now: Callable[[], datetime]
    ) -> None:
        """Move messages along `progression`; read the time from `now`."""
        self.name = name
        self.progression = progression
        self.now = now
        self.accounts: dict[str, A] = {}
        self.active: list[Delivery[S]] = []
        self.refusal: int | None = None
        self.refusals_left = 0
        self._failures: list[S] = []
        self._holds: list[int] = []

    def account(self, api_key: str | None = None) -> A:
        """The account of a key, or the first one; `LookupError` if none."""
        if api_key is not None:
            return self.accounts[api_key]
        for account in self.accounts.values():
            return account
        raise LookupError(f"no {self.name} account")

    def open_account(self, api_key: str, account: A) -> A:
        """Keep a new account under its key."""
        if api_key in self.accounts:
            raise ValueError(f"a {self.name} account with this key exists")
        self.accounts[api_key] = account
        return account

    def start(self, delivery: Delivery[S]) -> None:
        """Put a new message on its way; failures and holds waiting for it apply."""
        if self.progression.final(delivery.state):
            return
        if self._failures:
            delivery.fail_with = self._failures.pop(0)
        if self._holds:
            delivery.hold = self._holds.pop(0)
        self.active.append(delivery)

    def tick(self, now: datetime) -> None:
        """Move every message in flight one step."""
        for delivery in self.active:
            self.progression.step(delivery, now)
        self.active = [
            delivery
            for delivery in self.active
            if not self.progression.final(delivery.state)
        ]

    def refuse(self, code: int, count: int) -> None:
        """Refuse the next `count` requests with `code` (-1: until told otherwise)."""
        if count < -1:
            raise ValueError("count must be -1 or more")
        self.refusal = code
        self.refusals_left = count

    def take_refusal(self) -> int | None:
        """The code the current request must be refused with, if any."""
        if self.refusal is None or self.refusals_left == 0:
            return None
        if self.refusals_left > 0:
            self.refusals_left -= 1
        return self.refusal

    def force_failure(
        self, deliveries: Sequence[Delivery[S]] | None, state: S, count: int = 1
    ) -> None:
        """Make these messages, or the next `count` ones, end in `state`.

        The next messages are those in flight not yet made to fail, oldest
        first, then those sent later.
        """
        if state not in self.progression.failures:
            raise ValueError(f"{state} is not a failure state")
        if deliveries is not None:
            for delivery in self._unfinished(deliveries):
                delivery.fail_with = state
            return
        for delivery in self.active:
            if count == 0:
                return
            if delivery.fail_with is None:
                delivery.fail_with = state
                count -= 1
        self._failures.extend([state] * count)

    def delay(
        self, deliveries: Sequence[Delivery[S]] | None, ticks: int, count: int = 1
    ) -> None:
        """Hold these messages, or the next `count` ones, for `ticks` ticks."""
        if ticks < HOLD_FOREVER:
            raise ValueError("ticks must be -1 or more")
        if deliveries is not None:
            for delivery in self._unfinished(deliveries):
                delivery.hold = ticks
            return
        for delivery in self.active:
            if count == 0:
                return
            if not delivery.hold:
                delivery.hold = ticks
                count -= 1
        self._holds.extend([ticks] * count)

    def set_state(
        self, deliveries: Sequence[Delivery[S]], state: S, now: datetime
    ) -> None:
        """Put messages in `state` at once, as a delivery report would."""
        for delivery in deliveries:
            delivery.state = state
            delivery.updated = now
            delivery.hold = 0
            done = self.progression.final(state)
            if done and delivery in self.active:
                self.active.remove(delivery)
            elif not done and delivery not in self.active:
                self.active.append(delivery)

    def _unfinished(self, deliveries: Sequence[Delivery[S]]) -> list[Delivery[S]]:
        unfinished = [d for d in deliveries if not self.progression.final(d.state)]
        if not unfinished:
            raise ValueError("the message is already final")
        return unfinished


@dataclass(frozen=True, slots=True, kw_only=True)
class CloudRequest:
    """A request to a cloud SMS API: its fields, its JSON body, the headers read."""

    fields: dict[str, str]
    body: object
    # A JSON body that does not decode.
    bad_json: bool
    headers: dict[str, str]

    def field(self, name: str) -> str | None:
        """A field, trimmed; None when missing or blank."""
        value = self.fields.get(name, "").strip()
        return value or None


async def read_request(request: web.Request, headers: Sequence[str]) -> CloudRequest:
    """Read query and form fields (the form winning), a JSON body, and `headers`."""
    fields = dict(request.query)
    body: object = None
    bad_json = False
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.text())
        except ValueError:
            bad_json = True
    elif request.method == "POST":
        fields |= {
            name: value
            for name, value in (await request.post()).items()
            if isinstance(value, str)
        }
    return CloudRequest(
        fields=fields,
        body=body,
        bad_json=bad_json,
        headers={
            name: request.headers[name] for name in headers if name in request.headers
        },
    )


class CloudApi:
    """Serves one cloud SMS API under its prefix, recording each call."""

    provider: str
    prefix: str
    # The headers the provider reads, kept in the request log.
    headers: tuple[str, ...]

    def __init__(self, sim: Simulator) -> None:
        """Serve the accounts of `sim`."""
        self._sim = sim

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Add the API's route to an application's router."""
        router.add_route("*", self.prefix + "/{endpoint:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one call, after the configured latency, and log it."""
        endpoint = request.match_info["endpoint"].strip("/")
        incoming = await read_request(request, self.headers)
        call = Call(
            provider=self.provider,
            method=self.method(endpoint),
            request=request,
            fields=dict(incoming.fields),
            headers=incoming.headers,
            body=incoming.body,
        )
        return await respond(
            self._sim, call, lambda: self.answer(request.method, endpoint, incoming)
        )

    def method(self, endpoint: str) -> str:
        """The API's name for what an endpoint does, in the request log."""
        return endpoint

    def answer(self, method: str, endpoint: str, incoming: CloudRequest) -> Reply:
        """Answer a call of `endpoint` with the HTTP `method`."""
        raise NotImplementedError
