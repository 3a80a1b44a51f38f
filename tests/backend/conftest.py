"""Each test gets its own database cloned from a migrated + seeded template.

SQLite (default): the template file is copied per test. PostgreSQL (DATABASE_URL=postgresql...):
CREATE DATABASE ... TEMPLATE per test. The clock is fixed so date rules are deterministic.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_configure(config: pytest.Config) -> None:
    """Starlette warns that TestClient will move to httpx2; irrelevant here."""
    config.addinivalue_line("filterwarnings", "ignore:.*httpx2.*")


from alembic import command  # noqa: E402
from hypothesis import settings as hyp_settings  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402

from backend.core.clock import Clock  # noqa: E402
from backend.core.config import Settings, get_settings, resolve_database_url  # noqa: E402
from backend.db import make_engine  # noqa: E402
from backend.deps import get_clock, get_db  # noqa: E402
from backend.main import app  # noqa: E402
from backend.prestart import alembic_config  # noqa: E402
from backend.seed import seed_demo  # noqa: E402

RAW_URL = os.environ.get("DATABASE_URL", "")
IS_PG = RAW_URL.startswith("postgresql")
# 22. 11. 2026 (Sunday), 10:00 in Ljubljana.
TEST_NOW = datetime(2026, 11, 22, 9, 0, 0)
from apihelpers import API_KEY  # noqa: E402

# No example database in the work tree.
# In CI the examples are derandomized so a run is reproducible; locally they vary and keep exploring.
hyp_settings.register_profile("backend", database=None, derandomize=bool(os.environ.get("CI")))
hyp_settings.load_profile("backend")


def _pg_admin() -> Engine:
    return create_engine(resolve_database_url(RAW_URL), isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return make_url(resolve_database_url(RAW_URL)).set(database=name).render_as_string(hide_password=False)


def new_empty_db(tmp_path: Path) -> Iterator[str]:
    """An empty database (for migration tests)."""
    if IS_PG:
        name = f"t_empty_{uuid.uuid4().hex[:12]}"
        admin = _pg_admin()
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        yield _pg_url(name)
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'empty.db'}"


def migrate_and_seed(url: str) -> None:
    """alembic upgrade head + demo seed with the test clock."""
    command.upgrade(alembic_config(url), "head")
    eng = make_engine(url)
    with Session(eng) as s:
        seed_demo(s, Clock(fixed_now=TEST_NOW))
    eng.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrated and seeded once per session."""
    if IS_PG:
        name = f"tmpl_{uuid.uuid4().hex[:12]}"
        admin = _pg_admin()
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        migrate_and_seed(_pg_url(name))
        yield name
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("tmpl") / "template.db"
        migrate_and_seed(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def db_url(template_db: str, tmp_path: Path) -> Iterator[str]:
    """A private copy of the template for this test."""
    if IS_PG:
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = _pg_admin()
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"'))
        yield _pg_url(name)
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        dst = tmp_path / "test.db"
        shutil.copyfile(template_db, dst)
        yield f"sqlite:///{dst}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """Engine on the private database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """Session for direct assertions on stored rows."""
    with sessionmaker(bind=engine, expire_on_commit=False)() as s:
        yield s


@pytest.fixture
def clock() -> Clock:
    """Mutable fixed clock; tests move it with clock.fixed_now = ..."""
    return Clock(fixed_now=TEST_NOW)


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Test settings (no env needed)."""
    return Settings(
        database_url=db_url, backend_api_key=API_KEY, otp_secret="test-otp-secret", dev_outbox_enabled=True
    )


@pytest.fixture
def client(engine: Engine, clock: Clock, settings: Settings) -> Iterator[TestClient]:
    """App wired to the private DB, fixed clock and test settings."""
    maker = sessionmaker(bind=engine, expire_on_commit=False)

    def _db() -> Iterator[Session]:
        s = maker()
        try:
            yield s
        finally:
            s.close()

    app.dependency_overrides[get_db] = _db
    app.dependency_overrides[get_clock] = lambda: clock
    app.dependency_overrides[get_settings] = lambda: settings
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.dependency_overrides.clear()


@pytest.fixture
def live_url(client: TestClient) -> Iterator[str]:
    """The same app (same overrides: private DB, fixed clock) served by uvicorn on a free loopback
    port, for tests that need real parallel requests (TestClient serialises them)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
