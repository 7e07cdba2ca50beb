"""Async client for UBill's SMS API (Georgia).

This package needs only aiohttp: it knows nothing of Home Assistant and could
be published on its own.
"""

from .client import DEFAULT_TIMEOUT, DEFAULT_URL, UBill, international_digits
from .exceptions import (
    UBillApiError,
    UBillAuthenticationError,
    UBillConnectionError,
    UBillError,
    UBillResponseError,
    UBillTimeoutError,
)
from .models import (
    UBILL_TIME_ZONE,
    Brand,
    Callback,
    DeliveryStatus,
    NumberStatus,
    SendResult,
    StatusCode,
    parse_time,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_URL",
    "UBILL_TIME_ZONE",
    "Brand",
    "Callback",
    "DeliveryStatus",
    "NumberStatus",
    "SendResult",
    "StatusCode",
    "UBill",
    "UBillApiError",
    "UBillAuthenticationError",
    "UBillConnectionError",
    "UBillError",
    "UBillResponseError",
    "UBillTimeoutError",
    "international_digits",
    "parse_time",
]
