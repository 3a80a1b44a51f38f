"""Verification request/response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from backend.models import Channel


class VerificationStartIn(BaseModel):
    """Identifier is the portal e-mail or the customer number."""

    identifier: str = Field(min_length=1, max_length=254)
    conversation_id: str = Field(min_length=1, max_length=128)
    channel: Channel | None = None


class VerificationStartOut(BaseModel):
    """Where the code was sent (masked)."""

    channel: Channel
    masked_contact: str
    expires_in_seconds: int


class VerificationConfirmIn(BaseModel):
    """The code the user typed, for this conversation."""

    conversation_id: str = Field(min_length=1, max_length=128)
    code: str = Field(min_length=1, max_length=32)


class VerificationConfirmOut(BaseModel):
    """Bearer token bound to conversation_id."""

    token: str
    token_type: str = "bearer"
    expires_at: datetime
    conversation_id: str
    account_email_masked: str
    customer_number: str
    brand: str
