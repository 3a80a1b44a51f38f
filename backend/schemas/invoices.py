"""Invoice list and balance."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel


class InvoiceOut(BaseModel):
    """Amounts are signed: credit notes (dobropis) are negative."""

    number: str
    kind: str
    metering_point: str
    metering_point_nickname: str | None = None
    energy: str
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    amount_net: Decimal
    amount_gross: Decimal
    vat_rate: Decimal
    status: str
    paid_on: date | None
    pdf_url: str


class InvoiceListOut(BaseModel):
    """One page of invoices."""

    items: list[InvoiceOut]
    total: int
    limit: int
    offset: int


class BalanceOut(BaseModel):
    """Unpaid totals (EUR, with VAT)."""

    open_total: Decimal
    open_count: int
    overdue_total: Decimal
    overdue_count: int
    currency: str = "EUR"


class PdfLinkOut(BaseModel):
    """A signed capability to open one PDF in a browser (through the channel gateway)."""

    token: str
    expires_at: datetime
