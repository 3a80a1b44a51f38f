"""Ticket fields for the agent console and its report (issue 14): claim / first-reply / close times,
how a ticket ended, the customer's satisfaction (once, only after a closed live chat), the FAQ
topics a rating may name, the handoff report per day and the search by customer number."""

from __future__ import annotations

from datetime import timedelta

from apihelpers import H, login
from fastapi.testclient import TestClient

from backend.core.clock import Clock

TICKETS = "/api/v1/handoff-tickets"


def _ticket(client: TestClient, conv: str, kind: str = "live", **extra: str) -> dict:
    r = client.post(TICKETS, headers=H, json={"conversation_id": conv, "channel": "web", "kind": kind, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _patch(client: TestClient, tid: int, **body: object) -> dict:
    r = client.patch(f"{TICKETS}/{tid}", headers=H, json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_claim_first_reply_and_close_are_dated_once(client: TestClient, clock: Clock) -> None:
    start = clock.fixed_now
    assert start is not None
    t = _ticket(client, "times-1", customer="ana.novak@example.com")
    assert t["customer"] != "ana.novak@example.com" and "***" in t["customer"]  # never stored in full
    clock.fixed_now = start + timedelta(seconds=90)
    t = _patch(client, t["id"], status="assigned", assigned_to="ana")
    assert t["assigned_at"] is not None and t["first_reply_at"] is None
    clock.fixed_now = start + timedelta(seconds=120)
    first = _patch(client, t["id"], first_reply=True)["first_reply_at"]
    clock.fixed_now = start + timedelta(seconds=300)
    again = _patch(client, t["id"], first_reply=True, assigned_to="bor")  # a transfer keeps the first times
    assert again["first_reply_at"] == first and again["assigned_at"] == t["assigned_at"]
    closed = _patch(client, t["id"], status="closed", resolution="resolved")
    assert closed["closed_at"] is not None and closed["resolution"] == "resolved"
    r = client.patch(f"{TICKETS}/{t['id']}", headers=H, json={"resolution": "whatever"})
    assert r.status_code == 422


def test_satisfaction_once_after_a_closed_live_chat(client: TestClient) -> None:
    t = _ticket(client, "sat-1")
    rate = f"{TICKETS}/{t['id']}/satisfaction"
    r = client.post(rate, headers=H, json={"score": 4})
    assert r.status_code == 409 and r.json()["detail"]["code"] == "ticket_not_closed"
    _patch(client, t["id"], status="closed", resolution="handed_back")
    for bad in (0, 6, "pet"):
        assert client.post(rate, headers=H, json={"score": bad}).status_code == 422
    r = client.post(rate, headers=H, json={"score": 4})
    assert r.status_code == 200 and r.json()["satisfaction"] == 4 and r.json()["satisfaction_at"]
    r = client.post(rate, headers=H, json={"score": 1})  # a second answer does not overwrite the first
    assert r.status_code == 409 and r.json()["detail"]["code"] == "ticket_already_rated"
    assert client.get(TICKETS, headers=H, params={"conversation_id": "sat-1"}).json()[0]["satisfaction"] == 4
    assert client.post(f"{TICKETS}/999999/satisfaction", headers=H, json={"score": 3}).status_code == 404
    callback = _ticket(client, "sat-2", kind="callback")
    _patch(client, callback["id"], status="closed", resolution="called")
    assert client.post(f"{TICKETS}/{callback['id']}/satisfaction", headers=H, json={"score": 5}).status_code == 409


def test_feedback_topics_are_the_faq_files(client: TestClient) -> None:
    topics = {t["topic"]: t["title"] for t in client.get("/api/v1/faq-topics", headers=H).json()}
    assert "forgot_password" in topics and topics["forgot_password"] and topics["forgot_password"] != "forgot_password"
    for topic in ("0", "neznano", "forgot_password; DROP TABLE"):
        r = client.post("/api/v1/feedback", headers=H, json={"conversation_id": "f", "topic": topic, "rating": "Da"})
        assert r.status_code == 422 and r.json()["detail"]["code"] == "unknown_topic"
        assert "Tema" in r.json()["detail"]["message"]
    r = client.post("/api/v1/feedback", headers=H, json={"conversation_id": "f", "topic": "forgot_password", "rating": "Ne"})
    assert r.status_code == 201
    report = client.get("/api/v1/reports/feedback", headers=H, params={"titles": "true"}).json()
    [row] = report["topics"]
    assert row["title"] == topics["forgot_password"] and row["answers"] == 1 and row["helpful_share"] == 0.0


def test_handoff_report_per_day(client: TestClient, clock: Clock) -> None:
    start = clock.fixed_now
    assert start is not None
    a = _ticket(client, "rep-1")
    clock.fixed_now = start + timedelta(seconds=60)
    _patch(client, a["id"], status="assigned", assigned_to="ana", first_reply=True)
    _patch(client, a["id"], status="closed", resolution="handed_back")
    client.post(f"{TICKETS}/{a['id']}/satisfaction", headers=H, json={"score": 5})
    b = _ticket(client, "rep-2")
    clock.fixed_now = start + timedelta(seconds=240)
    _patch(client, b["id"], status="assigned", assigned_to="ana", first_reply=True)
    _ticket(client, "rep-3")  # still waiting: counted, no waiting time
    _ticket(client, "rep-4", kind="callback")
    _ticket(client, "rep-5", kind="message")
    since, until = (start - timedelta(days=1)).isoformat(), (start + timedelta(days=1)).isoformat()
    r = client.get("/api/v1/reports/handoffs", headers=H, params={"since": since, "until": until})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["live"], body["replied"], body["callbacks"], body["messages"]) == (3, 2, 1, 1)
    assert body["wait_median_seconds"] == 120.0  # waits 60 s and 180 s
    assert body["handed_back"] == 1 and body["rated"] == 1 and body["satisfaction"]["5"] == 1
    assert sum(d["live"] for d in body["days"]) == 3
    empty = client.get("/api/v1/reports/handoffs", headers=H, params={"since": until, "until": since})
    assert empty.status_code == 200 and empty.json()["live"] == 0 and empty.json()["days"] == []


def test_conversations_of_a_customer(client: TestClient) -> None:
    login(client, "ana.novak@example.com", conv="search-1")
    found = client.get("/api/v1/customers/1000001/conversations", headers=H).json()
    assert "search-1" in [c["conversation_id"] for c in found]
    assert client.get("/api/v1/customers/9999999/conversations", headers=H).json() == []
