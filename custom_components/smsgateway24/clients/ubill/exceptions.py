"""Exceptions raised by the UBill client: one tree, one root."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import StatusCode


class UBillError(Exception):
    """Base of every error the client raises."""


class UBillConnectionError(UBillError):
    """UBill could not be reached."""


class UBillTimeoutError(UBillConnectionError):
    """UBill did not answer within the request timeout.

    A send that times out may still have been accepted.
    """


class UBillResponseError(UBillError):
    """UBill, or what stands in front of it, sent something undocumented.

    Also raised for a delivery callback that lacks what it must carry.
    """


class UBillAuthenticationError(UBillError):
    """The API key was refused (HTTP 401)."""


class UBillApiError(UBillError):
    """UBill refused the request: a ``statusID`` other than 0."""

    def __init__(self, code: StatusCode, message: str | None = None) -> None:
        """Keep the code and UBill's own words, if it gave any."""
        words = f": {message}" if message else ""
        super().__init__(
            f"UBill refused the request: {int(code)} ({code.description}){words}"
        )
        self.code = code
        self.provider_message = message
