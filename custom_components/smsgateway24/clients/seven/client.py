"""Async client for seven.io's SMS API."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
import json
import re
import socket
from typing import Self

import aiohttp

from .exceptions import (
    SevenApiError,
    SevenAuthenticationError,
    SevenConnectionError,
    SevenResponseError,
    SevenTimeoutError,
)
from .models import (
    Balance,
    DeliveryState,
    JournalEntry,
    ReturnCode,
    SendResult,
    parse_code,
    parse_journal,
)

DEFAULT_URL = "https://gateway.seven.io/api"
DEFAULT_TIMEOUT = 10.0
MAX_TEXT_LENGTH = 1520
MAX_JOURNAL_LIMIT = 100

# seven's limits on its own fields: refused here, before anything is sent.
_SENDER = re.compile(r"[A-Za-z0-9 ._&-]{1,11}|\+?[0-9]{1,16}")
_FOREIGN_ID = re.compile(r"[A-Za-z0-9.\-_@]{1,64}")
_API_KEY = re.compile(r"[!-~]+")


@dataclass(kw_only=True)
class Seven:
    """One seven.io account, reached with its API key.

    Give it an ``aiohttp.ClientSession`` to share one; otherwise it opens its
    own and closes it in ``close``.
    """

    api_key: str = field(repr=False)
    url: str = DEFAULT_URL
    session: aiohttp.ClientSession | None = None
    request_timeout: float = DEFAULT_TIMEOUT
    _own_session: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        """Normalise the URL so paths join cleanly."""
        self.url = self.url.rstrip("/")

    def __repr__(self) -> str:
        """Name the server, never the key."""
        return f"Seven(url={self.url!r})"

    async def send_sms(
        self,
        to: str | Sequence[str],
        text: str,
        *,
        sender: str | None = None,
        delay: datetime | None = None,
        foreign_id: str | None = None,
        no_reload: bool = False,
    ) -> SendResult:
        """Send one text to one or more numbers in one request.

        The result has one entry per recipient: seven may take the message
        for some and refuse others (code 101). When it refuses all of them,
        ``SevenApiError`` says why. ``no_reload`` lifts seven's lock on the
        same text to the same number within 180 seconds.
        """
        data = {"to": ",".join(_recipients(to)), "text": _text(text), "json": "1"}
        if sender is not None:
            data["from"] = _checked(
                _SENDER,
                sender,
                "The sender must be up to 11 letters and digits or up to 16 digits",
            )
        if delay is not None:
            if delay.tzinfo is None:
                raise ValueError("Datetime must carry a time zone")
            data["delay"] = str(int(delay.timestamp()))
        if foreign_id is not None:
            data["foreign_id"] = _checked(
                _FOREIGN_ID,
                foreign_id,
                "The foreign id must be up to 64 of a-z, A-Z, 0-9 and . - _ @",
            )
        if no_reload:
            data["no_reload"] = "1"
        answer = await self._request("POST", "sms", data=data)
        if isinstance(answer, Mapping):
            result = SendResult.from_json(answer)
        elif (code := parse_code(answer)) is not None:
            result = SendResult.bare(code)
        else:
            raise SevenResponseError("Answer to 'sms' is neither an object nor a code")
        if not result.code.accepted:
            raise _refusal(result.code)
        return result

    async def get_balance(self) -> Balance:
        """The account's credit; also the cheapest check that the key works."""
        return Balance.from_json(await self._request("GET", "balance"))

    async def get_journal(
        self,
        *,
        message_id: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        state: DeliveryState | None = None,
        to: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> tuple[JournalEntry, ...]:
        """The sent messages with their delivery state, filtered by seven.

        Days are seven's (German) calendar days; ``limit`` is at most 100.
        """
        if limit is not None and not 1 <= limit <= MAX_JOURNAL_LIMIT:
            raise ValueError(f"The limit must be 1 to {MAX_JOURNAL_LIMIT}")
        if offset is not None and offset < 0:
            raise ValueError("The offset cannot be negative")
        optional: dict[str, object] = {
            "id": message_id,
            "date_from": None if date_from is None else date_from.isoformat(),
            "date_to": None if date_to is None else date_to.isoformat(),
            "state": None if state is None else state.value,
            "to": to,
            "limit": limit,
            "offset": offset,
        }
        params = {
            key: str(value) for key, value in optional.items() if value is not None
        }
        answer = await self._request("GET", "journal/outbound", params=params)
        if (code := parse_code(answer)) is not None:
            raise _refusal(code)
        return parse_journal(answer)

    async def close(self) -> None:
        """Close the session if this client opened it."""
        if self.session is not None and self._own_session:
            await self.session.close()

    async def __aenter__(self) -> Self:
        """Use the client as an async context manager."""
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        """Close what the client opened."""
        await self.close()

    async def _request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> object:
        """Call one endpoint and return its decoded answer.

        Whatever goes wrong comes out as one of the client's exceptions; their
        texts are the client's own words and codes, never seven's echo of a
        request, so the key never shows in them.
        """
        # A key no header can carry is no key seven issued: refused unsent.
        if not _API_KEY.fullmatch(self.api_key):
            raise SevenAuthenticationError(ReturnCode.BAD_API_KEY)
        if self.session is None:
            self.session = aiohttp.ClientSession()
            self._own_session = True
        headers = {"X-Api-Key": self.api_key, "Accept": "application/json"}
        try:
            async with (
                asyncio.timeout(self.request_timeout),
                self.session.request(
                    method,
                    f"{self.url}/{endpoint}",
                    params=params,
                    data=data,
                    headers=headers,
                ) as response,
            ):
                text = await response.text()
                status = response.status
        except TimeoutError as err:
            raise SevenTimeoutError(
                f"No answer to '{endpoint}' within {self.request_timeout:g} s"
            ) from err
        except UnicodeDecodeError as err:
            raise SevenResponseError(
                f"Answer to '{endpoint}' is not text in its charset"
            ) from err
        except (aiohttp.ClientError, socket.gaierror) as err:
            raise SevenConnectionError(
                f"Could not reach seven for '{endpoint}': {type(err).__name__}"
            ) from err
        return _decode(endpoint, status, text)


def _decode(endpoint: str, status: int, text: str) -> object:
    """Read an answer: JSON, where a bare code refusing the key is an error."""
    try:
        answer = json.loads(text)
    # Nesting deeper than the interpreter's recursion limit is a RecursionError.
    except ValueError, RecursionError:
        raise SevenResponseError(
            f"Answer to '{endpoint}' is not JSON (HTTP {status})"
        ) from None
    code = parse_code(answer)
    if code is not None and code.refuses_key:
        raise SevenAuthenticationError(code)
    if status >= 400:
        raise SevenResponseError(f"Answer to '{endpoint}' is HTTP {status}")
    return answer


def is_valid_sender(sender: str) -> bool:
    """Whether seven takes ``sender`` as a message's sender.

    A name of up to 11 letters and digits (spaces and ``._&-`` too), or a
    number of up to 16 digits.
    """
    return _SENDER.fullmatch(sender) is not None


def _recipients(to: str | Sequence[str]) -> list[str]:
    numbers = to.split(",") if isinstance(to, str) else list(to)
    recipients = [number.strip() for number in numbers if number.strip()]
    if not recipients:
        raise ValueError("No recipient")
    return recipients


def _text(text: str) -> str:
    if not text.strip():
        raise ValueError("The text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"The text is longer than {MAX_TEXT_LENGTH} characters")
    return text


def _checked(pattern: re.Pattern[str], value: str, message: str) -> str:
    if not pattern.fullmatch(value):
        raise ValueError(message)
    return value


def _refusal(code: ReturnCode) -> SevenApiError:
    if code.refuses_key:
        return SevenAuthenticationError(code)
    return SevenApiError(code)
