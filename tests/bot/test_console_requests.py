"""The console's list of callback and message tickets taken outside hours (kind callback /
message, as action_save_callback creates them): shown oldest first, closed with "poklical sem"
or "rešeno", and never a way to close a live chat behind Rasa's back."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from bot.channels.web import web_conversation_id
from tests.bot.conftest import API_KEY, login, new_session, say, tickets, unique

H = {"X-API-Key": API_KEY}


def _request(backend_url: str, kind: str, text: str) -> dict:
    conv = f"rest-{unique()}"
    r = httpx.post(f"{backend_url}/api/v1/handoff-tickets", headers=H, json={
        "conversation_id": conv, "channel": "rest", "reason": "request", "kind": kind, "brand": "geni",
        "summary": text, "contact": text if kind == "callback" else None})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_callback_and_message_list(client: TestClient, backend_url: str) -> None:
    call = _request(backend_url, "callback", "Pokličite me na 041 222 333, prosim.")
    note = _request(backend_url, "message", "Račun za oktober mi ni jasen.")
    csrf = login(client)
    page = client.get("/agent").text
    assert "Povratni klici in sporočila izven delovnega časa" in page
    assert "041 222 333" in page and "Račun za oktober mi ni jasen." in page
    assert page.index(f'data-ticket="{call["id"]}"') < page.index(f'data-ticket="{note["id"]}"')  # oldest first
    listed = client.get("/agent/api/inbox").json()["callbacks"]
    assert {r["ticket_id"] for r in listed} >= {call["id"], note["id"]}

    # "Poklical sem" is for callbacks only; "rešeno" for both.
    r = client.post(f"/agent/tickets/{note['id']}/done", data={"csrf": csrf, "how": "called"}, follow_redirects=False)
    assert r.status_code == 409 and "ni bilo mogoče zaključiti" in r.text
    r = client.post(f"/agent/tickets/{call['id']}/done", data={"csrf": csrf, "how": "called"}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post(f"/agent/tickets/{note['id']}/done", data={"csrf": csrf, "how": "resolved"}, follow_redirects=False)
    assert r.status_code == 303
    [done_call] = tickets(backend_url, call["conversation_id"])
    [done_note] = tickets(backend_url, note["conversation_id"])
    assert (done_call["status"], done_call["resolution"], done_call["assigned_to"]) == ("closed", "called", "ana")
    assert (done_note["status"], done_note["resolution"]) == ("closed", "resolved")
    assert done_call["closed_at"] is not None
    left = {r["ticket_id"] for r in client.get("/agent/api/inbox").json()["callbacks"]}
    assert call["id"] not in left and note["id"] not in left
    # Twice: the second is refused, nothing changes.
    r = client.post(f"/agent/tickets/{call['id']}/done", data={"csrf": csrf, "how": "resolved"}, follow_redirects=False)
    assert r.status_code == 409 and tickets(backend_url, call["conversation_id"])[0]["resolution"] == "called"


def test_waited_reads_like_an_agent_would() -> None:
    from datetime import datetime, timezone

    from bot.agent_console import waited

    now = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
    assert waited("2026-12-03T11:55:00+00:00", now) == "5 min"
    assert waited("2026-12-03T09:50:00Z", now) == "2 h 10 min"
    assert waited("2026-12-01T10:00:00Z", now) == "2 d 2 h"
    assert waited("ni datum", now) == "–" and waited(None, now) == "–"


def test_request_list_refuses_live_tickets_and_bad_input(client: TestClient, backend_url: str) -> None:
    sid = new_session(client)
    say(client, sid, text="želim govoriti s svetovalcem")
    [live] = tickets(backend_url, web_conversation_id(sid))
    csrf = login(client)
    queue = client.get("/agent").text  # the queue row: waiting time, last message, reason in Slovene
    assert "želi svetovalca" in queue and "želim govoriti s svetovalcem" in queue
    assert live["customer"] == "a***@e***.si" and "a***@e***.si" in queue  # the tracker's customer_masked
    assert re.search(r"<td>\d+ (min|h|d)\b", queue)  # (the backend under test runs on a fixed date)
    r = client.post(f"/agent/tickets/{live['id']}/done", data={"csrf": csrf, "how": "resolved"}, follow_redirects=False)
    assert r.status_code == 409
    assert tickets(backend_url, web_conversation_id(sid))[0]["status"] == "open"  # still with the agents
    for path, how in ((f"/agent/tickets/{live['id']}/done", "izbrisano"), ("/agent/tickets/0/done", "resolved"),
                      ("/agent/tickets/99999999999/done", "resolved")):
        assert client.post(path, data={"csrf": csrf, "how": how}, follow_redirects=False).status_code == 409
    assert client.post("/agent/tickets/abc/done", data={"csrf": csrf, "how": "resolved"}).status_code == 422
    assert client.post(f"/agent/tickets/{live['id']}/done", data={"how": "resolved"}).status_code == 403
