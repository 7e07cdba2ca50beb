"""Async client for the SMSGateway24 HTTP API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
import json
import re
import socket
from typing import Any, Self

import aiohttp

from .exceptions import (
    SmsGateway24ApiError,
    SmsGateway24AuthenticationError,
    SmsGateway24ConnectionError,
    SmsGateway24Error,
    SmsGateway24ResponseError,
    SmsGateway24TimeoutError,
)
from .models import (
    Image,
    JsonObject,
    MessageList,
    MessageStatus,
    MessageStatusInfo,
    OutgoingMessage,
    Phone,
    PhoneStatus,
    format_utc,
    keyed,
)

DEFAULT_URL = "https://smsgateway24.com"
DEFAULT_TIMEOUT = 10.0

# The provider refuses credentials with HTTP 200 and words, not a code.
_AUTH_WORDS = re.compile(r"token|login|password|unauthori[sz]ed", re.IGNORECASE)
_REDACTED = "**REDACTED**"


@dataclass(kw_only=True)
class SmsGateway24:
    """One account of the provider, reached through its HTTP API.

    Give it an ``aiohttp.ClientSession`` to share one; otherwise it opens
    its own and closes it in ``close``.
    """

    url: str = DEFAULT_URL
    token: str | None = None
    session: aiohttp.ClientSession | None = None
    request_timeout: float = DEFAULT_TIMEOUT
    _own_session: bool = field(default=False, init=False, repr=False)
    _secrets: set[str] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        """Normalise the URL so paths join cleanly."""
        self.url = self.url.rstrip("/")

    def __repr__(self) -> str:
        """Name the server, never the token."""
        return f"SmsGateway24(url={self.url!r})"

    async def get_token(self, email: str, password: str) -> str:
        """Sign in and keep the account's token for the next requests."""
        answer = await self._request(
            "gettoken", {"email": email, "pass": password}, secrets=(password,)
        )
        token = answer.get("token")
        if not isinstance(token, str) or not token:
            raise SmsGateway24ResponseError("Answer has no token")
        self.token = token
        return token

    async def send_sms(
        self,
        to: str | Sequence[str],
        body: str,
        *,
        device_id: int,
        sim: int = 0,
        send_at: datetime | None = None,
        customer_id: int | None = None,
        urgent: bool = False,
        image: Image | None = None,
    ) -> int:
        """Queue one message to one or more numbers; return the first new id.

        Several recipients become consecutive messages on the provider's
        side, and the provider returns only the first id.
        """
        data = self._message_fields(
            to,
            body,
            device_id=device_id,
            sim=sim,
            send_at=send_at,
            customer_id=customer_id,
            urgent=urgent,
        )
        answer = await self._request("addsms", self._with_token(data), image=image)
        return _field_int(answer, "sms_id")

    async def send_sms_with_password(
        self,
        email: str,
        password: str,
        to: str | Sequence[str],
        body: str,
        *,
        device_id: int,
        sim: int = 0,
        send_at: datetime | None = None,
        customer_id: int | None = None,
        urgent: bool = False,
    ) -> int:
        """Queue a message through the legacy method that takes the password."""
        data = self._message_fields(
            to,
            body,
            device_id=device_id,
            sim=sim,
            send_at=send_at,
            customer_id=customer_id,
            urgent=urgent,
        )
        data |= {"email": email, "pass": password}
        answer = await self._request("smstosend", data, secrets=(password,))
        return _field_int(answer, "sms_id")

    async def send_bulk(self, messages: Iterable[OutgoingMessage]) -> None:
        """Queue many messages in one request (the provider returns no ids)."""
        items = [message.as_json() for message in messages]
        if not items:
            raise ValueError("No messages to send")
        payload = json.dumps({"token": self._require_token(), "smsdata": items})
        await self._request("addalotofsms", {"datajson": payload})

    async def get_messages(
        self,
        *,
        device_id: int | None = None,
        status: MessageStatus | None = None,
        begin: datetime | None = None,
        end: datetime | None = None,
        sim: int | None = None,
        customer_id: int | None = None,
        phone: str | None = None,
        newest_first: bool = False,
        only_count: bool = False,
    ) -> MessageList:
        """List the account's messages, filtered on the provider's side.

        Dates are sent in UTC and the provider is asked to answer in UTC, so
        that no zone of the account or of the phone is guessed.
        """
        data: dict[str, str] = {"timezone": "UTC"}
        optional: dict[str, object] = {
            "device_id": device_id,
            "status": None if status is None else int(status),
            "begindate": None if begin is None else format_utc(begin),
            "enddate": None if end is None else format_utc(end),
            "sim": sim,
            "customerid": customer_id,
            "phone": phone,
        }
        data |= {
            key: str(value) for key, value in optional.items() if value is not None
        }
        if newest_first:
            data["orderbydesc"] = "1"
        if only_count:
            data["onlycount"] = "1"
        answer = await self._request("getallsms", self._with_token(data))
        return MessageList.from_json(answer)

    async def count_messages(self, **filters: Any) -> int:
        """Count the messages that match the filters of ``get_messages``."""
        return (await self.get_messages(only_count=True, **filters)).count

    async def get_message_status(self, sms_id: int) -> MessageStatusInfo:
        """Status of one message."""
        answer = await self._request(
            "getsmsstatus", self._with_token({"sms_id": str(sms_id)})
        )
        return MessageStatusInfo.from_json(answer)

    async def get_phones(self) -> dict[int, Phone]:
        """The account's gateway phones, by id."""
        answer = await self._request("getalldevices", self._with_token({}))
        phones = (Phone.from_json(item) for item in keyed(answer.get("device")))
        return {phone.id: phone for phone in phones}

    async def get_phone_status(self, device_id: int) -> PhoneStatus:
        """When one phone was last seen, and whether it is online."""
        answer = await self._request(
            "getdevicestatus", self._with_token({"device_id": str(device_id)})
        )
        return PhoneStatus.from_json(answer)

    async def create_tag(self, title: str) -> int:
        """Create a contact tag (a group for newsletters); return its id."""
        answer = await self._request("savetag", self._with_token({"title": title}))
        return _field_int(answer, "tag_id")

    async def add_contact(
        self, phone: str, tag_id: int, full_name: str | None = None
    ) -> int:
        """Add a contact under a tag; return its id.

        The field is ``tag_id`` in one revision of the documentation and
        ``ctag_id`` in another: both are sent.
        """
        data = {"phone": phone, "tag_id": str(tag_id), "ctag_id": str(tag_id)}
        if full_name:
            data["fullname"] = full_name
        answer = await self._request("savecontact", self._with_token(data))
        return _field_int(answer, "contact_id")

    async def create_newsletter(
        self,
        title: str,
        body: str,
        *,
        device_id: int,
        tag_ids: Sequence[int],
        sim: int = 0,
        send_at: datetime | None = None,
    ) -> int:
        """Create a newsletter to every contact of the tags; return its id."""
        if not tag_ids:
            raise ValueError("A newsletter needs at least one tag")
        data = {
            "title": title,
            "body": body,
            "device_id": str(device_id),
            "tags": ",".join(str(tag) for tag in tag_ids),
            "sim": str(sim),
        }
        if send_at is not None:
            data["time_to_send"] = format_utc(send_at, "%d.%m.%Y %H:%M:%S")
        answer = await self._request("savepaket", self._with_token(data))
        # Older revisions of the API name the id ``paket``.
        key = "paket_id" if "paket_id" in answer else "paket"
        return _field_int(answer, key)

    async def send_telegram(self, telegram_id: str, body: str) -> None:
        """Send a message through the provider's Telegram bot."""
        await self._request(
            "telegrammessage",
            self._with_token({"telegramid": telegram_id, "body": body}),
        )

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

    @staticmethod
    def _message_fields(
        to: str | Sequence[str],
        body: str,
        *,
        device_id: int,
        sim: int,
        send_at: datetime | None,
        customer_id: int | None,
        urgent: bool,
    ) -> dict[str, str]:
        recipients = [to] if isinstance(to, str) else list(to)
        data = {
            "sendto": ",".join(number.strip() for number in recipients),
            "body": body,
            "device_id": str(device_id),
            "sim": str(sim),
        }
        if send_at is not None:
            data["timetosend"] = format_utc(send_at)
        if customer_id is not None:
            data["customerid"] = str(customer_id)
        if urgent:
            data["urgent"] = "1"
        return data

    def _require_token(self) -> str:
        if not self.token:
            raise SmsGateway24AuthenticationError("Not signed in: no token")
        return self.token

    def _with_token(self, data: Mapping[str, str]) -> dict[str, str]:
        return {"token": self._require_token(), **data}

    async def _request(
        self,
        method: str,
        data: Mapping[str, str],
        *,
        image: Image | None = None,
        secrets: Sequence[str] = (),
    ) -> JsonObject:
        """POST form fields to one method and return the decoded answer.

        Whatever goes wrong comes out as one of the client's exceptions, and
        no text of them carries the token or the password.
        """
        hidden = [secret for secret in (self.token, *secrets) if secret]
        try:
            return await self._post(method, data, image)
        except SmsGateway24Error as err:
            for secret in hidden:
                if secret in str(err):
                    raise type(err)(_hide(str(err), hidden)) from None
            raise

    async def _post(
        self, method: str, data: Mapping[str, str], image: Image | None
    ) -> JsonObject:
        if self.session is None:
            self.session = aiohttp.ClientSession()
            self._own_session = True
        body: aiohttp.FormData | dict[str, str]
        if image is None:
            body = dict(data)
        else:
            body = aiohttp.FormData(dict(data))
            body.add_field(
                "file",
                image.content,
                filename=image.filename,
                content_type=image.content_type,
            )
        url = f"{self.url}/getdata/{method}"
        try:
            async with asyncio.timeout(self.request_timeout):
                async with self.session.post(url, data=body) as response:
                    text = await response.text()
                    status = response.status
        except TimeoutError as err:
            raise SmsGateway24TimeoutError(
                f"No answer to '{method}' within {self.request_timeout:g} s"
            ) from err
        except UnicodeDecodeError as err:
            raise SmsGateway24ResponseError(
                f"Answer to '{method}' is not text in its charset"
            ) from err
        except (aiohttp.ClientError, socket.gaierror) as err:
            raise SmsGateway24ConnectionError(
                f"Could not reach the server for '{method}': {type(err).__name__}"
            ) from err
        return _decode(method, status, text)


