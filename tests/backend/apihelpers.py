"""Helpers shared by the backend tests (verification round-trip via the dev outbox)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

API_KEY = "test-api-key"
H = {"X-API-Key": API_KEY}


def last_code(client: TestClient, recipient: str | None = None) -> str:
    """Read the latest code from the dev outbox."""
    params: dict[str, Any] = {"limit": 1}
    if recipient:
        params["recipient"] = recipient
    body = client.get("/api/v1/dev/outbox", headers=H, params=params).json()[0]["body"]
    return body.split(": ", 1)[1][:6]


def login(client: TestClient, identifier: str, conv: str = "conv-1") -> dict[str, str]:
    """Verify and return headers for personal endpoints."""
    r = client.post(
        "/api/v1/verification/start", headers=H, json={"identifier": identifier, "conversation_id": conv}
    )
    assert r.status_code == 200, r.text
    code = last_code(client)
    r = client.post("/api/v1/verification/confirm", headers=H, json={"conversation_id": conv, "code": code})
    assert r.status_code == 200, r.text
    return {**H, "Authorization": f"Bearer {r.json()['token']}", "X-Conversation-Id": conv}


SUBS = "/api/v1/me/subscriptions"


def subscribe(
    client: TestClient, headers: dict[str, str], mp: str, kind: str = "reading_reminder", channel: str = "sms", **extra: Any
) -> dict[str, Any]:
    """Switch a notice on and return the subscription (asserting it was accepted)."""
    r = client.post(SUBS, headers=headers, json={"metering_point": mp, "kind": kind, "channel": channel, **extra})
    assert r.status_code in (200, 201), r.text
    return dict(r.json()["subscription"])
