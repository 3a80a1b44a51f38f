"""GET /reports/feedback: per-topic counts and helpful share for the agent console."""

from __future__ import annotations

from apihelpers import H
from fastapi.testclient import TestClient


def _rate(client: TestClient, topic: str, rating: str, brand: str | None = None) -> None:
    body = {"conversation_id": "c1", "topic": topic, "rating": rating}
    if brand:
        body["brand"] = brand
    assert client.post("/api/v1/feedback", headers=H, json=body).status_code == 201


def test_empty_report(client: TestClient) -> None:
    r = client.get("/api/v1/reports/feedback", headers=H)
    assert r.status_code == 200
    assert r.json() == {"total": 0, "helpful": 0, "helpful_share": None, "topics": []}


def test_per_topic_counts_and_share(client: TestClient) -> None:
    for rating in ("Da", "Da", "Ne"):
        _rate(client, "forgot_password", rating)
    _rate(client, "register", "Ne", brand="butan")
    body = client.get("/api/v1/reports/feedback", headers=H).json()
    assert body["total"] == 4 and body["helpful"] == 2 and body["helpful_share"] == 0.5
    first, second = body["topics"]
    assert first == {
        "topic": "forgot_password", "title": None, "answers": 3, "helpful": 2, "not_helpful": 1,
        "helpful_share": 2 / 3,
    }
    assert second["topic"] == "register" and second["helpful_share"] == 0.0
    only_butan = client.get("/api/v1/reports/feedback", headers=H, params={"brand": "butan"}).json()
    assert only_butan["total"] == 1
    future = client.get("/api/v1/reports/feedback", headers=H, params={"since": "2100-01-01T00:00:00"}).json()
    assert future["total"] == 0


def test_report_needs_api_key(client: TestClient) -> None:
    assert client.get("/api/v1/reports/feedback").status_code == 401
    r = client.get("/api/v1/reports/feedback", headers=H, params={"since": "gestern"})
    assert r.status_code == 422 and r.json()["detail"]["code"] == "invalid_request"
