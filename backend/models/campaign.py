"""Campaigns with their terms and amendments, and customers' enrolments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import Base, Energy, str_enum


class Campaign(Base):
    """Current (amended) terms; amendments keep what changed and when."""

    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    name: Mapped[str] = mapped_column(String(200))
    energy: Mapped[Energy] = mapped_column(str_enum(Energy))
    description: Mapped[str] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    household_only: Mapped[bool] = mapped_column(Boolean, default=True)
    join_from: Mapped[date] = mapped_column(Date)
    join_to: Mapped[date] = mapped_column(Date)
    documents_deadline: Mapped[date | None] = mapped_column(Date)
    prices_valid_from: Mapped[date | None] = mapped_column(Date)
    prices_valid_to: Mapped[date | None] = mapped_column(Date)
    prices_valid_note: Mapped[str | None] = mapped_column(Text)
    prices: Mapped[list[Any]] = mapped_column(default=list)
    fees: Mapped[list[Any]] = mapped_column(default=list)
    discounts: Mapped[list[Any]] = mapped_column(default=list)
    conditions: Mapped[list[Any]] = mapped_column(default=list)
    required_documents: Mapped[list[Any]] = mapped_column(default=list)
    price_start_rule: Mapped[str] = mapped_column(String(40))
    price_start_rule_text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    adopted_on: Mapped[date | None] = mapped_column(Date)
    amendments: Mapped[list[CampaignAmendment]] = relationship(
        order_by="CampaignAmendment.number", cascade="all, delete-orphan"
    )


class CampaignAmendment(Base):
    """Sprememba št. N; date is null when the source text does not state it."""

    __tablename__ = "campaign_amendment"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    adopted_on: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    changes: Mapped[list[Any]] = mapped_column(default=list)


class CampaignEnrolment(Base):
    """A metering point's participation in a campaign."""

    __tablename__ = "campaign_enrolment"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    metering_point_id: Mapped[int] = mapped_column(ForeignKey("metering_point.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_account.id"))
    status: Mapped[str] = mapped_column(String(32))  # v_obdelavi / aktivna / zakljucena
    joined_on: Mapped[date] = mapped_column(Date)
    conditions_met_on: Mapped[date | None] = mapped_column(Date)
    price_start_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column()
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
