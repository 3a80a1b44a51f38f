"""Deleting stored conversation history: the gateway's turns and Rasa's tracker events.

One place for both callers: the chat's "izbriši moje podatke" (Rasa's action_erase_history emits
{"erase": {"conversation": true}}, the gateway deletes that conversation's history) and the
retention job (bot/retention.py: everything older than GATEWAY_RETENTION_DAYS). The backend's
records (readings, tickets) are not touched: they are the utility's records, not chat history.

Rasa 3.6's SQLTrackerStore keeps every event as one row of table `events` (id, sender_id,
type_name, timestamp, intent_name, action_name, data), SQLite (endpoints.yml, RASA_TRACKER_DB) or
PostgreSQL (endpoints.postgres.yml). Deleting rows is safe between two messages: Rasa reads the
tracker from the table on every message, and counts the stored rows with the same query it reads
them with, so it neither re-inserts nor loses events after a delete.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("bot.erasure")

# The columns of Rasa 3.6's SQLTrackerStore.SQLEvent that a delete needs (rasa/core/tracker_store.py).
EVENTS = sa.Table(
    "events", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
)


class TrackerUnavailable(Exception):
    """Rasa's tracker store could not be changed (database down, wrong URL)."""


class TrackerEvents:
    """Deletes from Rasa's tracker store; the engine is made on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: sa.Engine | None = None

    def _sqlite_missing(self) -> bool:
        """No SQLite file yet: Rasa has stored nothing, so there is nothing to delete (and the
        file must not be created here: Rasa creates it with its own schema)."""
        prefix = "sqlite:///"
        return self.url.startswith(prefix) and not Path(self.url[len(prefix):]).exists()

    def _delete(self, condition: sa.ColumnElement[bool]) -> int:
        if self._sqlite_missing():
            return 0
        if self._engine is None:
            # Not bot.db.make_engine: Rasa's SQLite file keeps Rasa's own journal mode (no WAL switch).
            sqlite = self.url.startswith("sqlite")
            self._engine = sa.create_engine(
                self.url, connect_args={"timeout": 30} if sqlite else {}, pool_pre_ping=not sqlite)
        try:
            with self._engine.begin() as conn:
                if not sa.inspect(conn).has_table("events"):
                    return 0  # Rasa has not started against this database yet
                return int(conn.execute(sa.delete(EVENTS).where(condition)).rowcount or 0)
        except SQLAlchemyError as exc:
            log.warning("rasa tracker store not changed: %s", type(exc).__name__)
            raise TrackerUnavailable from exc

    def delete_conversation(self, sender_id: str) -> int:
        """Every event of one conversation (Rasa's sender id is the gateway's conversation id)."""
        return self._delete(EVENTS.c.sender_id == sender_id)

    def delete_older_than(self, cutoff: float) -> int:
        """Every event stamped before `cutoff` (epoch seconds, Rasa's own timestamps)."""
        return self._delete(EVENTS.c.timestamp < cutoff)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
