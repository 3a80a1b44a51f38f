"""Gateway tests: the real backend (uvicorn subprocess, temporary SQLite), stand-ins for Rasa and the
Telegram Bot API on free loopback ports, and the gateway app wired to them."""

from __future__ import annotations

import re
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.agent_console import hash_password
from bot.config import Settings
from bot.main import create_app
from bot.prestart import upgrade
from devtools.servers import ROOT, backend
from tests.bot.fakes import FakeRasa, FakeTelegram, ThreadServer

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

API_KEY = "gateway-test-api-key"
RASA_TOKEN = "rasa-test-token"
TG_TOKEN = "123456:TEST-token"
TG_SECRET = "tg-webhook-secret"
TWILIO_TOKEN = "twilio-test-auth-token"
AGENT_PASSWORD = "geslo-za-test-1"
AGENT_HASH = hash_password(AGENT_PASSWORD)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", "ignore:.*httpx2.*")


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real backend over HTTP: migrated and seeded into a temporary SQLite file."""
    with backend(
        tmp_path_factory.mktemp("backend"), API_KEY, OTP_SECRET="test-otp", BACKEND_FAKE_TODAY="2026-11-23"
    ) as url:
        yield url


@pytest.fixture(scope="session")
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa(RASA_TOKEN)
    server = ThreadServer(fake.app).start()
    fake.url = server.url  # type: ignore[attr-defined]
    yield fake
    server.stop()


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TG_TOKEN)
    server = ThreadServer(fake.app).start()
    fake.url = server.url  # type: ignore[attr-defined]
    yield fake
    server.stop()


def make_settings(folder: Path, backend_url: str, fake_rasa: FakeRasa, fake_telegram: FakeTelegram) -> Settings:
    """The gateway wired to the real backend and the stand-ins, its database migrated in `folder`."""
    fake_rasa.down = False
    database_url = f"sqlite:///{folder / 'gateway.db'}"
    upgrade(database_url)
    return Settings(
        rasa_url=fake_rasa.url,  # type: ignore[attr-defined]
        rasa_token=RASA_TOKEN,
        backend_url=backend_url,
        backend_api_key=API_KEY,
        telegram_token=TG_TOKEN,
        telegram_webhook_secret=TG_SECRET,
        telegram_api_base=f"{fake_telegram.url}/bot",  # type: ignore[attr-defined]
        twilio_auth_token=TWILIO_TOKEN,
        agent_users={"ana": AGENT_HASH},
        session_secret="test-session-secret",
        database_url=database_url,
        # never the repo's var/rasa_tracker.db: the erase marker and the retention job delete there
        rasa_tracker_url=f"sqlite:///{folder / 'rasa_tracker.db'}",
        client_ref_secret="test-client-ref-secret",
        rate_limit="30/minute",
        # TestClient's host is "testserver" over http: a Secure cookie would never come back.
        # The automatic Secure-off-localhost rule has its own test (test_console_security.py).
        cookie_secure="0",
    )


@pytest.fixture
def settings(tmp_path: Path, backend_url: str, fake_rasa: FakeRasa, fake_telegram: FakeTelegram) -> Settings:
    return make_settings(tmp_path, backend_url, fake_rasa, fake_telegram)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def new_session(client: TestClient) -> str:
    r = client.post("/api/web/session")
    assert r.status_code == 200, r.text
    return str(r.json()["session_id"])


def say(client: TestClient, session: str, **body: Any) -> dict[str, Any]:
    r = client.post("/api/web/message", headers={"X-Session-Id": session}, json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def login(client: TestClient, user: str = "ana", password: str = AGENT_PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (from the inbox page)."""
    page = client.get("/agent/login")
    r = client.post(
        "/agent/login", data={"username": user, "password": password, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    inbox = client.get("/agent")
    assert inbox.status_code == 200
    return csrf_of(inbox.text)


def tickets(backend_url: str, conversation_id: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{backend_url}/api/v1/handoff-tickets", headers={"X-API-Key": API_KEY},
                  params={"conversation_id": conversation_id})
    assert r.status_code == 200
    return list(r.json())


def unique() -> str:
    return uuid.uuid4().hex[:8]


def next_message(ws: Any) -> dict[str, Any]:
    """The next pushed message frame of a widget socket; state frames (sent by the socket's own
    state check every few seconds, at any moment) are skipped."""
    for _ in range(20):
        frame = ws.receive_json()
        if frame.get("type") == "message":
            return dict(frame)
    raise AssertionError("no message frame")


# --- browser tests (test_browser.py: the widget; test_console_browser.py: the console) ---
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Installs Debian's chromium if missing (idempotent script); skips only when apt is impossible."""
    proc = subprocess.run([str(ROOT / "scripts" / "ensure_chromium.sh")], capture_output=True, text=True,
                          timeout=900)
    if proc.returncode == 3:
        pytest.skip(f"chromium cannot be installed here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    return CHROMIUM


@pytest.fixture(scope="session")
def axe_source() -> Path:
    """axe-core from package-lock.json, installed into node_modules/ by an idempotent script."""
    proc = subprocess.run([str(ROOT / "scripts" / "ensure_node_modules.sh")], capture_output=True, text=True,
                          timeout=900)
    if proc.returncode == 3:
        pytest.skip(f"npm packages cannot be installed here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    return ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=ARGS)
        yield b
        b.close()


def close_open_handoffs(backend_url: str) -> None:
    """The queue is the backend's, shared by this session's tests: each browser test starts with an
    empty one, so "your place: 1" and "the conversation in the queue" are its own."""
    h = {"X-API-Key": API_KEY}
    for t in httpx.get(f"{backend_url}/api/v1/handoff-tickets", headers=h, params={"active": "true"}).json():
        httpx.patch(f"{backend_url}/api/v1/handoff-tickets/{t['id']}", headers=h, json={"status": "closed"})


@pytest.fixture
def gateway_url(settings: Settings, backend_url: str) -> Iterator[str]:
    close_open_handoffs(backend_url)
    server = ThreadServer(create_app(settings)).start()
    yield server.url
    server.stop()
