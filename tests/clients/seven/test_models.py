"""seven's states, codes, times, delivery reports and webhook signatures."""

from __future__ import annotations

from datetime import UTC, datetime
import hashlib
import hmac
import json
from typing import Any

import pytest

from custom_components.smsgateway24.clients.seven import (
    DeliveryReport,
    DeliveryState,
    ReturnCode,
    SevenResponseError,
    SevenSignatureError,
    parse_time,
    signature,
    verify_signature,
)
from simulator.cloud import Delivery
from simulator.seven import SevenAccount, SevenMessage, State, signed_webhook
from tests.clients.common import load_fixture

from .conftest import FIXTURES

SECRET = "s1gn1ng-s3cr3t"
NOW = 1_783_000_000
URL = "https://ha.example.com/api/webhook/abc123?x=1"


@pytest.mark.parametrize(
    ("state", "slug", "final", "failed"),
    [
        (DeliveryState.ACCEPTED, "pending", False, False),
        (DeliveryState.BUFFERED, "queued", False, False),
        (DeliveryState.TRANSMITTED, "sent", False, False),
        (DeliveryState.DELIVERED, "delivered", True, False),
        (DeliveryState.NOTDELIVERED, "not_delivered", True, True),
        (DeliveryState.EXPIRED, "expired", True, True),
        (DeliveryState.REJECTED, "rejected", True, True),
        (DeliveryState.FAILED, "failed", True, True),
        (DeliveryState.UNKNOWN, "unknown", False, False),
    ],
)
def test_delivery_states(
    state: DeliveryState, slug: str, final: bool, failed: bool
) -> None:
    assert (state.slug, state.final, state.failed) == (slug, final, failed)


def test_states_read_in_any_case() -> None:
    assert DeliveryState("delivered") is DeliveryState.DELIVERED
    assert DeliveryState("NEW_STATE") is DeliveryState.UNKNOWN
    with pytest.raises(ValueError, match="is not a valid DeliveryState"):
        DeliveryState(7)  # type: ignore[arg-type]


def test_return_codes() -> None:
    assert ReturnCode.ACCEPTED.accepted
    assert ReturnCode.PARTLY_SENT.accepted
    assert not ReturnCode.NO_CREDIT.accepted
    assert [code for code in ReturnCode if code.refuses_key] == [900, 901, 902, 903]
    unknown = ReturnCode(404)
    assert (unknown.name, unknown.description, unknown.accepted) == (
        "UNKNOWN_404",
        "unknown return code",
        False,
    )
    with pytest.raises(ValueError, match="is not a valid ReturnCode"):
        ReturnCode("100")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-15 09:00:00", datetime(2026, 1, 15, 8, 0, tzinfo=UTC)),
        (
            "2026-07-01 14:30:12.717",
            datetime(2026, 7, 1, 12, 30, 12, 717000, tzinfo=UTC),
        ),
        ("2026-07-01T14:30:12+00:00", datetime(2026, 7, 1, 14, 30, 12, tzinfo=UTC)),
        ("1767225600", datetime(2026, 1, 1, tzinfo=UTC)),
        (1767225600, datetime(2026, 1, 1, tzinfo=UTC)),
        (1767225600.5, datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)),
        ("0001-01-01 00:00:00", None),
        ("9" * 5000, None),
        (10**30, None),
        (float("nan"), None),
        ("yesterday", None),
        ("", None),
        (None, None),
        (True, None),
        ([], None),
    ],
)
def test_times(value: object, expected: datetime | None) -> None:
    assert parse_time(value) == expected


def test_delivery_report() -> None:
    report = DeliveryReport.from_webhook(load_fixture(FIXTURES, "webhook_dlr.json"))

    assert report.message_id == "77229135983"
    assert report.state is DeliveryState.DELIVERED
    assert report.timestamp == datetime(2026, 7, 1, 12, 30, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "Field 'webhook' is not an object"),
        ({"webhook_event": "sms_mo", "data": {}}, "Webhook is not a delivery report"),
        ({"data": {}}, "Webhook is not a delivery report"),
        ({"webhook_event": "dlr"}, "Field 'data' is not an object"),
        (
            {"webhook_event": "dlr", "data": {"status": "DELIVERED"}},
            "Delivery report has no message id",
        ),
        (
            {"webhook_event": "dlr", "data": {"msg_id": 1, "status": " "}},
            "Delivery report has no status",
        ),
        (
            {"webhook_event": "dlr", "data": {"msg_id": 1.5, "status": "DELIVERED"}},
            "Field 'msg_id' is not an id",
        ),
    ],
)
def test_payloads_that_are_no_delivery_report(payload: Any, message: str) -> None:
    with pytest.raises(SevenResponseError, match=rf"^{message}$"):
        DeliveryReport.from_webhook(payload)


def test_a_numeric_message_id_is_its_digits() -> None:
    report = DeliveryReport.from_webhook(
        {"webhook_event": "DLR", "data": {"msg_id": 77229135983, "status": "failed"}}
    )
    assert (report.message_id, report.state, report.timestamp) == (
        "77229135983",
        DeliveryState.FAILED,
        None,
    )


# Webhook signatures


