"""The widget API's request and response shapes, as the OpenAPI schema states them (the routes
build their JSON by hand; tests/bot/test_openapi_schemathesis.py checks every response against
these). Only documentation of the existing contract: nothing here changes a response."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["user", "bot", "agent", "system"]


class Detail(BaseModel):
    """A refusal: the widget shows `detail` (Slovene) to the user."""

    detail: str


class Button(BaseModel):
    title: str
    payload: str


class ConversationState(BaseModel):
    """Who has the conversation: the bot, the agents' queue (place 1 = next) or a named agent."""

    state: Literal["bot", "queued", "assigned"]
    agent: str | None
    queue_position: int | None


class SessionOut(BaseModel):
    session_id: str


class ReplyMessage(BaseModel):
    role: Role
    text: str
    buttons: list[Button]
    created_at: datetime = Field(description="ISO 8601 with the Ljubljana offset")


class HistoryMessage(ReplyMessage):
    id: int
    author: str | None = Field(description="the agent's display name on agent turns")
    answered: bool = Field(description="a later user turn exists (its buttons are used up)")
    chosen: str | None = Field(description="title of the button that later turn pressed")


class HistoryOut(BaseModel):
    messages: list[HistoryMessage]
    handoff: bool
    conversation: ConversationState


class MessageOut(BaseModel):
    messages: list[ReplyMessage]
    handoff: bool
    conversation: ConversationState


class MessageIn(BaseModel):
    """Typed text, or a button press (payload + its title). Anything else gets a polite 200 reply."""

    text: str | None = None
    payload: str | None = None
    title: str | None = None
    brand: Literal["geni", "butan"] | None = None  # the website the widget is on (data-brand)


REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"model": Detail, "description": "unknown or expired session: the widget starts a new one"},
    413: {"model": Detail, "description": "body over GATEWAY_MAX_BODY_BYTES"},
}
