"""The gateway's own tables (SQLAlchemy 2, typed like the backend's models): only what lives in
front of Rasa. Whether a person has a conversation is not here: the backend's handoff ticket
decides that, so every replica sees the same answer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Own metadata (and Alembic version table) so the gateway can share a PostgreSQL database."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class WebSession(Base):
    """A widget session: stored only as a hash, so a leaked table lets nobody read a history."""

    __tablename__ = "web_session"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), ForeignKey("conversation.conversation_id"))
    created_at: Mapped[float] = mapped_column(Float)


class Conversation(Base):
    """One conversation as the gateway sees it (the Rasa sender id is conversation_id)."""

    __tablename__ = "conversation"
    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    # where agent replies go: the phone number (SMS), the chat id (Telegram), the conversation id (web)
    address: Mapped[str] = mapped_column(String(254))
    last_buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    forwarded: Mapped[int] = mapped_column(Integer, default=0)
    fallbacks: Mapped[int] = mapped_column(Integer, default=0)
    handoffs: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)


class Turn(Base):
    """A message shown in the widget history and, during a handoff, in the agent's transcript.
    A one-time code the user typed is stored as "••••••" (bot/privacy.py)."""

    __tablename__ = "turn"
    # created_at: the retention job deletes by age
    __table_args__ = (Index("ix_turn_conversation", "conversation_id", "id"), Index("ix_turn_created_at", "created_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # user / bot / agent / system
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    during_handoff: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[float] = mapped_column(Float)


class SmsOutbox(Base):
    """Outbound SMS when no Twilio account is configured (development, tests)."""

    __tablename__ = "sms_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(32), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[float] = mapped_column(Float)


class AgentSession(Base):
    """A logged-in console session, server-side so that logout and a password change end it.

    The cookie holds a random token; only its hash is stored. `password_tag` fingerprints the
    agent's password hash at login: when AGENT_USERS gets a new hash, every older session is void.
    """

    __tablename__ = "agent_session"
    __table_args__ = (Index("ix_agent_session_user", "user"),)
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user: Mapped[str] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))
    password_tag: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    last_seen: Mapped[float] = mapped_column(Float)


class CannedReply(Base):
    """A stored answer agents insert into a reply (edited by the agents themselves)."""

    __tablename__ = "canned_reply"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[float] = mapped_column(Float)


class AgentNote(Base):
    """An internal note on a conversation: for agents only, never sent to the customer."""

    __tablename__ = "agent_note"
    __table_args__ = (Index("ix_agent_note_conversation", "conversation_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)


class SeenDelivery(Base):
    """A provider's delivery id already processed (Twilio MessageSid, Telegram update_id), kept
    until `expires_at`: a replayed or retried request is answered but not processed again."""

    __tablename__ = "seen_delivery"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
