"""Campaign list/detail, eligibility and enrolment."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class AmendmentOut(BaseModel):
    """adopted_on is null when the source document does not state the date."""

    number: int
    adopted_on: date | None
    title: str
    changes: list[Any]


class CampaignOut(BaseModel):
    """Terms as currently in force (after all amendments) plus the amendment history."""

    code: str
    name: str
    brand: str
    energy: str
    description: str
    is_demo: bool
    status: str
    household_only: bool
    join_from: date
    join_to: date
    documents_deadline: date | None
    prices_valid_from: date | None
    prices_valid_to: date | None
    prices_valid_note: str | None
    prices: list[Any]
    fees: list[Any]
    discounts: list[Any]
    conditions: list[Any]
    required_documents: list[Any]
    price_start_rule: str
    contact: str | None
    source: str | None
    adopted_on: date | None
    amendments: list[AmendmentOut]


class EligibilityOut(BaseModel):
    """eligible=false lists every reason."""

    campaign: str
    metering_point: str
    eligible: bool
    reasons: list[dict[str, str]]
    required_documents: list[Any]
    price_start_date_if_conditions_met_today: date
    price_start_rule: str


class JoinIn(BaseModel):
    """Which point joins."""

    metering_point: str = Field(min_length=1, max_length=40)


class EnrolmentOut(BaseModel):
    """Created enrolment; documents must still be delivered when status is v_obdelavi."""

    campaign: str
    metering_point: str
    status: str
    joined_on: date
    price_start_date: date | None
    required_documents: list[Any]
