"""Personal invoice endpoints (polni and pooblaščeni only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from backend.deps import AccountDep, ApiKeyDep, ClockDep, SessionDep, SettingsDep
from backend.schemas.common import ERRORS
from backend.schemas.invoices import BalanceOut, InvoiceListOut, InvoiceOut, PdfLinkOut
from backend.services import invoices

router = APIRouter(prefix="/me/invoices", tags=["invoices"], responses=ERRORS)
# the PDF behind a signed link: called by the channel gateway (API key), not by a verified chat
links = APIRouter(prefix="/invoice-pdf", tags=["invoices"], responses=ERRORS, dependencies=[ApiKeyDep])
API_PREFIX = "/api/v1"


@router.get("", response_model=InvoiceListOut)
def list_invoices(
    account: AccountDep,
    db: SessionDep,
    clock: ClockDep,
    metering_point: Annotated[str | None, Query(max_length=40)] = None,
    status: Literal["paid", "open", "overdue", "unpaid"] | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> InvoiceListOut:
    """Invoices, credit and debit notes, newest first."""
    today = clock.today()
    rows, total = invoices.list_invoices(db, account.id, today, metering_point, status, limit, offset)
    items = [
        InvoiceOut(
            number=inv.number,
            kind=inv.kind.value,
            metering_point=mp.number,
            metering_point_nickname=mp.nickname,
            energy=mp.energy.value,
            period_start=inv.period_start,
            period_end=inv.period_end,
            issue_date=inv.issue_date,
            due_date=inv.due_date,
            amount_net=inv.amount_net,
            amount_gross=inv.amount_gross,
            vat_rate=inv.vat_rate,
            status=invoices.status_of(inv, today),
            paid_on=inv.paid_on,
            pdf_url=f"{API_PREFIX}/me/invoices/{inv.number}/pdf",
        )
        for inv, mp in rows
    ]
    return InvoiceListOut(items=items, total=total, limit=limit, offset=offset)


@router.get("/balance", response_model=BalanceOut)
def balance(
    account: AccountDep,
    db: SessionDep,
    clock: ClockDep,
    metering_point: Annotated[str | None, Query(max_length=40)] = None,
) -> BalanceOut:
    """Open and overdue totals."""
    return BalanceOut.model_validate(invoices.balance(db, account.id, clock.today(), metering_point))


@router.get(
    "/{number}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "PDF"}},
)
def invoice_pdf(number: str, account: AccountDep, db: SessionDep, clock: ClockDep) -> Response:
    """A small generated PDF of the invoice."""
    inv, acc = invoices.get_invoice(db, account.id, number)
    pdf = invoices.render_pdf(inv, acc.metering_point.number, clock.today())
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{inv.number}.pdf"'},
    )


@router.post("/{number}/pdf-link", response_model=PdfLinkOut)
def invoice_pdf_link(
    number: str, account: AccountDep, db: SessionDep, clock: ClockDep, settings: SettingsDep
) -> PdfLinkOut:
    """A short-lived signed link token; the gateway serves the PDF for it at /racun/<token>."""
    inv, _ = invoices.get_invoice(db, account.id, number)
    token, expires = invoices.pdf_link_token(
        settings.pdf_link_secret, inv, account.id, clock.now(), settings.pdf_link_ttl_minutes
    )
    return PdfLinkOut(token=token, expires_at=expires)


@links.get(
    "/{token}",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "PDF"}},
)
def invoice_pdf_by_link(token: str, db: SessionDep, clock: ClockDep, settings: SettingsDep) -> Response:
    """The PDF a valid, unexpired link token opens (access is checked again now)."""
    inv, acc = invoices.invoice_for_link(db, settings.pdf_link_secret, token, clock.now())
    pdf = invoices.render_pdf(inv, acc.metering_point.number, clock.today())
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{inv.number}.pdf"', "Cache-Control": "no-store"},
    )
