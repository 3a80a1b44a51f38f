"""The console report (/agent/report): a date range, per-day figures from the gateway's tables and
the backend's tickets and ratings, rates defined in words next to them, Slovene number format,
and the same rows as CSV. The charts are drawn in the browser by Chart.js (npm, served by the
gateway from node_modules; no CDN) from the JSON embedded in the page."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, select

from bot.db import make_sessionmaker
from bot.models import Conversation
from bot.store import Store

ZONE = ZoneInfo("Europe/Ljubljana")
DEFAULT_DAYS = 30
MAX_DAYS = 366


def pct(share: float | None) -> str:
    """0.1712 -> "17,1 %" (Slovene: decimal comma, a space before the sign)."""
    if share is None:
        return "–"
    return f"{share * 100:.1f}".replace(".", ",") + "\u00a0%"


def num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def minutes(seconds: float | None) -> str:
    return "–" if seconds is None else num(seconds / 60) + " min"


def period(since: str | None, until: str | None, today: date | None = None) -> tuple[date, date, str | None]:
    """The report's days [first, last] from the form (YYYY-MM-DD); bad input gives the default
    (the last 30 days) and a Slovene message instead of an error page."""
    today = today or datetime.now(ZONE).date()
    default = (today - timedelta(days=DEFAULT_DAYS - 1), today)
    if not since and not until:
        return default[0], default[1], None
    try:
        first = date.fromisoformat(since) if since else default[0]
        last = date.fromisoformat(until) if until else today
    except ValueError:
        return default[0], default[1], "Datuma nista v obliki LLLL-MM-DD; prikazanih je zadnjih 30 dni."
    if last < first:
        return default[0], default[1], "Začetni datum je za končnim; prikazanih je zadnjih 30 dni."
    if (last - first).days >= MAX_DAYS:
        limited = "Obdobje je omejeno na eno leto (zadnjih 366 dni do končnega datuma)."
        return last - timedelta(days=MAX_DAYS - 1), last, limited
    return first, last, None


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Local midnight of the first day to local midnight after the last, as aware datetimes."""
    return (datetime.combine(first, time(0), ZONE), datetime.combine(last + timedelta(days=1), time(0), ZONE))


def gateway_days(store: Store, first: date, last: date) -> dict[str, dict[str, int]]:
    """Per local day on which a conversation started: conversations, messages forwarded to Rasa,
    fallbacks among them, conversations with a handoff (counters are kept per conversation)."""
    start, end = bounds(first, last)
    c = Conversation
    stmt = select(c.created_at, c.forwarded, c.fallbacks, case((c.handoffs > 0, 1), else_=0)).where(
        c.created_at >= start.timestamp(), c.created_at < end.timestamp()
    )
    days: dict[str, dict[str, int]] = {}
    with make_sessionmaker(store.engine)() as db:  # read-only, one statement
        for created, forwarded, fallbacks, handed in db.execute(stmt):
            day = datetime.fromtimestamp(float(created), ZONE).date().isoformat()
            d = days.setdefault(day, {"conversations": 0, "active": 0, "forwarded": 0, "fallbacks": 0, "handed": 0})
            d["conversations"] += 1
            d["active"] += int(forwarded > 0)
            d["forwarded"] += int(forwarded)
            d["fallbacks"] += int(fallbacks)
            d["handed"] += int(handed)
    return days


def build(first: date, last: date, days: dict[str, dict[str, int]], handoffs: dict[str, Any] | None,
          feedback: dict[str, Any] | None) -> dict[str, Any]:
    """Everything the page, the charts and the CSV show; every rate from the counts beside it."""
    ticket_days = {d["day"]: d for d in (handoffs or {}).get("days", [])}
    rows = []
    day = first
    while day <= last:
        key = day.isoformat()
        g = days.get(key, {"conversations": 0, "active": 0, "forwarded": 0, "fallbacks": 0, "handed": 0})
        t = ticket_days.get(key, {})
        rows.append({
            "day": key,
            "label": f"{day.day}. {day.month}.",
            **g,
            "fallback_rate": g["fallbacks"] / g["forwarded"] if g["forwarded"] else None,
            "handoff_rate": g["handed"] / g["active"] if g["active"] else None,
            "live": int(t.get("live", 0)),
            "replied": int(t.get("replied", 0)),
            "wait_median_seconds": t.get("wait_median_seconds"),
            "rated": int(t.get("rated", 0)),
            "score_mean": (t["score_sum"] / t["rated"]) if t.get("rated") else None,
        })
        day += timedelta(days=1)
    totals = {k: sum(r[k] for r in rows) for k in ("conversations", "active", "forwarded", "fallbacks", "handed")}
    topics = [
        {**t, "title": t.get("title") or t["topic"]} for t in (feedback or {}).get("topics", [])
    ]
    return {
        "first": first.isoformat(), "last": last.isoformat(), "rows": rows, "totals": totals,
        "fallback_rate": totals["fallbacks"] / totals["forwarded"] if totals["forwarded"] else None,
        "handoff_rate": totals["handed"] / totals["active"] if totals["active"] else None,
        "handoffs": handoffs, "feedback": feedback, "topics": topics,
    }


def chart_data(report: dict[str, Any]) -> dict[str, Any]:
    """The numbers the charts draw (percentages as numbers; labels are Slovene)."""
    rows = report["rows"]
    handoffs = report["handoffs"] or {}
    return {
        "days": [r["label"] for r in rows],
        "conversations": [r["conversations"] for r in rows],
        "fallback_rate": [None if r["fallback_rate"] is None else round(r["fallback_rate"] * 100, 1) for r in rows],
        "handoff_rate": [None if r["handoff_rate"] is None else round(r["handoff_rate"] * 100, 1) for r in rows],
        "wait_minutes": [None if r["wait_median_seconds"] is None else round(r["wait_median_seconds"] / 60, 1)
                         for r in rows],
        "topics": [t["title"] for t in report["topics"]],
        "helpful_share": [round(t["helpful_share"] * 100, 1) for t in report["topics"]],
        "satisfaction": [int((handoffs.get("satisfaction") or {}).get(str(k), 0)) for k in range(1, 6)],
    }


def csv_text(report: dict[str, Any]) -> str:
    """Per-day rows, then per-topic rows; semicolons and decimal commas, as Slovene spreadsheets expect."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(["datum", "pogovori", "sporočila pomočniku", "nerazumljena", "delež nerazumljenih (%)",
                "pogovori s predajo", "delež predaj (%)", "predaje svetovalcu", "z odgovorom svetovalca",
                "mediana čakanja (min)", "ocene zadovoljstva", "povprečna ocena"])
    for r in report["rows"]:
        w.writerow([r["day"], r["conversations"], r["forwarded"], r["fallbacks"],
                    num(None if r["fallback_rate"] is None else r["fallback_rate"] * 100),
                    r["handed"], num(None if r["handoff_rate"] is None else r["handoff_rate"] * 100),
                    r["live"], r["replied"],
                    num(None if r["wait_median_seconds"] is None else r["wait_median_seconds"] / 60),
                    r["rated"], num(r["score_mean"])])
    w.writerow([])
    w.writerow(["tema", "naslov", "ocenjenih odgovorov", "da", "ne", "delež koristnih (%)"])
    for t in report["topics"]:
        w.writerow([t["topic"], t["title"], t["answers"], t["helpful"], t["not_helpful"], num(t["helpful_share"] * 100)])
    return "\ufeff" + out.getvalue()  # BOM: Excel opens UTF-8 (č, š, ž) correctly
