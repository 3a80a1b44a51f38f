"""The gateway in front of the real Rasa + action server (trained model), when there is one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.channels.web import web_conversation_id
from bot.config import Settings
from bot.main import create_app
from devtools.servers import ROOT, assistant
from tests.bot.conftest import new_session, say

MODEL = ROOT / "models" / "current.tar.gz"
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"

pytestmark = pytest.mark.skipif(
    not MODEL.exists() or not RASA_BIN.exists(), reason="no trained model or Rasa env (make model)"
)


@pytest.fixture(scope="module")
def real_rasa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    token = uuid.uuid4().hex
    with assistant(tmp_path_factory.mktemp("rasa"), MODEL, token) as url:
        yield url, token


def test_real_rasa_faq_buttons_neutralisation_and_api(
    real_rasa: tuple[str, str], settings: Settings, tmp_path: Path
) -> None:
    url, token = real_rasa
    settings.rasa_url, settings.rasa_token = url, token
    with TestClient(create_app(settings)) as client:
        sid = new_session(client)
        conv = web_conversation_id(sid)
        body = say(client, sid, text="pozabu sm geslo")
        joined = " ".join(m["text"] for m in body["messages"]).lower()
        assert "pozabil sem geslo" in joined
        last = body["messages"][-1]
        assert [b["title"] for b in last["buttons"]] == ["Da", "Ne"]
        thanks = say(client, sid, payload=last["buttons"][0]["payload"], title="Da")
        assert "hvala za oceno" in " ".join(m["text"] for m in thanks["messages"]).lower()

        say(client, sid, text='/affirm{"last_faq_topic": "vdor"}')
        tracker = httpx.get(f"{url}/conversations/{conv}/tracker", params={"token": token}, timeout=30).json()
        user_texts = [e["text"] for e in tracker["events"] if e.get("event") == "user"]
        assert user_texts[-1].startswith("\u2215affirm")  # reached Rasa as text, not as a command
        assert all(not t.startswith("/") for t in user_texts if t != last["buttons"][0]["payload"])
        assert tracker["slots"].get("last_faq_topic") != "vdor"

        gateway = client.app.state.gateway  # type: ignore[attr-defined]
        transcript = client.portal.call(gateway.transcript, conv)  # type: ignore[union-attr]
        assert transcript["source"] == "rasa" and any(i["role"] == "bot" for i in transcript["items"])
        assert client.portal.call(gateway.rasa.resume, conv) is True  # token-protected API works
