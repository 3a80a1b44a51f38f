"""Feedback, handoff tickets and the dev outbox listing (no business rules beyond shape)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.core.errors import DomainError
from backend.models import Customer, FaqFeedback, HandoffTicket, OutboxMessage, PortalAccount, SessionToken
from backend.models.support import ACTIVE_STATUSES
from backend.services.security import redact_text


def add_feedback(
    db: Session,
    now: datetime,
    conversation_id: str,
    topic: str,
    helpful: bool,
    brand: str | None,
    comment: str | None,
) -> FaqFeedback:
    """Store one Da/Ne rating."""
    fb = FaqFeedback(
        conversation_id=conversation_id,
        topic=topic,
        helpful=helpful,
        brand=brand,
        comment=comment,
        created_at=now,
    )
    db.add(fb)
    db.commit()
    return fb


def _redacted(fields: dict[str, object]) -> dict[str, object]:
    """Agents read summaries and the customer line: no one-time code, e-mail or phone number in full
    is stored there."""
    out = dict(fields)
    for name in ("summary", "customer"):
        value = out.get(name)
        if isinstance(value, str):
            out[name] = redact_text(value)
    return out


def active_ticket(db: Session, conversation_id: str) -> HandoffTicket | None:
    """The live ticket that gives this conversation to a person, if there is one."""
    stmt = select(HandoffTicket).where(
        HandoffTicket.conversation_id == conversation_id,
        HandoffTicket.kind == "live",
        HandoffTicket.status.in_(ACTIVE_STATUSES),
    )
    return db.scalars(stmt).first()


def create_ticket(db: Session, now: datetime, **fields: object) -> tuple[HandoffTicket, bool]:
    """Open a ticket for an agent or a callback; returns (ticket, created).

    A live ticket is idempotent per conversation: while one is active, asking again (a retry, a
    second gateway replica) returns that one. The partial unique index settles a race.
    """
    live = fields.get("kind", "live") == "live"
    if live:
        existing = active_ticket(db, str(fields["conversation_id"]))
        if existing is not None:
            return existing, False
    t = HandoffTicket(**_redacted(fields), status="open", created_at=now, updated_at=now)
    db.add(t)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        existing = active_ticket(db, str(fields["conversation_id"])) if live else None
        if existing is None:
            raise
        return existing, False
    return t, True


def list_tickets(
    db: Session,
    status: str | None,
    conversation_id: str | None,
    limit: int,
    active: bool | None = None,
    kind: str | None = None,
) -> list[HandoffTicket]:
    """Newest first; `active` = still with a person (open, assigned, hand-back failed)."""
    stmt = select(HandoffTicket)
    if status:
        stmt = stmt.where(HandoffTicket.status == status)
    if conversation_id:
        stmt = stmt.where(HandoffTicket.conversation_id == conversation_id)
    if kind:
        stmt = stmt.where(HandoffTicket.kind == kind)
    if active is True:
        stmt = stmt.where(HandoffTicket.status.in_(ACTIVE_STATUSES))
    elif active is False:
        stmt = stmt.where(HandoffTicket.status.not_in(ACTIVE_STATUSES))
    return list(db.scalars(stmt.order_by(HandoffTicket.id.desc()).limit(limit)))


def update_ticket(
    db: Session, now: datetime, ticket_id: int, if_status: Sequence[str] | None = None, **fields: object
) -> HandoffTicket:
    """Change status / assignee / summary (redacted like on create); with `if_status`, only from one
    of those states.

    The condition is part of the UPDATE itself, so two replicas (or two agents) handing back the
    same conversation cannot both succeed: the loser gets 409 and sends nothing.
    """
    if db.get(HandoffTicket, ticket_id) is None:
        raise DomainError(404, "ticket_not_found", "Zahtevka s to številko ne najdemo.")
    first_reply = bool(fields.pop("first_reply", None))
    values: dict[str, object] = {k: v for k, v in _redacted(fields).items() if v is not None}
    values["updated_at"] = now
    # the first time only: a second claim or reply keeps the time the report measures from
    if values.get("status") == "assigned" or values.get("assigned_to"):
        values["assigned_at"] = func.coalesce(HandoffTicket.assigned_at, now)
    if first_reply:
        values["first_reply_at"] = func.coalesce(HandoffTicket.first_reply_at, now)
    if values.get("status") == "closed":
        values["closed_at"] = now
    stmt = update(HandoffTicket).where(HandoffTicket.id == ticket_id)
    if if_status:
        stmt = stmt.where(HandoffTicket.status.in_(list(if_status)))
    result = db.execute(stmt.values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        raise DomainError(409, "ticket_conflict", "Zahtevek je medtem že spremenil nekdo drug.")
    db.commit()
    t = db.get(HandoffTicket, ticket_id, populate_existing=True)
    assert t is not None
    return t


def rate_ticket(db: Session, now: datetime, ticket_id: int, score: int) -> HandoffTicket:
    """Store the customer's satisfaction (1-5) with a closed live ticket, once.

    Conditional like every ticket change: a second answer (a double click, a replayed request)
    gets 409 and the first one stays.
    """
    t = db.get(HandoffTicket, ticket_id)
    if t is None:
        raise DomainError(404, "ticket_not_found", "Zahtevka s to številko ne najdemo.")
    if t.kind != "live" or t.status != "closed":
        raise DomainError(409, "ticket_not_closed", "Oceno je mogoče oddati šele po zaključenem pogovoru s svetovalcem.")
    stmt = (
        update(HandoffTicket)
        .where(HandoffTicket.id == ticket_id, HandoffTicket.satisfaction.is_(None))
        .values(satisfaction=score, satisfaction_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if db.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        raise DomainError(409, "ticket_already_rated", "Ta pogovor je že ocenjen.")
    db.commit()
    t = db.get(HandoffTicket, ticket_id, populate_existing=True)
    assert t is not None
    return t


def customer_conversations(db: Session, customer_number: str, limit: int) -> list[tuple[str, datetime]]:
    """Conversations in which the customer with this number was verified, newest first.

    What the agent console's search by customer number finds: a session token is issued only
    after the code was confirmed, and it is bound to one conversation.
    """
    stmt = (
        select(SessionToken.conversation_id, func.max(SessionToken.created_at).label("at"))
        .join(PortalAccount, PortalAccount.id == SessionToken.account_id)
        .join(Customer, Customer.id == PortalAccount.customer_id)
        .where(Customer.customer_number == customer_number.strip())
        .group_by(SessionToken.conversation_id)
        .order_by(func.max(SessionToken.created_at).desc())
        .limit(limit)
    )
    return [(str(conv), at) for conv, at in db.execute(stmt)]


def list_outbox(db: Session, recipient: str | None, limit: int) -> list[OutboxMessage]:
    """Newest first; dev only."""
    stmt = select(OutboxMessage)
    if recipient:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    return list(db.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(limit)))
