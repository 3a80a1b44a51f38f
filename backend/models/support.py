"""Outbox of e-mails/SMS, FAQ feedback and handoff tickets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, DeliveryChannel, str_enum


class OutboxMessage(Base):
    """Messages to deliver; in the embedded default nothing sends them (dev endpoint lists).

    Telegram rows carry the chat id as recipient; SMS rows the number (notices: E.164) and
    sms_parts, the number of SMS parts the body is billed as (NULL for e-mail and Telegram, and for
    SMS rows written before migration 0004). Notices point to their notification row."""

    __tablename__ = "outbox_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[DeliveryChannel] = mapped_column(str_enum(DeliveryChannel, name="channel"))
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column()
    sms_parts: Mapped[int | None] = mapped_column(Integer)
    # the notice this row delivers (NULL for verification codes)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"), index=True)


class FaqFeedback(Base):
    """Da/Ne rating of one FAQ answer."""

    __tablename__ = "faq_feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    topic: Mapped[str] = mapped_column(String(120))
    helpful: Mapped[bool] = mapped_column(Boolean)
    brand: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()


# A live ticket in one of these states means a person has the conversation: the gateway routes the
# user's messages to the agents and not to Rasa. `handback_failed`: the agent handed back, but Rasa
# could not be resumed, so the person keeps the conversation until a hand-back succeeds.
ACTIVE_STATUSES = ("open", "assigned", "handback_failed")
_ACTIVE_LIVE = text("kind = 'live' AND status IN ('open', 'assigned', 'handback_failed')")


class HandoffTicket(Base):
    """Request for a human agent (or a callback outside support hours).

    The single source of truth for "a person has this conversation": at most one active live
    ticket per conversation (a partial unique index), whichever gateway replica asks.
    """

    __tablename__ = "handoff_ticket"
    __table_args__ = (
        Index(
            "uq_handoff_ticket_active_live", "conversation_id", unique=True,
            sqlite_where=_ACTIVE_LIVE, postgresql_where=_ACTIVE_LIVE,
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    brand: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="live")  # live / callback / message
    summary: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open/assigned/handback_failed/closed
    assigned_to: Mapped[str | None] = mapped_column(String(120))
    # the verified customer as agents may see it (masked, e.g. "a***@e***.si"), set at handoff
    customer: Mapped[str | None] = mapped_column(String(120))
    # the report's waiting times: first claim, first agent reply; closed_at + resolution say how it ended
    assigned_at: Mapped[datetime | None] = mapped_column()
    first_reply_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    resolution: Mapped[str | None] = mapped_column(String(16))  # handed_back / resolved / called
    # the customer's answer to "Kako ste zadovoljni s pomočjo svetovalca?" (1-5), once
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    satisfaction_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
