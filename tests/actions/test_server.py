"""The action server's runner (actions/server.py) and the endpoints files that feed it the secret.

The forged-call attack itself is replayed over HTTP in tests/e2e/test_action_server_auth.py;
here: the token check, a runner that will not start without a real token, and Rasa's own reader
expanding the token into the header in both endpoints files (a quoted "${VAR}" is not expanded).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from rasa.utils.endpoints import read_endpoint_config

from actions import server

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "0123456789abcdef-test-token"


def test_check_token() -> None:
    assert server.check_token(TOKEN, TOKEN) is None
    missing = server.check_token(None, TOKEN)
    assert missing is not None and missing.status == 401
    assert server.check_token("", TOKEN).status == 401  # type: ignore[union-attr]
    wrong = server.check_token(TOKEN[:-1] + "X", TOKEN)
    assert wrong is not None and wrong.status == 403
    assert json.loads(wrong.body) == {"error": "invalid action server token"}


@pytest.mark.parametrize("token", ["", "short"])
def test_no_app_without_a_real_token(token: str) -> None:
    with pytest.raises(ValueError, match="ACTION_SERVER_TOKEN"):
        server.create_app(token)


def test_runner_refuses_to_start_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    with pytest.raises(SystemExit) as stop:
        server.main(["--actions", "actions", "--port", "1"])
    assert stop.value.code == 2


def test_app_keeps_rasa_sdk_routes_and_checks_every_request() -> None:
    app = server.create_app(TOKEN)
    paths = {route.path.strip("/") for route in app.router.routes}
    assert {"health", "webhook", "actions"} <= paths
    middleware = app.request_middleware[-1]
    assert asyncio.run(middleware(_Request("/health", {}))) is None
    assert asyncio.run(middleware(_Request("/webhook", {}))).status == 401
    assert asyncio.run(middleware(_Request("/actions", {server.TOKEN_HEADER: "nope"}))).status == 403
    assert asyncio.run(middleware(_Request("/webhook", {server.TOKEN_HEADER: TOKEN}))) is None


class _Request:
    """The two things the token check reads from a Sanic request."""

    method = "POST"

    def __init__(self, path: str, headers: dict[str, str]) -> None:
        self.path = path
        self.headers = headers


@pytest.mark.parametrize("name", ["endpoints.yml", "endpoints.postgres.yml"])
def test_rasa_sends_the_token_from_the_environment(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ACTION_SERVER_URL", "TRACKER_DB_HOST", "TRACKER_DB_PORT", "TRACKER_DB_NAME", "TRACKER_DB_USER",
                "TRACKER_DB_PASSWORD", "REDIS_HOST", "REDIS_PORT"):
        monkeypatch.setenv(var, "x")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    endpoint = read_endpoint_config(str(ROOT / name), "action_endpoint")
    assert endpoint is not None
    assert endpoint.url == "http://127.0.0.1:5055/webhook"
    assert endpoint.headers == {server.TOKEN_HEADER: TOKEN}
    if name == "endpoints.postgres.yml":
        tracker = read_endpoint_config(str(ROOT / name), "tracker_store")
        assert tracker is not None and tracker.url == "x" and tracker.kwargs["password"] == "x"
