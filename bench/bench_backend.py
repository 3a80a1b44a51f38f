"""Backend latency benchmark: p50/p95 of reading submit and invoice listing vs. invoice-table size.

    .venv/bin/python bench/bench_backend.py                    # 10 000 and 1 000 000 invoices (~1-2 min)
    .venv/bin/python bench/bench_backend.py --sizes 10000,1000000

Each size gets a fresh SQLite file (or, with --database-url, the given empty database is reused
after dropping everything; a PostgreSQL DATABASE_URL, e.g. from scripts/with_postgres.sh, is used
automatically), migrated to head, demo-seeded and bulk-filled. Requests go through the
FastAPI app in-process (TestClient), so figures include routing, validation and serialization.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from alembic import command  # noqa: E402
from sqlalchemy import Engine, select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from backend.core.clock import Clock  # noqa: E402
from backend.core.config import Settings, get_settings  # noqa: E402
from backend.db import make_engine  # noqa: E402
from backend.deps import get_clock, get_db  # noqa: E402
from backend.main import app  # noqa: E402
from backend.models import AccessLevel, AccountAccess, Base, Customer, MeteringPoint, PortalAccount  # noqa: E402
from backend.prestart import alembic_config  # noqa: E402
from backend.seed import seed_bulk, seed_demo  # noqa: E402

API_KEY = "bench-key"
WARMUP = 20


def pct(values: list[float], q: int) -> float:
    """Percentile in milliseconds (inclusive method)."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def prepare(url: str, invoices: int, clock: Clock) -> tuple[Engine, float]:
    """Migrate, seed demo and bulk; returns the engine and the fill time in seconds."""
    eng = make_engine(url)
    Base.metadata.drop_all(eng)
    with eng.begin() as c:
        c.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    command.upgrade(alembic_config(url), "head")
    t0 = time.perf_counter()
    with Session(eng) as s:
        seed_demo(s, clock)
        seed_bulk(s, clock, customers=max(1000, invoices // 12), invoices=invoices)
        # a portal account for the first bulk customer so its invoices can be listed
        cust = s.scalars(select(Customer).where(Customer.customer_number == "B000000000")).one()
        mp = s.scalars(select(MeteringPoint).where(MeteringPoint.customer_id == cust.id)).one()
        acct = PortalAccount(email="bulk0@example.invalid", customer_id=cust.id, created_at=clock.now())
        s.add(acct)
        s.flush()
        s.add(
            AccountAccess(
                account_id=acct.id, metering_point_id=mp.id, level=AccessLevel.polni, granted_at=clock.now()
            )
        )
        s.commit()
    return eng, time.perf_counter() - t0


def login(client: TestClient, identifier: str, conv: str) -> dict[str, str]:
    """Verification round trip through the dev outbox."""
    h = {"X-API-Key": API_KEY}
    client.post(
        "/api/v1/verification/start", headers=h, json={"identifier": identifier, "conversation_id": conv}
    )
    body = client.get("/api/v1/dev/outbox", headers=h, params={"limit": 1}).json()[0]["body"]
    code = body.split(": ", 1)[1][:6]
    tok = client.post("/api/v1/verification/confirm", headers=h, json={"conversation_id": conv, "code": code})
    return {**h, "Authorization": f"Bearer {tok.json()['token']}", "X-Conversation-Id": conv}


def run_size(url: str, invoices: int, n: int) -> dict[str, float]:
    """Measure both operations at one size."""
    now = datetime.utcnow().replace(microsecond=0)
    clock = Clock(fixed_now=now)
    eng, fill = prepare(url, invoices, clock)
    maker = sessionmaker(bind=eng, expire_on_commit=False)

    def _db() -> Iterator[Session]:
        s = maker()
        try:
            yield s
        finally:
            s.close()

    settings = Settings(
        database_url=url, backend_api_key=API_KEY, dev_outbox_enabled=True, otp_max_sends=1000
    )
    app.dependency_overrides[get_db] = _db
    app.dependency_overrides[get_clock] = lambda: clock
    app.dependency_overrides[get_settings] = lambda: settings
    try:
        with TestClient(app) as client:
            ana = login(client, "ana.novak@example.com", "bench-a")
            bulk = login(client, "bulk0@example.invalid", "bench-b")
            mp = "SI-E-100001"
            last = client.get(f"/api/v1/me/metering-points/{mp}/readings", headers=ana, params={"limit": 1})
            value = last.json()[0]["value"]
            submit: list[float] = []
            listing: list[float] = []
            for i in range(-WARMUP, n):
                value += 1
                t0 = time.perf_counter()
                r = client.post(
                    f"/api/v1/me/metering-points/{mp}/readings",
                    headers=ana,
                    json={
                        "value": value,
                        "idempotency_key": f"bench-{invoices}-{i}",
                        "type": "lastna_evidenca",
                    },
                )
                if i >= 0:
                    submit.append(time.perf_counter() - t0)
                assert r.status_code == 201, r.text
                t0 = time.perf_counter()
                r = client.get("/api/v1/me/invoices", headers=bulk, params={"limit": 20})
                if i >= 0:
                    listing.append(time.perf_counter() - t0)
                assert r.status_code == 200 and r.json()["items"], r.text
                clock.fixed_now = now + timedelta(seconds=i + WARMUP + 1)
    finally:
        app.dependency_overrides.clear()
        eng.dispose()
    return {
        "fill_s": fill,
        "submit_p50": pct(submit, 50),
        "submit_p95": pct(submit, 95),
        "list_p50": pct(listing, 50),
        "list_p95": pct(listing, 95),
    }


def main() -> None:
    """Run the sizes and print a table plus the largest/smallest ratio."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--sizes", default="10000,1000000", help="comma-separated invoice counts (e.g. 10000,1000000)"
    )
    ap.add_argument("--requests", type=int, default=200, help="requests per operation and size")
    ap.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL")
        if os.environ.get("DATABASE_URL", "").startswith("postgres")
        else None,
        help="database to use (emptied first) instead of temp SQLite files; default: a PG DATABASE_URL",
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            url = args.database_url or f"sqlite:///{Path(tmp) / f'bench_{size}.db'}"
            print(f"[bench] {size} invoices: filling ...", flush=True)
            results[size] = run_size(url, size, args.requests)
            r = results[size]
            print(
                f"[bench] {size:>9} invoices (filled in {r['fill_s']:.1f}s): "
                f"submit p50 {r['submit_p50']:.2f} ms p95 {r['submit_p95']:.2f} ms | "
                f"invoice list p50 {r['list_p50']:.2f} ms p95 {r['list_p95']:.2f} ms",
                flush=True,
            )
    lo, hi = min(sizes), max(sizes)
    if lo != hi:
        a, b = results[lo], results[hi]
        print(f"\nratio {hi}/{lo} invoices:")
        for key in ("submit_p50", "submit_p95", "list_p50", "list_p95"):
            print(f"  {key:<11} {b[key] / a[key]:.2f}x  ({a[key]:.2f} ms -> {b[key]:.2f} ms)")


if __name__ == "__main__":
    main()
