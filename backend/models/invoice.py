"""Invoices, credit notes (negative amounts) and debit notes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, InvoiceKind, str_enum


class Invoice(Base):
    """Status (paid/open/overdue) is derived from paid_on and due_date against today."""

    __tablename__ = "invoice"
    __table_args__ = (
        Index("ix_invoice_mp_issue", "metering_point_id", "issue_date", "id"),
        Index("ix_invoice_customer_issue", "customer_id", "issue_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[InvoiceKind] = mapped_column(str_enum(InvoiceKind))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    metering_point_id: Mapped[int] = mapped_column(ForeignKey("metering_point.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    amount_net: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    amount_gross: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    paid_on: Mapped[date | None] = mapped_column(Date)
