"""Feedback, handoff tickets, dev outbox."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from backend.core.errors import DomainError
from backend.deps import ApiKeyDep, ClockDep, SessionDep, SettingsDep
from backend.schemas.common import ERRORS
from backend.schemas.support import (
    CustomerConversation,
    FaqTopic,
    FeedbackIn,
    FeedbackOut,
    HandoffState,
    OutboxOut,
    SatisfactionIn,
    TicketIn,
    TicketOut,
    TicketStatus,
    TicketUpdate,
)
from backend.services import support
from backend.services.topics import faq_topics

router = APIRouter(dependencies=[ApiKeyDep], responses=ERRORS)


@router.post("/feedback", response_model=FeedbackOut, status_code=201, tags=["feedback"])
def feedback(body: FeedbackIn, db: SessionDep, clock: ClockDep, settings: SettingsDep) -> FeedbackOut:
    """Store a Da/Ne rating of an FAQ answer; the topic must be one of `GET /faq-topics` (else 422)."""
    if body.topic not in faq_topics(settings.resolved_faq_topics_dir()):
        raise DomainError(422, "unknown_topic", "Tema ocene ni med znanimi temami pogostih vprašanj.")
    fb = support.add_feedback(
        db, clock.now(), body.conversation_id, body.topic, body.rating == "Da", body.brand, body.comment
    )
    return FeedbackOut(
        id=fb.id,
        conversation_id=fb.conversation_id,
        topic=fb.topic,
        rating="Da" if fb.helpful else "Ne",
        created_at=fb.created_at,
    )


@router.get("/faq-topics", response_model=list[FaqTopic], tags=["feedback"])
def topics(settings: SettingsDep) -> list[FaqTopic]:
    """The FAQ topics a rating may name, with their Slovene titles (from data/faq_sl/*.yml)."""
    return [FaqTopic(topic=t, title=title) for t, title in faq_topics(settings.resolved_faq_topics_dir()).items()]


@router.post(
    "/handoff-tickets", response_model=TicketOut, status_code=201, tags=["handoff"],
    responses={200: {"model": TicketOut, "description": "a live ticket was already active: that one"}},
)
def create_ticket(body: TicketIn, db: SessionDep, clock: ClockDep, response: Response) -> TicketOut:
    """Queue the conversation for an agent (or a callback/message outside hours).

    Live tickets are idempotent per conversation: 201 for a new one, 200 with the active one.
    """
    t, created = support.create_ticket(db, clock.now(), **body.model_dump())
    if not created:
        response.status_code = 200
    return TicketOut.model_validate(t, from_attributes=True)


@router.get("/handoff-tickets", response_model=list[TicketOut], tags=["handoff"])
def list_tickets(
    db: SessionDep,
    status: TicketStatus | None = None,
    conversation_id: Annotated[str | None, Query(max_length=128)] = None,
    active: bool | None = None,
    kind: Literal["live", "callback", "message"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[TicketOut]:
    """Newest first; `active=true&kind=live` is the agents' queue (what a person has now)."""
    return [
        TicketOut.model_validate(t, from_attributes=True)
        for t in support.list_tickets(db, status, conversation_id, limit, active=active, kind=kind)
    ]


@router.get("/conversations/{conversation_id}/handoff", response_model=HandoffState, tags=["handoff"])
def handoff_state(
    conversation_id: Annotated[str, Path(min_length=1, max_length=128)], db: SessionDep
) -> HandoffState:
    """Does a person have this conversation? The gateway asks on every user message."""
    t = support.active_ticket(db, conversation_id)
    return HandoffState(
        conversation_id=conversation_id,
        active=t is not None,
        ticket=TicketOut.model_validate(t, from_attributes=True) if t else None,
    )


@router.patch("/handoff-tickets/{ticket_id}", response_model=TicketOut, tags=["handoff"])
def update_ticket(ticket_id: int, body: TicketUpdate, db: SessionDep, clock: ClockDep) -> TicketOut:
    """Assign, close or annotate a ticket (conditionally with `if_status`: 409 when it moved on)."""
    if ticket_id < 1 or ticket_id > 2**31 - 1:
        raise DomainError(404, "ticket_not_found", "Zahtevka s to številko ne najdemo.")
    t = support.update_ticket(db, clock.now(), ticket_id, **body.model_dump())
    return TicketOut.model_validate(t, from_attributes=True)


@router.post(
    "/handoff-tickets/{ticket_id}/satisfaction", response_model=TicketOut, tags=["handoff"],
    responses={409: {"description": "not a closed live ticket, or already rated"}},
)
def rate_ticket(ticket_id: int, body: SatisfactionIn, db: SessionDep, clock: ClockDep) -> TicketOut:
    """The customer's satisfaction with the agent's help (1-5), once per closed live ticket."""
    if ticket_id < 1 or ticket_id > 2**31 - 1:
        raise DomainError(404, "ticket_not_found", "Zahtevka s to številko ne najdemo.")
    t = support.rate_ticket(db, clock.now(), ticket_id, body.score)
    return TicketOut.model_validate(t, from_attributes=True)


@router.get(
    "/customers/{customer_number}/conversations", response_model=list[CustomerConversation], tags=["handoff"]
)
def customer_conversations(
    customer_number: Annotated[str, Path(min_length=1, max_length=32)],
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[CustomerConversation]:
    """Conversations in which this customer was verified, newest first (the console's search)."""
    return [
        CustomerConversation(conversation_id=conv, verified_at=at)
        for conv, at in support.customer_conversations(db, customer_number, limit)
    ]


@router.get("/dev/outbox", response_model=list[OutboxOut], tags=["dev"])
def dev_outbox(
    db: SessionDep,
    settings: SettingsDep,
    recipient: Annotated[str | None, Query(max_length=254)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[OutboxOut]:
    """Dev only (DEV_OUTBOX_ENABLED=1): read the codes that would be sent."""
    if not settings.dev_outbox_enabled:
        raise DomainError(404, "not_found", "Ta vir ne obstaja.")
    return [
        OutboxOut(
            id=m.id,
            channel=m.channel.value,
            recipient=m.recipient,
            subject=m.subject,
            body=m.body,
            status=m.status,
            created_at=m.created_at,
        )
        for m in support.list_outbox(db, recipient, limit)
    ]
