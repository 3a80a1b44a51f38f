"""Public campaign list/detail; personal eligibility and join."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from backend.deps import AccountDep, ClockDep, SessionDep
from backend.models import Brand, Campaign, Energy
from backend.schemas.campaigns import AmendmentOut, CampaignOut, EligibilityOut, EnrolmentOut, JoinIn
from backend.schemas.common import ERRORS
from backend.services import campaigns
from backend.services.access import access_for

public = APIRouter(prefix="/campaigns", tags=["campaigns"], responses=ERRORS)
personal = APIRouter(prefix="/me/campaigns", tags=["campaigns"], responses=ERRORS)


def campaign_out(c: Campaign, status: str, brand_code: str) -> CampaignOut:
    """Serialize with the status computed for today."""
    return CampaignOut(
        code=c.code,
        name=c.name,
        brand=brand_code,
        energy=c.energy.value,
        description=c.description,
        is_demo=c.is_demo,
        status=status,
        household_only=c.household_only,
        join_from=c.join_from,
        join_to=c.join_to,
        documents_deadline=c.documents_deadline,
        prices_valid_from=c.prices_valid_from,
        prices_valid_to=c.prices_valid_to,
        prices_valid_note=c.prices_valid_note,
        prices=c.prices,
        fees=c.fees,
        discounts=c.discounts,
        conditions=c.conditions,
        required_documents=c.required_documents,
        price_start_rule=c.price_start_rule_text,
        contact=c.contact,
        source=c.source,
        adopted_on=c.adopted_on,
        amendments=[
            AmendmentOut(number=a.number, adopted_on=a.adopted_on, title=a.title, changes=a.changes)
            for a in c.amendments
        ],
    )


def _brand_code(db: SessionDep, c: Campaign) -> str:
    b = db.get(Brand, c.brand_id)
    return b.code if b else ""


@public.get("", response_model=list[CampaignOut])
def list_campaigns(
    db: SessionDep,
    clock: ClockDep,
    brand: str | None = Query(default=None, max_length=32),
    energy: Energy | None = None,
    status: Literal["open", "closed", "upcoming"] | None = None,
) -> list[CampaignOut]:
    """All campaigns with status open/closed/upcoming computed from today's date."""
    today = clock.today()
    rows = campaigns.list_campaigns(db, today, brand, energy.value if energy else None, status)
    return [campaign_out(c, campaigns.status(c, today), _brand_code(db, c)) for c in rows]


@public.get("/{code}", response_model=CampaignOut)
def campaign_detail(code: str, db: SessionDep, clock: ClockDep) -> CampaignOut:
    """One campaign with all amendments."""
    c = campaigns.get_campaign(db, code)
    return campaign_out(c, campaigns.status(c, clock.today()), _brand_code(db, c))


@personal.get("/{code}/eligibility", response_model=EligibilityOut)
def eligibility(
    code: str,
    account: AccountDep,
    db: SessionDep,
    clock: ClockDep,
    metering_point: str = Query(min_length=1, max_length=40),
) -> EligibilityOut:
    """Can this point join today, and what documents are needed."""
    c = campaigns.get_campaign(db, code)
    acc = access_for(db, account.id, metering_point)
    return EligibilityOut.model_validate(campaigns.eligibility(db, c, acc, clock.today()))


@personal.post("/{code}/join", response_model=EnrolmentOut, status_code=201)
def join(code: str, body: JoinIn, account: AccountDep, db: SessionDep, clock: ClockDep) -> EnrolmentOut:
    """Join (polni access, household, open period, not in another campaign for the energy)."""
    c = campaigns.get_campaign(db, code)
    acc = access_for(db, account.id, body.metering_point)
    enr = campaigns.join(db, c, acc, clock.today(), clock.now())
    return EnrolmentOut(
        campaign=c.code,
        metering_point=body.metering_point,
        status=enr.status,
        joined_on=enr.joined_on,
        price_start_date=enr.price_start_date,
        required_documents=c.required_documents,
    )
