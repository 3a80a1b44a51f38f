"""What the chat needs from the backend: thousands-grouped values, the point's last reading and
window, invoices naming their point, and signed short-lived PDF links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from apihelpers import H, login
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.core.clock import Clock
from backend.models import MeterReading

ANA_E = "SI-E-100001"  # window 1–31
ANA_G = "SI-G-100002"  # window 26–29
READINGS = f"/api/v1/me/metering-points/{ANA_E}/readings"


def stored(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(MeterReading)) or 0


@pytest.mark.parametrize(("typed", "offset"), [("{}.{:03d}", 0), ("{} {:03d}", 0)])
def test_thousands_groups_are_read_as_one_number(
    client: TestClient, db: Session, typed: str, offset: int
) -> None:
    h = login(client, "ana.novak@example.com")
    last = client.get(READINGS, headers=h, params={"limit": 1}).json()[0]["value"]
    value = last + 120
    text = typed.format(value // 1000, value % 1000)  # e.g. "4.321" or "4 321"
    r = client.post(READINGS, headers=h, json={"value": text, "dry_run": True})
    assert r.status_code == 200, r.text
    assert r.json()["reading"]["value"] == value and r.json()["stored"] is False
    assert "message" not in r.json()  # outcome codes and data only; the bot words it


@pytest.mark.parametrize("typed", ["4.32", "4,321", "12.3456", "1.23.456"])
def test_decimals_and_odd_groups_are_refused(client: TestClient, db: Session, typed: str) -> None:
    h = login(client, "ana.novak@example.com")
    before = stored(db)
    r = client.post(READINGS, headers=h, json={"value": typed})
    assert r.status_code == 422 and r.json()["detail"]["code"] in ("reading_not_integer", "reading_not_number")
    assert stored(db) == before


def test_metering_points_carry_last_reading_and_window(client: TestClient) -> None:
    h = login(client, "ana.novak@example.com")
    points = {p["number"]: p for p in client.get("/api/v1/me/metering-points", headers=h).json()}
    electricity, gas = points[ANA_E], points[ANA_G]
    newest = client.get(READINGS, headers=h, params={"limit": 1}).json()[0]
    assert electricity["last_reading"] == {
        "value": newest["value"], "reading_date": newest["reading_date"], "type": newest["type"]
    }
    assert electricity["window_open_today"] is True  # 1.–31.
    assert gas["window_open_today"] is False  # the test clock is on the 22nd, the window is 26.–29.


def test_invoices_name_their_point_and_energy(client: TestClient) -> None:
    h = login(client, "gregor.mlakar@example.com")
    items = client.get("/api/v1/me/invoices", headers=h, params={"limit": 50}).json()["items"]
    assert items and all(i["energy"] in ("elektrika", "zemeljski_plin", "unp") for i in items)
    assert any(i["metering_point_nickname"] for i in items)  # Gregor's points are named (Dom, Vikend)


def _newest(client: TestClient, h: dict[str, str]) -> str:
    return str(client.get("/api/v1/me/invoices", headers=h, params={"limit": 1}).json()["items"][0]["number"])


def test_signed_pdf_link_opens_the_pdf_until_it_expires(client: TestClient, clock: Clock) -> None:
    h = login(client, "ana.novak@example.com")
    number = _newest(client, h)
    link = client.post(f"/api/v1/me/invoices/{number}/pdf-link", headers=h)
    assert link.status_code == 200, link.text
    token = link.json()["token"]
    pdf = client.get(f"/api/v1/invoice-pdf/{token}", headers=H)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert number.encode() in pdf.content
    assert client.get(f"/api/v1/invoice-pdf/{token}").status_code == 401  # the gateway's key is needed
    assert clock.fixed_now is not None
    clock.fixed_now += timedelta(minutes=11)
    gone = client.get(f"/api/v1/invoice-pdf/{token}", headers=H)
    assert gone.status_code == 404 and gone.json()["detail"]["code"] == "pdf_link_invalid"


def test_forged_pdf_link_is_refused(client: TestClient) -> None:
    h = login(client, "ana.novak@example.com")
    token = client.post(f"/api/v1/me/invoices/{_newest(client, h)}/pdf-link", headers=h).json()["token"]
    body, _, sig = token.partition(".")
    for forged in (f"{body}.{sig[:-2]}AA", f"{body[:-2]}AA.{sig}", "abc", ".", "a" * 300, ".\u0080", "č.š"):
        assert client.get(f"/api/v1/invoice-pdf/{forged}", headers=H).status_code == 404


def test_no_pdf_link_for_omejeni_or_a_foreign_invoice(client: TestClient) -> None:
    ana = login(client, "ana.novak@example.com", conv="conv-ana")
    cvetka = login(client, "cvetka.zupan@example.com", conv="conv-cvetka")
    bojan = login(client, "bojan.kos@example.com", conv="conv-bojan")
    number = _newest(client, ana)
    assert client.post(f"/api/v1/me/invoices/{number}/pdf-link", headers=bojan).status_code == 404
    cvetka_points = client.get("/api/v1/me/metering-points", headers=cvetka).json()
    assert cvetka_points and all(p["access_level"] == "omejeni" for p in cvetka_points)
    assert client.post(f"/api/v1/me/invoices/{number}/pdf-link", headers=cvetka).status_code == 404
