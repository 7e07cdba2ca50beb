"""Exceptions raised by the SMSGateway24 client: one tree, one root."""

from __future__ import annotations


class SmsGateway24Error(Exception):
    """Base of every error the client raises."""


class SmsGateway24ConnectionError(SmsGateway24Error):
    """The provider could not be reached."""


class SmsGateway24TimeoutError(SmsGateway24ConnectionError):
    """The provider did not answer within the request timeout."""


class SmsGateway24ResponseError(SmsGateway24Error):
    """The provider answered with something that is not the documented JSON."""


class SmsGateway24ApiError(SmsGateway24Error):
    """The provider refused the request and said why."""

    def __init__(self, message: str) -> None:
        """Keep the provider's own words for the caller."""
        super().__init__(message)
        self.provider_message = message


class SmsGateway24AuthenticationError(SmsGateway24ApiError):
    """The e-mail, password or token was refused."""
