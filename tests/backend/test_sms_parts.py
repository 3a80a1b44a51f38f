"""SMS part count by encoding: GSM-7 160 / 153, UCS-2 (č, š, ž, emoji) 70 / 67, and the boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from backend.models import DeliveryChannel
from backend.services import notice_texts
from backend.services.sms import sms_parts, sms_size


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts"),
    [
        ("", "gsm7", 0, 1),
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),
        ("a" * 307, "gsm7", 307, 3),
        # extension characters cost two septets: 80 x "€" fill one SMS, one more needs two parts
        ("€" * 80, "gsm7", 160, 1),
        ("€" * 81, "gsm7", 162, 2),
        # an escape pair is never split: 152 + "[" does not fit the first 153-septet part
        ("a" * 152 + "[" + "a" * 10, "gsm7", 164, 2),
        ("a" * 152 + "[" + "a" * 152, "gsm7", 306, 3),
        # GSM-7 has é, ü, Ä, Ç, but not č / š / ž: one of them makes the whole text UCS-2
        ("é" * 160, "gsm7", 160, 1),
        ("č", "ucs2", 1, 1),
        ("č" + "a" * 69, "ucs2", 70, 1),
        ("č" + "a" * 70, "ucs2", 71, 2),
        ("š" * 134, "ucs2", 134, 2),
        ("ž" * 135, "ucs2", 135, 3),
        # a character outside the BMP is two UTF-16 units and stays in one part
        ("🙂" * 35, "ucs2", 70, 1),
        ("a" * 66 + "🙂" + "a" * 10, "ucs2", 78, 2),
        ("a" * 66 + "🙂" + "a" * 67, "ucs2", 135, 3),
        # the escape code itself is not sendable text
        ("\x1b", "ucs2", 1, 1),
    ],
)
def test_size_by_encoding(text: str, encoding: str, units: int, parts: int) -> None:
    size = sms_size(text)
    assert (size.encoding, size.units, size.parts) == (encoding, units, parts)
    assert sms_parts(text) == parts


def test_reminder_is_ucs2_and_counted_as_such() -> None:
    """The reminder says "števca": UCS-2, so ~130 characters are two parts, not one (as 153 would say)."""
    text = notice_texts.reading_reminder(DeliveryChannel.sms, "Moj GEN-I", "SI-E-100001", date(2026, 12, 29)).body
    assert text == (
        "Moj GEN-I: oddajte stanje števca za SI-E-100001 do 29. 12. Odgovorite na to sporočilo s stanjem, "
        "npr. 12345. Za odjavo pošljite STOP."
    )
    size = sms_size(text)
    assert size.encoding == "ucs2" and size.units == len(text) and 67 < len(text) <= 134
    assert size.parts == 2
    ascii_only = text.replace("š", "s").replace("č", "c")
    assert sms_size(ascii_only).encoding == "gsm7" and sms_parts(ascii_only) == 1
