"""Verification start/confirm and logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from backend.deps import ApiKeyDep, ClockDep, SessionDep, SettingsDep, bearer_token
from backend.schemas.auth import (
    VerificationConfirmIn,
    VerificationConfirmOut,
    VerificationStartIn,
    VerificationStartOut,
)
from backend.schemas.common import ERRORS
from backend.services import reminder_grants, security, verification

router = APIRouter(prefix="/verification", tags=["verification"], dependencies=[ApiKeyDep], responses=ERRORS)


@router.post("/start", response_model=VerificationStartOut)
def start(
    body: VerificationStartIn, db: SessionDep, settings: SettingsDep, clock: ClockDep
) -> VerificationStartOut:
    """Send a 6-digit code to the contact on file, if the identifier belongs to an account.

    The answer is the same whether or not it does (no user enumeration); unknown identifiers cost
    the same limits. Limits: per identifier/account, per conversation (codes and different
    accounts), per client_ref, and a daily SMS budget (then the code goes by e-mail).
    """
    res = verification.start(
        db, settings, clock.now(), body.identifier, body.conversation_id, body.channel, body.client_ref
    )
    return VerificationStartOut(message=res.message, expires_in_seconds=res.expires_in_seconds)


@router.post("/confirm", response_model=VerificationConfirmOut)
def confirm(
    body: VerificationConfirmIn, db: SessionDep, settings: SettingsDep, clock: ClockDep
) -> VerificationConfirmOut:
    """Exchange the code for a token bound to the conversation id."""
    res = verification.confirm(db, settings, clock.now(), body.conversation_id, body.code)
    cust = res.account.customer
    return VerificationConfirmOut(
        token=res.token,
        expires_at=res.expires_at,
        conversation_id=body.conversation_id,
        channel=res.channel,
        masked_contact=res.masked_contact,
        account_email_masked=security.mask_email(res.account.email),
        customer_number=cust.customer_number,
        brand=cust.brand.code,
    )


@router.post("/logout", status_code=204)
def logout(
    db: SessionDep,
    clock: ClockDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """Revoke the token (e.g. when the conversation ends); a reminder grant too."""
    token = bearer_token(authorization)
    if token and reminder_grants.is_grant_token(token):
        reminder_grants.revoke(db, clock.now(), token)
    elif token:
        verification.revoke(db, clock.now(), token)
    return Response(status_code=204)
