"""Feedback, handoff tickets and the dev outbox listing (no business rules beyond shape)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.errors import DomainError
from backend.models import FaqFeedback, HandoffTicket, OutboxMessage
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


def create_ticket(db: Session, now: datetime, **fields: object) -> HandoffTicket:
    """Open a ticket for an agent or a callback (summary redacted before it is stored)."""
    t = HandoffTicket(**_redacted(fields), status="open", created_at=now, updated_at=now)
    db.add(t)
    db.commit()
    return t


def list_tickets(
    db: Session, status: str | None, conversation_id: str | None, limit: int
) -> list[HandoffTicket]:
    """Newest first."""
    stmt = select(HandoffTicket)
    if status:
        stmt = stmt.where(HandoffTicket.status == status)
    if conversation_id:
        stmt = stmt.where(HandoffTicket.conversation_id == conversation_id)
    return list(db.scalars(stmt.order_by(HandoffTicket.id.desc()).limit(limit)))


def update_ticket(db: Session, now: datetime, ticket_id: int, **fields: object) -> HandoffTicket:
    """Change status / assignee / summary (redacted like on create)."""
    t = db.get(HandoffTicket, ticket_id)
    if t is None:
        raise DomainError(404, "ticket_not_found", "Zahtevka s to številko ne najdemo.")
    for k, v in _redacted(fields).items():
        if v is not None:
            setattr(t, k, v)
    t.updated_at = now
    db.commit()
    return t


def list_outbox(db: Session, recipient: str | None, limit: int) -> list[OutboxMessage]:
    """Newest first; dev only."""
    stmt = select(OutboxMessage)
    if recipient:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    return list(db.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(limit)))
