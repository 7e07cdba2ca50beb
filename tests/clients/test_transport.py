"""How the backup routes' clients use the network.

They share a session or open and close their own, and a silent, absent or
garbled server comes out as their own timeout, connection or answer error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import json

import aiohttp
import pytest

from custom_components.smsgateway24.clients.seven import (
    Seven,
    SevenConnectionError,
    SevenResponseError,
    SevenTimeoutError,
)
from custom_components.smsgateway24.clients.ubill import (
    UBill,
    UBillConnectionError,
    UBillResponseError,
    UBillTimeoutError,
)
from tests.clients.common import CannedProvider, closed_port, every_text

type Client = Seven | UBill


@dataclass(frozen=True, slots=True, kw_only=True)
class Provider:
    """A client, its cheapest call (path and answer), default URL and errors."""

    name: str
    client: Callable[..., Client]
    path: str
    answer: object
    default_url: str
    connection_error: type[Exception]
    timeout_error: type[Exception]
    response_error: type[Exception]


PROVIDERS = [
    pytest.param(
        Provider(
            name="seven",
            client=Seven,
            path="balance",
            answer={"amount": 1, "currency": "EUR"},
            default_url="https://gateway.seven.io/api",
            connection_error=SevenConnectionError,
            timeout_error=SevenTimeoutError,
            response_error=SevenResponseError,
        ),
        id="seven",
    ),
    pytest.param(
        Provider(
            name="UBill",
            client=UBill,
            path="sms/balance",
            answer={"statusID": 0, "sms": "5"},
            default_url="https://api.ubill.dev/v1",
            connection_error=UBillConnectionError,
            timeout_error=UBillTimeoutError,
            response_error=UBillResponseError,
        ),
        id="ubill",
    ),
]
KEY = "s3ss10n-k3y"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_own_session_is_opened_and_closed(
    canned: CannedProvider, provider: Provider
) -> None:
    canned.reply_json(provider.path, provider.answer)

    async with provider.client(api_key=KEY, url=canned.url + "/") as api:
        assert api.url == canned.url
        await api.get_balance()
        own = api.session
        assert own is not None
        # A second request reuses the session the client opened.
        await api.get_balance()
        assert api.session is own

    assert own.closed
    assert len(canned.received) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_shared_session_is_left_open(
    canned: CannedProvider, session: aiohttp.ClientSession, provider: Provider
) -> None:
    canned.reply_json(provider.path, provider.answer)

    async with provider.client(api_key=KEY, url=canned.url, session=session) as api:
        await api.get_balance()

    assert api.session is session
    assert not session.closed


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_close_without_session(provider: Provider) -> None:
    api = provider.client(api_key=KEY)

    await api.close()

    assert api.session is None
    assert api.url == provider.default_url


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_timeout(
    canned: CannedProvider, session: aiohttp.ClientSession, provider: Provider
) -> None:
    canned.reply(provider.path, json.dumps(provider.answer), delay=60)
    api = provider.client(
        api_key=KEY, url=canned.url, session=session, request_timeout=0.2
    )

    with pytest.raises(provider.timeout_error) as caught:
        await api.get_balance()

    assert isinstance(caught.value, provider.connection_error)
    assert str(caught.value) == "No answer to 'balance' within 0.2 s"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_connection_refused(
    socket_enabled: None, session: aiohttp.ClientSession, provider: Provider
) -> None:
    api = provider.client(
        api_key=KEY, url=f"http://127.0.0.1:{closed_port()}", session=session
    )

    with pytest.raises(provider.connection_error) as caught:
        await api.get_balance()

    assert not isinstance(caught.value, provider.timeout_error)
    assert str(caught.value) == (
        f"Could not reach {provider.name} for 'balance': ClientConnectorError"
    )
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectionError)
    assert KEY not in every_text(caught.value)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_answer_not_in_its_charset(
    canned: CannedProvider, session: aiohttp.ClientSession, provider: Provider
) -> None:
    canned.reply(provider.path, b'{"amount": "\xff", "sms": "\xff"}', charset="utf-8")
    api = provider.client(api_key=KEY, url=canned.url, session=session)

    with pytest.raises(
        provider.response_error,
        match=r"^Answer to 'balance' is not text in its charset$",
    ):
        await api.get_balance()