def _decode(method: str, status: int, text: str) -> JsonObject:
    try:
        answer = json.loads(text)
    # Nesting deeper than the interpreter's recursion limit is a RecursionError.
    except ValueError, RecursionError:
        answer = None
    if not isinstance(answer, dict):
        raise SmsGateway24ResponseError(
            f"Answer to '{method}' is not a JSON object (HTTP {status})"
        )
    error = answer.get("error")
    if error in (1, "1", True):
        message = str(answer.get("message") or "Unknown error")
        if method == "gettoken" or _AUTH_WORDS.search(message):
            raise SmsGateway24AuthenticationError(message)
        raise SmsGateway24ApiError(message)
    if error not in (0, "0", False, None):
        raise SmsGateway24ResponseError(f"Answer to '{method}' has an odd error flag")
    if status >= 400:
        raise SmsGateway24ResponseError(f"Answer to '{method}' is HTTP {status}")
    return answer


def _field_int(answer: JsonObject, key: str) -> int:
    value = answer.get(key)
    if isinstance(value, bool):
        raise SmsGateway24ResponseError(f"Answer has no '{key}'")
    if isinstance(value, int):
        return value
    # isdecimal, not isdigit: int() refuses digits such as "²"; it also
    # refuses more digits than sys.get_int_max_str_digits().
    if isinstance(value, str) and value.strip().isdecimal():
        with contextlib.suppress(ValueError):
            return int(value)
    raise SmsGateway24ResponseError(f"Answer has no '{key}'")


def _hide(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, _REDACTED)
    return text
