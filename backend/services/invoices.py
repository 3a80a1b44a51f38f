"""Invoice listing, open balance and a small generated PDF, for polni/pooblaščeni only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from backend.core.errors import DomainError, fmt_date
from backend.models import AccountAccess, Invoice, MeteringPoint
from backend.services.access import INVOICE_LEVELS, access_for, accesses, require_invoice_access

STATUS_TEXT = {"paid": "plačan", "open": "odprt", "overdue": "zapadel"}
KIND_TEXT = {"racun": "Račun", "dobropis": "Dobropis", "bremepis": "Bremepis"}


def status_of(inv: Invoice, today: date) -> str:
    """paid / open / overdue, computed against today's date."""
    if inv.paid_on is not None:
        return "paid"
    return "overdue" if inv.due_date < today else "open"


def _allowed_mp_ids(db: Session, account_id: int, mp_number: str | None) -> list[int]:
    """Points whose invoices the account may see; 403 when it has only omejeni access."""
    if mp_number is not None:
        acc = access_for(db, account_id, mp_number)
        require_invoice_access(acc)
        return [acc.metering_point_id]
    all_acc = accesses(db, account_id)
    allowed = [a.metering_point_id for a in all_acc if a.level in INVOICE_LEVELS]
    if all_acc and not allowed:
        require_invoice_access(all_acc[0])
    return allowed


def _status_filter(status: str | None, today: date) -> Any:
    if status == "paid":
        return Invoice.paid_on.is_not(None)
    if status == "open":
        return and_(Invoice.paid_on.is_(None), Invoice.due_date >= today)
    if status == "overdue":
        return and_(Invoice.paid_on.is_(None), Invoice.due_date < today)
    if status == "unpaid":
        return Invoice.paid_on.is_(None)
    return None


