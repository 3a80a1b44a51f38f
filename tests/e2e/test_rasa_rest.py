"""Rasa's REST channel refuses malformed bodies with a 400 (it was a 500 with a stack trace)."""

from __future__ import annotations

import uuid

import httpx
import pytest


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b'"text"',
        b"{not json",
        b'{"message": "zdravo"}',  # no sender: stock Rasa put it into the shared "default" conversation
        b'{"sender": 5, "message": "zdravo"}',
        b'{"sender": "x", "message": ["zdravo"]}',
        b'{"sender": "x", "message": "zdravo", "metadata": "brand"}',
    ],
)
def test_malformed_bodies_are_a_400(rasa_url: str, body: bytes) -> None:
    r = httpx.post(f"{rasa_url}/webhooks/rest/webhook", content=body,
                   headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 400, (r.status_code, r.text[:200])
    assert "Traceback" not in r.text


def test_a_well_formed_message_still_gets_its_answer(rasa_url: str) -> None:
    r = httpx.post(f"{rasa_url}/webhooks/rest/webhook", timeout=60,
                   json={"sender": "rest-" + uuid.uuid4().hex, "message": "pozabil sem geslo", "metadata": {}})
    assert r.status_code == 200
    assert any("geslo" in (m.get("text") or "").lower() for m in r.json())
