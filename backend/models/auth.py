"""Verification challenges (hashed codes), their limits, and conversation-bound session tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, Channel, str_enum


class VerificationChallenge(Base):
    """One code request; only the code's HMAC is stored, never the code itself.

    A request for an identifier that matches no account is stored too (account_id NULL, a code
    nobody knows), so that it costs the same limits and fails like a wrong code: the API never
    tells whether an identifier exists.
    """

    __tablename__ = "verification_challenge"
    __table_args__ = (
        Index("ix_challenge_ident_created", "identifier_hash", "created_at"),
        Index("ix_challenge_conv_created", "conversation_id", "created_at"),
        Index("ix_challenge_subject_created", "subject_key", "created_at"),
        Index("ix_challenge_client_created", "client_ref_hash", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_account.id"), index=True)
    # whose attempt budget and lock apply: "a:<account id>", or "i:<identifier hash>" for unknown ones
    subject_key: Mapped[str] = mapped_column(String(80))
    identifier_hash: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(String(128))
    client_ref_hash: Mapped[str | None] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    consumed_at: Mapped[datetime | None] = mapped_column()


class VerificationGuard(Base):
    """One row per verification subject: an account ("a:<id>") or an unknown identifier
    ("i:<hash>"). It holds the one attempt budget shared by all of the subject's open codes, in
    every conversation, and the lock; updating it serialises the subject's checks (a row lock on
    PostgreSQL, the write lock on SQLite).
    """

    __tablename__ = "verification_guard"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime | None] = mapped_column()
    locked_until: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class UsageCounter(Base):
    """A counter per key and period, e.g. SMS codes sent on one local day (global budget)."""

    __tablename__ = "usage_counter"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column()


class SessionToken(Base):
    """Bearer token (stored as SHA-256) bound to one conversation id."""

    __tablename__ = "session_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("portal_account.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
