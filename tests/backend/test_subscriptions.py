"""Notice subscriptions over the API: idempotent create, access levels, contacts, list, change,
end, and the gateway's STOP / ODJAVA opt-out."""

from __future__ import annotations

import threading
from datetime import date

import httpx
import pytest
from apihelpers import SUBS, H, login, subscribe
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.models import Subscription

ANA_E, ANA_G = "SI-E-100001", "SI-G-100002"  # windows 1–31 and 26–29; phone 041 123 456
OPT_OUT = "/api/v1/notices/opt-out"


@pytest.fixture
def ana(client: TestClient) -> dict[str, str]:
    return login(client, "ana.novak@example.com")


def count(db: Session, **where: object) -> int:
    stmt = select(func.count()).select_from(Subscription)
    for k, v in where.items():
        stmt = stmt.where(getattr(Subscription, k) == v)
    return db.scalar(stmt) or 0


def test_create_is_idempotent_and_says_what_where_when(client: TestClient, ana: dict, db: Session) -> None:
    body = {"metering_point": ANA_G, "kind": "reading_reminder", "channel": "sms"}
    r = client.post(SUBS, headers=ana, json=body)
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["result"] == "created"
    sub = first["subscription"]
    assert sub["metering_point"] == ANA_G and sub["kind"] == "reading_reminder" and sub["channel"] == "sms"
    assert sub["masked_contact"] == "041 *** 456" and sub["status"] == "active"
    assert sub["consent_source"] == "chat" and sub["consent_at"] == "2026-11-22T09:00:00Z"
    # when: the window opens on the 26th (this month, still ahead), never at night
    assert (sub["window_start_day"], sub["window_end_day"]) == (26, 29)
    assert sub["next_reminder_on"] == "2026-11-26"
    assert (sub["quiet_start_hour"], sub["quiet_end_hour"]) == (20, 8)
    assert "message" not in first and "message" not in sub  # codes and data only

    again = client.post(SUBS, headers=ana, json=body)
    assert again.status_code == 200 and again.json()["result"] == "existing"
    assert again.json()["subscription"]["id"] == sub["id"]
    assert count(db) == 1
    stored = db.scalars(select(Subscription)).one()
    assert stored.contact == "+38641123456"  # the number on file, in E.164

    e = subscribe(client, ana, ANA_E)
    assert e["next_reminder_on"] == "2026-12-01"  # window 1–31: it opened before the consent, so next month


def test_invoice_notice_by_email_masked(client: TestClient, ana: dict) -> None:
    sub = subscribe(client, ana, ANA_E, kind="invoice_notice", channel="email")
    assert sub["masked_contact"] == "a***@e***.com"
    assert sub["next_reminder_on"] is None and sub["window_start_day"] is None


def test_omejeni_gets_reminders_but_no_invoice_notices(client: TestClient, db: Session) -> None:
    cvetka = login(client, "cvetka.zupan@example.com", conv="cv")
    r = client.post(SUBS, headers=cvetka, json={"metering_point": "SI-E-100004", "kind": "invoice_notice", "channel": "sms"})
    assert r.status_code == 403 and r.json()["detail"]["code"] == "access_denied_invoices"
    assert count(db) == 0
    assert subscribe(client, cvetka, "SI-E-100004")["kind"] == "reading_reminder"
    # pooblaščeni may get invoice notices
    bojan = login(client, "bojan.kos@example.com", conv="bo")
    assert subscribe(client, bojan, "SI-E-100003", kind="invoice_notice")["status"] == "active"


