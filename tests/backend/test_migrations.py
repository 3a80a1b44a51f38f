"""Migrations upgrade from empty to head, match the models, and downgrade to base."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from conftest import new_empty_db
from sqlalchemy import create_engine, inspect

from backend.core.config import resolve_database_url
from backend.models import Base
from backend.prestart import alembic_config


@pytest.fixture
def empty_url(tmp_path: Path) -> Iterator[str]:
    yield from new_empty_db(tmp_path)


def test_upgrade_check_downgrade(empty_url: str) -> None:
    cfg = alembic_config(empty_url)
    command.upgrade(cfg, "head")
    eng = create_engine(resolve_database_url(empty_url))
    tables = set(inspect(eng).get_table_names())
    assert set(Base.metadata.tables) <= tables
    command.check(cfg)  # raises if models and migrations differ
    command.downgrade(cfg, "base")
    eng.dispose()
    eng = create_engine(resolve_database_url(empty_url))
    assert set(inspect(eng).get_table_names()) <= {"alembic_version"}
    eng.dispose()


def test_migrations_keep_a_database_with_data(empty_url: str) -> None:
    """A running installation has rows pointing at each other: down and up again keeps every one."""
    from conftest import TEST_NOW
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from backend.core.clock import Clock
    from backend.db import make_engine
    from backend.models import MeterReading, PortalAccount
    from backend.seed import seed_demo

    cfg = alembic_config(empty_url)
    command.upgrade(cfg, "head")
    eng = make_engine(empty_url)
    with Session(eng) as s:
        seed_demo(s, Clock(fixed_now=TEST_NOW))
        before = (s.scalar(select(func.count()).select_from(PortalAccount)),
                  s.scalar(select(func.count()).select_from(MeterReading)))
    eng.dispose()
    command.downgrade(cfg, "0001")
    command.upgrade(cfg, "head")
    eng = make_engine(empty_url)
    with Session(eng) as s:
        after = (s.scalar(select(func.count()).select_from(PortalAccount)),
                 s.scalar(select(func.count()).select_from(MeterReading)))
    eng.dispose()
    assert after == before and before[0] and before[1]
