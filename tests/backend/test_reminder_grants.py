"""Answering a reading reminder: the gateway asks for a reminder grant for the sender; the grant
reads and submits one reading for that one point through the normal reading endpoints and rules,
and nothing else."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from apihelpers import H, login, subscribe
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.core.clock import Clock
from backend.core.config import Settings
from backend.models import MeteringPoint, MeterReading, ReminderGrant
from backend.services.notifications import run_pass

LJ = ZoneInfo("Europe/Ljubljana")
ANA_E, ANA_G = "SI-E-100001", "SI-G-100002"
ANA_PHONE = "+38641123456"
GRANTS = "/api/v1/notices/reminder-grants"
SENT = datetime(2026, 11, 26, 9, tzinfo=LJ)  # the reminder for SI-G-100002 (window 26–29) goes out


def readings_of(db: Session, number: str) -> list[MeterReading]:
    db.expire_all()
    mp = db.scalars(select(MeteringPoint).where(MeteringPoint.number == number)).one()
    return list(db.scalars(select(MeterReading).where(MeterReading.metering_point_id == mp.id).order_by(MeterReading.id)))


def grant(client: TestClient, sender: str = ANA_PHONE, conv: str = "sms-ana", **extra: object) -> httpx.Response:
    return client.post(GRANTS, headers=H, json={"channel": "sms", "sender": sender, "conversation_id": conv, **extra})


def bearer(token: str, conv: str = "sms-ana") -> dict[str, str]:
    return {**H, "Authorization": f"Bearer {token}", "X-Conversation-Id": conv}


@pytest.fixture
def reminded(client: TestClient, db: Session, settings: Settings, clock: Clock) -> None:
    """Ana subscribed by SMS (in the chat, 22. 11.); the reminder went out on 26. 11. at 09:00; it
    is now 10:00 that day."""
    subscribe(client, login(client, "ana.novak@example.com", conv="chat-ana"), ANA_G)
    assert run_pass(db, settings, SENT).queued == 1
    clock.fixed_now = SENT + timedelta(hours=1)


@pytest.mark.usefixtures("reminded")
def test_a_grant_submits_one_reading_for_its_point(client: TestClient, db: Session) -> None:
    r = grant(client)
    assert r.status_code == 201, r.text
    g = r.json()
    assert g["token"].startswith("rg.") and g["token_type"] == "bearer" and g["scope"] == "reading_reminder_reply"
    assert g["metering_point"] == ANA_G and g["window_end"] == "2026-11-29" and g["conversation_id"] == "sms-ana"
    assert g["expires_at"].startswith("2026-11-26T09:30:00")  # 30 min from now (10:00 local = 09:00 UTC)
    h = bearer(g["token"])

    points = client.get("/api/v1/me/metering-points", headers=h).json()
    assert [p["number"] for p in points] == [ANA_G]  # only the reminded point
    last = points[0]["last_reading"]["value"]
    listed = client.get(f"/api/v1/me/metering-points/{ANA_G}/readings", headers=h, params={"limit": 50}).json()
    assert [x["value"] for x in listed] == [last]  # the last reading, nothing more

    before = len(readings_of(db, ANA_G))
    url = f"/api/v1/me/metering-points/{ANA_G}/readings"
    dry = client.post(url, headers=h, json={"value": str(last + 50), "channel": "sms", "dry_run": True})
    assert dry.status_code == 200 and dry.json()["stored"] is False
    ok = client.post(url, headers=h, json={"value": str(last + 50), "channel": "sms", "idempotency_key": "rem-1"})
    assert ok.status_code == 201, ok.text
    assert ok.json()["stored"] and ok.json()["reading"]["value"] == last + 50
    stored = readings_of(db, ANA_G)
    assert len(stored) == before + 1 and stored[-1].channel == "sms" and stored[-1].account_id is not None

    # spent: a second reading is refused, a retry of the same submission gets the stored one back
    second = client.post(url, headers=h, json={"value": str(last + 60), "channel": "sms", "idempotency_key": "rem-2"})
    assert second.status_code == 401 and second.json()["detail"]["code"] == "reminder_grant_used"
    retry = client.post(url, headers=h, json={"value": str(last + 50), "channel": "sms", "idempotency_key": "rem-1"})
    assert retry.status_code == 200 and retry.json()["duplicate"] is True
    assert client.get("/api/v1/me/metering-points", headers=h).json()["detail"]["code"] == "reminder_grant_used"
    assert len(readings_of(db, ANA_G)) == before + 1
    spent = db.scalars(select(ReminderGrant)).one()
    assert spent.used_at is not None and spent.reading_id == stored[-1].id
    # and the reminder is answered: no new grant for it
    again = grant(client)
    assert again.status_code == 409 and again.json()["detail"]["code"] == "reminder_already_answered"


@pytest.mark.usefixtures("reminded")
def test_a_grant_is_refused_for_another_point_and_everything_else(client: TestClient, db: Session) -> None:
    h = bearer(grant(client).json()["token"])
    r = client.post(f"/api/v1/me/metering-points/{ANA_E}/readings", headers=h, json={"value": "99999"})
    assert r.status_code == 403 and r.json()["detail"]["code"] == "reminder_grant_scope"
    r = client.get(f"/api/v1/me/metering-points/{ANA_E}/readings", headers=h)
    assert r.status_code == 403 and r.json()["detail"]["code"] == "reminder_grant_scope"
    r = client.post("/api/v1/me/metering-points/SI-E-100003/readings", headers=h, json={"value": "1"})
    assert r.status_code == 404  # a foreign point looks like none, as for a verified account
    for method, path in (
        ("GET", "/api/v1/me/invoices"),
        ("GET", "/api/v1/me/invoices/balance"),
        ("GET", "/api/v1/me"),
        ("GET", f"/api/v1/me/metering-points/{ANA_G}/consumption"),
        ("GET", "/api/v1/me/subscriptions"),
        ("DELETE", "/api/v1/me/subscriptions"),
        ("GET", "/api/v1/me/campaigns/demo-ugoden-plin/eligibility?metering_point=SI-G-100002"),
    ):
        r = client.request(method, path, headers=h)
        assert r.status_code == 403 and r.json()["detail"]["code"] == "reminder_grant_not_allowed", (path, r.text)
    body = {"metering_point": ANA_G, "kind": "invoice_notice", "channel": "sms"}
    r = client.post("/api/v1/me/subscriptions", headers=h, json=body)
    assert r.json()["detail"]["code"] == "reminder_grant_not_allowed"
    # the grant was not spent by any of that
    assert db.scalars(select(ReminderGrant)).one().used_at is None


@pytest.mark.usefixtures("reminded")
def test_reading_rules_stay_the_backends(client: TestClient, db: Session) -> None:
    h = bearer(grant(client).json()["token"])
    url = f"/api/v1/me/metering-points/{ANA_G}/readings"
    last = readings_of(db, ANA_G)[-1].value
    bad = (("12,5", "reading_not_integer"), (str(last - 1), "reading_lower_than_last"), ("abc", "reading_not_number"))
    for value, code in bad:
        r = client.post(url, headers=h, json={"value": value})
        assert r.json()["detail"]["code"] == code
    assert db.scalars(select(ReminderGrant)).one().used_at is None  # refused readings spend nothing
    assert client.post(url, headers=h, json={"value": str(last + 10)}).status_code == 201


@pytest.mark.usefixtures("reminded")
def test_no_grant_without_a_reminder_to_that_contact(client: TestClient) -> None:
    for sender in ("+38640222333", "+38631444555", "+12025550100"):  # Bojan, Cvetka (no reminder), abroad
        r = grant(client, sender=sender)
        assert r.status_code == 404 and r.json()["detail"]["code"] == "no_recent_reminder"
    r = client.post(GRANTS, headers=H, json={"channel": "telegram", "sender": "41123456", "conversation_id": "t"})
    assert r.status_code == 404  # the reminder went by SMS, not to a Telegram chat
    r = grant(client, sender="ni številka")
    assert r.status_code == 404 and r.json()["detail"]["code"] == "no_recent_reminder"
    r = grant(client, metering_point=ANA_E)  # Ana's other point got no reminder
    assert r.status_code == 404
    assert client.post(GRANTS, json={"channel": "sms", "sender": ANA_PHONE, "conversation_id": "x"}).status_code == 401
    # the national form of the same number is the same contact
    assert grant(client, sender="041 123 456").status_code == 201


def test_no_grant_once_the_window_closed_or_the_reminder_is_old(
    client: TestClient, db: Session, settings: Settings, clock: Clock
) -> None:
    subscribe(client, login(client, "ana.novak@example.com", conv="chat-ana"), ANA_E)  # window 1–31
    run_pass(db, settings, datetime(2026, 12, 1, 9, tzinfo=LJ))
    clock.fixed_now = datetime(2026, 12, 8, 8, 59, tzinfo=LJ)
    assert grant(client).status_code == 201  # within 7 days
    clock.fixed_now = datetime(2026, 12, 8, 9, 1, tzinfo=LJ)
    assert grant(client).json()["detail"]["code"] == "no_recent_reminder"

    subscribe(client, login(client, "ana.novak@example.com", conv="chat-ana2"), ANA_G)  # window 26–29
    run_pass(db, settings, datetime(2026, 12, 26, 9, tzinfo=LJ))
    clock.fixed_now = datetime(2026, 12, 29, 23, 0, tzinfo=LJ)
    assert grant(client).status_code == 201
    clock.fixed_now = datetime(2026, 12, 30, 9, 0, tzinfo=LJ)  # the window has closed
    assert grant(client).json()["detail"]["code"] == "no_recent_reminder"


def test_no_grant_for_a_past_period_even_in_a_new_window(
    client: TestClient, db: Session, settings: Settings, clock: Clock
) -> None:
    """The reminder is about one window: once it closed, a reply no longer counts, even while the
    next window is open and the reply period (here set to 40 days) has not run out."""
    settings.reminder_reply_days = 40
    subscribe(client, login(client, "ana.novak@example.com", conv="chat-ana"), ANA_E)  # window 1–31
    run_pass(db, settings, datetime(2026, 12, 1, 9, tzinfo=LJ))
    clock.fixed_now = datetime(2026, 12, 31, 12, tzinfo=LJ)
    assert grant(client).status_code == 201
    clock.fixed_now = datetime(2027, 1, 1, 7, tzinfo=LJ)  # before the new month's reminder
    assert grant(client).json()["detail"]["code"] == "no_recent_reminder"


@pytest.mark.usefixtures("reminded")
def test_no_grant_after_stop(client: TestClient) -> None:
    assert client.post("/api/v1/notices/opt-out", headers=H, json={"sender": ANA_PHONE}).json()["ended"] == 1
    assert grant(client).json()["detail"]["code"] == "no_recent_reminder"


@pytest.mark.usefixtures("reminded")
def test_stop_revokes_an_open_grant(client: TestClient) -> None:
    h = bearer(grant(client).json()["token"])
    client.post("/api/v1/notices/opt-out", headers=H, json={"sender": ANA_PHONE})
    r = client.get("/api/v1/me/metering-points", headers=h)
    assert r.status_code == 401 and r.json()["detail"]["code"] == "token_invalid"


@pytest.mark.usefixtures("reminded")
def test_grant_is_bound_to_its_conversation_and_expires(client: TestClient, clock: Clock) -> None:
    token = grant(client).json()["token"]
    r = client.get("/api/v1/me/metering-points", headers=bearer(token, conv="other"))
    assert r.status_code == 403 and r.json()["detail"]["code"] == "conversation_mismatch"
    assert client.get("/api/v1/me/metering-points", headers=bearer(token)).status_code == 200
    clock.fixed_now = SENT + timedelta(hours=1, minutes=30)
    r = client.get("/api/v1/me/metering-points", headers=bearer(token))
    assert r.status_code == 401 and r.json()["detail"]["code"] == "reminder_grant_expired"
    r = client.post(f"/api/v1/me/metering-points/{ANA_G}/readings", headers=bearer(token), json={"value": "1"})
    assert r.json()["detail"]["code"] == "reminder_grant_expired"
    r = client.get("/api/v1/me/metering-points", headers=bearer("rg.not-a-grant"))
    assert r.status_code == 401 and r.json()["detail"]["code"] == "token_invalid"


@pytest.mark.usefixtures("reminded")
def test_a_newer_grant_supersedes_and_logout_revokes(client: TestClient) -> None:
    old = grant(client).json()["token"]
    new = grant(client).json()["token"]
    assert client.get("/api/v1/me/metering-points", headers=bearer(old)).json()["detail"]["code"] == "token_invalid"
    assert client.get("/api/v1/me/metering-points", headers=bearer(new)).status_code == 200
    assert client.post("/api/v1/verification/logout", headers=bearer(new)).status_code == 204
    assert client.get("/api/v1/me/metering-points", headers=bearer(new)).json()["detail"]["code"] == "token_invalid"


def test_several_open_reminders_ask_which_point(client: TestClient, db: Session, settings: Settings, clock: Clock) -> None:
    oskar = login(client, "oskar.zajc@example.com", conv="chat-oskar")  # two Butan points, windows 1–31
    subscribe(client, oskar, "BP-U-100023")
    subscribe(client, oskar, "BP-U-100024")
    assert run_pass(db, settings, datetime(2026, 12, 1, 9, tzinfo=LJ)).queued == 2
    clock.fixed_now = datetime(2026, 12, 1, 10, tzinfo=LJ)
    r = grant(client, sender="+38640864202", conv="sms-oskar")
    assert r.status_code == 409 and r.json()["detail"]["code"] == "reminder_ambiguous"
    assert r.json()["detail"]["metering_points"] == ["BP-U-100023", "BP-U-100024"]
    r = grant(client, sender="+38640864202", conv="sms-oskar", metering_point="BP-U-100024")
    assert r.status_code == 201 and r.json()["metering_point"] == "BP-U-100024" and r.json()["brand"] == "butan-plin"


def test_telegram_reply(client: TestClient, db: Session, settings: Settings, clock: Clock) -> None:
    ana = login(client, "ana.novak@example.com", conv="tg-ana")
    subscribe(client, ana, ANA_G, channel="telegram", telegram_chat_id="987654321")
    run_pass(db, settings, SENT)
    clock.fixed_now = SENT + timedelta(minutes=5)
    body = {"channel": "telegram", "sender": "987654321", "conversation_id": "tg-ana"}
    assert client.post(GRANTS, headers=H, json={**body, "sender": "111"}).status_code == 404
    r = client.post(GRANTS, headers=H, json=body)
    assert r.status_code == 201 and r.json()["metering_point"] == ANA_G
    # the phone on file got nothing by SMS, so it cannot answer
    assert grant(client).status_code == 404


@pytest.mark.usefixtures("reminded")
def test_parallel_submissions_store_one_reading(client: TestClient, live_url: str, db: Session) -> None:
    token = grant(client).json()["token"]
    last = readings_of(db, ANA_G)[-1].value
    before = len(readings_of(db, ANA_G))
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def go(i: int) -> None:
        barrier.wait()
        r = httpx.post(
            f"{live_url}/api/v1/me/metering-points/{ANA_G}/readings",
            headers=bearer(token),
            json={"value": str(last + 10 + i), "idempotency_key": f"par-{i}"},
            timeout=30,
        )
        codes.append(r.status_code)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [201, 401, 401, 401]
    assert len(readings_of(db, ANA_G)) == before + 1
    assert db.scalar(select(func.count()).select_from(ReminderGrant).where(ReminderGrant.used_at.is_not(None))) == 1
