"""Server-side agent sessions of the console: revocable (logout, password change) and idle-limited.

A signed cookie alone cannot be taken back: a copied cookie would stay valid after logout until it
expires. Here the cookie is a random token and the row (keyed by the token's hash) is the session;
deleting the row ends it on every replica that shares the gateway database.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_sessionmaker
from bot.models import AgentSession
from bot.store import Store

# last_seen is written at most this often per session (every console request reads the session)
TOUCH_SECONDS = 30.0


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_tag(stored_hash: str) -> str:
    """A fingerprint of the configured password hash: a new password (new hash) voids old sessions."""
    return hashlib.sha256(b"agent-password:" + stored_hash.encode()).hexdigest()


@dataclass(frozen=True)
class AgentLogin:
    """The agent behind a valid session cookie."""

    user: str
    csrf: str
    token_hash: str


class AgentSessions:
    """Create, check (idle + absolute timeout, password unchanged) and end agent sessions."""

    def __init__(self, store: Store, idle_seconds: float, max_seconds: float) -> None:
        self._db: sessionmaker[Session] = make_sessionmaker(store.engine)
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds

    def create(self, user: str, stored_hash: str) -> str:
        """A new session for `user`; returns the cookie token (shown once, stored only hashed)."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._db() as db, db.begin():
            db.add(AgentSession(id_hash=token_hash(token), user=user, csrf=secrets.token_urlsafe(24),
                                password_tag=password_tag(stored_hash), created_at=now, last_seen=now))
        return token

    def check(self, token: str | None, users: dict[str, str], touch: bool = True) -> AgentLogin | None:
        """The session of this token if it is still valid; an expired or voided one is deleted.
        `touch=False` (the live event stream) checks without counting as activity."""
        if not token or len(token) > 200:
            return None
        key = token_hash(token)
        now = time.time()
        with self._db() as db:
            row = db.get(AgentSession, key)
            if row is None:
                return None
            stored = users.get(row.user)
            valid = (
                stored is not None
                and secrets.compare_digest(row.password_tag, password_tag(stored))
                and now - row.last_seen <= self.idle_seconds
                and now - row.created_at <= self.max_seconds
            )
            login = AgentLogin(row.user, row.csrf, key)
            stale = now - row.last_seen > TOUCH_SECONDS
        if not valid:
            self.end(key)
            return None
        if stale and touch:
            with self._db() as db, db.begin():
                db.execute(update(AgentSession).where(AgentSession.id_hash == key).values(last_seen=now))
        return login

    def end(self, key: str) -> None:
        """Logout: the row goes, so the cookie is worthless even if someone copied it."""
        with self._db() as db, db.begin():
            db.execute(delete(AgentSession).where(AgentSession.id_hash == key))

    def end_all(self, user: str) -> int:
        """Every session of one agent (e.g. after a password change or a lost laptop)."""
        with self._db() as db, db.begin():
            return int(db.execute(delete(AgentSession).where(AgentSession.user == user)).rowcount)  # type: ignore[attr-defined]

    def purge(self) -> int:
        """Delete the sessions that can no longer be valid (called on login, so the table stays small)."""
        now = time.time()
        with self._db() as db, db.begin():
            stmt = delete(AgentSession).where(
                (AgentSession.last_seen < now - self.idle_seconds) | (AgentSession.created_at < now - self.max_seconds)
            )
            return int(db.execute(stmt).rowcount)  # type: ignore[attr-defined]
