"""OTP rules: masking, hashing, expiry, attempts and lock, send rate limit, token binding, logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from apihelpers import H, last_code, login
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.clock import Clock
from backend.models import SessionToken, VerificationChallenge
from backend.services.security import mask_email, mask_phone

START = "/api/v1/verification/start"
CONFIRM = "/api/v1/verification/confirm"


def start(client: TestClient, ident: str, conv: str = "conv-1", **kw: str) -> tuple[int, dict]:
    r = client.post(START, headers=H, json={"identifier": ident, "conversation_id": conv, **kw})
    return r.status_code, r.json()


def confirm(client: TestClient, code: str, conv: str = "conv-1") -> tuple[int, dict]:
    r = client.post(CONFIRM, headers=H, json={"conversation_id": conv, "code": code})
    return r.status_code, r.json()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_masking_helpers() -> None:
    assert mask_email("janez.novak@gmail.com") == "j***@g***.com"
    assert mask_phone("041 123 123") == "041 *** 123"
    assert mask_phone("+386 41 555 123") == "041 *** 123"


def test_start_by_email_sends_by_email_and_confirm_shows_it_masked(client: TestClient) -> None:
    status, body = start(client, "ANA.NOVAK@example.com ")
    assert status == 200
    assert body == {
        "status": "accepted",
        "message": "Če obstaja račun s tem podatkom, smo poslali kodo za preverjanje na kontakt, ki je "
        "zapisan pri računu. Koda velja 10 minut.",
        "expires_in_seconds": 600,
    }
    status, body = confirm(client, last_code(client, "ana.novak@example.com"))
    assert status == 200 and body["channel"] == "email" and body["masked_contact"] == "a***@e***.com"


def test_start_by_customer_number_uses_sms(client: TestClient) -> None:
    status, _ = start(client, "1000006")
    assert status == 200
    assert len(last_code(client, "031 987 654")) == 6


def test_unknown_identifier_sends_nothing(client: TestClient) -> None:
    status, body = start(client, "nobody@example.com")
    assert status == 200 and body["status"] == "accepted"
    assert client.get("/api/v1/dev/outbox", headers=H).json() == []


def test_code_is_stored_hashed(client: TestClient, db: Session) -> None:
    start(client, "ana.novak@example.com")
    code = last_code(client)
    ch = db.scalars(select(VerificationChallenge)).one()
    assert code not in ch.code_hash and len(ch.code_hash) == 64


def test_confirm_issues_token_bound_to_conversation(client: TestClient, db: Session) -> None:
    headers = login(client, "ana.novak@example.com", conv="conv-A")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token = headers["Authorization"].split()[1]
    assert db.scalars(select(SessionToken)).one().token_hash != token
    other = {**headers, "X-Conversation-Id": "conv-B"}
    r = client.get("/api/v1/me", headers=other)
    assert r.status_code == 403 and r.json()["detail"]["code"] == "conversation_mismatch"
    r = client.get("/api/v1/me", headers={**headers, "X-Conversation-Id": ""})
    assert r.status_code == 403


def test_wrong_code_reports_remaining_attempts(client: TestClient) -> None:
    start(client, "ana.novak@example.com")
    code = last_code(client)
    status, body = confirm(client, wrong(code))
    assert status == 400
    assert body["detail"]["code"] == "code_invalid" and body["detail"]["remaining_attempts"] == 4


def test_sixth_attempt_refused_even_with_right_code(client: TestClient) -> None:
    start(client, "ana.novak@example.com")
    code = last_code(client)
    for i in range(4):
        status, body = confirm(client, wrong(code))
        assert status == 400 and body["detail"]["remaining_attempts"] == 4 - i
    status, body = confirm(client, wrong(code))  # 5th wrong -> locked
    assert status == 429 and body["detail"]["code"] == "verification_locked"
    status, body = confirm(client, code)  # 6th, right code
    assert status == 429 and body["detail"]["code"] == "verification_locked"
    assert body["detail"]["retry_after"] > 0
    # while locked no new code can be requested either
    status, body = start(client, "ana.novak@example.com")
    assert status == 429 and body["detail"]["code"] == "verification_locked"


def test_five_wrong_then_right_on_fifth_still_ok(client: TestClient) -> None:
    start(client, "ana.novak@example.com")
    code = last_code(client)
    for _ in range(4):
        confirm(client, wrong(code))
    status, _ = confirm(client, code)
    assert status == 200


def test_expired_code(client: TestClient, clock: Clock) -> None:
    start(client, "ana.novak@example.com")
    code = last_code(client)
    assert clock.fixed_now is not None
    clock.fixed_now += timedelta(minutes=10, seconds=1)
    status, body = confirm(client, code)
    assert status == 410 and body["detail"]["code"] == "code_expired"


def test_code_valid_just_before_expiry(client: TestClient, clock: Clock) -> None:
    start(client, "ana.novak@example.com")
    code = last_code(client)
    assert clock.fixed_now is not None
    clock.fixed_now += timedelta(minutes=9, seconds=59)
    assert confirm(client, code)[0] == 200


def test_code_single_use(client: TestClient) -> None:
    start(client, "ana.novak@example.com")
    code = last_code(client)
    assert confirm(client, code)[0] == 200
    status, body = confirm(client, code)
    assert status == 404 and body["detail"]["code"] == "no_active_challenge"


def test_send_rate_limit(client: TestClient, clock: Clock) -> None:
    for i in range(3):
        assert start(client, "ana.novak@example.com", conv=f"c{i}")[0] == 200
    status, body = start(client, "ana.novak@example.com", conv="c4")
    assert status == 429 and body["detail"]["code"] == "too_many_codes"
    assert "minut" in body["detail"]["message"]
    # customer number of the same account shares the limit
    assert start(client, "1000001", conv="c5")[0] == 429
    assert clock.fixed_now is not None
    clock.fixed_now += timedelta(minutes=15, seconds=1)
    assert start(client, "ana.novak@example.com", conv="c6")[0] == 200


def test_new_code_supersedes_old(client: TestClient) -> None:
    start(client, "ana.novak@example.com")
    old = last_code(client)
    start(client, "ana.novak@example.com")
    new = last_code(client)
    if old != new:
        assert confirm(client, old)[0] == 400
    assert confirm(client, new)[0] == 200


def test_token_expiry(client: TestClient, clock: Clock) -> None:
    headers = login(client, "ana.novak@example.com")
    assert clock.fixed_now is not None
    clock.fixed_now += timedelta(minutes=31)
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and r.json()["detail"]["code"] == "token_expired"


def test_logout_revokes(client: TestClient) -> None:
    headers = login(client, "ana.novak@example.com")
    assert client.post("/api/v1/verification/logout", headers=headers).status_code == 204
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and r.json()["detail"]["code"] == "token_invalid"


@pytest.mark.parametrize(
    ("headers", "code"),
    [({}, "api_key_missing"), ({"X-API-Key": "wrong"}, "api_key_invalid")],
)
def test_api_key_required(client: TestClient, headers: dict, code: str) -> None:
    r = client.post(START, headers=headers, json={"identifier": "x", "conversation_id": "c"})
    assert r.status_code == 401 and r.json()["detail"]["code"] == code


def test_token_required(client: TestClient) -> None:
    r = client.get("/api/v1/me", headers=H)
    assert r.status_code == 401 and r.json()["detail"]["code"] == "token_missing"
    r = client.get("/api/v1/me", headers={**H, "Authorization": "Bearer nope", "X-Conversation-Id": "c"})
    assert r.status_code == 401 and r.json()["detail"]["code"] == "token_invalid"


def test_no_secrets_in_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    start(client, "ana.novak@example.com")
    code = last_code(client)
    confirm(client, wrong(code))
    r = client.post(CONFIRM, headers=H, json={"conversation_id": "conv-1", "code": code})
    token = r.json()["token"]
    text = "\n".join(rec.getMessage() for rec in caplog.records)
    assert caplog.records, "expected some log lines"
    for secret in (code, token, "ana.novak@example.com", "test-otp-secret", "test-api-key"):
        assert secret not in text


def test_dev_outbox_off_by_default(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.dev_outbox_enabled = False
    r = client.get("/api/v1/dev/outbox", headers=H)
    assert r.status_code == 404
