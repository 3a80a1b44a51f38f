"""The gateway's tables: Alembic migrations match the models, an old raw-SQL file is moved aside,
counters are incremented in SQL (two stores on one database lose no update)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect

from bot.models import Base
from bot.prestart import alembic_config, upgrade
from bot.store import Store, session_hash


def test_upgrade_check_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    upgrade(url)
    cfg = alembic_config(url)
    command.check(cfg)  # raises if the models and the migrations differ
    eng = create_engine(url)
    assert set(Base.metadata.tables) <= set(inspect(eng).get_table_names())
    eng.dispose()
    command.downgrade(cfg, "base")
    eng = create_engine(url)
    assert set(inspect(eng).get_table_names()) <= {"gateway_alembic_version"}
    eng.dispose()
    upgrade(url)  # and up again: idempotent


def test_pre_alembic_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "gateway.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE conversation (conversation_id TEXT PRIMARY KEY, state TEXT)")
    upgrade(f"sqlite:///{path}")
    assert [p.name.startswith("gateway.db.pre-alembic-") for p in tmp_path.iterdir()].count(True) == 1
    store = Store(f"sqlite:///{path}")
    assert store.ensure_conversation("web-1", "web", "web-1").handoffs == 0
    store.close()


def test_sessions_hashed_and_counters_atomic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    upgrade(url)
    a, b = Store(url), Store(url)
    a.ensure_conversation("web-2", "web", "web-2")
    a.add_web_session("secret-session-id", "web-2")
    assert b.web_conversation("secret-session-id") == "web-2" and b.web_conversation("other") is None
    with sqlite3.connect(tmp_path / "g.db") as db:
        stored = [r[0] for r in db.execute("SELECT id_hash FROM web_session")]
    assert stored == [session_hash("secret-session-id")]

    def bump(store: Store) -> None:
        for _ in range(50):
            store.count("web-2", forwarded=1, fallbacks=1)

    threads = [threading.Thread(target=bump, args=(s,)) for s in (a, b, a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conv = a.conversation("web-2")
    assert conv is not None and conv.forwarded == 200 and conv.fallbacks == 200
    assert a.totals()["forwarded"] == 200
    a.close()
    b.close()
