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
        """Aware UTC now; a naive fixed_now (tests) is taken as UTC."""
        if self.fixed_now is not None:
            fixed = self.fixed_now
            return fixed.replace(tzinfo=timezone.utc) if fixed.tzinfo is None else fixed.astimezone(timezone.utc)
        return datetime.now(timezone.utc)

    def today(self) -> date:
        """The local date in Slovenia, which is what campaign and reading rules use."""
        return self.now().astimezone(ZoneInfo(self.tz_name)).date()


def clock_from_settings() -> Clock:
    """Real clock, unless BACKEND_FAKE_TODAY pins the date (for demos and e2e tests)."""
    settings = get_settings()
    if settings.backend_fake_today:
        d = date.fromisoformat(settings.backend_fake_today)
        return Clock(
            fixed_now=datetime.combine(d, time(10, 0), tzinfo=timezone.utc), tz_name=settings.backend_timezone
        )
    return Clock(tz_name=settings.backend_timezone)