def list_invoices(
    db: Session,
    account_id: int,
    today: date,
    mp_number: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Invoice, MeteringPoint]], int]:
    """Newest first, with the metering point; total for paging."""
    ids = _allowed_mp_ids(db, account_id, mp_number)
    if not ids:
        return [], 0
    cond = [Invoice.metering_point_id.in_(ids)]
    sf = _status_filter(status, today)
    if sf is not None:
        cond.append(sf)
    stmt = (
        select(Invoice, MeteringPoint)
        .join(MeteringPoint, Invoice.metering_point_id == MeteringPoint.id)
        .where(*cond)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = [(inv, mp) for inv, mp in db.execute(stmt).all()]
    total = db.scalar(select(func.count()).select_from(Invoice).where(*cond)) or 0
    return rows, int(total)


def balance(db: Session, account_id: int, today: date, mp_number: str | None) -> dict[str, Any]:
    """Open balance = unpaid invoices and debit notes minus unpaid credit notes (signed sums)."""
    ids = _allowed_mp_ids(db, account_id, mp_number)
    zero = Decimal("0.00")
    if not ids:
        return {"open_total": zero, "overdue_total": zero, "open_count": 0, "overdue_count": 0}
    base = [Invoice.metering_point_id.in_(ids), Invoice.paid_on.is_(None)]
    row = db.execute(
        select(func.coalesce(func.sum(Invoice.amount_gross), 0), func.count()).where(*base)
    ).one()
    overdue = db.execute(
        select(func.coalesce(func.sum(Invoice.amount_gross), 0), func.count()).where(
            *base, Invoice.due_date < today
        )
    ).one()
    return {
        "open_total": Decimal(str(row[0])).quantize(Decimal("0.01")),
        "open_count": int(row[1]),
        "overdue_total": Decimal(str(overdue[0])).quantize(Decimal("0.01")),
        "overdue_count": int(overdue[1]),
    }


def get_invoice(db: Session, account_id: int, number: str) -> tuple[Invoice, AccountAccess]:
    """One invoice the account may see (404 if not its, 403 if omejeni)."""
    inv = db.scalars(select(Invoice).where(Invoice.number == number)).first()
    acc = None
    if inv is not None:
        acc = db.scalars(
            select(AccountAccess).where(
                AccountAccess.account_id == account_id,
                AccountAccess.metering_point_id == inv.metering_point_id,
            )
        ).first()
    if inv is None or acc is None:
        raise DomainError(404, "invoice_not_found", "Računa s to številko ne najdemo med vašimi računi.")
    require_invoice_access(acc)
    return inv, acc


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _epoch(moment: datetime) -> int:
    """Seconds since 1970 of a naive-UTC or aware datetime."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return int(aware.timestamp())


def pdf_link_token(secret: str, inv: Invoice, account_id: int, now: datetime, ttl_minutes: int) -> tuple[str, datetime]:
    """A signed, short-lived capability to open one invoice's PDF in a browser.

    Stateless (HMAC-SHA256 over invoice id, account id and expiry), so any backend replica can
    check it; the access is checked again when the PDF is fetched.
    """
    expires = now + timedelta(minutes=ttl_minutes)
    body = _b64(json.dumps({"i": inv.id, "a": account_id, "e": _epoch(expires)}, separators=(",", ":")).encode())
    sig = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
    return f"{body}.{sig}", expires


def invoice_for_link(db: Session, secret: str, token: str, now: datetime) -> tuple[Invoice, AccountAccess]:
    """The invoice a link token opens; 404 for a forged, expired or no longer permitted link."""
    gone = DomainError(404, "pdf_link_invalid", "Povezava do računa ni veljavna ali je potekla.")
    body, _, sig = token.partition(".")
    want = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
    if not sig or not hmac.compare_digest(sig.encode(), want.encode()):  # bytes: any typed character is safe
        raise gone
    try:
        data = json.loads(_unb64(body))
        invoice_id, account_id, expires = int(data["i"]), int(data["a"]), int(data["e"])
    except (ValueError, KeyError, TypeError):
        raise gone from None
    if _epoch(now) >= expires:
        raise gone
    inv = db.get(Invoice, invoice_id)
    if inv is None:
        raise gone
    acc = db.scalars(
        select(AccountAccess).where(
            AccountAccess.account_id == account_id, AccountAccess.metering_point_id == inv.metering_point_id
        )
    ).first()
    if acc is None or acc.level not in INVOICE_LEVELS:
        raise gone
    return inv, acc


def _pdf_text(s: str) -> str:
    """Core PDF fonts are Latin-1 only; fold č/š/ž so the PDF stays tiny and dependency-free."""
    table = str.maketrans(
        {"č": "c", "Č": "C", "š": "s", "Š": "S", "ž": "z", "Ž": "Z", "€": "EUR", "ć": "c", "đ": "d"}
    )
    folded = s.translate(table).encode("latin-1", "replace").decode("latin-1")
    return folded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def render_pdf(inv: Invoice, mp_number: str, today: date) -> bytes:
    """A one-page PDF summarising the invoice (a real system would serve the archived PDF)."""
    lines = [
        f"{KIND_TEXT[inv.kind.value]} st. {inv.number}",
        f"Merilno mesto: {mp_number}",
        f"Obdobje: {fmt_date(inv.period_start)} - {fmt_date(inv.period_end)}",
        f"Datum izdaje: {fmt_date(inv.issue_date)}",
        f"Rok placila: {fmt_date(inv.due_date)}",
        f"Znesek brez DDV: {inv.amount_net} EUR",
        f"DDV {inv.vat_rate} %",
        f"Znesek z DDV: {inv.amount_gross} EUR",
        f"Stanje: {STATUS_TEXT[status_of(inv, today)]}",
    ]
    content = (
        "BT /F1 12 Tf 50 780 Td 16 TL\n" + "".join(f"({_pdf_text(line)}) Tj T*\n" for line in lines) + "ET"
    )
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
