"""Migrate the gateway's database to head before the gateway starts (`python -m bot.prestart`).

A SQLite file from before the Alembic migrations (raw-SQL schema, no version table) is moved aside
as `<name>.pre-alembic` rather than patched: it held only development sessions and turns.
"""

from __future__ import annotations

import fcntl
import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.config import get_settings

log = logging.getLogger("bot.prestart")


def alembic_config(url: str | None = None) -> Config:
    """Alembic config for bot/alembic; URL explicit (tests) or from GATEWAY_DATABASE_URL."""
    cfg = Config(str(Path(__file__).with_name("alembic.ini")))
    cfg.set_main_option("sqlalchemy.url", url or get_settings().resolved_database_url())
    cfg.attributes["configure_logging"] = False
    return cfg


def _move_legacy_sqlite(url: str) -> None:
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return
    path = Path(url[len(prefix):])
    if not path.exists():
        return
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "conversation" in tables and "gateway_alembic_version" not in tables:
        target = path.with_name(f"{path.name}.pre-alembic-{int(time.time())}")
        for suffix in ("", "-wal", "-shm"):
            extra = Path(str(path) + suffix)
            if extra.exists():
                extra.rename(Path(str(target) + suffix))
        log.warning("gateway database without migrations moved aside to %s", target.name)


@contextmanager
def _sqlite_lock(url: str) -> Iterator[None]:
    """The gateway and the Telegram process may migrate one SQLite file at the same moment; a file
    lock serialises them (on PostgreSQL, bot/alembic/env.py takes an advisory lock instead)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or ":memory:" in url:
        yield
        return
    lock_path = Path(url[len(prefix):] + ".migrate-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def upgrade(url: str | None = None) -> None:
    """Bring the schema to head (idempotent; safe for processes and replicas starting together)."""
    url = url or get_settings().resolved_database_url()
    with _sqlite_lock(url):
        _move_legacy_sqlite(url)
        command.upgrade(alembic_config(url), "head")


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    upgrade()


if __name__ == "__main__":
    main()
