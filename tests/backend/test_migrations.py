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


def test_0004_widens_the_outbox_channel_and_keeps_rows(empty_url: str) -> None:
    """Outbox rows written before 0004 survive it; afterwards Telegram is a channel and an unknown
    one is still refused (the CHECK constraint was replaced, not dropped); downgrading removes the
    Telegram rows the old schema cannot hold."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    cfg = alembic_config(empty_url)
    command.upgrade(cfg, "0003")
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
    command.downgrade(cfg, "0003")
    eng = create_engine(resolve_database_url(empty_url))
    with eng.begin() as c:
        assert [r[0] for r in c.execute(text("SELECT channel FROM outbox_message"))] == ["sms"]
    with pytest.raises(IntegrityError), eng.begin() as c:
        c.execute(text(row), {"c": "telegram", "t": when})
    eng.dispose()


def test_0004_down_and_up_with_notices_in_the_outbox(empty_url: str) -> None:
    """Outbox rows that point to notifications (and a Telegram one) do not block the downgrade:
    the link goes first, the SMS / e-mail rows stay, and upgrading again works."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from conftest import TEST_NOW
    from sqlalchemy import func, select, text
    from sqlalchemy.orm import Session

    from backend.core.clock import Clock
    from backend.core.config import Settings
    from backend.db import make_engine
    from backend.models import DeliveryChannel, OutboxMessage, PortalAccount, SubscriptionKind
    from backend.seed import seed_demo
    from backend.services import subscriptions
    from backend.services.notifications import run_pass

    cfg = alembic_config(empty_url)
    command.upgrade(cfg, "head")
    eng = make_engine(empty_url)
    with Session(eng, expire_on_commit=False) as s:
        seed_demo(s, Clock(fixed_now=TEST_NOW))
        ana = s.scalars(select(PortalAccount).where(PortalAccount.email == "ana.novak@example.com")).one()
        for channel, chat in ((DeliveryChannel.sms, None), (DeliveryChannel.telegram, "123456789")):
            subscriptions.create(s, TEST_NOW, ana, "SI-G-100002", SubscriptionKind.reading_reminder, channel, chat, "chat")
        window_opens = datetime(2026, 11, 26, 9, tzinfo=ZoneInfo("Europe/Ljubljana"))
        assert run_pass(s, Settings(database_url=empty_url), window_opens).queued == 2
        linked = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.notification_id.is_not(None))
        assert s.scalar(linked) == 2
    eng.dispose()
    command.downgrade(cfg, "0003")
    eng = create_engine(resolve_database_url(empty_url))
    assert {"subscription", "notification", "reminder_grant"}.isdisjoint(inspect(eng).get_table_names())
    assert "notification_id" not in {c["name"] for c in inspect(eng).get_columns("outbox_message")}
    with eng.begin() as c:
        assert [r[0] for r in c.execute(text("SELECT channel FROM outbox_message WHERE body LIKE '%števca%'"))] == ["sms"]
    eng.dispose()
    command.upgrade(cfg, "head")
