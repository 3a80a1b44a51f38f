"""Campaigns: status by date, seed facts, eligibility/join rules and price start dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from apihelpers import login
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.core.clock import Clock
from backend.models import Campaign, CampaignEnrolment
from backend.services.campaigns import next_working_day, price_start_date

GAS = "poceni-plin-jesen-2016-2"
ELEC = "99-99-nizja-cena-elektrike-do-samooskrbe"


def test_list_is_public_with_status(client: TestClient) -> None:
    r = client.get("/api/v1/campaigns")
    assert r.status_code == 200
    st = {c["code"]: c["status"] for c in r.json()}
    assert st[GAS] == "closed" and st[ELEC] == "closed"
    assert st["demo-ugodna-elektrika"] == "open" and st["demo-ugoden-plin"] == "open"
    assert st["demo-butan-unp"] == "open" and st["demo-pomladna-elektrika"] == "upcoming"
    opened = client.get("/api/v1/campaigns", params={"status": "open"}).json()
    assert {c["energy"] for c in opened} == {"elektrika", "zemeljski_plin", "unp"}
    assert all(c["is_demo"] and "DEMO" in c["name"] for c in opened)
    butan = client.get("/api/v1/campaigns", params={"brand": "butan-plin"}).json()
    assert [c["code"] for c in butan] == ["demo-butan-unp"]


def test_gas_campaign_facts(client: TestClient) -> None:
    c = client.get(f"/api/v1/campaigns/{GAS}").json()
    assert c["name"] == "Poceni plin – jesen 2016/2" and c["energy"] == "zemeljski_plin"
    assert (c["join_from"], c["join_to"]) == ("2016-11-03", "2017-01-06")
    assert (c["prices_valid_from"], c["prices_valid_to"]) == ("2016-11-01", "2017-10-31")
    assert c["documents_deadline"] == "2017-01-16"
    prices = {(p["unit"], p["net"], p["gross"]) for p in c["prices"]}
    assert ("€/Sm3", "0,2440", "0,2977") in prices and ("€/kWh", "0,02266", "0,02765") in prices
    am = c["amendments"]
    assert [(a["number"], a["adopted_on"]) for a in am] == [(1, "2016-12-01"), (2, "2016-12-29")]
    assert any("1. 11. 2015" in ch for ch in am[0]["changes"])
    assert any("10,769" in ch for ch in am[1]["changes"])
    assert "25. dne" in c["price_start_rule"]


def test_electricity_campaign_facts(client: TestClient) -> None:
    c = client.get(f"/api/v1/campaigns/{ELEC}").json()
    assert (c["join_from"], c["join_to"]) == ("2024-10-01", "2026-06-30")
    assert c["prices_valid_to"] == "2026-08-31" and c["documents_deadline"] == "2026-07-10"
    assert {(p["item"], p["gross"]) for p in c["prices"]} >= {
        ("VT", "0,00001"),
        ("MT", "0,00001"),
        ("ET", "0,00001"),
    }
    fees = {(f["net"], f["gross"]) for f in c["fees"]}
    assert fees == {("1,99", "2,43"), ("0,99", "1,21")}
    assert c["discounts"][0]["gross"] == "1,22"
    docs = " ".join(c["required_documents"])
    assert "SZP" in docs and "Pogodba o izgradnji naprave za samooskrbo" in docs
    am = c["amendments"]
    assert am[0]["number"] == 1 and am[0]["adopted_on"] == "2025-03-28"
    assert am[1]["number"] == 2 and am[1]["adopted_on"] is None
    assert any("31. 12. 2025" in ch for ch in am[0]["changes"])
    assert any("30. 6. 2026" in ch for ch in am[1]["changes"])


def test_status_follows_the_clock(client: TestClient, clock: Clock) -> None:
    clock.fixed_now = datetime(2025, 3, 31, 12, 0)
    assert client.get(f"/api/v1/campaigns/{ELEC}").json()["status"] == "open"
    clock.fixed_now = datetime(2026, 6, 30, 12, 0)
    assert client.get(f"/api/v1/campaigns/{ELEC}").json()["status"] == "open"
    clock.fixed_now = datetime(2026, 7, 1, 12, 0)
    assert client.get(f"/api/v1/campaigns/{ELEC}").json()["status"] == "closed"
    clock.fixed_now = datetime(2024, 9, 30, 12, 0)
    assert client.get(f"/api/v1/campaigns/{ELEC}").json()["status"] == "upcoming"


def test_unknown_campaign(client: TestClient) -> None:
    r = client.get("/api/v1/campaigns/nope")
    assert r.status_code == 404 and r.json()["detail"]["code"] == "campaign_not_found"


@pytest.mark.parametrize(
    ("met", "expected"),
    [
        (date(2016, 11, 25), date(2016, 11, 1)),
        (date(2016, 11, 26), date(2016, 12, 1)),
        (date(2016, 12, 31), date(2017, 1, 1)),
        (date(2016, 11, 3), date(2016, 11, 1)),
    ],
)
def test_gas_price_start_rule(db: Session, met: date, expected: date) -> None:
    c = db.scalars(select(Campaign).where(Campaign.code == GAS)).one()
    assert price_start_date(c, met) == expected


@pytest.mark.parametrize(
    ("met", "expected"),
    [
        (date(2025, 3, 20), date(2025, 4, 1)),  # before the 21st: next month
        (date(2025, 3, 21), date(2025, 4, 1)),  # Fri 21st -> next working day Mon 24 -> still March
        (date(2025, 3, 31), date(2025, 5, 1)),  # Mon 31st -> Tue 1 Apr -> May
        (date(2025, 12, 31), date(2026, 2, 1)),  # 1. and 2. 1. are holidays -> 5. 1. 2026 -> Feb
        (date(2026, 5, 29), date(2026, 7, 1)),  # Fri 29. 5. -> deemed Mon 1. 6. -> July
        (date(2024, 9, 1), date(2024, 10, 1)),  # never before 1. 10. 2024
    ],
)
def test_electricity_price_start_rule(db: Session, met: date, expected: date) -> None:
    c = db.scalars(select(Campaign).where(Campaign.code == ELEC)).one()
    assert price_start_date(c, met) == expected


def test_next_working_day_skips_holidays() -> None:
    assert next_working_day(date(2025, 12, 31)) == date(2026, 1, 5)
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 28)


def _enrolments(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(CampaignEnrolment)) or 0


def test_eligibility_and_join_polni(client: TestClient, db: Session) -> None:
    h = login(client, "ana.novak@example.com")
    r = client.get(
        "/api/v1/me/campaigns/demo-ugodna-elektrika/eligibility",
        headers=h,
        params={"metering_point": "SI-E-100001"},
    )
    assert r.status_code == 200 and r.json()["eligible"] is True
    # 22. 11. 2026 is past the 21st -> deemed Mon 23. 11. -> prices from 1. 12. 2026
    assert r.json()["price_start_date_if_conditions_met_today"] == "2026-12-01"
    before = _enrolments(db)
    r = client.post(
        "/api/v1/me/campaigns/demo-ugodna-elektrika/join", headers=h, json={"metering_point": "SI-E-100001"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "aktivna" and r.json()["price_start_date"] == "2026-12-01"
    assert _enrolments(db) == before + 1
    r = client.post(
        "/api/v1/me/campaigns/demo-ugodna-elektrika/join", headers=h, json={"metering_point": "SI-E-100001"}
    )
    assert r.status_code == 409 and r.json()["detail"]["code"] == "already_enrolled"


def test_join_with_documents_is_pending(client: TestClient) -> None:
    h = login(client, "ana.novak@example.com")
    r = client.post(
        "/api/v1/me/campaigns/demo-ugoden-plin/join", headers=h, json={"metering_point": "SI-G-100002"}
    )
    assert r.status_code == 201
    assert r.json()["status"] == "v_obdelavi" and r.json()["required_documents"]
    assert any("Izjava" in str(d) for d in r.json()["required_documents"])
    assert "message" not in r.json()  # the assistant words the outcome, not the backend


def test_join_closed_campaign(client: TestClient) -> None:
    h = login(client, "ana.novak@example.com")
    r = client.post(f"/api/v1/me/campaigns/{ELEC}/join", headers=h, json={"metering_point": "SI-E-100001"})
    assert r.status_code == 409 and r.json()["detail"]["code"] == "campaign_closed"
    assert "30. 6. 2026" in r.json()["detail"]["message"]
    assert r.json()["detail"]["reasons"][0]["join_to"] == "2026-06-30"


def test_join_upcoming_campaign(client: TestClient) -> None:
    h = login(client, "ana.novak@example.com")
    r = client.post(
        "/api/v1/me/campaigns/demo-pomladna-elektrika/join", headers=h, json={"metering_point": "SI-E-100001"}
    )
    assert r.status_code == 409 and r.json()["detail"]["code"] == "campaign_not_started"


def test_join_energy_mismatch(client: TestClient) -> None:
    h = login(client, "ana.novak@example.com")
    r = client.post(
        "/api/v1/me/campaigns/demo-ugodna-elektrika/join", headers=h, json={"metering_point": "SI-G-100002"}
    )
    assert r.status_code == 409 and r.json()["detail"]["code"] == "energy_mismatch"


def test_join_brand_mismatch(client: TestClient) -> None:
    h = login(client, "luka.petek@example.com")
    mp = client.get("/api/v1/me/metering-points", headers=h).json()[0]["number"]
    r = client.get(
        "/api/v1/me/campaigns/demo-ugodna-elektrika/eligibility", headers=h, params={"metering_point": mp}
    )
    codes = {x["code"] for x in r.json()["reasons"]}
    assert {"brand_mismatch", "energy_mismatch"} <= codes
    r = client.post("/api/v1/me/campaigns/demo-butan-unp/join", headers=h, json={"metering_point": mp})
    assert r.status_code == 201


@pytest.mark.parametrize(
    ("email", "mp", "code", "status"),
    [
        ("bojan.kos@example.com", "SI-E-100003", "full_access_required", 403),
        ("cvetka.zupan@example.com", "SI-E-100004", "full_access_required", 403),
        ("dejan.horvat@example.com", "SI-E-100005", "not_household", 403),
        ("eva.krajnc@example.com", "SI-G-100006", "already_in_campaign", 409),
    ],
)
def test_join_rejections(
    client: TestClient, db: Session, email: str, mp: str, code: str, status: int
) -> None:
    h = login(client, email)
    camp = "demo-ugoden-plin" if mp.startswith("SI-G") else "demo-ugodna-elektrika"
    before = _enrolments(db)
    r = client.post(f"/api/v1/me/campaigns/{camp}/join", headers=h, json={"metering_point": mp})
    assert r.status_code == status and r.json()["detail"]["code"] == code
    assert r.json()["detail"]["message"]
    assert _enrolments(db) == before
    e = client.get(
        f"/api/v1/me/campaigns/{camp}/eligibility", headers=h, params={"metering_point": mp}
    ).json()
    assert e["eligible"] is False and code in {x["code"] for x in e["reasons"]}


def test_eva_electricity_is_free(client: TestClient) -> None:
    h = login(client, "eva.krajnc@example.com")
    r = client.post(
        "/api/v1/me/campaigns/demo-ugodna-elektrika/join", headers=h, json={"metering_point": "SI-E-100007"}
    )
    assert r.status_code == 201


def test_join_requires_token(client: TestClient) -> None:
    r = client.post(
        "/api/v1/me/campaigns/demo-ugodna-elektrika/join",
        headers={"X-API-Key": "test-api-key"},
        json={"metering_point": "SI-E-100001"},
    )
    assert r.status_code == 401
