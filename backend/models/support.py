"""Outbox of e-mails/SMS, FAQ feedback and handoff tickets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
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


class HandoffTicket(Base):
    """Request for a human agent (or a callback outside support hours)."""

    __tablename__ = "handoff_ticket"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    brand: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="live")  # live / callback / message
    summary: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default="open")
    assigned_to: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
