"""Verification request/response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from backend.models import Channel


class VerificationStartIn(BaseModel):
    """Identifier is the portal e-mail or the customer number."""

    identifier: str = Field(min_length=1, max_length=254, pattern=r"\S")
    conversation_id: str = Field(min_length=1, max_length=128)
    channel: Channel | None = None
    client_ref: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Opaque reference of the client (the gateway's keyed hash of its address); "
        "code requests are limited per client_ref when it is given.",
    )


class VerificationStartOut(BaseModel):
    """The same answer whether or not the identifier exists: no channel, no contact."""

    status: Literal["accepted"] = "accepted"
    message: str
    expires_in_seconds: int


class VerificationConfirmIn(BaseModel):
    """The code the user typed, for this conversation."""

    conversation_id: str = Field(min_length=1, max_length=128)
    code: str = Field(min_length=1, max_length=32)


class VerificationConfirmOut(BaseModel):
    """Bearer token bound to conversation_id; now the user may see where the code went."""

    token: str
    token_type: str = "bearer"
    expires_at: datetime
    conversation_id: str
    channel: Channel
    masked_contact: str
    account_email_masked: str
    customer_number: str
    brand: str
