"""Feedback, handoff tickets, outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class FeedbackIn(BaseModel):
    """Rating of an FAQ answer, as on the seed pages (Da / Ne)."""

    conversation_id: str = Field(min_length=1, max_length=128)
    topic: str = Field(min_length=1, max_length=120)
    rating: Literal["Da", "Ne"]
    brand: str | None = Field(default=None, max_length=32)
    comment: str | None = Field(default=None, max_length=2000)


class FeedbackOut(BaseModel):
    """Stored rating."""

    id: int
    conversation_id: str
    topic: str
    rating: str
    created_at: datetime


class TicketIn(BaseModel):
    """New handoff ticket."""

    conversation_id: str = Field(min_length=1, max_length=128)
    channel: str = Field(default="web", max_length=32)
    brand: str | None = Field(default=None, max_length=32)
    reason: str = Field(default="user_request", min_length=1, max_length=64)
    kind: Literal["live", "callback", "message"] = "live"
    summary: str | None = Field(default=None, max_length=5000)
    contact: str | None = Field(default=None, max_length=254)


TicketStatus = Literal["open", "assigned", "handback_failed", "closed"]


class TicketUpdate(BaseModel):
    """Fields to change; `if_status` makes the change conditional (compare-and-set, else 409)."""

    status: TicketStatus | None = None
    assigned_to: str | None = Field(default=None, max_length=120)
    summary: str | None = Field(default=None, max_length=5000)
    if_status: list[TicketStatus] | None = Field(default=None, max_length=4)


class TicketOut(BaseModel):
    """Ticket as stored."""

    id: int
    conversation_id: str
    channel: str
    brand: str | None
    reason: str
    kind: str
    summary: str | None
    contact: str | None
    status: str
    assigned_to: str | None
    created_at: datetime
    updated_at: datetime


class HandoffState(BaseModel):
    """Whether a person has the conversation: the active live ticket, if any."""

    conversation_id: str
    active: bool
    ticket: TicketOut | None


class OutboxOut(BaseModel):
    """Dev-only view of queued messages."""

    id: int
    channel: str
    recipient: str
    subject: str | None
    body: str
    status: str
    created_at: datetime
