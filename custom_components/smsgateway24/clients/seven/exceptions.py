"""Exceptions raised by the seven client: one tree, one root."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import ReturnCode


class SevenError(Exception):
    """Base of every error the client raises."""


class SevenConnectionError(SevenError):
    """seven could not be reached."""


class SevenTimeoutError(SevenConnectionError):
    """seven did not answer within the request timeout.

    A send that times out may still have been accepted.
    """


class SevenResponseError(SevenError):
    """seven, or what stands in front of it, sent something undocumented.

    Also raised for a webhook payload that is not a delivery report.
    """


class SevenApiError(SevenError):
    """seven refused the request with one of its return codes."""

    def __init__(self, code: ReturnCode) -> None:
        """Keep the code, and say what it means."""
        super().__init__(f"seven refused the request: {int(code)} ({code.description})")
        self.code = code


class SevenAuthenticationError(SevenApiError):
    """The API key was refused: unknown, out of scope, or from a wrong address."""


class SevenSignatureError(SevenError):
    """A webhook's signature is missing, wrong or too old: the request is not seven's."""
