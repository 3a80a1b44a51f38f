"""Deterministic demo data (python -m backend.seed) and bulk data for benchmarks.

Demo rows are anchored on the seeding date (the injectable clock), so "open invoice",
"overdue invoice" and "currently open demo campaign" stay true whenever the demo is seeded.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from backend.core.clock import Clock, clock_from_settings
from backend.db import get_sessionmaker
from backend.models import (
    AccessLevel,
    AccountAccess,
    Brand,
    Campaign,
    CampaignAmendment,
    CampaignEnrolment,
    Contract,
    Customer,
    Energy,
    Invoice,
    InvoiceKind,
    MeteringPoint,
    MeterReading,
    PortalAccount,
    ReadingType,
)
from backend.seed_campaigns import demo_campaigns, real_campaigns

VAT = Decimal("22.00")
CENT = Decimal("0.01")
OPERATORS = {
    Energy.elektrika: ["Elektro Ljubljana", "Elektro Maribor", "Elektro Celje", "Elektro Gorenjska"],
    Energy.zemeljski_plin: ["Energetika Ljubljana", "Plinarna Maribor", "Adriaplin"],
    Energy.unp: ["Butan plin"],
}
PREFIX = {Energy.elektrika: "SI-E-", Energy.zemeljski_plin: "SI-G-", Energy.unp: "BP-U-"}
MONTHLY = {Energy.elektrika: (250, 400), Energy.zemeljski_plin: (30, 220), Energy.unp: (30, 120)}


@dataclass
class MP:
    """Demo metering point spec."""

    energy: Energy
    level: AccessLevel = AccessLevel.polni
    nickname: str | None = None
    window: tuple[int, int] = (1, 31)
    granted_days_ago: int = 700
    overdue: int = 0
    credit_note: bool = False
    enrol: str | None = None  # campaign code, active enrolment


@dataclass
class Person:
    """Demo customer with one portal account."""

    email: str
    name: str
    brand: str
    special: str
    household: bool = True
    phone: str | None = None
    contact_email: bool = True
    mps: list[MP] = field(default_factory=list)


G, B = "gen-i", "butan-plin"
E, P, U = Energy.elektrika, Energy.zemeljski_plin, Energy.unp
POL, POO, OME = AccessLevel.polni, AccessLevel.pooblasceni, AccessLevel.omejeni

PEOPLE: list[Person] = [
    Person(
        "ana.novak@example.com",
        "Ana Novak",
        G,
        "polni na elektriki in plinu; plačani, odprti, zapadli račun in odprt dobropis; "
        "plin ima okno 26.–29.",
        phone="041 123 456",
        mps=[
            MP(E, nickname="Dom", overdue=1, credit_note=True),
            MP(P, nickname="Dom – plin", window=(26, 29)),
        ],
    ),
    Person(
        "bojan.kos@example.com",
        "Bojan Kos",
        G,
        "pooblaščeni dostop (računi da, pristop k akciji ne)",
        phone="040 222 333",
        mps=[MP(E, level=POO)],
    ),
    Person(
        "cvetka.zupan@example.com",
        "Cvetka Zupan",
        G,
        "omejeni dostop, dodeljen pred 75 dnevi: odčitki da, poraba le od dodelitve, računi 403",
        phone="031 444 555",
        mps=[MP(E, level=OME, granted_days_ago=75)],
    ),
    Person(
        "dejan.horvat@example.com",
        "Horvat d.o.o.",
        G,
        "ni gospodinjstvo: pristop k akciji zavrnjen",
        household=False,
        mps=[MP(E)],
    ),
    Person(
        "eva.krajnc@example.com",
        "Eva Krajnc",
        G,
        "plin že v (zaključeni) demo akciji → ne more v drugo plinsko akcijo; elektrika prosta",
        phone="041 555 666",
        mps=[MP(P, enrol="demo-plin-zakljucena"), MP(E)],
    ),
    Person(
        "franc.golob@example.com",
        "Franc Golob",
        G,
        "kontakt samo telefon: koda po SMS (preverjanje s številko kupca)",
        phone="031 987 654",
        contact_email=False,
        mps=[MP(E)],
    ),
    Person(
        "gregor.mlakar@example.com",
        "Gregor Mlakar",
        G,
        "tri merilna mesta z različnimi nivoji: Dom polni, Vikend pooblaščeni, plin omejeni",
        phone="041 777 888",
        mps=[
            MP(E, nickname="Dom"),
            MP(E, level=POO, nickname="Vikend"),
            MP(P, level=OME, nickname="Plin", granted_days_ago=120, window=(26, 29)),
        ],
    ),
    Person(
        "helena.vidmar@example.com",
        "Helena Vidmar",
        G,
        "dva zapadla računa; plin z oknom 26.–29.",
        phone="040 121 212",
        mps=[MP(P, overdue=2, window=(26, 29))],
    ),
    Person(
        "igor.turk@example.com",
        "Igor Turk",
        G,
        "nima povezanih merilnih mest (nova registracija)",
        phone="041 343 434",
        mps=[],
    ),
    Person(
        "jana.zorko@example.com",
        "Jana Zorko",
        G,
        "elektrika v demo akciji Ugodna elektrika (aktivna)",
        phone="031 565 656",
        mps=[MP(E, enrol="demo-ugodna-elektrika")],
    ),
    Person(
        "klemen.bizjak@example.com",
        "Klemen Bizjak",
        G,
        "polni, elektrika z oknom 26.–3. (čez konec meseca)",
        phone="041 787 878",
        mps=[MP(E, window=(26, 3))],
    ),
    Person("lara.kralj@example.com", "Lara Kralj", G, "pooblaščeni na plinu", mps=[MP(P, level=POO)]),
    Person(
        "matej.kovacic@example.com",
        "Matej Kovačič",
        G,
        "omejeni na plinu (pred 30 dnevi)",
        phone="040 909 090",
        mps=[MP(P, level=OME, granted_days_ago=30)],
    ),
    Person(
        "natasa.jerman@example.com", "Nataša Jerman", G, "polni, standardni primer elektrike", mps=[MP(E)]
    ),
    Person(
        "oto.bergant@example.com",
        "Oto Bergant",
        G,
        "polni, elektrika in plin, en zapadel račun",
        phone="051 111 222",
        mps=[MP(E), MP(P, overdue=1)],
    ),
    Person(
        "luka.petek@example.com",
        "Luka Petek",
        B,
        "Butan plin, polni, UNP; dobropis",
        phone="041 246 802",
        mps=[MP(U, nickname="Dom", credit_note=True)],
    ),
    Person("maja.rozman@example.com", "Maja Rozman", B, "Butan plin, pooblaščeni", mps=[MP(U, level=POO)]),
    Person(
        "nina.kovac@example.com",
        "Nina Kovač",
        B,
        "Butan plin, omejeni (pred 60 dnevi): računi 403",
        phone="031 135 791",
        mps=[MP(U, level=OME, granted_days_ago=60)],
    ),
    Person(
        "oskar.zajc@example.com",
        "Oskar Zajc",
        B,
        "Butan plin, dve odjemni mesti (Dom, Vikend), zapadel račun",
        phone="040 864 202",
        mps=[MP(U, nickname="Dom", overdue=1), MP(U, nickname="Vikend")],
    ),
    Person(
        "petra.hribar@example.com",
        "Hribar s.p.",
        B,
        "Butan plin, ni gospodinjstvo",
        household=False,
        mps=[MP(U)],
    ),
    Person(
        "rok.zupancic@example.com",
        "Rok Zupančič",
        B,
        "Butan plin, polni, standardni primer",
        phone="041 975 310",
        mps=[MP(U)],
    ),
    Person(
        "sara.medved@example.com",
        "Sara Medved",
        B,
        "Butan plin, SMS (samo telefon)",
        phone="031 112 358",
        contact_email=False,
        mps=[MP(U)],
    ),
    Person(
        "tilen.vovk@example.com",
        "Tilen Vovk",
        B,
        "Butan plin, pooblaščeni, dve mesti",
        mps=[MP(U, level=POO), MP(U, level=POO, nickname="Vikend")],
    ),
    Person("urska.oblak@example.com", "Urška Oblak", G, "polni, plin, brez telefona", mps=[MP(P)]),
]


def _money(x: float) -> Decimal:
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def _gross(net: Decimal) -> Decimal:
    return (net * (Decimal(1) + VAT / 100)).quantize(CENT, rounding=ROUND_HALF_UP)


def _month_start(d: date, offset: int) -> date:
    m = d.year * 12 + d.month - 1 + offset
    return date(m // 12, m % 12 + 1, 1)


def is_empty(db: Session) -> bool:
    """Demo is seeded only into an empty database."""
    return (db.scalar(select(func.count()).select_from(Brand)) or 0) == 0


def _add_campaign(db: Session, spec: dict[str, Any], brands: dict[str, Brand]) -> Campaign:
    data = dict(spec)
    amendments = data.pop("amendments")
    brand = brands[data.pop("brand")]
    data["energy"] = Energy(data["energy"])
    c = Campaign(**data, brand_id=brand.id)
    c.amendments = [CampaignAmendment(**a) for a in amendments]
    db.add(c)
    return c


def seed_demo(db: Session, clock: Clock) -> dict[str, int]:
    """Brands, the two seed campaigns, demo campaigns and demo customers (deterministic)."""
    today = clock.today()
    now = clock.now()
    rng = random.Random(20261122)
    brands = {
        G: Brand(
            code=G,
            name="GEN-I",
            portal_name="Moj GEN-I",
            support_phone="080 1558",
            support_email="info@gen-i.si",
        ),
        B: Brand(
            code=B,
            name="Butan plin",
            portal_name="Moj Butan plin",
            support_phone=None,
            support_email="podpora@butanplin.si",
        ),
    }
    db.add_all(brands.values())
    db.flush()
    campaigns = {c["code"]: _add_campaign(db, c, brands) for c in real_campaigns() + demo_campaigns(today)}
    db.flush()

    seq = {G: 1000000, B: 2000000}
    mp_seq = 100000
    inv_seq = 0
    n_readings = n_invoices = 0
    for person in PEOPLE:
        seq[person.brand] += 1
        cnum = str(seq[person.brand])
        cust = Customer(
            brand_id=brands[person.brand].id,
            customer_number=cnum,
            payer_number=("P" + cnum) if person.brand == B else cnum,
            name=person.name,
            is_household=person.household,
            tax_number=f"{10000000 + rng.randrange(89999999)}",
            contact_email=person.email if person.contact_email else None,
            contact_phone=person.phone,
        )
        db.add(cust)
        db.flush()
        acct = PortalAccount(email=person.email, customer_id=cust.id, created_at=now - timedelta(days=800))
        db.add(acct)
        db.flush()
        for spec in person.mps:
            mp_seq += 1
            mp = MeteringPoint(
                number=f"{PREFIX[spec.energy]}{mp_seq}",
                customer_id=cust.id,
                energy=spec.energy,
                distribution_operator=rng.choice(OPERATORS[spec.energy]),
                address=f"Demo ulica {rng.randrange(1, 120)}, Ljubljana",
                nickname=spec.nickname,
                reading_window_start_day=spec.window[0],
                reading_window_end_day=spec.window[1],
            )
            db.add(mp)
            db.flush()
            db.add(
                Contract(
                    number=f"PG-{mp_seq}",
                    customer_id=cust.id,
                    metering_point_id=mp.id,
                    energy=spec.energy,
                    start_date=today - timedelta(days=900),
                )
            )
            db.add(
                AccountAccess(
                    account_id=acct.id,
                    metering_point_id=mp.id,
                    level=spec.level,
                    granted_at=now - timedelta(days=spec.granted_days_ago),
                )
            )
            value = rng.randrange(1000, 40000)
            lo, hi = MONTHLY[spec.energy]
            for k in range(12, 0, -1):
                rdate = _month_start(today, -k).replace(day=27)
                value += rng.randrange(lo, hi)
                db.add(
                    MeterReading(
                        metering_point_id=mp.id,
                        value=value,
                        reading_date=rdate,
                        type=ReadingType.oddaja,
                        channel="portal",
                        idempotency_key=None,
                        account_id=None,
                        created_at=now - timedelta(days=30 * k),
                    )
                )
                n_readings += 1
            for k in range(12, 0, -1):
                pstart = _month_start(today, -k)
                pend = _month_start(today, -k + 1) - timedelta(days=1)
                issue = pend + timedelta(days=5)
                due = issue + timedelta(days=18)
                net = _money(rng.uniform(25, 80))
                unpaid_overdue = k in range(2, 2 + spec.overdue)
                paid = None if (due >= today or unpaid_overdue) else due - timedelta(days=rng.randrange(0, 5))
                inv_seq += 1
                prefix = "BP-" if person.brand == B else ""
                db.add(
                    Invoice(
                        number=f"{prefix}{issue.year}-{inv_seq:07d}",
                        kind=InvoiceKind.racun,
                        customer_id=cust.id,
                        metering_point_id=mp.id,
                        period_start=pstart,
                        period_end=pend,
                        issue_date=issue,
                        due_date=due,
                        amount_net=net,
                        amount_gross=_gross(net),
                        vat_rate=VAT,
                        paid_on=paid,
                    )
                )
                n_invoices += 1
            if spec.credit_note:
                inv_seq += 1
                issue = today - timedelta(days=10)
                net = Decimal("-10.12")
                db.add(
                    Invoice(
                        number=f"DB-{issue.year}-{inv_seq:07d}",
                        kind=InvoiceKind.dobropis,
                        customer_id=cust.id,
                        metering_point_id=mp.id,
                        period_start=_month_start(today, -3),
                        period_end=_month_start(today, -2) - timedelta(days=1),
                        issue_date=issue,
                        due_date=issue + timedelta(days=18),
                        amount_net=net,
                        amount_gross=_gross(net),
                        vat_rate=VAT,
                        paid_on=None,
                    )
                )
                n_invoices += 1
            if spec.enrol:
                camp = campaigns[spec.enrol]
                joined = camp.join_from + timedelta(days=10)
                db.add(
                    CampaignEnrolment(
                        campaign_id=camp.id,
                        customer_id=cust.id,
                        metering_point_id=mp.id,
                        account_id=acct.id,
                        status="aktivna",
                        joined_on=joined,
                        conditions_met_on=joined,
                        price_start_date=_month_start(joined, 1),
                        created_at=now,
                        extra={},
                    )
                )
    db.commit()
    return {
        "customers": len(PEOPLE),
        "readings": n_readings,
        "invoices": n_invoices,
        "campaigns": len(campaigns),
    }


def seed_bulk(db: Session, clock: Clock, customers: int, invoices: int, batch: int = 20000) -> None:
    """Many customers (one electricity point each) and invoices spread over them, via core inserts."""
    today, now = clock.today(), clock.now()
    brand_id = db.scalar(select(Brand.id).where(Brand.code == G))
    assert brand_id is not None, "seed demo data first"
    base_c = (db.scalar(select(func.max(Customer.id))) or 0) + 1
    base_mp = (db.scalar(select(func.max(MeteringPoint.id))) or 0) + 1
    conn = db.connection()
    for start in range(0, customers, batch):
        n = min(batch, customers - start)
        conn.execute(
            insert(Customer),
            [
                {
                    "id": base_c + start + i,
                    "brand_id": brand_id,
                    "customer_number": f"B{start + i:09d}",
                    "payer_number": None,
                    "name": f"Bulk kupec {start + i}",
                    "is_household": True,
                    "tax_number": None,
                    "contact_email": f"bulk{start + i}@example.invalid",
                    "contact_phone": None,
                }
                for i in range(n)
            ],
        )
        conn.execute(
            insert(MeteringPoint),
            [
                {
                    "id": base_mp + start + i,
                    "number": f"BULK-E-{start + i:09d}",
                    "customer_id": base_c + start + i,
                    "energy": Energy.elektrika,
                    "distribution_operator": "Elektro Ljubljana",
                    "address": None,
                    "nickname": None,
                    "reading_window_start_day": 1,
                    "reading_window_end_day": 31,
                }
                for i in range(n)
            ],
        )
    base_inv = (db.scalar(select(func.max(Invoice.id))) or 0) + 1
    for start in range(0, invoices, batch):
        n = min(batch, invoices - start)
        rows = []
        for i in range(n):
            k = start + i
            c = k % customers
            month = k // customers
            pstart = _month_start(today, -(month % 120) - 1)
            pend = _month_start(pstart, 1) - timedelta(days=1)
            net = Decimal(2500 + (k * 7919) % 5000) / 100
            rows.append(
                {
                    "id": base_inv + k,
                    "number": f"BULK-{k:010d}",
                    "kind": InvoiceKind.racun,
                    "customer_id": base_c + c,
                    "metering_point_id": base_mp + c,
                    "period_start": pstart,
                    "period_end": pend,
                    "issue_date": pend + timedelta(days=5),
                    "due_date": pend + timedelta(days=23),
                    "amount_net": net,
                    "amount_gross": _gross(net),
                    "vat_rate": VAT,
                    "paid_on": pend + timedelta(days=20),
                }
            )
        conn.execute(insert(Invoice), rows)
    db.commit()
    _ = now


def identities_markdown() -> str:
    """Table of demo identities for backend/DEMO_IDENTITIES.md (same source as the seed)."""
    seq = {G: 1000000, B: 2000000}
    lines = [
        "# Demo identities",
        "",
        "Generated by `python -m backend.seed --write-identities` from `backend/seed.py` (same data the",
        "seed inserts). Verification: start with the e-mail or the customer number; with",
        "`DEV_OUTBOX_ENABLED=1` the code can be read from `GET /api/v1/dev/outbox`. Metering point numbers",
        "are assigned in this order: SI-E-/SI-G-/BP-U- followed by 100001, 100002, … Readings, invoices",
        "and demo campaign dates are relative to the day the demo was seeded (last reading on the 27th",
        "of the previous month; the latest invoice is open, older ones paid unless marked overdue).",
        "",
        "| e-mail | customer no. | brand | access level(s) | metering points | what is special |",
        "|---|---|---|---|---|---|",
    ]
    mp_seq = 100000
    for p in PEOPLE:
        seq[p.brand] += 1
        pts = []
        for m in p.mps:
            mp_seq += 1
            pts.append(f"{PREFIX[m.energy]}{mp_seq} ({m.energy.value}, okno {m.window[0]}.–{m.window[1]}.)")
        levels = ", ".join(sorted({m.level.value for m in p.mps})) or "—"
        brand = "GEN-I" if p.brand == G else "Butan plin"
        lines.append(
            f"| {p.email} | {seq[p.brand]} | {brand} | {levels} | {'; '.join(pts) or '—'} | {p.special} |"
        )
    lines += [
        "",
        "Campaigns: `poceni-plin-jesen-2016-2` and `99-99-nizja-cena-elektrike-do-samooskrbe` (real terms,",
        "closed), demo: `demo-ugodna-elektrika`, `demo-ugoden-plin`, `demo-butan-unp` (open),",
        "`demo-plin-zakljucena` (closed, Eva is enrolled), `demo-pomladna-elektrika` (upcoming).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """CLI: seed demo if empty; optionally add bulk rows for benchmarks."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=0, help="bulk customers to add")
    ap.add_argument("--invoices", type=int, default=0, help="bulk invoices to add")
    ap.add_argument("--write-identities", action="store_true", help="write backend/DEMO_IDENTITIES.md")
    args = ap.parse_args(argv)
    if args.write_identities:
        path = Path(__file__).with_name("DEMO_IDENTITIES.md")
        path.write_text(identities_markdown(), encoding="utf-8")
        print(f"wrote {path}")
        return
    clock = clock_from_settings()
    with get_sessionmaker()() as db:
        if is_empty(db):
            print("demo:", seed_demo(db, clock))
        else:
            print("demo data already present")
        if args.customers or args.invoices:
            t0 = time.perf_counter()
            seed_bulk(db, clock, max(args.customers, 1), args.invoices)
            print(
                f"bulk: {args.customers} customers, {args.invoices} invoices "
                f"in {time.perf_counter() - t0:.1f}s"
            )


if __name__ == "__main__":
    main()
