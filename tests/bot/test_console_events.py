"""The inbox's live updates (issue 14): server-sent events instead of the page polling, an event
when a conversation joins the queue, and the stream ends when the session does."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bot import agent_console
from tests.bot.conftest import login, new_session, say


def _events(text: str) -> list[tuple[str, str]]:
    out = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in lines:
            out.append((lines["event"], lines.get("data", "")))
    return out


def test_events_need_a_session(client: TestClient) -> None:
    assert client.get("/agent/api/events").status_code == 401


def test_inbox_event_lists_the_queue(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agent_console, "SSE_MAX_SECONDS", 0.5)
    monkeypatch.setattr(agent_console, "SSE_CHECK_SECONDS", 0.1)
    sid = new_session(client)
    say(client, sid, text="želim govoriti s svetovalcem")
    login(client)
    r = client.get("/agent/api/events")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    assert events and events[0][0] == "inbox"
    assert len([e for e in events if e[0] == "inbox"]) == 1  # unchanged: no second event
    data = json.loads(events[0][1])
    assert any(c["preview"] == "želim govoriti s svetovalcem" for c in data["queue"])
    page = client.get("/agent").text
    assert "ConsoleLive.liveInbox(" in page and "Vklopi obvestila na namizju" in page


def test_stream_ends_with_the_session(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agent_console, "SSE_MAX_SECONDS", 5.0)
    monkeypatch.setattr(agent_console, "SSE_CHECK_SECONDS", 0.1)
    login(client)
    gateway = client.app.state.gateway  # type: ignore[attr-defined]
    calls = {"n": 0}
    original = gateway.inbox

    async def inbox_then_logout() -> dict:
        calls["n"] += 1
        if calls["n"] == 2:  # the agent logs out elsewhere while the stream is open
            from bot.agent_sessions import AgentSessions
            from bot.models import AgentSession

            sessions = AgentSessions(gateway.store, 60, 60)
            with sessions._db() as db, db.begin():
                db.query(AgentSession).delete()
        return await original()

    monkeypatch.setattr(gateway, "inbox", inbox_then_logout)
    r = client.get("/agent/api/events")
    events = _events(r.text)
    assert events[-1][0] == "logout"


def test_transcript_events(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agent_console, "SSE_MAX_SECONDS", 0.5)
    monkeypatch.setattr(agent_console, "SSE_CHECK_SECONDS", 0.1)
    from bot.channels.web import web_conversation_id

    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="želim govoriti s svetovalcem")
    say(client, sid, text="ali je kdo tam?")
    assert client.get(f"/agent/api/c/{conv}/events").status_code == 401
    login(client)
    assert client.get("/agent/api/c/web-000000000000000000000000/events").status_code == 404
    events = _events(client.get(f"/agent/api/c/{conv}/events").text)
    assert [e[0] for e in events] == ["transcript"]  # one event while nothing changes
    data = json.loads(events[0][1])
    assert data["handoff"] is True and ("user", "ali je kdo tam?") in [(i["role"], i["text"]) for i in data["items"]]
