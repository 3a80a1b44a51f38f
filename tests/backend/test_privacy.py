"""Personal data in tickets is masked before it is stored; every timestamp carries an offset."""

from __future__ import annotations

import re
from typing import Any

from apihelpers import H, login
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import HandoffTicket
from backend.services.security import redact_text

TICKETS = "/api/v1/handoff-tickets"
SUMMARY = (
    "Uporabnik ana.novak@example.com (tel. 041 123 456, drugič +386 41 555 123) je vpisal kodo 482913 "
    "in nato 123-456; merilno mesto SI-E-100001, kupec 1000001, 22. 11. 2026, podpora 080 1558."
)


def test_redact_text() -> None:
    out = redact_text(SUMMARY)
    for secret in ("ana.novak@example.com", "123 456", "555 123", "482913", "123-456"):
        assert secret not in out
    assert "a***@e***.com" in out and "041 *** 456" in out and "041 *** 123" in out
    assert out.count("••••••") == 2
    for kept in ("SI-E-100001", "1000001", "22. 11. 2026", "080 1558"):
        assert kept in out


def test_ticket_summary_is_masked_before_it_is_stored(client: TestClient, db: Session) -> None:
    r = client.post(TICKETS, headers=H, json={"conversation_id": "p1", "summary": SUMMARY, "contact": "041 123 456"})
    assert r.status_code == 201
    stored = db.scalars(select(HandoffTicket)).one()
    assert stored.summary == redact_text(SUMMARY) and r.json()["summary"] == stored.summary
    assert stored.contact == "041 123 456"  # the callback number the user gave on purpose stays usable
    r = client.patch(f"{TICKETS}/{stored.id}", headers=H, json={"summary": "nova koda 777888, mail x.y@z.si"})
    assert r.json()["summary"] == "nova koda ••••••, mail x***@z***.si"


OFFSET = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _timestamps(value: Any, key: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _timestamps(v, k)]
    if isinstance(value, list):
        return [t for v in value for t in _timestamps(v, key)]
    if isinstance(value, str) and (key.endswith("_at") or key in ("since", "until")):
        return [(key, value)]
    return []


def test_every_timestamp_has_an_offset(client: TestClient) -> None:
    """RFC 3339 date-time, as the OpenAPI schema declares (naive timestamps were not)."""
    headers = login(client, "ana.novak@example.com", conv="ts")
    bodies = [
        client.post("/api/v1/feedback", headers=H, json={"conversation_id": "t", "topic": "login", "rating": "Da"}).json(),
        client.post(TICKETS, headers=H, json={"conversation_id": "t"}).json(),
        client.get(TICKETS, headers=H).json(),
        client.get("/api/v1/me", headers=headers).json(),
        client.get("/api/v1/me/metering-points/SI-E-100001/readings", headers=headers).json(),
        client.get("/api/v1/dev/outbox", headers=H).json(),
    ]
    found = [t for b in bodies for t in _timestamps(b)]
    keys = {k for k, _ in found}
    assert {"created_at", "updated_at", "access_granted_at"} <= keys
    bad = [(k, v) for k, v in found if not OFFSET.match(v)]
    assert not bad, bad
