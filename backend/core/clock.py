"""Injectable clock: business rules depend on "today", which tests must be able to fix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from backend.core.config import get_settings


@dataclass
class Clock:
    """Returns the current UTC instant and the local (Slovene) calendar date."""

    fixed_now: datetime | None = None
    tz_name: str = "Europe/Ljubljana"

    def now(self) -> datetime:
        """Naive UTC now (stored that way so SQLite and PostgreSQL compare alike)."""
        if self.fixed_now is not None:
            return self.fixed_now
        return datetime.now(timezone.utc).replace(tzinfo=None)

    def today(self) -> date:
        """The local date in Slovenia, which is what campaign and reading rules use."""
        aware = self.now().replace(tzinfo=timezone.utc).astimezone(ZoneInfo(self.tz_name))
        return aware.date()


def clock_from_settings() -> Clock:
    """Real clock, unless BACKEND_FAKE_TODAY pins the date (for demos and e2e tests)."""
    settings = get_settings()
    if settings.backend_fake_today:
        d = date.fromisoformat(settings.backend_fake_today)
        return Clock(fixed_now=datetime.combine(d, time(10, 0)), tz_name=settings.backend_timezone)
    return Clock(tz_name=settings.backend_timezone)
