"""The gateway's own state through SQLAlchemy: web sessions, conversations, turns, counters, SMS outbox.

SQLite by default (shared by the gateway and the Telegram process), PostgreSQL when replicas share
it (GATEWAY_DATABASE_URL). Every method is one short transaction, and counters are incremented in
SQL, so two replicas writing the same conversation never lose an update. Rasa keeps the dialogue,
the backend's ticket says whether a person has the conversation; this keeps only what lives in front.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Result, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import make_engine, make_sessionmaker
from bot.models import AgentNote, Conversation, SeenDelivery, SmsOutbox, Turn, WebSession

__all__ = ["Conversation", "Store", "session_hash"]


def _rows(result: Result[Any]) -> int:
    """Rows a DELETE touched (Session.execute types every result as a plain Result)."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)


def session_hash(session_id: str) -> str:
    """Web session ids are stored only hashed: a leaked DB does not let anyone read a history."""
    return hashlib.sha256(session_id.encode()).hexdigest()


class Store:
    """Typed access to the gateway tables; objects returned are detached snapshots."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self._sessions = make_sessionmaker(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions() as db, db.begin():
            yield db

    # --- web sessions -------------------------------------------------------
    def add_web_session(self, session_id: str, conversation_id: str) -> None:
        with self._tx() as db:
            db.add(WebSession(id_hash=session_hash(session_id), conversation_id=conversation_id,
                              created_at=time.time()))

    def web_conversation(self, session_id: str) -> str | None:
        with self._sessions() as db:
            row = db.get(WebSession, session_hash(session_id))
            return row.conversation_id if row else None

    def web_session_activity(self, session_id: str) -> tuple[str, float] | None:
        """(conversation id, time of its last turn, or the session's creation if it has none)."""
        last = (select(func.max(Turn.created_at)).where(Turn.conversation_id == WebSession.conversation_id)
                .scalar_subquery())
        stmt = select(WebSession.conversation_id, func.coalesce(last, WebSession.created_at)).where(
            WebSession.id_hash == session_hash(session_id))
        with self._sessions() as db:
            row = db.execute(stmt).first()
        return (str(row[0]), float(row[1])) if row else None

    def idle_web_conversations(self, cutoff: float) -> list[str]:
        """Web conversations with no turn since `cutoff` (nor a session created since): expired."""
        last = (select(func.max(Turn.created_at)).where(Turn.conversation_id == WebSession.conversation_id)
                .scalar_subquery())
        stmt = select(WebSession.conversation_id).where(func.coalesce(last, WebSession.created_at) < cutoff)
        with self._sessions() as db:
            return sorted(set(db.scalars(stmt)))

    def delete_conversation(self, conversation_id: str) -> int:
        """The conversation with its turns and web sessions (an expired or retired conversation)."""
        with self._tx() as db:
            turns = _rows(db.execute(delete(Turn).where(Turn.conversation_id == conversation_id)))
            db.execute(delete(AgentNote).where(AgentNote.conversation_id == conversation_id))  # the console's notes
            db.execute(delete(WebSession).where(WebSession.conversation_id == conversation_id))
            db.execute(delete(Conversation).where(Conversation.conversation_id == conversation_id))
        return turns

    def delete_turns_older_than(self, cutoff: float) -> int:
        with self._tx() as db:
            db.execute(delete(AgentNote).where(AgentNote.created_at < cutoff))  # agents' notes age out too
            return _rows(db.execute(delete(Turn).where(Turn.created_at < cutoff)))

    def idle_conversations(self, cutoff: float) -> list[str]:
        """Conversations untouched since `cutoff` with no turn left (bot.retention removes them)."""
        has_turns = select(Turn.id).where(Turn.conversation_id == Conversation.conversation_id).exists()
        stmt = select(Conversation.conversation_id).where(Conversation.updated_at < cutoff, ~has_turns)
        with self._sessions() as db:
            return list(db.scalars(stmt))

    # --- conversations ------------------------------------------------------
    def ensure_conversation(self, conversation_id: str, channel: str, address: str) -> Conversation:
        """The conversation row, created on first contact (a concurrent insert by another replica wins)."""
        conv = self.conversation(conversation_id)
        if conv is not None:
            return conv
        now = time.time()
        try:
            with self._tx() as db:
                db.add(Conversation(conversation_id=conversation_id, channel=channel, address=address,
                                    last_buttons=[], forwarded=0, fallbacks=0, handoffs=0,
                                    created_at=now, updated_at=now))
        except IntegrityError:
            pass
        conv = self.conversation(conversation_id)
        assert conv is not None
        return conv

    def conversation(self, conversation_id: str) -> Conversation | None:
        with self._sessions() as db:
            return db.get(Conversation, conversation_id)

    def set_last_buttons(self, conversation_id: str, buttons: list[dict[str, str]]) -> None:
        """Only the latest reply's buttons can be chosen by number (SMS) or index (Telegram)."""
        with self._tx() as db:
            db.execute(update(Conversation).where(Conversation.conversation_id == conversation_id)
                       .values(last_buttons=buttons, updated_at=time.time()))

    def count(self, conversation_id: str, forwarded: int = 0, fallbacks: int = 0, handoffs: int = 0) -> None:
        """Increment counters in SQL (no read-modify-write across replicas)."""
        with self._tx() as db:
            db.execute(
                update(Conversation).where(Conversation.conversation_id == conversation_id).values(
                    forwarded=Conversation.forwarded + forwarded,
                    fallbacks=Conversation.fallbacks + fallbacks,
                    handoffs=Conversation.handoffs + handoffs,
                    updated_at=time.time(),
                )
            )

    def totals(self) -> dict[str, int]:
        """Counters over all conversations, for the report."""
        c = Conversation
        stmt = select(
            func.count().label("conversations"),
            func.coalesce(func.sum(c.forwarded), 0).label("forwarded"),
            func.coalesce(func.sum(c.fallbacks), 0).label("fallbacks"),
            func.coalesce(func.sum(c.handoffs), 0).label("handoffs"),
            func.coalesce(func.sum(case((c.handoffs > 0, 1), else_=0)), 0).label("handed_conversations"),
            func.coalesce(func.sum(case((c.forwarded > 0, 1), else_=0)), 0).label("active_conversations"),
        )
        with self._sessions() as db:
            row = db.execute(stmt).one()
        return {k: int(v) for k, v in row._mapping.items()}

    def per_channel(self) -> list[dict[str, Any]]:
        c = Conversation
        stmt = select(
            c.channel,
            func.count().label("conversations"),
            func.sum(c.forwarded).label("forwarded"),
            func.sum(c.fallbacks).label("fallbacks"),
            func.sum(case((c.handoffs > 0, 1), else_=0)).label("handed"),
        ).group_by(c.channel)
        with self._sessions() as db:
            return [dict(r._mapping) for r in db.execute(stmt)]

    # --- turns --------------------------------------------------------------
    def add_turn(
        self,
        conversation_id: str,
        role: str,
        text: str,
        buttons: list[dict[str, str]] | None = None,
        during_handoff: bool = False,
        author: str | None = None,
    ) -> dict[str, Any]:
        turn = Turn(conversation_id=conversation_id, role=role, text=text, buttons=buttons or [],
                    during_handoff=during_handoff, author=author, created_at=time.time())
        with self._tx() as db:
            db.add(turn)
            db.flush()
            turn_id = turn.id
        return {"id": turn_id, "role": role, "text": text, "buttons": buttons or [], "created_at": turn.created_at}

    def turns(self, conversation_id: str, only_handoff: bool = False, limit: int = 500) -> list[dict[str, Any]]:
        """Oldest first, the latest `limit` turns."""
        stmt = select(Turn).where(Turn.conversation_id == conversation_id)
        if only_handoff:
            stmt = stmt.where(Turn.during_handoff.is_(True))
        stmt = stmt.order_by(Turn.id.desc()).limit(limit)
        with self._sessions() as db:
            rows = list(db.scalars(stmt))
        return [
            {"id": t.id, "conversation_id": t.conversation_id, "role": t.role, "text": t.text,
             "buttons": list(t.buttons or []), "during_handoff": bool(t.during_handoff), "author": t.author,
             "created_at": t.created_at}
            for t in reversed(rows)
        ]

    def delete_turns(self, conversation_id: str) -> int:
        """The conversation's whole stored history ("izbriši moje podatke"); its last buttons too."""
        with self._tx() as db:
            deleted = _rows(db.execute(delete(Turn).where(Turn.conversation_id == conversation_id)))
            db.execute(delete(AgentNote).where(AgentNote.conversation_id == conversation_id))
            db.execute(update(Conversation).where(Conversation.conversation_id == conversation_id)
                       .values(last_buttons=[]))
        return deleted

    # --- provider deliveries seen (bot/dedup.py) -----------------------------
    def claim_delivery(self, key: str, now: float, expires_at: float) -> bool:
        """Insert the id; False if it is there and not expired (the primary key settles races)."""
        try:
            with self._tx() as db:
                db.execute(delete(SeenDelivery).where(SeenDelivery.key == key, SeenDelivery.expires_at <= now))
                db.add(SeenDelivery(key=key, expires_at=expires_at))
        except IntegrityError:
            return False
        return True

    def release_delivery(self, key: str) -> None:
        with self._tx() as db:
            db.execute(delete(SeenDelivery).where(SeenDelivery.key == key))

    def purge_deliveries(self, now: float) -> int:
        with self._tx() as db:
            return _rows(db.execute(delete(SeenDelivery).where(SeenDelivery.expires_at <= now)))

    # --- SMS outbox ---------------------------------------------------------
    def add_sms_outbox(self, recipient: str, body: str) -> None:
        with self._tx() as db:
            db.add(SmsOutbox(recipient=recipient, body=body, status="pending", created_at=time.time()))

    def delete_sms_outbox_older_than(self, cutoff: float) -> int:
        with self._tx() as db:
            return _rows(db.execute(delete(SmsOutbox).where(SmsOutbox.created_at < cutoff)))

    def sms_outbox(self, recipient: str | None = None) -> list[dict[str, Any]]:
        stmt = select(SmsOutbox).order_by(SmsOutbox.id)
        if recipient:
            stmt = stmt.where(SmsOutbox.recipient == recipient)
        with self._sessions() as db:
            return [
                {"id": m.id, "recipient": m.recipient, "body": m.body, "status": m.status, "created_at": m.created_at}
                for m in db.scalars(stmt)
            ]
