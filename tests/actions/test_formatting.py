"""Free-typed numbers and dates are understood or refused with a reason, never misread."""

from __future__ import annotations

from datetime import date

import pytest

from actions.formatting import parse_date, parse_reading, sl_amount, sl_date

BASE = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "value"),
    [("12345", 12345), ("12 345", 12345), ("12.345", 12345), (" 007 ", 7), ("1.234.567", 1234567)],
)
def test_readings_understood(text: str, value: int) -> None:
    assert parse_reading(text) == (value, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("12,5", "decimal"), ("12.5", "decimal"), ("-3", "negativno"), ("abc", "celo število"),
     ("1000000000000", "preveliko"), ("", "celo število"), ("12 34", "celo število")],
)
def test_readings_refused_with_a_reason(text: str, reason: str) -> None:
    value, problem = parse_reading(text)
    assert value is None and reason in problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [("danes", BASE), ("Včeraj", date(2026, 11, 21)), ("vceraj", date(2026, 11, 21)),
     ("20. 11.", date(2026, 11, 20)), ("20.11.2026", date(2026, 11, 20)), ("2026-11-19", date(2026, 11, 19)),
     ("predvčerajšnjim", date(2026, 11, 20)), ("31. 2.", None), ("jutri nekoč", None)],
)
def test_dates(text: str, expected: date | None) -> None:
    assert parse_date(text, BASE) == expected


def test_slovene_formats() -> None:
    assert sl_date("2026-06-30") == "30. 6. 2026"
    assert sl_amount("12345.5") == "12 345,50 €"
