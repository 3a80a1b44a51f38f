"""Agent sessions (issue 12): server-side, so logout, a password change and idleness end them;
Secure cookies off localhost; logins slowed per user name even from many addresses."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from bot.agent_console import hash_password
from bot.config import Settings
from bot.main import create_app
from bot.models import AgentSession
from bot.store import Store
from tests.bot.conftest import AGENT_PASSWORD, csrf_of, login

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _session_cookie(client: TestClient) -> str:
    value = client.cookies.get("agent_session")
    assert value
    return str(value)


def _with_cookie(app_client: TestClient, cookie: str) -> int:
    """Status of the inbox API called with only this session cookie (a stolen copy, say)."""
    app_client.cookies.clear()
    app_client.cookies.set("agent_session", cookie, path="/agent")
    return app_client.get("/agent/api/inbox").status_code


def test_logout_ends_the_old_cookie(client: TestClient) -> None:
    csrf = login(client)
    cookie = _session_cookie(client)
    assert client.get("/agent/api/inbox").status_code == 200
    r = client.post("/agent/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    # The copied cookie no longer opens anything: the session is gone on the server.
    assert _with_cookie(client, cookie) == 401
    assert client.get("/agent", follow_redirects=False).headers["location"] == "/agent/login"


def test_password_change_ends_sessions(settings: Settings) -> None:
    with TestClient(create_app(settings)) as a:
        login(a)
        cookie = _session_cookie(a)
        assert a.get("/agent/api/inbox").status_code == 200
    changed = settings.model_copy(update={"agent_users": {"ana": hash_password("novo-geslo-123")}})
    with TestClient(create_app(changed)) as b:
        assert _with_cookie(b, cookie) == 401
        login(b, password="novo-geslo-123")
        assert b.get("/agent/api/inbox").status_code == 200


def test_idle_session_ends(client: TestClient, settings: Settings) -> None:
    login(client)
    assert client.get("/agent/api/inbox").status_code == 200
    store = Store(settings.resolved_database_url())
    try:
        with store.engine.begin() as conn:
            conn.execute(update(AgentSession).values(last_seen=time.time() - settings.agent_idle_minutes * 60 - 5))
    finally:
        store.close()
    assert client.get("/agent/api/inbox").status_code == 401


@pytest.fixture
def behind_proxy(settings: Settings) -> Iterator[TestClient]:
    """The gateway behind a trusted load balancer (127.0.0.1), so X-Forwarded-For names the client;
    the per-address limit is high so that only the per-user-name delay can stop the attempts."""
    s = settings.model_copy(update={"trusted_proxies": ["127.0.0.1"], "login_rate_limit": "1000/minute"})
    with TestClient(create_app(s), client=("127.0.0.1", 40000)) as c:
        yield c


def _try(c: TestClient, address: str, user: str, password: str) -> int:
    page = c.get("/agent/login", headers={"X-Forwarded-For": address})
    r = c.post("/agent/login", data={"username": user, "password": password, "csrf": csrf_of(page.text)},
               headers={"X-Forwarded-For": address}, follow_redirects=False)
    return r.status_code


def test_brute_force_per_user_name_from_many_addresses_is_slowed(behind_proxy: TestClient, settings: Settings) -> None:
    free = settings.login_free_failures
    codes = [_try(behind_proxy, f"198.51.100.{i}", "ana", f"ugibam-{i}") for i in range(1, free + 3)]
    # The free attempts are judged on the password; then the name is locked, whatever the address.
    assert codes[:free] == [401] * free
    assert codes[free] == 401  # this failure starts the delay
    assert codes[free + 1] == 429
    # Even the right password is not tried while the name is locked (the delay is not an oracle).
    page = behind_proxy.get("/agent/login", headers={"X-Forwarded-For": "203.0.113.9"})
    r = behind_proxy.post("/agent/login", headers={"X-Forwarded-For": "203.0.113.9"}, follow_redirects=False,
                          data={"username": "ana", "password": AGENT_PASSWORD, "csrf": csrf_of(page.text)})
    assert r.status_code == 429 and "Poskusite znova čez" in r.text and int(r.headers["Retry-After"]) >= 1
    # Another user name is not affected.
    assert _try(behind_proxy, "198.51.100.50", "bor", "x-geslo-1") == 401


def test_failure_delay_grows() -> None:
    from limits.storage import MemoryStorage

    from bot.ratelimit import FailureDelay

    delay = FailureDelay(MemoryStorage(), free=2, base=2.0, cap=10.0)
    got = [delay.failed("t", "k") for _ in range(7)]
    assert got == [0.0, 0.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert 9.0 < delay.wait_seconds("t", "k") <= 10.0
    delay.succeeded("t", "k")
    assert delay.wait_seconds("t", "k") == 0.0


@pytest.mark.parametrize(("host", "secure"), [("localhost", False), ("127.0.0.1", False), ("chat.example.si", True)])
def test_cookie_secure_off_localhost(settings: Settings, host: str, secure: bool) -> None:
    auto = settings.model_copy(update={"cookie_secure": "auto"})
    with TestClient(create_app(auto), base_url=f"http://{host}") as c:
        page = c.get("/agent/login")
        cookie = page.headers["set-cookie"].lower()
        assert ("; secure" in cookie) is secure
        if not secure:  # on localhost the whole login works over http
            login(c)


def test_end_sessions_cli(client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.agent_console import _cli
    from bot.config import get_settings

    login(client)
    cookie = _session_cookie(client)
    monkeypatch.setenv("GATEWAY_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        assert _cli(["end-sessions", "ana"]) == 0
    finally:
        get_settings.cache_clear()
    assert _with_cookie(client, cookie) == 401