def _signed(
    *,
    url: str = URL,
    body: bytes = b'{"webhook_event":"dlr"}',
    timestamp: int = NOW,
    nonce: str = "n" * 32,
    secret: str = SECRET,
) -> dict[str, str]:
    """Headers of a request signed by hand, as seven describes it."""
    lines = f"{timestamp}\n{nonce}\nPOST\n{url}\n{hashlib.md5(body).hexdigest()}"  # noqa: S324
    return {
        "X-Signature": hmac.new(
            secret.encode(), lines.encode(), hashlib.sha256
        ).hexdigest(),
        "X-Timestamp": str(timestamp),
        "X-Nonce": nonce,
    }


def _check(
    headers: dict[str, str],
    *,
    url: str = URL,
    body: bytes = b'{"webhook_event":"dlr"}',
    now: float = NOW,
) -> None:
    verify_signature(SECRET, headers, method="post", url=url, body=body, now=now)


@pytest.mark.parametrize(
    "signed_url",
    [URL, "/api/webhook/abc123?x=1", "/api/webhook/abc123"],
)
def test_signature_over_the_full_url_or_its_path(signed_url: str) -> None:
    _check(_signed(url=signed_url))


def test_signature_checked_against_a_bare_path() -> None:
    _check(_signed(url="/api/webhook/abc123"), url="/api/webhook/abc123")


def test_signature_headers_in_any_case_and_upper_case_hex() -> None:
    headers = _signed()
    _check(
        {
            "x-signature": headers["X-Signature"].upper(),
            "x-timestamp": headers["X-Timestamp"],
            "X-NONCE": headers["X-Nonce"],
        }
    )


def test_signature_matches_the_public_helper() -> None:
    headers = _signed()
    assert headers["X-Signature"] == signature(
        SECRET,
        timestamp=str(NOW),
        nonce="n" * 32,
        method="post",
        url=URL,
        body=b'{"webhook_event":"dlr"}',
    )


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "The webhook is not signed"),
        ({"X-Timestamp": str(NOW), "X-Nonce": "n"}, "The webhook is not signed"),
        ({"X-Signature": "ab", "X-Nonce": "n"}, "The webhook is not signed"),
        ({"X-Signature": "ab", "X-Timestamp": str(NOW)}, "The webhook is not signed"),
        (
            {"X-Signature": "ab", "X-Timestamp": "soon", "X-Nonce": "n"},
            "The webhook's timestamp is not a Unix time",
        ),
        (
            {"X-Signature": "ab", "X-Timestamp": "١٢٣", "X-Nonce": "n"},
            "The webhook's timestamp is not a Unix time",
        ),
        (
            {"X-Signature": "ab", "X-Timestamp": "9" * 40, "X-Nonce": "n"},
            "The webhook's timestamp is not a Unix time",
        ),
    ],
)
def test_unsigned_or_malformed(headers: dict[str, str], message: str) -> None:
    with pytest.raises(SevenSignatureError, match=rf"^{message}$"):
        _check(headers)


@pytest.mark.parametrize("age", [301, -301, 86_400])
def test_stale_or_future_timestamps(age: int) -> None:
    with pytest.raises(SevenSignatureError, match="too old or too new"):
        _check(_signed(timestamp=NOW - age))


def test_fresh_enough() -> None:
    _check(_signed(timestamp=NOW - 300))
    _check(_signed(timestamp=NOW + 300))


@pytest.mark.parametrize(
    "change",
    [
        {"secret": "another"},
        {"body": b'{"webhook_event":"dlr","x":1}'},
        {"url": "https://ha.example.com/api/webhook/other"},
    ],
)
def test_wrong_signatures(change: dict[str, Any]) -> None:
    with pytest.raises(
        SevenSignatureError, match=r"^The webhook's signature is wrong$"
    ):
        _check(_signed(**change))


@pytest.mark.parametrize(
    "swapped", [{"X-Timestamp": str(NOW + 1)}, {"X-Nonce": "m" * 32}]
)
def test_signed_headers_cannot_be_swapped(swapped: dict[str, str]) -> None:
    with pytest.raises(SevenSignatureError, match="signature is wrong"):
        _check(_signed() | swapped)


def test_odd_characters_make_a_wrong_signature() -> None:
    headers = _signed() | {"X-Signature": "é\udcff" * 32, "X-Nonce": "\udcff"}
    with pytest.raises(SevenSignatureError, match="signature is wrong"):
        _check(headers)


def test_no_secret_refuses_everything() -> None:
    with pytest.raises(SevenSignatureError, match="No signing secret"):
        verify_signature(
            "", _signed(secret=""), method="POST", url=URL, body=b"", now=NOW
        )


def test_default_clock_refuses_an_old_webhook() -> None:
    with pytest.raises(SevenSignatureError, match="too old"):
        verify_signature(
            SECRET, _signed(timestamp=1), method="POST", url=URL, body=b"{}"
        )


def test_the_simulator_signs_as_the_client_checks() -> None:
    """Two implementations written apart agree (the simulator shares no code)."""
    moment = datetime.fromtimestamp(NOW, UTC)
    account = SevenAccount(
        api_key="k", balance=1.0, currency="EUR", signing_secret=SECRET
    )
    message = SevenMessage(
        id="1",
        account=account,
        recipient="49176",
        sender="x",
        text="t",
        encoding="gsm",
        parts=1,
        price=0.075,
        created=moment,
        foreign_id=None,
        label=None,
        delivery=Delivery(number="49176", state=State.ACCEPTED, updated=moment),
    )

    body, headers = signed_webhook(message, State.DELIVERED, URL, now=moment)

    _check(headers, body=body)
    assert json.loads(body)["data"] == {
        "msg_id": "1",
        "status": "DELIVERED",
        "timestamp": "2026-07-02 15:46:40",
    }
