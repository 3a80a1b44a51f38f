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
            json={"conversation_id": "c1", "topic": "pozabljeno_geslo", "rating": rating},
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
    assert r.status_code == 201  # an escaped backslash sequence is ordinary text
