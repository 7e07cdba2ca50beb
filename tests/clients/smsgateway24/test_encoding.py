"""SMS encoding and part counts: GSM-7, its extension table, and UCS-2."""

from __future__ import annotations

import pytest

from custom_components.smsgateway24.clients.smsgateway24.encoding import (
    Encoding,
    sms_length,
)


@pytest.mark.parametrize(
    ("text", "encoding", "parts", "units"),
    [
        ("", Encoding.GSM_7, 1, 0),
        ("Hello", Encoding.GSM_7, 1, 5),
        ("a" * 160, Encoding.GSM_7, 1, 160),
        ("a" * 161, Encoding.GSM_7, 2, 161),
        ("a" * 306, Encoding.GSM_7, 2, 306),
        ("a" * 307, Encoding.GSM_7, 3, 307),
        # Extension characters take two places.
        ("€" * 80, Encoding.GSM_7, 1, 160),
        ("€" * 81, Encoding.GSM_7, 2, 162),
        ("Price: 5€ [net]", Encoding.GSM_7, 1, 18),
        # An escape pair is not split: 152 plain + one € leaves no room for it.
        ("a" * 152 + "€" + "a" * 10, Encoding.GSM_7, 2, 164),
        ("Grüße aus Köln", Encoding.GSM_7, 1, 14),
        ("Łódź", Encoding.UCS_2, 1, 4),
        ("Привет", Encoding.UCS_2, 1, 6),
        ("ж" * 70, Encoding.UCS_2, 1, 70),
        ("ж" * 71, Encoding.UCS_2, 2, 71),
        ("ж" * 134, Encoding.UCS_2, 2, 134),
        ("ж" * 135, Encoding.UCS_2, 3, 135),
        # A character outside the BMP is a surrogate pair: two units.
        ("Alarm 🚨", Encoding.UCS_2, 1, 8),
        ("🚨" * 35, Encoding.UCS_2, 1, 70),
        ("🚨" * 36, Encoding.UCS_2, 2, 72),
        ("ж" * 66 + "🚨", Encoding.UCS_2, 1, 68),
        ("ж" * 66 + "🚨" + "ж" * 4, Encoding.UCS_2, 2, 72),
        ("Ärger über Öl: àèéìòù ÄÖÜäöüßÑñ", Encoding.GSM_7, 1, 31),
        ("ç", Encoding.UCS_2, 1, 1),
    ],
)
def test_sms_length(text: str, encoding: Encoding, parts: int, units: int) -> None:
    length = sms_length(text)
    assert (length.encoding, length.parts, length.units) == (encoding, parts, units)
