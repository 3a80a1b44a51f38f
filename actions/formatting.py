"""Slovene formatting of dates, amounts and free-typed user input (numbers, dates)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Optional, Union

MONTHS = ["januar", "februar", "marec", "april", "maj", "junij", "julij", "avgust", "september",
          "oktober", "november", "december"]


def fold(text: str) -> str:
    """Lower-case without diacritics, for matching what people type."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def sl_date(value: Union[str, date, None]) -> str:
    """2026-06-30 -> "30. 6. 2026" (Slovene style)."""
    if value is None:
        return "—"
    d = date.fromisoformat(str(value)[:10]) if not isinstance(value, date) else value
    return f"{d.day}. {d.month}. {d.year}"


def sl_amount(value: Union[str, float, int, None]) -> str:
    """12.5 -> "12,50 €"."""
    if value is None:
        return "—"
    return f"{float(value):,.2f} €".replace(",", " ").replace(".", ",")


def today() -> date:
    return datetime.now().date()


def parse_reading(text: str) -> tuple[Optional[int], Optional[str]]:
    """A meter reading typed by a person -> (value, None) or (None, Slovene reason).

    "12 345" and "12.345" are thousands groups and read as 12345 (the user confirms the
    summary before anything is stored); "12,5" has decimals, which the portal refuses.
    """
    raw = text.strip()
    if re.fullmatch(r"-\s*\d+([.,]\d+)?", raw):
        return None, "Stanje števca ne more biti negativno. Vpišite ga brez predznaka."
    if re.fullmatch(r"\d+,\d+", raw) or re.fullmatch(r"\d+\.\d{1,2}", raw):
        return None, "Stanje vpišite brez decimalnih mest (npr. 12345)."
    if re.fullmatch(r"\d{1,3}([ .]\d{3})+|\d+", raw):
        digits = re.sub(r"[ .]", "", raw)
        if len(digits) > 9:
            return None, "To število je preveliko za stanje števca. Preverite ga in vpišite znova."
        return int(digits), None
    return None, "Stanje vpišite kot celo število, brez decimalk, npr. 12345."


def parse_date(text: str, base: Optional[date] = None) -> Optional[date]:
    """ "danes", "včeraj", "predvčerajšnjim", "20. 11.", "20.11.2026", "2026-11-20" -> date."""
    base = base or today()
    t = fold(text).strip().rstrip(".")
    if t in ("danes", "today", "zdaj", "sedaj"):
        return base
    if t in ("vceraj", "vcer"):
        return base - timedelta(days=1)
    if t in ("predvcerajsnjim", "predvceraj"):
        return base - timedelta(days=2)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        y, mo, d = map(int, m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})\s*\.\s*(\d{1,2})\s*\.?\s*(\d{4})?", t)
        if not m:
            return None
        d, mo = int(m.group(1)), int(m.group(2))
        y = int(m.group(3)) if m.group(3) else base.year
    try:
        return date(y, mo, d)
    except ValueError:
        return None
