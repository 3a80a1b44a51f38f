"""How many SMS parts a text is billed as, by its encoding (3GPP TS 23.038 / 23.040).

A text every character of which is in the GSM 03.38 default alphabet or its extension table goes
as GSM-7: 160 septets in one SMS, 153 per part of a concatenated one (the user data header takes
the rest); an extension character (€, [, ], {, }, ^, ~, \\, |, form feed) costs two septets (escape +
character). Any other character (č, š, ž, emoji, …) makes the whole text UCS-2: 70 UTF-16 code
units in one SMS, 67 per part; a character outside the BMP costs two. A character is never split
across two parts (an escape pair or a surrogate pair stays together), so parts are filled greedily.

Which characters are GSM-7 comes from the maintained `gsm0338` codec (PyPI); no PyPI package for the
part count itself fits (the candidates are unmaintained or target pydantic 1), so this module adds
only the arithmetic above.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
ESCAPE = "\x1b"


@dataclass(frozen=True)
class SmsSize:
    """encoding, length in septets (GSM-7) or UTF-16 code units (UCS-2), and billed parts."""

    encoding: Literal["gsm7", "ucs2"]
    units: int
    parts: int


@lru_cache(maxsize=4096)
def _gsm7_cost(ch: str) -> int | None:
    """Septets of one character (1, or 2 for the extension table), None when it is not GSM-7."""
    if ch == ESCAPE:  # the escape code itself is not a character one can send
        return None
    try:
        return len(ch.encode("gsm03.38"))
    except UnicodeEncodeError:
        return None


def _gsm7_costs(text: str) -> list[int] | None:
    """Septets per character, or None when some character is not in the GSM-7 alphabet."""
    costs = []
    for ch in text:
        cost = _gsm7_cost(ch)
        if cost is None:
            return None
        costs.append(cost)
    return costs


def _parts(costs: list[int], single: int, per_part: int) -> int:
    total = sum(costs)
    if total <= single:
        return 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > per_part:
            parts, used = parts + 1, 0
        used += cost
    return parts


def sms_size(text: str) -> SmsSize:
    """The encoding a phone would use for `text`, its length in that encoding, and the part count."""
    gsm = _gsm7_costs(text)
    if gsm is not None:
        return SmsSize("gsm7", sum(gsm), _parts(gsm, GSM7_SINGLE, GSM7_PART))
    units = len(text.encode("utf-16-le")) // 2
    if units == len(text):  # no surrogate pairs: every character is one unit
        return SmsSize("ucs2", units, 1 if units <= UCS2_SINGLE else -(-units // UCS2_PART))
    ucs2 = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SmsSize("ucs2", units, _parts(ucs2, UCS2_SINGLE, UCS2_PART))


def sms_parts(text: str) -> int:
    """Billed SMS parts of `text` (an empty text is still one SMS)."""
    return sms_size(text).parts
