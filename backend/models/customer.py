"""Brands, customers, portal accounts with per-point access, metering points, contracts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import AccessLevel, Base, Energy, str_enum


class Brand(Base):
    """GEN-I or Butan plin; answers and campaigns are brand-specific."""

    __tablename__ = "brand"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    portal_name: Mapped[str] = mapped_column(String(100))
    support_phone: Mapped[str | None] = mapped_column(String(32))
    support_email: Mapped[str | None] = mapped_column(String(200))


class Customer(Base):
    """Contract holder / payer of one brand."""

    __tablename__ = "customer"
    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    customer_number: Mapped[str] = mapped_column(String(32), unique=True)
    payer_number: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    is_household: Mapped[bool] = mapped_column(Boolean, default=True)
    tax_number: Mapped[str | None] = mapped_column(String(16))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    brand: Mapped[Brand] = relationship()


class MeteringPoint(Base):
    """Merilno / odjemno mesto with the operator's reading window (days of month)."""

    __tablename__ = "metering_point"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    energy: Mapped[Energy] = mapped_column(str_enum(Energy))
    distribution_operator: Mapped[str] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(200))
    nickname: Mapped[str | None] = mapped_column(String(60))
    reading_window_start_day: Mapped[int] = mapped_column(Integer, default=1)
    reading_window_end_day: Mapped[int] = mapped_column(Integer, default=31)
    customer: Mapped[Customer] = relationship()


class Contract(Base):
    """Supply contract for one metering point."""

    __tablename__ = "contract"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    metering_point_id: Mapped[int] = mapped_column(ForeignKey("metering_point.id"), index=True)
    energy: Mapped[Energy] = mapped_column(str_enum(Energy))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class PortalAccount(Base):
    """Portal user; the e-mail is the username (it cannot be changed)."""

    __tablename__ = "portal_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    created_at: Mapped[datetime] = mapped_column()
    customer: Mapped[Customer] = relationship()


class AccountAccess(Base):
    """Access level of an account to one metering point, and since when."""

    __tablename__ = "account_access"
    __table_args__ = (UniqueConstraint("account_id", "metering_point_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("portal_account.id"), index=True)
    metering_point_id: Mapped[int] = mapped_column(ForeignKey("metering_point.id"), index=True)
    level: Mapped[AccessLevel] = mapped_column(str_enum(AccessLevel))
    granted_at: Mapped[datetime] = mapped_column()
    metering_point: Mapped[MeteringPoint] = relationship()
