"""The console's own tables: canned replies (shared, editable by agents), internal notes (never
sent to the customer) and the text search over stored turns. Kept apart from bot/store.py, which
holds what the channels need."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_sessionmaker
from bot.models import AgentNote, CannedReply, Turn
from bot.store import Store

MAX_TITLE, MAX_TEXT, MAX_NOTE = 120, 4000, 4000


class ConsoleStore:
    """Typed access to canned_reply and agent_note; every method is one short transaction."""

    def __init__(self, store: Store) -> None:
        self._db: sessionmaker[Session] = make_sessionmaker(store.engine)

    # --- canned replies -----------------------------------------------------
    def canned(self) -> list[dict[str, Any]]:
        """All canned replies by title (migration 0004_console puts a few in a fresh database)."""
        stmt = select(CannedReply).order_by(CannedReply.title, CannedReply.id)
        with self._db() as db:
            rows = list(db.scalars(stmt))
        return [{"id": r.id, "title": r.title, "text": r.text, "updated_by": r.updated_by} for r in rows]

    def save_canned(self, reply_id: int | None, title: str, text: str, agent: str) -> bool:
        """Add (no id) or edit one; False when the id is unknown or a field is empty."""
        title, text = title.strip()[:MAX_TITLE], text.strip()[:MAX_TEXT]
        if not title or not text:
            return False
        with self._db() as db, db.begin():
            if reply_id is None:
                db.add(CannedReply(title=title, text=text, updated_by=agent, updated_at=time.time()))
                return True
            result = db.execute(update(CannedReply).where(CannedReply.id == reply_id)
                                .values(title=title, text=text, updated_by=agent, updated_at=time.time()))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def delete_canned(self, reply_id: int) -> bool:
        with self._db() as db, db.begin():
            return bool(db.execute(delete(CannedReply).where(CannedReply.id == reply_id)).rowcount)  # type: ignore[attr-defined]

    # --- internal notes -----------------------------------------------------
    def add_note(self, conversation_id: str, author: str, text: str) -> bool:
        text = text.strip()[:MAX_NOTE]
        if not text:
            return False
        with self._db() as db, db.begin():
            db.add(AgentNote(conversation_id=conversation_id, author=author, text=text, created_at=time.time()))
        return True

    def notes(self, conversation_id: str) -> list[dict[str, Any]]:
        with self._db() as db:
            rows = db.scalars(select(AgentNote).where(AgentNote.conversation_id == conversation_id)
                              .order_by(AgentNote.id))
            return [{"author": n.author, "text": n.text, "created_at": n.created_at} for n in rows]

    # --- search ---------------------------------------------------------------
    def search_text(self, query: str, limit: int = 50) -> list[dict[str, Any]]:
        """Conversations whose stored turns contain `query` (case-insensitive), newest first."""
        needle = query.strip()[:200]
        if len(needle) < 3:
            return []
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = (
            select(Turn.conversation_id, func.max(Turn.id).label("last"))
            .where(func.lower(Turn.text).like(f"%{escaped.lower()}%", escape="\\"))
            .group_by(Turn.conversation_id)
            .order_by(func.max(Turn.id).desc())
            .limit(limit)
        )
        with self._db() as db:
            found = [(conv, last) for conv, last in db.execute(stmt)]
            out = []
            for conv, last in found:
                turn = db.get(Turn, last)
                out.append({"id": conv, "text": turn.text[:160] if turn else "", "role": turn.role if turn else ""})
            return out
