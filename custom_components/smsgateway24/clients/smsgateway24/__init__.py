"""Async client for the SMSGateway24 API.

This package needs only aiohttp: it knows nothing of Home Assistant and could
be published on its own.
"""

from .client import DEFAULT_TIMEOUT, DEFAULT_URL, SmsGateway24
from .exceptions import (
    SmsGateway24ApiError,
    SmsGateway24AuthenticationError,
    SmsGateway24ConnectionError,
    SmsGateway24Error,
    SmsGateway24ResponseError,
    SmsGateway24TimeoutError,
)
from .models import (
    Channel,
    Image,
    Message,
    MessageList,
    MessageStatus,
    MessageStatusInfo,
    OutgoingMessage,
    Phone,
    PhoneStatus,
    SimCard,
    StatusReport,
    digits_of,
    format_utc,
    parse_date,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_URL",
    "Channel",
    "Image",
    "Message",
    "MessageList",
    "MessageStatus",
    "MessageStatusInfo",
    "OutgoingMessage",
    "Phone",
    "PhoneStatus",
    "SimCard",
    "SmsGateway24",
    "SmsGateway24ApiError",
    "SmsGateway24AuthenticationError",
    "SmsGateway24ConnectionError",
    "SmsGateway24Error",
    "SmsGateway24ResponseError",
    "SmsGateway24TimeoutError",
    "StatusReport",
    "digits_of",
    "format_utc",
    "parse_date",
]
