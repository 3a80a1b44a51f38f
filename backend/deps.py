"""Annotated dependencies: DB session, settings, clock, API key, and the personal token."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.orm import Session

from backend.core.clock import Clock, clock_from_settings
from backend.core.config import Settings, get_settings
from backend.core.errors import DomainError
from backend.db import session_scope
from backend.models import PortalAccount
from backend.services import verification


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
    """The verified account; the token must be bound to this conversation id."""
    return verification.authenticate(db, clock.now(), bearer_token(authorization), x_conversation_id)


ApiKeyDep = Depends(require_api_key)
AccountDep = Annotated[PortalAccount, Depends(current_account)]
