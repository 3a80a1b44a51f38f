"""Per-metering-point access checks shared by readings, invoices and campaigns."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.errors import DomainError
from backend.models import AccessLevel, AccountAccess, MeteringPoint

INVOICE_LEVELS = {AccessLevel.polni, AccessLevel.pooblasceni}


def accesses(db: Session, account_id: int) -> list[AccountAccess]:
    """All metering points the account may see, with their levels."""
    stmt = (
        select(AccountAccess)
        .join(MeteringPoint, AccountAccess.metering_point_id == MeteringPoint.id)
        .where(AccountAccess.account_id == account_id)
        .order_by(MeteringPoint.number)
    )
    return list(db.scalars(stmt))


def access_for(db: Session, account_id: int, mp_number: str) -> AccountAccess:
    """The account's access to this point, or 404 (we do not reveal foreign points)."""
    stmt = (
        select(AccountAccess)
        .join(MeteringPoint, AccountAccess.metering_point_id == MeteringPoint.id)
        .where(AccountAccess.account_id == account_id, MeteringPoint.number == mp_number)
    )
    acc = db.scalars(stmt).first()
    if acc is None:
        raise DomainError(
            404,
            "metering_point_not_found",
            "Merilno mesto s to številko ni povezano z vašim uporabniškim računom.",
        )
    return acc


def require_invoice_access(acc: AccountAccess) -> None:
    """Invoices are for polni and pooblaščeni access only."""
    if acc.level not in INVOICE_LEVELS:
        raise DomainError(
            403,
            "access_denied_invoices",
            "Z omejenim dostopom nimate vpogleda v račune, odprto stanje in PDF račune. "
            "Za dostop se obrnite na imetnika pogodbe.",
            access_level=acc.level.value,
        )


def require_full_access(acc: AccountAccess) -> None:
    """Joining campaigns needs polni access."""
    if acc.level != AccessLevel.polni:
        raise DomainError(
            403,
            "full_access_required",
            "K akciji lahko pristopi le uporabnik s polnim dostopom do merilnega mesta.",
            access_level=acc.level.value,
        )
