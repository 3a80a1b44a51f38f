"""Feedback, handoff tickets and the dev outbox listing (no business rules beyond shape)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.core.errors import DomainError
from backend.models import FaqFeedback, HandoffTicket, OutboxMessage
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
    """Agents read summaries: no one-time code, e-mail or phone number in full is stored there."""
    summary = fields.get("summary")
    return {**fields, "summary": redact_text(summary)} if isinstance(summary, str) else fields


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
    values = {k: v for k, v in _redacted(fields).items() if v is not None}
    values["updated_at"] = now
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


def list_outbox(db: Session, recipient: str | None, limit: int) -> list[OutboxMessage]:
    """Newest first; dev only."""
    stmt = select(OutboxMessage)
    if recipient:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    return list(db.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(limit)))
