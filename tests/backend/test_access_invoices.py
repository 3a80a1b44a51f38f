"""Access levels: consumption and invoices (list, balance, PDF)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from apihelpers import login
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Invoice, MeteringPoint

INV = "/api/v1/me/invoices"


def test_polni_lists_invoices_with_all_statuses(client: TestClient) -> None:
    h = login(client, "ana.novak@example.com")
    r = client.get(INV, headers=h, params={"limit": 100})
    assert r.status_code == 200
    items = r.json()["items"]
    assert {i["status"] for i in items} == {"paid", "open", "overdue"}
    assert any(i["kind"] == "dobropis" and Decimal(i["amount_gross"]) < 0 for i in items)
    assert r.json()["total"] == len(items) == 25
    first = items[0]
    assert first["pdf_url"].endswith(f"/{first['number']}/pdf")
    for i in items:
        assert Decimal(i["amount_gross"]) == (Decimal(i["amount_net"]) * Decimal("1.22")).quantize(
            Decimal("0.01")
        )


@pytest.mark.parametrize("status", ["paid", "open", "overdue"])
def test_status_filter(client: TestClient, status: str) -> None:
    h = login(client, "ana.novak@example.com")
    items = client.get(INV, headers=h, params={"status": status, "limit": 100}).json()["items"]
    assert items and all(i["status"] == status for i in items)


def test_balance_matches_list(client: TestClient) -> None:
    h = login(client, "ana.novak@example.com")
    items = client.get(INV, headers=h, params={"limit": 100}).json()["items"]
    unpaid = [Decimal(i["amount_gross"]) for i in items if i["status"] != "paid"]
    overdue = [Decimal(i["amount_gross"]) for i in items if i["status"] == "overdue"]
    b = client.get(f"{INV}/balance", headers=h).json()
    assert Decimal(b["open_total"]) == sum(unpaid)
    assert Decimal(b["overdue_total"]) == sum(overdue) and b["overdue_count"] == 1
    assert b["currency"] == "EUR"


def test_pooblasceni_sees_invoices(client: TestClient) -> None:
    h = login(client, "bojan.kos@example.com")
    assert client.get(INV, headers=h).status_code == 200
    assert client.get(f"{INV}/balance", headers=h).status_code == 200
    num = client.get(INV, headers=h).json()["items"][0]["number"]
    r = client.get(f"{INV}/{num}/pdf", headers=h)
    assert (
        r.status_code == 200
        and r.content.startswith(b"%PDF")
        and r.headers["content-type"] == "application/pdf"
    )


def test_omejeni_gets_403_on_invoices(client: TestClient) -> None:
    h = login(client, "cvetka.zupan@example.com")
    for path in (INV, f"{INV}/balance", f"{INV}?metering_point=SI-E-100004"):
        r = client.get(path, headers=h)
        assert r.status_code == 403
        d = r.json()["detail"]
        assert d["code"] == "access_denied_invoices" and "omejenim dostopom" in d["message"]


def test_omejeni_pdf_403(client: TestClient, db: Session) -> None:
    h = login(client, "cvetka.zupan@example.com")
    mp_id = db.scalars(select(MeteringPoint.id).where(MeteringPoint.number == "SI-E-100004")).one()
    num = db.scalars(select(Invoice.number).where(Invoice.metering_point_id == mp_id)).first()
    r = client.get(f"{INV}/{num}/pdf", headers=h)
    assert r.status_code == 403 and r.json()["detail"]["code"] == "access_denied_invoices"


def test_mixed_levels_only_allowed_points(client: TestClient) -> None:
    h = login(client, "gregor.mlakar@example.com")
    items = client.get(INV, headers=h, params={"limit": 100}).json()["items"]
    assert {i["metering_point"] for i in items} == {"SI-E-100009", "SI-E-100010"}
    r = client.get(INV, headers=h, params={"metering_point": "SI-G-100011"})
    assert r.status_code == 403
    num = next(i["number"] for i in items)
    assert client.get(f"{INV}/{num}/pdf", headers=h).status_code == 200


def test_pdf_of_foreign_invoice_is_404(client: TestClient) -> None:
    ana = login(client, "ana.novak@example.com", conv="a")
    num = client.get(INV, headers=ana).json()["items"][0]["number"]
    bojan = login(client, "bojan.kos@example.com", conv="b")
    r = client.get(f"{INV}/{num}/pdf", headers=bojan)
    assert r.status_code == 404 and r.json()["detail"]["code"] == "invoice_not_found"


def test_mixed_levels_omejeni_point_pdf_403(client: TestClient, db: Session) -> None:
    h = login(client, "gregor.mlakar@example.com")
    mp_id = db.scalars(select(MeteringPoint.id).where(MeteringPoint.number == "SI-G-100011")).one()
    num = db.scalars(select(Invoice.number).where(Invoice.metering_point_id == mp_id)).first()
    assert client.get(f"{INV}/{num}/pdf", headers=h).status_code == 403


def test_no_points_empty_list(client: TestClient) -> None:
    h = login(client, "igor.turk@example.com")
    assert client.get("/api/v1/me/metering-points", headers=h).json() == []
    r = client.get(INV, headers=h)
    assert r.status_code == 200 and r.json()["items"] == []


@pytest.mark.parametrize("email", ["ana.novak@example.com", "bojan.kos@example.com"])
def test_consumption_full_for_polni_and_pooblasceni(client: TestClient, email: str) -> None:
    h = login(client, email)
    mp = client.get("/api/v1/me/metering-points", headers=h).json()[0]["number"]
    r = client.get(f"/api/v1/me/metering-points/{mp}/consumption", headers=h)
    assert r.status_code == 200
    body = r.json()
    assert body["since"] is None and body["readings_used"] == 12 and len(body["periods"]) == 11
    assert body["total"] == sum(p["consumption"] for p in body["periods"])


def test_consumption_omejeni_only_since_granted(client: TestClient) -> None:
    h = login(client, "cvetka.zupan@example.com")  # granted 75 days before 22. 11. 2026
    body = client.get("/api/v1/me/metering-points/SI-E-100004/consumption", headers=h).json()
    assert body["since"] == "2026-09-08"
    assert body["readings_used"] == 2  # 27. 9. and 27. 10.
    assert [p["month"] for p in body["periods"]] == ["2026-10"]
    # readings list is not restricted
    r = client.get("/api/v1/me/metering-points/SI-E-100004/readings", headers=h, params={"limit": 12})
    assert len(r.json()) == 12


def test_consumption_foreign_point_404(client: TestClient) -> None:
    h = login(client, "cvetka.zupan@example.com")
    r = client.get("/api/v1/me/metering-points/SI-E-100001/consumption", headers=h)
    assert r.status_code == 404
