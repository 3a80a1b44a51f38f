"""The real backend, action server and Rasa server (trained model) on free ports, once per session."""

from __future__ import annotations

import re
import uuid
from typing import Dict, Iterator, List

import httpx
import pytest

from bot.agent_console import hash_password
from devtools.servers import ROOT, assistant, backend, gateway

MODEL = ROOT / "models" / "current.tar.gz"
# the Rasa HTTP API token of this test session (for /model/parse)
RASA_TOKEN = uuid.uuid4().hex
API_KEY = uuid.uuid4().hex
# A Tuesday at 10:00: within support hours, so a handoff is queued (deterministic tests).
SUPPORT_OPEN = "2026-11-24T10:00:00"
AGENT, AGENT_PASSWORD = "maja", "e2e-geslo-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # many verifications of the same demo customers in one run: a higher send limit than production
    with backend(tmp_path_factory.mktemp("backend"), API_KEY, OTP_MAX_SENDS="50") as url:
        yield url


@pytest.fixture(scope="session")
def rasa_url(tmp_path_factory: pytest.TempPathFactory, backend_url: str) -> Iterator[str]:
    assert MODEL.exists(), "train first: make model"
    with assistant(
        tmp_path_factory.mktemp("rasa"), MODEL, RASA_TOKEN,
        BACKEND_URL=backend_url, BACKEND_API_KEY=API_KEY, HANDOFF_FAKE_NOW=SUPPORT_OPEN,
    ) as url:
        yield url


@pytest.fixture(scope="session")
def gateway_url(tmp_path_factory: pytest.TempPathFactory, rasa_url: str, backend_url: str) -> Iterator[str]:
    """The channel gateway in front of the e2e Rasa: the way a web user reaches the assistant."""
    with gateway(tmp_path_factory.mktemp("gateway"), rasa_url, backend_url, API_KEY, RASA_TOKEN,
                 AGENT_USERS=f"{AGENT}:{hash_password(AGENT_PASSWORD)}") as url:
        yield url


class Chat:
    """One conversation over Rasa's REST channel."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.sender = "e2e-" + uuid.uuid4().hex

    def say(self, text: str) -> List[dict]:
        resp = httpx.post(
            f"{self.base}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
            timeout=60,
        )
        assert resp.status_code == 200, resp.text
        return resp.json()

    def text(self, message: str) -> str:
        """What the bot answered, texts and button titles joined."""
        parts = []
        for m in self.say(message):
            parts.append(m.get("text") or "")
            parts += [b.get("title", "") for b in m.get("buttons") or []]
        return "\n".join(parts)


class Backend:
    """The test's own view of the backend: outbox codes and a token to check stored data."""

    def __init__(self, base: str) -> None:
        self.base = base + "/api/v1"
        self.headers = {"X-API-Key": API_KEY}
        self.tokens: Dict[str, Dict[str, str]] = {}

    def last_code(self, recipient: str) -> str:
        rows = httpx.get(f"{self.base}/dev/outbox", params={"recipient": recipient, "limit": 1},
                         headers=self.headers).json()
        return re.search(r"\b(\d{6})\b", rows[0]["body"]).group(1)

    def token(self, email: str) -> Dict[str, str]:
        if email not in self.tokens:
            self.tokens[email] = self._verify(email)
        return self.tokens[email]

    def _verify(self, email: str) -> Dict[str, str]:
        conv = "test-" + uuid.uuid4().hex
        httpx.post(f"{self.base}/verification/start", json={"identifier": email, "conversation_id": conv},
                   headers=self.headers).raise_for_status()
        code = self.last_code(email)
        answer = httpx.post(f"{self.base}/verification/confirm", json={"code": code, "conversation_id": conv},
                            headers=self.headers)
        answer.raise_for_status()
        return {**self.headers, "Authorization": f"Bearer {answer.json()['token']}", "X-Conversation-Id": conv}

    def readings(self, email: str, point: str) -> List[dict]:
        return httpx.get(f"{self.base}/me/metering-points/{point}/readings", params={"limit": 5},
                         headers=self.token(email)).json()


@pytest.fixture()
def chat(rasa_url: str) -> Chat:
    return Chat(rasa_url)


@pytest.fixture(scope="session")
def api(backend_url: str) -> Backend:
    return Backend(backend_url)
