"""Liveness/readiness probe (public)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from backend.deps import ClockDep, SessionDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(db: SessionDep, clock: ClockDep) -> dict[str, str]:
    """Reports whether the database answers, and the date the rules use as today."""
    try:
        db.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - health must answer even when the DB does not
        database = "error"
    return {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "today": clock.today().isoformat(),
    }
