"""bot.retention: gateway turns, conversations, SMS outbox and Rasa tracker events older than
GATEWAY_RETENTION_DAYS are deleted; widget sessions idle past GATEWAY_WEB_HISTORY_HOURS too."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, update

from bot.config import Settings
from bot.erasure import TrackerEvents
from bot.models import Conversation, SmsOutbox, Turn, WebSession
from bot.retention import DAY, sweep
from bot.store import Store
from tests.bot import rasa_tracker

ROOT = Path(__file__).resolve().parents[2]


def backdate(store: Store, conversation_id: str, seconds_ago: float) -> None:
    then = time.time() - seconds_ago
    with store.engine.begin() as db:
        db.execute(update(Turn).where(Turn.conversation_id == conversation_id).values(created_at=then))
        db.execute(update(Conversation).where(Conversation.conversation_id == conversation_id)
                   .values(updated_at=then, created_at=then))
        db.execute(update(WebSession).where(WebSession.conversation_id == conversation_id).values(created_at=then))


def fill(settings: Settings, store: Store) -> None:
    """Old and recent data of every kind; "old" is 91 days, the web session 25 hours idle."""
    url = settings.resolved_tracker_url()
    rasa_tracker.create(url)
    for conv, channel in (("sms-old", "sms"), ("sms-new", "sms"), ("telegram-mixed", "telegram")):
        store.ensure_conversation(conv, channel, "+38640111222" if channel == "sms" else "42")
        store.add_turn(conv, "user", "moja koda je ••••••")
    backdate(store, "sms-old", 91 * DAY)
    store.add_turn("telegram-mixed", "user", "novejše sporočilo")
    with store.engine.begin() as db:  # the mixed conversation: its first turn old, the second new
        first = db.scalar(select(func.min(Turn.id)).where(Turn.conversation_id == "telegram-mixed"))
        db.execute(update(Turn).where(Turn.id == first).values(created_at=time.time() - 91 * DAY))
    store.ensure_conversation("web-idle", "web", "web-idle")
    store.add_web_session("idle-session", "web-idle")
    store.add_turn("web-idle", "bot", "Vaši računi: …")
    backdate(store, "web-idle", 25 * 3600)
    store.ensure_conversation("web-fresh", "web", "web-fresh")
    store.add_web_session("fresh-session", "web-fresh")
    store.add_turn("web-fresh", "user", "zdravo")
    now = time.time()
    for sender, ts in (("sms-old", now - 91 * DAY), ("telegram-mixed", now - 91 * DAY),
                       ("telegram-mixed", now), ("web-idle", now - 25 * 3600), ("web-fresh", now)):
        rasa_tracker.add_event(url, sender, f"{sender} {ts:.0f}", ts)
    store.add_sms_outbox("+38640111222", "staro sporočilo")
    with store.engine.begin() as db:
        db.execute(update(SmsOutbox).values(created_at=now - 91 * DAY))
    store.add_sms_outbox("+38640111222", "novo sporočilo")
    assert store.claim_delivery("sms:SMold", now - 10, now - 5)  # already expired
    assert store.claim_delivery("sms:SMnew", now, now + 3600)


def check_swept(settings: Settings, store: Store) -> None:
    url = settings.resolved_tracker_url()
    assert store.conversation("sms-old") is None and store.turns("sms-old") == []
    assert [t["text"] for t in store.turns("telegram-mixed")] == ["novejše sporočilo"]
    assert store.conversation("sms-new") is not None and len(store.turns("sms-new")) == 1
    assert store.conversation("web-idle") is None and store.web_conversation("idle-session") is None
    assert store.web_conversation("fresh-session") == "web-fresh" and store.turns("web-fresh")
    assert rasa_tracker.texts(url, "sms-old") == [] and rasa_tracker.texts(url, "web-idle") == []
    assert len(rasa_tracker.texts(url, "telegram-mixed")) == 1 and len(rasa_tracker.texts(url, "web-fresh")) == 1
    assert [m["body"] for m in store.sms_outbox()] == ["novo sporočilo"]
    assert not store.claim_delivery("sms:SMnew", time.time(), time.time() + 60)  # kept
    assert store.claim_delivery("sms:SMold", time.time(), time.time() + 60)  # was purged


def test_sweep_deletes_what_is_too_old(settings: Settings) -> None:
    store = Store(settings.resolved_database_url())
    tracker = TrackerEvents(settings.resolved_tracker_url())
    try:
        fill(settings, store)
        counts = sweep(settings, store, tracker)
        assert counts == {"tracker_events": 2, "turns": 2, "conversations": 1, "web_sessions_expired": 1,
                          "sms_outbox": 1, "deliveries": 1}
        check_swept(settings, store)
        assert sweep(settings, store, tracker)["turns"] == 0  # idempotent
    finally:
        tracker.close()
        store.close()


def test_cli_once_with_the_environment(settings: Settings) -> None:
    store = Store(settings.resolved_database_url())
    try:
        fill(settings, store)
        env = {**os.environ, "GATEWAY_DATABASE_URL": settings.database_url,
               "GATEWAY_RASA_TRACKER_URL": settings.rasa_tracker_url, "GATEWAY_RETENTION_DAYS": "90"}
        proc = subprocess.run([sys.executable, "-m", "bot.retention", "--once"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert "retention sweep: tracker_events=2, turns=2" in proc.stderr
        assert "+386" not in proc.stderr and "sms-old" not in proc.stderr  # counts only
        check_swept(settings, store)
    finally:
        store.close()


def test_tracker_store_down_does_not_stop_the_rest(settings: Settings) -> None:
    settings.rasa_tracker_url = "postgresql+psycopg://nobody@127.0.0.1:1/rasa?connect_timeout=2"
    store = Store(settings.resolved_database_url())
    tracker = TrackerEvents(settings.resolved_tracker_url())
    try:
        store.ensure_conversation("sms-old", "sms", "+38640111222")
        store.add_turn("sms-old", "user", "zdravo")
        backdate(store, "sms-old", 91 * DAY)
        counts = sweep(settings, store, tracker)
        assert counts["tracker_events"] == 0 and counts["turns"] == 1 and counts["conversations"] == 1
    finally:
        tracker.close()
        store.close()
