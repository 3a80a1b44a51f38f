"""The gateway's own state in SQLite: web sessions, conversation routing, turns, counters, SMS outbox.

Shared by the gateway process and the Telegram polling process (same file), so every write is a
short transaction. Rasa keeps the dialogue itself; this keeps only what lives in front of it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS web_session (
    id_hash TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS conversation (
    conversation_id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'bot',
    ticket_id INTEGER,
    handoff_reason TEXT,
    handoff_at REAL,
    assigned_to TEXT,
    last_buttons TEXT,
    forwarded INTEGER NOT NULL DEFAULT 0,
    fallbacks INTEGER NOT NULL DEFAULT 0,
    handoffs INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turn (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    buttons TEXT,
    during_handoff INTEGER NOT NULL DEFAULT 0,
    author TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turn_conv ON turn (conversation_id, id);
CREATE TABLE IF NOT EXISTS sms_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at REAL NOT NULL
);
"""


def session_hash(session_id: str) -> str:
    """Web session ids are stored only hashed: a leaked DB does not let anyone read a history."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass
class Conversation:
    """Routing state of one conversation (the Rasa sender id is conversation_id)."""

    conversation_id: str
    channel: str
    address: str
    state: str
    ticket_id: int | None
    handoff_reason: str | None
    handoff_at: float | None
    assigned_to: str | None
    last_buttons: list[dict[str, str]]
    forwarded: int
    fallbacks: int
    handoffs: int
    created_at: float
    updated_at: float

    @property
    def handed_off(self) -> bool:
        return self.state == "handoff"


class Store:
    """Thin, thread-safe SQLite wrapper."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=10, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, args))

    # --- web sessions -------------------------------------------------------
    def add_web_session(self, session_id: str, conversation_id: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO web_session (id_hash, conversation_id, created_at) VALUES (?, ?, ?)",
                (session_hash(session_id), conversation_id, time.time()),
            )

    def web_conversation(self, session_id: str) -> str | None:
        rows = self._query("SELECT conversation_id FROM web_session WHERE id_hash = ?", (session_hash(session_id),))
        return str(rows[0]["conversation_id"]) if rows else None

    # --- conversations ------------------------------------------------------
    def ensure_conversation(self, conversation_id: str, channel: str, address: str) -> Conversation:
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO conversation (conversation_id, channel, address, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (conversation_id, channel, address, now, now),
            )
        conv = self.conversation(conversation_id)
        assert conv is not None
        return conv

    def conversation(self, conversation_id: str) -> Conversation | None:
        rows = self._query("SELECT * FROM conversation WHERE conversation_id = ?", (conversation_id,))
        return self._conv(rows[0]) if rows else None

    @staticmethod
    def _conv(row: sqlite3.Row) -> Conversation:
        data = dict(row)
        data["last_buttons"] = json.loads(data["last_buttons"] or "[]")
        return Conversation(**data)

    def conversations_in_handoff(self) -> list[Conversation]:
        rows = self._query("SELECT * FROM conversation WHERE state = 'handoff' ORDER BY handoff_at")
        return [self._conv(r) for r in rows]

    def update_conversation(self, conversation_id: str, **fields: Any) -> None:
        if "last_buttons" in fields:
            fields["last_buttons"] = json.dumps(fields["last_buttons"], ensure_ascii=False)
        fields["updated_at"] = time.time()
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self._tx() as db:
            db.execute(
                f"UPDATE conversation SET {cols} WHERE conversation_id = ?",  # noqa: S608 - keys are ours
                (*fields.values(), conversation_id),
            )

    def start_handoff(self, conversation_id: str, ticket_id: int | None, reason: str) -> bool:
        """Atomically switch to handoff; False when it already was (no second ticket)."""
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "UPDATE conversation SET state = 'handoff', ticket_id = ?, handoff_reason = ?, handoff_at = ?,"
                " assigned_to = NULL, handoffs = handoffs + 1, updated_at = ?"
                " WHERE conversation_id = ? AND state != 'handoff'",
                (ticket_id, reason, now, now, conversation_id),
            )
            return cur.rowcount == 1

    def end_handoff(self, conversation_id: str) -> bool:
        """Atomically switch back to the bot; False when it was not handed off."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE conversation SET state = 'bot', assigned_to = NULL, updated_at = ?"
                " WHERE conversation_id = ? AND state = 'handoff'",
                (time.time(), conversation_id),
            )
            return cur.rowcount == 1

    def count(self, conversation_id: str, forwarded: int = 0, fallbacks: int = 0) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE conversation SET forwarded = forwarded + ?, fallbacks = fallbacks + ? "
                "WHERE conversation_id = ?",
                (forwarded, fallbacks, conversation_id),
            )

    def totals(self) -> dict[str, int]:
        """Counters over all conversations, for the report."""
        row = self._query(
            "SELECT COUNT(*) AS conversations, COALESCE(SUM(forwarded), 0) AS forwarded,"
            " COALESCE(SUM(fallbacks), 0) AS fallbacks, COALESCE(SUM(handoffs), 0) AS handoffs,"
            " COALESCE(SUM(handoffs > 0), 0) AS handed_conversations,"
            " COALESCE(SUM(forwarded > 0), 0) AS active_conversations FROM conversation"
        )[0]
        return {k: int(row[k]) for k in row.keys()}

    def per_channel(self) -> list[dict[str, Any]]:
        rows = self._query(
            "SELECT channel, COUNT(*) AS conversations, SUM(forwarded) AS forwarded,"
            " SUM(fallbacks) AS fallbacks, SUM(handoffs > 0) AS handed FROM conversation GROUP BY channel"
        )
        return [dict(r) for r in rows]

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
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO turn (conversation_id, role, text, buttons, during_handoff, author, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id, role, text, json.dumps(buttons or [], ensure_ascii=False),
                    int(during_handoff), author, now,
                ),
            )
            turn_id = cur.lastrowid
        return {"id": turn_id, "role": role, "text": text, "buttons": buttons or [], "created_at": now}

    def turns(self, conversation_id: str, only_handoff: bool = False, limit: int = 500) -> list[dict[str, Any]]:
        sql = "SELECT * FROM turn WHERE conversation_id = ?"
        if only_handoff:
            sql += " AND during_handoff = 1"
        rows = self._query(sql + " ORDER BY id DESC LIMIT ?", (conversation_id, limit))
        out = []
        for r in reversed(rows):
            d = dict(r)
            d["buttons"] = json.loads(d["buttons"] or "[]")
            d["during_handoff"] = bool(d["during_handoff"])
            out.append(d)
        return out

    # --- SMS outbox ---------------------------------------------------------
    def add_sms_outbox(self, recipient: str, body: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO sms_outbox (recipient, body, created_at) VALUES (?, ?, ?)",
                (recipient, body, time.time()),
            )

    def sms_outbox(self, recipient: str | None = None) -> list[dict[str, Any]]:
        if recipient:
            rows = self._query("SELECT * FROM sms_outbox WHERE recipient = ? ORDER BY id", (recipient,))
        else:
            rows = self._query("SELECT * FROM sms_outbox ORDER BY id")
        return [dict(r) for r in rows]
