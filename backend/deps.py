"""Annotated dependencies: DB session, settings, clock, API key, and the personal token."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.orm import Session

from backend.core.clock import Clock, clock_from_settings
from backend.core.config import Settings, get_settings
from backend.core.errors import DomainError
from backend.db import session_scope
from backend.models import PortalAccount, ReminderGrant
from backend.services import reminder_grants, verification


def get_db() -> Iterator[Session]:
    """Request-scoped session (overridden in tests for an isolated database)."""
    yield from session_scope()


def get_clock() -> Clock:
    """Overridable clock so 'today' is never hardcoded."""
    return clock_from_settings()


SessionDep = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def require_api_key(
    settings: SettingsDep,
    x_api_key: Annotated[str | None, Header(description="Service-to-service key")] = None,
) -> None:
    """Every non-public endpoint is for our own services (action server, gateway) only."""
    if not x_api_key:
        raise DomainError(401, "api_key_missing", "Manjka ključ storitve (X-API-Key).")
    if not hmac.compare_digest(x_api_key.encode(), settings.backend_api_key.encode()):
        raise DomainError(401, "api_key_invalid", "Ključ storitve (X-API-Key) ni veljaven.")


def bearer_token(authorization: str | None) -> str | None:
    """Extract the token from 'Bearer <token>'."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def current_account(
    db: SessionDep,
    clock: ClockDep,
    _key: Annotated[None, Depends(require_api_key)],
    authorization: Annotated[str | None, Header(description="Bearer <token>")] = None,
    x_conversation_id: Annotated[str | None, Header(description="Conversation the token is bound to")] = None,
) -> PortalAccount:
    """The verified account; the token must be bound to this conversation id. A reminder grant is
    refused here: it is accepted only by the reading endpoints (reading_actor)."""
    token = bearer_token(authorization)
    if reminder_grants.is_grant_token(token):
        raise reminder_grants.not_allowed()
    return verification.authenticate(db, clock.now(), token, x_conversation_id)


@dataclass
class ReadingActor:
    """Who reads or submits a reading: a verified account (grant None), or a reply to a reading
    reminder (grant set: one point, one reading)."""

    account: PortalAccount
    grant: ReminderGrant | None = None


def _reading_actor(
    db: Session, clock: Clock, authorization: str | None, conversation_id: str | None, allow_used: bool
) -> ReadingActor:
    token = bearer_token(authorization)
    if token is not None and reminder_grants.is_grant_token(token):
        grant = reminder_grants.authenticate(db, clock.now(), token, conversation_id, allow_used=allow_used)
        account = db.get(PortalAccount, grant.account_id)
        assert account is not None
        return ReadingActor(account, grant)
    return ReadingActor(verification.authenticate(db, clock.now(), token, conversation_id))


def reading_actor(
    db: SessionDep,
    clock: ClockDep,
    _key: Annotated[None, Depends(require_api_key)],
    authorization: Annotated[str | None, Header(description="Bearer <token> or <reminder grant>")] = None,
    x_conversation_id: Annotated[str | None, Header(description="Conversation the token is bound to")] = None,
) -> ReadingActor:
    """Reading endpoints accept a live reminder grant in place of the verification token."""
    return _reading_actor(db, clock, authorization, x_conversation_id, allow_used=False)


def submitting_actor(
    db: SessionDep,
    clock: ClockDep,
    _key: Annotated[None, Depends(require_api_key)],
    authorization: Annotated[str | None, Header(description="Bearer <token> or <reminder grant>")] = None,
    x_conversation_id: Annotated[str | None, Header(description="Conversation the token is bound to")] = None,
) -> ReadingActor:
    """As reading_actor, but a spent grant passes too, so that the retry of the submission that
    spent it gets the stored reading back (anything else is refused by the service)."""
    return _reading_actor(db, clock, authorization, x_conversation_id, allow_used=True)


ApiKeyDep = Depends(require_api_key)
AccountDep = Annotated[PortalAccount, Depends(current_account)]
ReadingActorDep = Annotated[ReadingActor, Depends(reading_actor)]
SubmittingActorDep = Annotated[ReadingActor, Depends(submitting_actor)]
