"""The notice scheduler process (started by `make run` under supervisord, scripts/stack.py):

    python -m backend.scheduler                  # runs until stopped: a pass every SCHEDULER_INTERVAL_MINUTES
    python -m backend.scheduler --once           # one pass now (the backend's clock: BACKEND_FAKE_TODAY)
    python -m backend.scheduler --once --at 2026-12-26T09:00:00+01:00   # one pass as if it were then

APScheduler fires the pass on a cron trigger in Ljubljana time (minute 0, 15, 30, 45 by default, so
08:00 sharp, when quiet hours end, is always a tick), plus once at start. Everything that makes a
notice go out once is in the database (backend.services.notifications), not in this process: a
restart, a missed tick or a second replica changes nothing. A pass waits for the backend's
migrations (it checks the schema revision first and retries shortly while it is behind).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
from datetime import datetime, timedelta, timezone
from types import FrameType
from zoneinfo import ZoneInfo

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from backend.core.clock import clock_from_settings
from backend.core.config import Settings, get_settings
from backend.db import get_engine, get_sessionmaker
from backend.prestart import alembic_config
from backend.services.notifications import PassResult, run_pass

log = logging.getLogger("backend.scheduler")
RETRY_SECONDS = 10


def schema_ready(engine: Engine) -> bool:
    """True when the database is migrated to the head revision (the backend's prestart does that)."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads()) == heads
    except Exception as exc:  # no database file yet, server not up: not ready
        log.info("database not reachable yet (%s)", type(exc).__name__)
        return False


def one_pass(settings: Settings, at: datetime | None = None) -> PassResult:
    """One pass with its own session, at `at` or the backend's clock."""
    now = at or clock_from_settings().now()
    with get_sessionmaker()() as db:
        return run_pass(db, settings, now)


def parse_instant(text: str) -> datetime:
    """RFC 3339 / ISO date-time; without an offset it is Ljubljana local time."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(get_settings().backend_timezone))
    return value.astimezone(timezone.utc)


def serve(settings: Settings) -> None:
    """Run until SIGTERM / Ctrl-C."""
    tz = ZoneInfo(settings.backend_timezone)
    scheduler = BlockingScheduler(
        timezone=tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}
    )

    def tick() -> None:
        if not schema_ready(get_engine()):
            log.info("database not migrated yet; next try in %d s", RETRY_SECONDS)
            scheduler.add_job(
                tick, "date", run_date=datetime.now(tz) + timedelta(seconds=RETRY_SECONDS), id="retry",
                replace_existing=True,
            )
            return
        one_pass(settings)

    scheduler.add_job(
        tick,
        CronTrigger(minute=f"*/{settings.scheduler_interval_minutes}", timezone=tz),
        id="notices",
        next_run_time=datetime.now(tz),
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("notice scheduler started: a pass every %d min (%s)", settings.scheduler_interval_minutes, tz.key)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


def main(argv: list[str] | None = None) -> None:
    """CLI: serve, or one pass (--once, optionally --at)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--once", action="store_true", help="run one pass and exit (prints what it did as JSON)")
    ap.add_argument("--at", type=parse_instant, help="with --once: the time the pass runs at (dev/demo)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    if args.at is not None and not args.once:
        ap.error("--at needs --once")
    if args.once:
        if not schema_ready(get_engine()):
            raise SystemExit("the database is not migrated (run the backend or python -m backend.prestart first)")
        print(json.dumps(one_pass(settings, args.at).as_dict(), default=str, ensure_ascii=False))
        return
    serve(settings)


if __name__ == "__main__":
    main()
