"""Scheduler benchmark: how long one day's notice pass takes for 100 000 subscriptions.

    .venv/bin/python bench/bench_scheduler.py                      # 100 000 reminders, SQLite (~1 min)
    .venv/bin/python bench/bench_scheduler.py --subscriptions 20000
    scripts/with_postgres.sh .venv/bin/python bench/bench_scheduler.py   # the same on PostgreSQL

A fresh database (a temp SQLite file, or the DATABASE_URL / --database-url one, emptied first) is
migrated, demo-seeded, and filled with N bulk customers, each with a portal account, one metering
point (window 1.–31.) and one reading-reminder subscription (half by SMS, half by e-mail). Then the
passes run in-process, as the scheduler process runs them, with the clock fixed on the window's
first day:

- day pass at 09:00: claims every reminder (insert-or-skip), renders it, counts SMS parts, writes
  the outbox;
- the next pass the same day: finds nothing left to do (the periodic cost on a busy day);
- night pass at 00:30 on the next window's first day: claims and holds every reminder; 08:00 pass:
  releases them all to the outbox.
No network: SQLite in-process, or PostgreSQL on loopback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from sqlalchemy import Engine, func, insert, select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from backend.core.clock import Clock  # noqa: E402
from backend.core.config import Settings  # noqa: E402
from backend.db import make_engine  # noqa: E402
from backend.models import (  # noqa: E402
    AccessLevel,
    AccountAccess,
    Base,
    Customer,
    DeliveryChannel,
    MeteringPoint,
    OutboxMessage,
    PortalAccount,
    Subscription,
    SubscriptionKind,
)
from backend.prestart import alembic_config  # noqa: E402
from backend.seed import seed_bulk, seed_demo  # noqa: E402
from backend.services.notifications import PassResult, run_pass  # noqa: E402

LJ = ZoneInfo("Europe/Ljubljana")
SEEDED = datetime(2026, 11, 22, 9, tzinfo=timezone.utc)
BATCH = 20000


def prepare(url: str, n: int) -> tuple[Engine, float]:
    """Migrate, seed demo + n bulk customers with one reminder subscription each."""
    eng = make_engine(url)
    Base.metadata.drop_all(eng)
    with eng.begin() as c:
        c.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    command.upgrade(alembic_config(url), "head")
    t0 = time.perf_counter()
    clock = Clock(fixed_now=SEEDED)
    with Session(eng) as s:
        seed_demo(s, clock)
        seed_bulk(s, clock, customers=n, invoices=0)
        rows = s.execute(
            select(Customer.id, Customer.contact_email, MeteringPoint.id)
            .join(MeteringPoint, MeteringPoint.customer_id == Customer.id)
            .where(Customer.customer_number.like("B%"))
            .order_by(Customer.id)
        ).all()
        base = (s.scalar(select(func.max(PortalAccount.id))) or 0) + 1
        conn = s.connection()
        for start in range(0, len(rows), BATCH):
            chunk = list(enumerate(rows[start : start + BATCH], start=start))
            conn.execute(
                insert(PortalAccount),
                [{"id": base + i, "email": email, "customer_id": cid, "created_at": SEEDED} for i, (cid, email, _) in chunk],
            )
            conn.execute(
                insert(AccountAccess),
                [
                    {"account_id": base + i, "metering_point_id": mp, "level": AccessLevel.polni, "granted_at": SEEDED}
                    for i, (_, _, mp) in chunk
                ],
            )
            conn.execute(
                insert(Subscription),
                [
                    {
                        "account_id": base + i,
                        "metering_point_id": mp,
                        "kind": SubscriptionKind.reading_reminder,
                        "channel": DeliveryChannel.sms if i % 2 == 0 else DeliveryChannel.email,
                        "contact": f"+38640{i:06d}" if i % 2 == 0 else email,
                        "consent_at": SEEDED,
                        "consent_source": "chat",
                        "status": "active",
                        "created_at": SEEDED,
                        "updated_at": SEEDED,
                    }
                    for i, (_, email, mp) in chunk
                ],
            )
        s.commit()
    return eng, time.perf_counter() - t0


def timed(label: str, fn: Callable[[], PassResult]) -> PassResult:
    t0 = time.perf_counter()
    res = fn()
    secs = time.perf_counter() - t0
    print(
        f"  {label:<42} {secs:8.2f} s   claimed {res.reminders:>7}, held {res.held:>7}, "
        f"released {res.released:>7}, to outbox {res.queued:>7}"
    )
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subscriptions", type=int, default=100_000)
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = ap.parse_args()
    n = args.subscriptions
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url if args.database_url.startswith("postgresql") else f"sqlite:///{tmp}/bench.db"
        print(f"scheduler bench: {n} reading-reminder subscriptions on {url.split(':')[0]} (window 1.–31.)")
        eng, fill = prepare(url, n)
        print(f"  fill (demo + bulk customers, accounts, subscriptions): {fill:.1f} s")
        settings = Settings(database_url=url)
        maker = sessionmaker(bind=eng, expire_on_commit=False)
        with maker() as db:

            def at(*when: int) -> Callable[[], PassResult]:
                return lambda: run_pass(db, settings, datetime(*when, tzinfo=LJ))  # type: ignore[misc]

            day = timed("day pass, 1. 12. 09:00", at(2026, 12, 1, 9))
            timed("next pass, 1. 12. 09:15 (nothing left)", at(2026, 12, 1, 9, 15))
            night = timed("night pass, 1. 1. 00:30 (held)", at(2027, 1, 1, 0, 30))
            morning = timed("morning pass, 1. 1. 08:00 (release)", at(2027, 1, 1, 8))
            reminders = OutboxMessage.body.like("%števca%")
            outbox = db.scalar(select(func.count()).select_from(OutboxMessage).where(reminders))
        eng.dispose()
    ok = day.reminders == n and night.held == n and morning.released == n and outbox == 2 * n
    print(f"  outbox rows: {outbox} (expected {2 * n}) -> {'ok' if ok else 'MISMATCH'}")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
