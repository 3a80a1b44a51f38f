"""A tracker-store database with Rasa 3.6's schema (SQLTrackerStore.SQLEvent), for the erase and
retention tests: the gateway deletes there without Rasa running."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE events (
    id INTEGER NOT NULL PRIMARY KEY,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
);
CREATE INDEX ix_events_sender_id ON events (sender_id);
"""


def url_path(url: str) -> Path:
    assert url.startswith("sqlite:///"), url
    return Path(url[len("sqlite:///"):])


def create(url: str) -> None:
    with sqlite3.connect(url_path(url)) as db:
        db.executescript(SCHEMA)


def add_event(url: str, sender: str, text: str, timestamp: float) -> None:
    data = json.dumps({"event": "user", "text": text, "timestamp": timestamp})
    with sqlite3.connect(url_path(url)) as db:
        db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
                   (sender, timestamp, data))


def texts(url: str, sender: str) -> list[str]:
    with sqlite3.connect(url_path(url)) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [json.loads(r[0])["text"] for r in rows]
