"""Feedback, handoff tickets, outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, JsonValue

from backend.core.config import REPO_ROOT
from backend.services.topics import faq_topics

DEFAULT_TOPICS: list[JsonValue] = list(sorted(faq_topics(str(REPO_ROOT / "data" / "faq_sl"))))


class FeedbackIn(BaseModel):
    """Rating of an FAQ answer, as on the seed pages (Da / Ne)."""

    conversation_id: str = Field(min_length=1, max_length=128)
    # The schema lists the topics of the repository's data/faq_sl (so generated clients and the
    # contract tests send real ones); the route checks against FAQ_TOPICS_DIR and answers 422.
    topic: str = Field(min_length=1, max_length=120, json_schema_extra={"enum": DEFAULT_TOPICS})
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
    customer: str | None = Field(default=None, max_length=120, description="verified customer, masked")


TicketStatus = Literal["open", "assigned", "handback_failed", "closed"]
# how a ticket ended: a live one handed back to the bot or resolved by the agent, a callback called
Resolution = Literal["handed_back", "resolved", "called"]


class TicketUpdate(BaseModel):
    """Fields to change; `if_status` makes the change conditional (compare-and-set, else 409).

    Moving to `assigned` dates the first claim (`assigned_at`), to `closed` the close (`closed_at`);
    `first_reply: true` dates the first agent reply once (later ones keep the first time).
    """

    status: TicketStatus | None = None
    assigned_to: str | None = Field(default=None, max_length=120)
    summary: str | None = Field(default=None, max_length=5000)
    resolution: Resolution | None = None
    first_reply: bool | None = None
    if_status: list[TicketStatus] | None = Field(default=None, max_length=4)


class SatisfactionIn(BaseModel):
    """The customer's answer to "Kako ste zadovoljni s pomočjo svetovalca?" (1 = zelo nezadovoljni)."""

    score: int = Field(ge=1, le=5)


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
    customer: str | None = None
    assigned_at: datetime | None = None
    first_reply_at: datetime | None = None
    closed_at: datetime | None = None
    resolution: str | None = None
    satisfaction: int | None = None
    satisfaction_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class HandoffState(BaseModel):
    """Whether a person has the conversation: the active live ticket, if any."""

    conversation_id: str
    active: bool
    ticket: TicketOut | None


class FaqTopic(BaseModel):
    """An FAQ topic a rating may name, with its Slovene title (metadata.title in data/faq_sl)."""

    topic: str
    title: str


class CustomerConversation(BaseModel):
    """A conversation in which the customer was verified (a session token was issued to it)."""

    conversation_id: str
    verified_at: datetime


class OutboxOut(BaseModel):
    """Dev-only view of queued messages."""

    id: int
    channel: str
    recipient: str
    subject: str | None
    body: str
    status: str
    created_at: datetime
