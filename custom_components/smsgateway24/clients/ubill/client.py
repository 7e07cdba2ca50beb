"""Async client for UBill's SMS API."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
import json
import re
import socket
from typing import Any, Self
from urllib.parse import quote

import aiohttp

from .exceptions import (
    UBillApiError,
    UBillAuthenticationError,
    UBillConnectionError,
    UBillResponseError,
    UBillTimeoutError,
)
from .models import (
    UBILL_TIME_ZONE,
    Brand,
    JsonObject,
    NumberStatus,
    SendResult,
    StatusCode,
    parse_code,
    parse_id,
    parse_int,
)

DEFAULT_URL = "https://api.ubill.dev/v1"
DEFAULT_TIMEOUT = 10.0

# International numbers have at most 15 digits (E.164), country code first.
_INTERNATIONAL = re.compile(r"[1-9][0-9]{6,14}")
_DIGITS = frozenset("0123456789")
# How people write numbers: "+995 (555) 12-34-56", "00995.555.123456".
_NUMBER_CHARS = _DIGITS | frozenset("+ -()./")
_API_KEY = re.compile(r"[!-~]+")
_REDACTED = "**REDACTED**"


@dataclass(kw_only=True)
class UBill:
    """One UBill account, reached with its API key.

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
        return f"UBill(url={self.url!r})"

    async def send_sms(
        self,
        numbers: str | Sequence[str],
        text: str,
        *,
        brand_id: int,
        send_time: datetime | None = None,
    ) -> SendResult:
        """Send one text to one or more numbers in one request.

        Numbers are sent as UBill wants them, digits only without ``+`` or
        ``00``; the result carries them so, to match the report's rows. UBill
        has no idempotency key: a repeated request sends again.
        """
        # A number listed twice is sent once.
        digits = tuple(
            dict.fromkeys(international_digits(number) for number in _listed(numbers))
        )
        if not digits:
            raise ValueError("No recipient")
        if not text.strip():
            raise ValueError("The text is empty")
        payload: dict[str, Any] = {
            "brandID": brand_id,
            "numbers": [int(number) for number in digits],
            "text": text,
        }
        if send_time is not None:
            if send_time.tzinfo is None:
                raise ValueError("Datetime must carry a time zone")
            payload["sendTime"] = send_time.astimezone(UBILL_TIME_ZONE).strftime(
                "%Y-%m-%d %H:%M"
            )
        answer = await self._request("POST", "sms/send", payload=payload)
        return SendResult(
            sms_id=parse_id(answer.get("smsID"), "smsID"),
            numbers=digits,
        )

    async def get_balance(self) -> int:
        """The SMS credits left (not money); also the check that the key works."""
        answer = await self._request("GET", "sms/balance")
        return parse_int(answer.get("sms"), "sms")

    async def get_brands(self) -> tuple[Brand, ...]:
        """The account's sender names, authorized or not."""
        answer = await self._request("GET", "sms/brandNames")
        brands = answer.get("brands") or []
        if not isinstance(brands, list):
            raise UBillResponseError("Field 'brands' is not a list")
        return tuple(Brand.from_json(item) for item in brands)

    async def get_report(self, sms_id: str) -> tuple[NumberStatus, ...]:
        """The delivery status of a send, one row per number."""
        if not sms_id.strip():
            raise ValueError("No SMS id")
        answer = await self._request(
            "GET", f"sms/report/{quote(sms_id.strip(), safe='')}"
        )
        rows = answer.get("result") or []
        if not isinstance(rows, list):
            raise UBillResponseError("Field 'result' is not a list")
        return tuple(NumberStatus.from_json(row) for row in rows)

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
        self, method: str, endpoint: str, *, payload: JsonObject | None = None
    ) -> JsonObject:
        """Call one endpoint and return its answer, checked to have succeeded.

        Whatever goes wrong comes out as one of the client's exceptions, and
        none of their texts carries the API key.
        """
        # A key no header can carry is no key UBill issued: refused unsent.
        if not _API_KEY.fullmatch(self.api_key):
            raise UBillAuthenticationError("API key refused: it is not printable ASCII")
        if self.session is None:
            self.session = aiohttp.ClientSession()
            self._own_session = True
        name = endpoint.split("/", 2)[1]
        try:
            async with (
                asyncio.timeout(self.request_timeout),
                self.session.request(
                    method,
                    f"{self.url}/{endpoint}",
                    json=payload,
                    headers={"key": self.api_key, "Accept": "application/json"},
                ) as response,
            ):
                text = await response.text()
                status = response.status
        except TimeoutError as err:
            raise UBillTimeoutError(
                f"No answer to '{name}' within {self.request_timeout:g} s"
            ) from err
        except UnicodeDecodeError as err:
            raise UBillResponseError(
                f"Answer to '{name}' is not text in its charset"
            ) from err
        except (aiohttp.ClientError, socket.gaierror) as err:
            raise UBillConnectionError(
                f"Could not reach UBill for '{name}': {type(err).__name__}"
            ) from err
        return self._decode(name, status, text)

    def _decode(self, name: str, status: int, text: str) -> JsonObject:
        if status == 401:
            raise UBillAuthenticationError("API key refused (HTTP 401)")
        try:
            answer = json.loads(text)
        # Nesting deeper than the interpreter's recursion limit is a RecursionError.
        except ValueError, RecursionError:
            answer = None
        if not isinstance(answer, Mapping):
            raise UBillResponseError(
                f"Answer to '{name}' is not a JSON object (HTTP {status})"
            )
        code = parse_code(answer.get("statusID"))
        if code is None:
            raise UBillResponseError(f"Answer to '{name}' has no statusID")
        if code is not StatusCode.SUCCESS:
            message = answer.get("message")
            raise UBillApiError(
                code,
                self._hidden(message.strip()) if isinstance(message, str) else None,
            )
        if status >= 400:
            raise UBillResponseError(f"Answer to '{name}' is HTTP {status}")
        return answer

    def _hidden(self, text: str) -> str:
        return text.replace(self.api_key, _REDACTED) if self.api_key else text


def international_digits(number: str) -> str:
    """A number as UBill reads it: digits only, international, without ``+`` or ``00``.

    Raise ``ValueError`` for a number that is not international
    (``0555 12 34 56``) or not a number at all.
    """
    written = number.strip()
    digits = "".join(char for char in written if char in _DIGITS)
    if not written.startswith("+") and digits.startswith("00"):
        digits = digits[2:]
    if not _INTERNATIONAL.fullmatch(digits) or not set(written) <= _NUMBER_CHARS:
        raise ValueError(f"{number!r} is not an international phone number")
    return digits


def _listed(numbers: str | Sequence[str]) -> list[str]:
    items = numbers.split(",") if isinstance(numbers, str) else list(numbers)
    return [item for item in items if item.strip()]
