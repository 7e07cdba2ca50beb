"""Async client for seven.io's SMS API (formerly sms77.io).

This package needs only aiohttp: it knows nothing of Home Assistant and could
be published on its own.
"""

from .client import (
    DEFAULT_TIMEOUT,
    DEFAULT_URL,
    MAX_TEXT_LENGTH,
    Seven,
    is_valid_sender,
)
from .exceptions import (
    SevenApiError,
    SevenAuthenticationError,
    SevenConnectionError,
    SevenError,
    SevenResponseError,
    SevenSignatureError,
    SevenTimeoutError,
)
from .models import (
    SEVEN_TIME_ZONE,
    Balance,
    DeliveryReport,
    DeliveryState,
    Encoding,
    JournalEntry,
    ReturnCode,
    SendResult,
    SentMessage,
    parse_time,
)
from .webhook import (
    MAX_AGE,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
    verify_signature,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_URL",
    "MAX_AGE",
    "MAX_TEXT_LENGTH",
    "NONCE_HEADER",
    "SEVEN_TIME_ZONE",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Balance",
    "DeliveryReport",
    "DeliveryState",
    "Encoding",
    "JournalEntry",
    "ReturnCode",
    "SendResult",
    "SentMessage",
    "Seven",
    "SevenApiError",
    "SevenAuthenticationError",
    "SevenConnectionError",
    "SevenError",
    "SevenResponseError",
    "SevenSignatureError",
    "SevenTimeoutError",
    "is_valid_sender",
    "parse_time",
    "signature",
    "verify_signature",
]
