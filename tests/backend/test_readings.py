"""Meter-reading rules, both accept and reject paths."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from apihelpers import login
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.core.clock import Clock
from backend.models import MeteringPoint, MeterReading

ANA_E = "SI-E-100001"  # window 1–31, last reading 27. 10. 2026
ANA_G = "SI-G-100002"  # window 26–29
TODAY = date(2026, 11, 22)


@pytest.fixture
def ana(client: TestClient) -> dict[str, str]:
    return login(client, "ana.novak@example.com")


def last_value(db: Session, number: str) -> int:
    mp = db.scalars(select(MeteringPoint).where(MeteringPoint.number == number)).one()
    return (
        db.scalars(
            select(MeterReading.value)
            .where(MeterReading.metering_point_id == mp.id)
            .order_by(MeterReading.reading_date.desc(), MeterReading.id.desc())
        ).first()
        or 0
    )


def submit(client: TestClient, headers: dict, number: str = ANA_E, **body: object):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/me/metering-points/{number}/readings", headers=headers, json=body)


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(MeterReading)) or 0


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12,5", "reading_not_integer"),
        ("12.5", "reading_not_integer"),
        (12.5, "reading_not_integer"),
        (-3, "reading_negative"),
        ("-3", "reading_negative"),
        ("abc", "reading_not_number"),
        ("", "reading_not_number"),
        (None, "reading_not_number"),
        (True, "reading_not_number"),
        ("🙂🙂", "reading_not_number"),
        ("1; DROP TABLE meter_reading", "reading_not_number"),
        (10**12, "reading_too_large"),
        (str(10**12), "reading_too_large"),
        ("9" * 100_000, "reading_too_large"),
    ],
)
def test_bad_values_rejected(client: TestClient, ana: dict, db: Session, value: object, code: str) -> None:
    before = count(db)
    r = submit(client, ana, value=value)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]["code"] == code
    assert r.json()["detail"]["message"]
    assert count(db) == before


def test_valid_reading_stored(client: TestClient, ana: dict, db: Session) -> None:
    v = last_value(db, ANA_E) + 100
    r = submit(client, ana, value=str(v), idempotency_key="k1")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["stored"] and not body["duplicate"]
    assert body["reading"]["value"] == v and body["reading"]["reading_date"] == TODAY.isoformat()
    assert last_value(db, ANA_E) == v


def test_integer_with_spaces_and_float_integral(client: TestClient, ana: dict, db: Session) -> None:
    v = last_value(db, ANA_E) + 1000
    s = f"{v:,}".replace(",", " ")
    assert submit(client, ana, value=s).status_code == 201
    assert submit(client, ana, value=float(v + 1)).status_code == 201


def test_idempotency_same_key_one_row(client: TestClient, ana: dict, db: Session) -> None:
    v = last_value(db, ANA_E) + 50
    before = count(db)
    r1 = submit(client, ana, value=v, idempotency_key="retry-123")
    r2 = submit(client, ana, value=v, idempotency_key="retry-123")
    assert r1.status_code == 201 and r2.status_code == 200
    assert r2.json()["duplicate"] is True
    assert r1.json()["reading"]["id"] == r2.json()["reading"]["id"]
    assert count(db) == before + 1


def test_idempotency_key_other_point(client: TestClient, db: Session, clock: Clock) -> None:
    headers = login(client, "gregor.mlakar@example.com")
    v1 = last_value(db, "SI-E-100009") + 10
    assert submit(client, headers, "SI-E-100009", value=v1, idempotency_key="kk").status_code == 201
    r = submit(client, headers, "SI-E-100010", value=10**6, idempotency_key="kk")
    assert r.status_code == 409 and r.json()["detail"]["code"] == "idempotency_key_reused"


def test_dry_run_stores_nothing(client: TestClient, ana: dict, db: Session) -> None:
    before = count(db)
    r = submit(client, ana, value=last_value(db, ANA_E) + 5, dry_run=True)
    assert r.status_code == 200 and r.json()["stored"] is False
    assert count(db) == before


def test_future_date_rejected(client: TestClient, ana: dict, db: Session) -> None:
    r = submit(
        client, ana, value=last_value(db, ANA_E) + 5, reading_date=(TODAY + timedelta(days=1)).isoformat()
    )
    assert r.status_code == 422 and r.json()["detail"]["code"] == "reading_in_future"


def test_too_old_rejected_and_boundary_accepted(client: TestClient, ana: dict, db: Session) -> None:
    v = last_value(db, ANA_E) + 5
    r = submit(client, ana, value=v, reading_date=(TODAY - timedelta(days=6)).isoformat())
    assert r.status_code == 422
    assert r.json()["detail"] == {
        "code": "reading_too_old",
        "message": "Odčitek ne sme biti starejši od 5 dni.",
        "max_age_days": 5,  # the data the assistant words its reply with
    }
    r = submit(client, ana, value=v, reading_date=(TODAY - timedelta(days=5)).isoformat())
    assert r.status_code == 201


def test_bad_date_format_is_slovene_422(client: TestClient, ana: dict) -> None:
    r = submit(client, ana, value=1, reading_date="22.11.2026")
    assert r.status_code == 422 and r.json()["detail"]["code"] == "invalid_request"


def test_point_must_belong_to_account(client: TestClient, ana: dict) -> None:
    r = submit(client, ana, "SI-E-100003", value=1)  # Bojan's point
    assert r.status_code == 404 and r.json()["detail"]["code"] == "metering_point_not_found"
    r = client.get("/api/v1/me/metering-points/SI-E-100003/readings", headers=ana)
    assert r.status_code == 404


def test_lower_than_last(client: TestClient, ana: dict, db: Session) -> None:
    last = last_value(db, ANA_E)
    r = submit(client, ana, value=last - 1)
    assert r.status_code == 409
    d = r.json()["detail"]
    assert d["code"] == "reading_lower_than_last" and d["last_value"] == last
    assert submit(client, ana, value=last).status_code == 201  # equal is fine


def test_implausibly_high_needs_confirmation(client: TestClient, ana: dict, db: Session) -> None:
    before = count(db)
    v = last_value(db, ANA_E) + 100_000
    r = submit(client, ana, value=v)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "consumption_implausible"
    assert count(db) == before
    r = submit(client, ana, value=v, confirm_high=True)
    assert r.status_code == 201


def test_outside_window_only_as_lastna_evidenca(client: TestClient, ana: dict, db: Session) -> None:
    v = last_value(db, ANA_G) + 20
    r = submit(client, ana, ANA_G, value=v)
    assert r.status_code == 422
    d = r.json()["detail"]
    assert d["code"] == "outside_window" and d["window_start_day"] == 26 and "26." in d["message"]
    r = submit(client, ana, ANA_G, value=v, type="lastna_evidenca")
    assert r.status_code == 201 and r.json()["reading"]["type"] == "lastna_evidenca"


def test_inside_window_oddaja_accepted(client: TestClient, db: Session, clock: Clock) -> None:
    clock.fixed_now = datetime(2026, 11, 27, 9, 0)
    ana = login(client, "ana.novak@example.com")
    v = last_value(db, ANA_G) + 20
    assert submit(client, ana, ANA_G, value=v).status_code == 201


def test_window_over_month_end(client: TestClient, db: Session, clock: Clock) -> None:
    headers = login(client, "klemen.bizjak@example.com")  # window 26–3
    v = last_value(db, "SI-E-100014") + 10
    assert submit(client, headers, "SI-E-100014", value=v).status_code == 422
    clock.fixed_now = datetime(2026, 12, 2, 9, 0)
    headers = login(client, "klemen.bizjak@example.com", conv="conv-2")
    assert submit(client, headers, "SI-E-100014", value=v).status_code == 201


@pytest.mark.parametrize(
    "email", ["ana.novak@example.com", "bojan.kos@example.com", "cvetka.zupan@example.com"]
)
def test_all_levels_may_submit_and_list(client: TestClient, db: Session, email: str) -> None:
    headers = login(client, email)
    mp = client.get("/api/v1/me/metering-points", headers=headers).json()[0]["number"]
    r = client.get(f"/api/v1/me/metering-points/{mp}/readings", headers=headers, params={"limit": 3})
    assert r.status_code == 200 and len(r.json()) == 3
    assert submit(client, headers, mp, value=last_value(db, mp) + 10).status_code == 201
