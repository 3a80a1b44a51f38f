"""Campaign status by date, price-start rules from the terms, eligibility and joining."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.errors import DomainError, fmt_date
from backend.models import (
    AccessLevel,
    AccountAccess,
    Brand,
    Campaign,
    CampaignEnrolment,
    Customer,
    MeteringPoint,
)

ACTIVE_ENROLMENT = ("v_obdelavi", "aktivna")

# Rule ids stored on campaigns (price_start_rule).
RULE_DAY25 = "day25_this_or_next_month"  # gas 2016/2: by the 25th -> 1st of this month
RULE_NEXT_MONTH_DAY21 = "next_month_day21_workday"  # electricity: 1st of next month, 21+ -> next workday
RULE_NEXT_MONTH = "next_month"


def status(c: Campaign, today: date) -> str:
    """upcoming / open / closed by the joining period (inclusive on both ends)."""
    if today < c.join_from:
        return "upcoming"
    if today > c.join_to:
        return "closed"
    return "open"


def _first_of_next_month(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def next_working_day(d: date) -> date:
    """First working day strictly after d (Mon–Fri, not a Slovene public holiday)."""
    si = holidays.country_holidays("SI", years=range(d.year, d.year + 2))
    nxt = d + timedelta(days=1)
    while nxt.weekday() >= 5 or nxt in si:
        nxt += timedelta(days=1)
    return nxt


def price_start_date(c: Campaign, conditions_met_on: date) -> date:
    """Date from which campaign prices apply to an existing customer, per the terms."""
    if c.price_start_rule == RULE_DAY25:
        start = (
            conditions_met_on.replace(day=1)
            if conditions_met_on.day <= 25
            else _first_of_next_month(conditions_met_on)
        )
    elif c.price_start_rule == RULE_NEXT_MONTH_DAY21:
        deemed = conditions_met_on
        if conditions_met_on.day >= 21:
            deemed = next_working_day(conditions_met_on)
        start = _first_of_next_month(deemed)
    else:
        start = _first_of_next_month(conditions_met_on)
    if c.prices_valid_from and start < c.prices_valid_from:
        start = c.prices_valid_from
    return start


def get_campaign(db: Session, code: str) -> Campaign:
    """By code, or 404 in Slovene."""
    c = db.scalars(select(Campaign).where(Campaign.code == code)).first()
    if c is None:
        raise DomainError(404, "campaign_not_found", "Akcije s to oznako ne najdemo.")
    return c


def list_campaigns(
    db: Session, today: date, brand: str | None, energy: str | None, status_filter: str | None
) -> list[Campaign]:
    """All campaigns, newest joining period first, optionally filtered."""
    stmt = select(Campaign).join(Brand, Campaign.brand_id == Brand.id)
    if brand:
        stmt = stmt.where(Brand.code == brand)
    if energy:
        stmt = stmt.where(Campaign.energy == energy)
    rows = list(db.scalars(stmt.order_by(Campaign.join_from.desc(), Campaign.id)))
    if status_filter:
        rows = [c for c in rows if status(c, today) == status_filter]
    return rows


def _reason(code: str, message: str, **data: str) -> dict[str, str]:
    """A refusal reason: stable code, a developer-facing message, and the data to word it."""
    return {"code": code, "message": message, **data}


def check_eligibility(db: Session, c: Campaign, acc: AccountAccess, today: date) -> list[dict[str, str]]:
    """Every reason the point cannot join today (empty list = eligible)."""
    mp: MeteringPoint = acc.metering_point
    customer = db.get(Customer, mp.customer_id)
    assert customer is not None
    reasons: list[dict[str, str]] = []
    st = status(c, today)
    if st == "closed":
        reasons.append(
            _reason(
                "campaign_closed",
                f"Pristop k akciji »{c.name}« je bil mogoč do {fmt_date(c.join_to)}; akcija je zaključena.",
                join_to=c.join_to.isoformat(),
            )
        )
    elif st == "upcoming":
        reasons.append(
            _reason(
                "campaign_not_started",
                f"Pristop k akciji »{c.name}« bo mogoč od {fmt_date(c.join_from)}.",
                join_from=c.join_from.isoformat(),
            )
        )
    if customer.brand_id != c.brand_id:
        reasons.append(_reason("brand_mismatch", "Akcija ni namenjena kupcem te blagovne znamke."))
    if mp.energy != c.energy:
        reasons.append(_reason("energy_mismatch", "Akcija ne velja za energent tega merilnega mesta."))
    if c.household_only and not customer.is_household:
        reasons.append(_reason("not_household", "V akciji lahko sodelujejo le gospodinjski odjemalci."))
    if acc.level != AccessLevel.polni:
        reasons.append(
            _reason(
                "full_access_required",
                "K akciji lahko pristopi le uporabnik s polnim dostopom do merilnega mesta.",
            )
        )
    other = db.execute(
        select(CampaignEnrolment, Campaign)
        .join(Campaign, CampaignEnrolment.campaign_id == Campaign.id)
        .where(
            CampaignEnrolment.metering_point_id == mp.id,
            CampaignEnrolment.status.in_(ACTIVE_ENROLMENT),
            Campaign.energy == mp.energy,
        )
    ).first()
    if other is not None:
        enr, oc = other
        if oc.id == c.id:
            reasons.append(_reason("already_enrolled", "To merilno mesto že sodeluje v tej akciji."))
        else:
            reasons.append(
                _reason(
                    "already_in_campaign",
                    f"Merilno mesto že sodeluje v akciji »{oc.name}« za isti energent.",
                    other_campaign=oc.name,
                )
            )
    return reasons


def eligibility(db: Session, c: Campaign, acc: AccountAccess, today: date) -> dict[str, Any]:
    """Eligibility with documents and the price start if conditions were met today."""
    reasons = check_eligibility(db, c, acc, today)
    return {
        "campaign": c.code,
        "metering_point": acc.metering_point.number,
        "eligible": not reasons,
        "reasons": reasons,
        "required_documents": c.required_documents,
        "price_start_date_if_conditions_met_today": price_start_date(c, today).isoformat(),
        "price_start_rule": c.price_start_rule_text,
    }


def join(db: Session, c: Campaign, acc: AccountAccess, today: date, now: datetime) -> CampaignEnrolment:
    """Create an enrolment (pending documents if the terms require any)."""
    reasons = check_eligibility(db, c, acc, today)
    if reasons:
        first = reasons[0]
        code = first["code"]
        http = 403 if code in ("full_access_required", "not_household", "brand_mismatch") else 409
        raise DomainError(http, code, first["message"], reasons=reasons)
    enr = CampaignEnrolment(
        campaign_id=c.id,
        customer_id=acc.metering_point.customer_id,
        metering_point_id=acc.metering_point_id,
        account_id=acc.account_id,
        status="v_obdelavi" if c.required_documents else "aktivna",
        joined_on=today,
        conditions_met_on=None if c.required_documents else today,
        price_start_date=None if c.required_documents else price_start_date(c, today),
        created_at=now,
        extra={},
    )
    db.add(enr)
    db.commit()
    return enr