def test_foreign_point_missing_contact_and_telegram(client: TestClient, ana: dict, db: Session) -> None:
    r = client.post(SUBS, headers=ana, json={"metering_point": "SI-E-100003", "kind": "reading_reminder", "channel": "sms"})
    assert r.status_code == 404 and r.json()["detail"]["code"] == "metering_point_not_found"
    urska = login(client, "urska.oblak@example.com", conv="ur")  # no phone on file
    body = {"metering_point": "SI-G-100030", "kind": "reading_reminder", "channel": "sms"}
    r = client.post(SUBS, headers=urska, json=body)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "contact_missing"
    assert r.json()["detail"]["channel"] == "sms" and r.json()["detail"]["message"]
    r = client.post(SUBS, headers=ana, json={"metering_point": ANA_E, "kind": "reading_reminder", "channel": "telegram"})
    assert r.status_code == 422 and r.json()["detail"]["code"] == "telegram_chat_id_required"
    r = client.post(
        SUBS,
        headers=ana,
        json={"metering_point": ANA_E, "kind": "reading_reminder", "channel": "telegram", "telegram_chat_id": "abc"},
    )
    assert r.status_code == 422 and r.json()["detail"]["code"] == "telegram_chat_id_required"
    assert count(db) == 0
    tg = subscribe(client, ana, ANA_E, channel="telegram", telegram_chat_id="123456789", source="telegram")
    assert tg["masked_contact"] == "***789" and tg["consent_source"] == "telegram"
    assert db.scalars(select(Subscription)).one().contact == "123456789"


def test_list_change_channel_and_end(client: TestClient, ana: dict, db: Session) -> None:
    sms = subscribe(client, ana, ANA_G)
    inv = subscribe(client, ana, ANA_E, kind="invoice_notice", channel="email")
    listed = client.get(SUBS, headers=ana).json()
    assert [s["id"] for s in listed] == [sms["id"], inv["id"]]

    r = client.patch(f"{SUBS}/{sms['id']}", headers=ana, json={"channel": "email"})
    assert r.status_code == 200 and r.json()["result"] == "changed"
    moved = r.json()["subscription"]
    assert moved["channel"] == "email" and moved["id"] != sms["id"] and r.json()["replaced_id"] == sms["id"]
    assert client.patch(f"{SUBS}/{moved['id']}", headers=ana, json={"channel": "email"}).json()["result"] == "unchanged"
    ended = client.get(SUBS, headers=ana, params={"status": "ended"}).json()
    assert [(s["id"], s["end_reason"]) for s in ended] == [(sms["id"], "channel_changed")]
    r = client.patch(f"{SUBS}/{sms['id']}", headers=ana, json={"channel": "sms"})
    assert r.status_code == 409 and r.json()["detail"]["code"] == "subscription_ended"

    # back to SMS while an SMS reminder exists again: the two merge into the existing one
    again = subscribe(client, ana, ANA_G)
    r = client.patch(f"{SUBS}/{moved['id']}", headers=ana, json={"channel": "sms"})
    assert r.json()["result"] == "merged" and r.json()["subscription"]["id"] == again["id"]
    assert count(db, status="active") == 2

    r = client.delete(f"{SUBS}/{again['id']}", headers=ana)
    assert r.status_code == 200 and r.json()["result"] == "ended"
    assert r.json()["subscription"]["status"] == "ended" and r.json()["subscription"]["next_reminder_on"] is None
    assert client.delete(f"{SUBS}/{again['id']}", headers=ana).json()["result"] == "already_ended"
    assert [s["id"] for s in client.get(SUBS, headers=ana).json()] == [inv["id"]]
    assert len(client.get(SUBS, headers=ana, params={"status": "all"}).json()) == 4


def test_others_subscriptions_look_like_none(client: TestClient, ana: dict) -> None:
    sub = subscribe(client, ana, ANA_G)
    bojan = login(client, "bojan.kos@example.com", conv="bo")
    for r in (
        client.delete(f"{SUBS}/{sub['id']}", headers=bojan),
        client.patch(f"{SUBS}/{sub['id']}", headers=bojan, json={"channel": "email"}),
        client.delete(f"{SUBS}/999999", headers=ana),
    ):
        assert r.status_code == 404 and r.json()["detail"]["code"] == "subscription_not_found"
    assert client.get(SUBS, headers=bojan).json() == []
    assert client.get(SUBS, headers=ana).json()[0]["status"] == "active"
    r = client.delete(f"{SUBS}/{2**40}", headers=ana)
    assert r.status_code == 422


