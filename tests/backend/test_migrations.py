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


def test_0004_widens_the_outbox_channel_and_keeps_rows(empty_url: str) -> None:
    """Outbox rows written before 0004 survive it; afterwards Telegram is a channel and an unknown
    one is still refused (the CHECK constraint was replaced, not dropped); downgrading removes the
    Telegram rows the old schema cannot hold."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    cfg = alembic_config(empty_url)
    command.upgrade(cfg, "0002")
    eng = create_engine(resolve_database_url(empty_url))
    row = "INSERT INTO outbox_message (channel, recipient, body, status, created_at) VALUES (:c, 'r', 'b', 'pending', :t)"
    when = "2026-11-22 09:00:00+00:00"
    with eng.begin() as c:
        c.execute(text(row), {"c": "sms", "t": when})
    eng.dispose()
    command.upgrade(cfg, "head")
    eng = create_engine(resolve_database_url(empty_url))
    with eng.begin() as c:
        assert c.execute(text("SELECT channel, sms_parts FROM outbox_message")).all() == [("sms", None)]
        c.execute(text(row), {"c": "telegram", "t": when})
    with pytest.raises(IntegrityError), eng.begin() as c:
        c.execute(text(row), {"c": "fax", "t": when})
    eng.dispose()
    command.downgrade(cfg, "0002")
    eng = create_engine(resolve_database_url(empty_url))
    with eng.begin() as c:
        assert [r[0] for r in c.execute(text("SELECT channel FROM outbox_message"))] == ["sms"]
    with pytest.raises(IntegrityError), eng.begin() as c:
        c.execute(text(row), {"c": "telegram", "t": when})
    eng.dispose()
