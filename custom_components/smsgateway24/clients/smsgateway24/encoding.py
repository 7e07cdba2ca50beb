"""How many SMS a text takes, and in which encoding.

A text that fits the GSM 03.38 alphabet travels as GSM-7: 160 characters in
one SMS, 153 per part when it is split (the rest of each part carries the
header that joins them). The characters of the extension table (``€``, ``[``,
``{``...) take two places: an escape and the character. Any other character
makes the whole text UCS-2: 70 UTF-16 units in one SMS, 67 per part.
A two-place character or a surrogate pair is never split across parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


class Encoding(StrEnum):
    """The two encodings an SMS can use."""

    GSM_7 = "GSM-7"
    UCS_2 = "UCS-2"


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsLength:
    """Encoding, number of SMS parts, and units used of a text."""

    encoding: Encoding
    parts: int
    units: int


_LIMITS = {Encoding.GSM_7: (160, 153), Encoding.UCS_2: (70, 67)}


def sms_length(text: str) -> SmsLength:
    """Count the SMS parts ``text`` takes."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        encoding = Encoding.GSM_7
        sizes = [2 if char in GSM7_EXTENSION else 1 for char in text]
    else:
        encoding = Encoding.UCS_2
        sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
    units = sum(sizes)
    single, per_part = _LIMITS[encoding]
    if units <= single:
        return SmsLength(encoding=encoding, parts=1, units=units)
    parts, used = 1, 0
    for size in sizes:
        if used + size > per_part:
            parts, used = parts + 1, 0
        used += size
    return SmsLength(encoding=encoding, parts=parts, units=units)
