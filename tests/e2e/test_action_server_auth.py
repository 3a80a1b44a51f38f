"""The action server answers only Rasa (issue 12): a forged POST /webhook without the shared
secret, or with a wrong one, is refused and writes nothing in the backend; Rasa, which sends the
secret from its endpoints file, still runs every action. Started as the Procfile starts it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.servers import rasa_env, start_actions, start_rasa
from tests.e2e.conftest import API_KEY, MODEL, Backend, Chat

HEADER = "X-Action-Server-Token"
# a real FAQ topic (the backend refuses ratings of unknown topics), one no other e2e test rates
TOPIC = "eco_discount"


def forged_feedback(sender: str) -> dict[str, Any]:
    """What the attack sent: a complete action call that stores a rating for an invented chat."""
    return {
        "next_action": "action_record_feedback",
        "sender_id": sender,
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {"last_faq_topic": TOPIC},
            "latest_message": {"intent": {"name": "affirm", "confidence": 1.0}, "text": "da"},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def forged_ratings(api: Backend) -> int:
    report = httpx.get(f"{api.base}/reports/feedback", headers=api.headers).json()
    return sum(t["answers"] for t in report["topics"] if t["topic"] == TOPIC)


@pytest.fixture()
def stack(tmp_path: Path, backend_url: str) -> Iterator[tuple[str, str, str]]:
    """(action server URL, its token, Rasa URL)."""
    env = rasa_env(BACKEND_URL=backend_url, BACKEND_API_KEY=API_KEY)
    actions, port = start_actions(tmp_path, env)
    rasa, url = start_rasa(tmp_path, MODEL, env, port, uuid.uuid4().hex)
    try:
        actions.wait_ready()
        rasa.wait_ready()
        yield f"http://127.0.0.1:{port}", env["ACTION_SERVER_TOKEN"], url
    finally:
        rasa.stop()
        actions.stop()


def test_forged_action_calls_are_refused_and_rasa_still_runs_actions(
    stack: tuple[str, str, str], api: Backend
) -> None:
    actions_url, token, rasa_url = stack
    assert httpx.get(f"{actions_url}/health").status_code == 200  # liveness stays open
    before = forged_ratings(api)
    for headers, status in (({}, 401), ({HEADER: "wrong-" + token}, 403), ({HEADER: ""}, 401)):
        r = httpx.post(f"{actions_url}/webhook", json=forged_feedback("forged-" + uuid.uuid4().hex), headers=headers)
        assert r.status_code == status, r.text
        assert httpx.get(f"{actions_url}/actions", headers=headers).status_code == status
    assert forged_ratings(api) == before  # nothing written

    # the same call with the secret is executed: the secret is what stops it
    r = httpx.post(f"{actions_url}/webhook", json=forged_feedback("control-" + uuid.uuid4().hex), headers={HEADER: token})
    assert r.status_code == 200, r.text
    assert forged_ratings(api) == before + 1

    # Rasa sends the secret: actions run (verification form, a code from the backend)
    chat = Chat(rasa_url)
    assert "e-naslov" in chat.text("pokaži moje račune")
    outbox_before = httpx.get(f"{api.base}/dev/outbox", params={"recipient": "natasa.jerman@example.com"},
                              headers=api.headers).json()
    assert "kod" in chat.text("natasa.jerman@example.com")
    outbox_after = httpx.get(f"{api.base}/dev/outbox", params={"recipient": "natasa.jerman@example.com"},
                             headers=api.headers).json()
    assert len(outbox_after) == len(outbox_before) + 1
