"""Support hours: Mon–Fri 8–20, Sat 8–14, closed on Sundays and Slovene public holidays."""

from __future__ import annotations

from datetime import datetime

import pytest

from actions.handoff import TZ, within_support_hours


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        ("2026-11-24T10:00", True),   # a Tuesday at 10:00
        ("2026-11-28T15:00", False),  # a Saturday at 15:00
        ("2026-11-28T13:59", True),   # Saturday before 14:00
        ("2026-06-25T10:00", False),  # 25 June, Statehood Day (a Thursday)
        ("2026-11-22T10:00", False),  # a Sunday
        ("2026-11-24T20:00", False),  # closing time
        ("2026-11-24T07:59", False),
        ("2026-12-25T10:00", False),  # Christmas
    ],
)
def test_support_hours(moment: str, open_: bool) -> None:
    assert within_support_hours(datetime.fromisoformat(moment).replace(tzinfo=TZ)) is open_
