"""Run migrations to head, then seed demo data if the database is empty (as in the FastAPI template)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

from backend.core.clock import clock_from_settings
from backend.core.config import get_settings, resolve_database_url
from backend.db import get_sessionmaker
from backend.seed import is_empty, seed_demo

log = logging.getLogger("backend.prestart")


def alembic_config(url: str | None = None) -> Config:
    """Alembic config pointing at backend/alembic; URL explicit or from DATABASE_URL."""
    cfg = Config(str(Path(__file__).with_name("alembic.ini")))
    cfg.set_main_option("sqlalchemy.url", url or resolve_database_url(get_settings().database_url))
    cfg.attributes["configure_logging"] = False
    return cfg


def main() -> None:
    """Upgrade and seed."""
    logging.basicConfig(level=logging.INFO)
    command.upgrade(alembic_config(), "head")
    with get_sessionmaker()() as db:
        if is_empty(db):
            log.info("seeding demo data: %s", seed_demo(db, clock_from_settings()))
        else:
            log.info("database already has data; not seeding")


if __name__ == "__main__":
    main()
