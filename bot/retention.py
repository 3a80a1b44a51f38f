"""Retention job: personal data in the gateway and in Rasa's tracker store is kept only so long.

`python -m bot.retention` runs a sweep at start and then every GATEWAY_RETENTION_INTERVAL_MINUTES
(default 60) until SIGTERM/SIGINT: `make run` and `make run-scaled` start it as the supervisord
program `retention` (one process is enough for every replica: each sweep is a few DELETEs that
are safe to run twice). `python -m bot.retention --once` sweeps once and exits (cron, tests).

A sweep deletes:
- Rasa tracker events older than GATEWAY_RETENTION_DAYS (default 90), and gateway turns as old;
- conversations untouched that long with no turn left (an SMS conversation row holds the number),
  with their web sessions, and SMS outbox rows as old;
- widget sessions idle longer than GATEWAY_WEB_HISTORY_HOURS (default 24) with their whole
  conversation (turns, Rasa events): they would be refused on their next request anyway;
- expired provider delivery ids (bot/dedup.py).
The backend's records (readings, tickets, feedback) are the backend's: not touched here.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from collections.abc import Sequence

from bot.config import Settings
from bot.erasure import TrackerEvents, TrackerUnavailable
from bot.store import Store

log = logging.getLogger("bot.retention")
DAY = 86_400.0


def sweep(settings: Settings, store: Store, tracker: TrackerEvents, now: float | None = None) -> dict[str, int]:
    """One pass; returns how many rows of each kind were deleted (counts only, never ids)."""
    now = time.time() if now is None else now
    cutoff = now - settings.retention_days * DAY
    counts = {"tracker_events": 0, "turns": 0, "conversations": 0, "web_sessions_expired": 0,
              "sms_outbox": 0, "deliveries": 0}
    try:
        counts["tracker_events"] = tracker.delete_older_than(cutoff)
    except TrackerUnavailable:
        log.warning("rasa tracker store unavailable: its events are deleted on the next run")
    counts["turns"] = store.delete_turns_older_than(cutoff)
    for conv_id in store.idle_web_conversations(now - settings.web_history_hours * 3600):
        _forget(store, tracker, conv_id)
        counts["web_sessions_expired"] += 1
    for conv_id in store.idle_conversations(cutoff):
        _forget(store, tracker, conv_id)
        counts["conversations"] += 1
    counts["sms_outbox"] = store.delete_sms_outbox_older_than(cutoff)
    counts["deliveries"] = store.purge_deliveries(now)
    return counts


def _forget(store: Store, tracker: TrackerEvents, conversation_id: str) -> None:
    try:
        tracker.delete_conversation(conversation_id)
    except TrackerUnavailable:
        pass  # its events go by age
    store.delete_conversation(conversation_id)


def run(settings: Settings, once: bool, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    store = Store(settings.resolved_database_url())
    tracker = TrackerEvents(settings.resolved_tracker_url())
    interval = max(1.0, settings.retention_interval_minutes * 60)
    try:
        while True:
            try:
                counts = sweep(settings, store, tracker)
                log.info("retention sweep: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
            except Exception as exc:  # a database restart must not end the job: next interval
                log.warning("retention sweep failed: %s", type(exc).__name__)
                if once:
                    raise
            if once or stop.wait(interval):
                return
    finally:
        tracker.close()
        store.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.retention", description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="one sweep, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run(Settings(), args.once, stop)


if __name__ == "__main__":
    main()
