"""Engine and session factory; the URL comes from DATABASE_URL (SQLite file by default)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from backend.core.config import get_settings, resolve_database_url


def make_engine(url: str | None = None, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets foreign keys and a busy timeout so it behaves like PG."""
    resolved = resolve_database_url(url or get_settings().database_url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if resolved.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(resolved, **kwargs)
    if resolved.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

    return engine


_engine: Engine | None = None
_sessionmaker: sessionmaker[Session] | None = None


def get_engine() -> Engine:
    """Process-wide engine, created lazily so tests can set DATABASE_URL first."""
    global _engine, _sessionmaker
    if _engine is None:
        _engine = make_engine(echo=get_settings().db_echo)
        _sessionmaker = sessionmaker(bind=_engine, expire_on_commit=False)
    return _engine


def get_sessionmaker() -> sessionmaker[Session]:
    """Session factory bound to the process-wide engine."""
    get_engine()
    assert _sessionmaker is not None
    return _sessionmaker


def rowcount(result: Any) -> int:
    """Rows an UPDATE / DELETE changed (SQLAlchemy types execute() as Result; DML gives a CursorResult)."""
    return int(result.rowcount)


def session_scope() -> Iterator[Session]:
    """One session per request; rolled back on error so nothing is stored half-way."""
    session = get_sessionmaker()()
    try:
        yield session
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