def test_end_matching_filters(client: TestClient, ana: dict, db: Session) -> None:
    subscribe(client, ana, ANA_G)
    subscribe(client, ana, ANA_E)
    subscribe(client, ana, ANA_E, kind="invoice_notice", channel="email")
    r = client.delete(SUBS, headers=ana, params={"kind": "reading_reminder", "metering_point": ANA_E})
    assert r.json()["result"] == "ended" and r.json()["ended"] == 1
    assert r.json()["items"][0]["metering_point"] == ANA_E
    r = client.delete(SUBS, headers=ana, params={"metering_point": "SI-E-100003"})
    assert r.status_code == 404
    r = client.delete(SUBS, headers=ana)
    assert r.json()["ended"] == 2 and count(db, status="active") == 0
    assert client.delete(SUBS, headers=ana).json() == {"result": "none", "ended": 0, "items": []}


def test_needs_verification(client: TestClient) -> None:
    assert client.get(SUBS, headers=H).json()["detail"]["code"] == "token_missing"
    r = client.post(SUBS, json={"metering_point": ANA_E, "kind": "reading_reminder", "channel": "sms"})
    assert r.json()["detail"]["code"] == "api_key_missing"


def test_opt_out_ends_every_sms_subscription_of_the_number(client: TestClient, ana: dict, db: Session) -> None:
    subscribe(client, ana, ANA_G)
    subscribe(client, ana, ANA_E, kind="invoice_notice")
    subscribe(client, ana, ANA_E, kind="invoice_notice", channel="email")
    bojan = subscribe(client, login(client, "bojan.kos@example.com", conv="bo"), "SI-E-100003")  # another number
    assert client.post(OPT_OUT, json={"sender": "+38641123456"}).status_code == 401  # the gateway's key
    r = client.post(OPT_OUT, headers=H, json={"channel": "sms", "sender": "+38641123456"})
    assert r.status_code == 200
    assert r.json() == {"result": "ended", "ended": 2, "channel": "sms", "masked_sender": "041 *** 456"}
    assert count(db, status="active") == 2  # Ana's e-mail notice and Bojan's SMS reminder stay
    assert db.get(Subscription, bojan["id"]).status == "active"  # type: ignore[union-attr]
    assert {s.end_reason for s in db.scalars(select(Subscription).where(Subscription.status == "ended"))} == {"opt_out"}
    # the same number written nationally: nothing left to end
    r = client.post(OPT_OUT, headers=H, json={"sender": "041 123 456"})
    assert r.json()["result"] == "none" and r.json()["ended"] == 0
    r = client.post(OPT_OUT, headers=H, json={"sender": "abc"})
    assert r.status_code == 200 and r.json() == {"result": "none", "ended": 0, "channel": "sms", "masked_sender": "***"}


def test_parallel_duplicates_store_one(client: TestClient, live_url: str, ana: dict, db: Session) -> None:
    """Two identical requests at the same time: the partial unique index lets one row in."""
    body = {"metering_point": ANA_G, "kind": "reading_reminder", "channel": "sms"}
    barrier = threading.Barrier(6)
    results: list[str] = []

    def go() -> None:
        barrier.wait()
        r = httpx.post(f"{live_url}{SUBS}", headers=ana, json=body, timeout=30)
        results.append(r.json()["result"])

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["created"] + ["existing"] * 5
    assert count(db) == 1


def test_next_reminder_moves_on_after_the_send(client: TestClient, ana: dict, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    sub = subscribe(client, ana, ANA_G)
    assert sub["next_reminder_on"] == "2026-11-26"
    clock.fixed_now = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
    r = client.post("/api/v1/dev/scheduler/run", headers=H, json={})
    assert r.json()["reminders"] == 1
    assert client.get(SUBS, headers=login(client, "ana.novak@example.com", conv="c2")).json()[0][
        "next_reminder_on"
    ] == date(2026, 12, 26).isoformat()
