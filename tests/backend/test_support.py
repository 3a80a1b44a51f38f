"""Feedback, handoff tickets, health, error shapes."""

from __future__ import annotations

from apihelpers import H
from fastapi.testclient import TestClient


def test_health_public(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": "ok", "today": "2026-11-22"}


def test_feedback_da_ne(client: TestClient) -> None:
    for rating in ("Da", "Ne"):
        r = client.post(
            "/api/v1/feedback",
            headers=H,
            json={"conversation_id": "c1", "topic": "forgot_password", "rating": rating},
        )
        assert r.status_code == 201 and r.json()["rating"] == rating
    r = client.post(
        "/api/v1/feedback", headers=H, json={"conversation_id": "c1", "topic": "x", "rating": "Mogoče"}
    )
    assert r.status_code == 422 and r.json()["detail"]["code"] == "invalid_request"
    r = client.post("/api/v1/feedback", json={"conversation_id": "c1", "topic": "x", "rating": "Da"})
    assert r.status_code == 401


def test_handoff_ticket_lifecycle(client: TestClient) -> None:
    r = client.post(
        "/api/v1/handoff-tickets",
        headers=H,
        json={"conversation_id": "c9", "channel": "telegram", "reason": "complaint", "summary": "Račun"},
    )
    assert r.status_code == 201
    tid = r.json()["id"]
    assert r.json()["status"] == "open"
    lst = client.get("/api/v1/handoff-tickets", headers=H, params={"status": "open"}).json()
    assert [t["id"] for t in lst] == [tid]
    r = client.patch(
        f"/api/v1/handoff-tickets/{tid}", headers=H, json={"status": "assigned", "assigned_to": "agent-1"}
    )
    assert r.status_code == 200 and r.json()["assigned_to"] == "agent-1"
    r = client.patch("/api/v1/handoff-tickets/99999", headers=H, json={"status": "closed"})
    assert r.status_code == 404 and r.json()["detail"]["code"] == "ticket_not_found"
    assert (
        client.get("/api/v1/handoff-tickets", headers=H, params={"conversation_id": "c9"}).json()[0]["status"]
        == "assigned"
    )


def test_unknown_route_slovene(client: TestClient) -> None:
    r = client.get("/api/v1/nope")
    assert r.status_code == 404 and r.json()["detail"]["code"] == "not_found"
    r = client.delete("/api/v1/campaigns")
    assert r.status_code == 405 and r.json()["detail"]["message"]


def test_malformed_json(client: TestClient) -> None:
    hdr = {**H, "Content-Type": "application/json"}
    for raw, codes in (
        (b"{not json", ("bad_request", "invalid_request")),
        (b"\xff\x00{", ("invalid_characters",)),
    ):
        r = client.post("/api/v1/feedback", headers=hdr, content=raw)
        assert r.status_code in (400, 422) and r.json()["detail"]["code"] in codes


def test_huge_body_does_not_500(client: TestClient) -> None:
    r = client.post(
        "/api/v1/verification/start", headers=H, json={"identifier": "x" * 100_000, "conversation_id": "c"}
    )
    assert r.status_code == 422
    assert "x" * 100 not in r.text  # the input is not echoed back


def test_nul_characters_rejected_cleanly(client: TestClient) -> None:
    r = client.post(
        "/api/v1/verification/start", headers=H, json={"identifier": "\x00", "conversation_id": "c"}
    )
    assert r.status_code == 422 and r.json()["detail"]["code"] == "invalid_characters"
    r = client.get("/api/v1/campaigns/a%00b")
    assert r.status_code == 422
    r = client.get("/api/v1/campaigns", params={"brand": "\x00"})
    assert r.status_code == 422
    r = client.post(
        "/api/v1/feedback", headers=H, json={"conversation_id": "c", "topic": "a\\u0000", "rating": "Da"}
    )
    # an escaped backslash sequence is ordinary text: refused as an unknown topic, not as a NUL
    assert r.status_code == 422 and r.json()["detail"]["code"] == "unknown_topic"


def _live(client: TestClient, conv: str) -> tuple[int, dict]:
    r = client.post("/api/v1/handoff-tickets", headers=H, json={"conversation_id": conv, "channel": "web"})
    return r.status_code, r.json()


def test_live_ticket_is_the_single_truth_per_conversation(client: TestClient) -> None:
    state = client.get("/api/v1/conversations/web-x1/handoff", headers=H).json()
    assert state == {"conversation_id": "web-x1", "active": False, "ticket": None}
    code, first = _live(client, "web-x1")
    assert code == 201
    # A retry or a second gateway replica gets the same ticket, not a second one.
    code, again = _live(client, "web-x1")
    assert code == 200 and again["id"] == first["id"]
    state = client.get("/api/v1/conversations/web-x1/handoff", headers=H).json()
    assert state["active"] is True and state["ticket"]["id"] == first["id"]
    # Callback/message tickets never give the conversation to a person.
    r = client.post("/api/v1/handoff-tickets", headers=H,
                    json={"conversation_id": "web-x2", "kind": "callback", "contact": "040 111 222"})
    assert r.status_code == 201
    assert client.get("/api/v1/conversations/web-x2/handoff", headers=H).json()["active"] is False
    queue = client.get("/api/v1/handoff-tickets", headers=H, params={"active": "true", "kind": "live"}).json()
    assert [t["conversation_id"] for t in queue] == ["web-x1"]
    assert client.get("/api/v1/conversations/" + "x" * 129 + "/handoff", headers=H).status_code == 422
    assert client.get("/api/v1/conversations/web-x1/handoff").status_code == 401


def test_handback_is_compare_and_set(client: TestClient) -> None:
    _, t = _live(client, "web-y1")
    url = f"/api/v1/handoff-tickets/{t['id']}"
    # Rasa could not be resumed: the person keeps the conversation, visibly.
    r = client.patch(url, headers=H, json={"status": "handback_failed", "if_status": ["open", "assigned"]})
    assert r.status_code == 200 and r.json()["status"] == "handback_failed"
    assert client.get("/api/v1/conversations/web-y1/handoff", headers=H).json()["active"] is True
    active = ["open", "assigned", "handback_failed"]
    r = client.patch(url, headers=H, json={"status": "closed", "assigned_to": "ana", "if_status": active})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    # The second hand-back (another replica, another agent) loses and changes nothing.
    r = client.patch(url, headers=H, json={"status": "closed", "assigned_to": "bor", "if_status": active})
    assert r.status_code == 409 and r.json()["detail"]["code"] == "ticket_conflict"
    assert client.get("/api/v1/handoff-tickets", headers=H,
                      params={"conversation_id": "web-y1"}).json()[0]["assigned_to"] == "ana"
    assert client.get("/api/v1/conversations/web-y1/handoff", headers=H).json()["active"] is False
    # After the hand-back a new handoff opens a new ticket.
    code, t2 = _live(client, "web-y1")
    assert code == 201 and t2["id"] != t["id"]
    r = client.patch(url, headers=H, json={"status": "reopened"})
    assert r.status_code == 422


def test_parallel_live_tickets_yield_one(client: TestClient) -> None:
    """Two replicas asking at once: the partial unique index leaves exactly one active ticket."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: _live(client, "web-z1"), range(8)))
    ids = {body["id"] for _, body in results}
    assert len(ids) == 1 and sorted(code for code, _ in results).count(201) == 1
    rows = client.get("/api/v1/handoff-tickets", headers=H, params={"conversation_id": "web-z1"}).json()
    assert len(rows) == 1
