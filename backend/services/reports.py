"""Aggregates for the agent console's report: FAQ ratings per topic, handoff tickets per day."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from backend.models import FaqFeedback, HandoffTicket

# Ratings stored before topics were checked (or under a topic since removed) are summed in one
# row under this key, so the totals still add up and no junk name is shown as a topic.
UNKNOWN_TOPIC = "_unknown"
UNKNOWN_TITLE = "Neznana ali neveljavna tema"


def feedback_summary(
    db: Session, since: datetime | None = None, until: datetime | None = None, brand: str | None = None,
    titles: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Per-topic counts of rated answers and the helpful share, most-rated topics first.

    With `titles` (topic -> Slovene title) every topic carries its title, and ratings of topics
    not in it are summed into one "unknown" row instead of being listed by their stored name.
    """
    helpful = func.sum(func.cast(FaqFeedback.helpful, Integer))
    stmt = select(FaqFeedback.topic, func.count(FaqFeedback.id), helpful).group_by(FaqFeedback.topic)
    if since is not None:
        stmt = stmt.where(FaqFeedback.created_at >= since)
    if until is not None:
        stmt = stmt.where(FaqFeedback.created_at < until)
    if brand:
        stmt = stmt.where(FaqFeedback.brand == brand)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for topic, count, yes in db.execute(stmt):
        key = topic if titles is None or topic in titles else UNKNOWN_TOPIC
        counts[key][0] += int(count)
        counts[key][1] += int(yes or 0)
    topics = []
    for topic, (count, yes) in counts.items():
        row: dict[str, Any] = {"topic": topic, "answers": count, "helpful": yes, "not_helpful": count - yes,
                               "helpful_share": yes / count if count else 0.0}
        if titles is not None:
            row["title"] = titles.get(topic, UNKNOWN_TITLE)
        topics.append(row)
    topics.sort(key=lambda t: (t["topic"] == UNKNOWN_TOPIC, -t["answers"], t["topic"]))
    total = sum(t["answers"] for t in topics)
    total_yes = sum(t["helpful"] for t in topics)
    return {
        "total": total,
        "helpful": total_yes,
        "helpful_share": total_yes / total if total else None,
        "topics": topics,
    }


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def handoff_summary(db: Session, since: datetime, until: datetime, zone: str) -> dict[str, Any]:
    """Handoff tickets created in [since, until), per local day of creation and in total.

    Waiting time = from the ticket (the customer asked for a person) to the first agent reply;
    tickets without a reply are counted, not given a time. Satisfaction: the 1-5 answers of the
    customers after a hand-back or resolve, of the live tickets created in the period.
    """
    tz = ZoneInfo(zone)
    stmt = select(
        HandoffTicket.kind, HandoffTicket.status, HandoffTicket.resolution, HandoffTicket.created_at,
        HandoffTicket.first_reply_at, HandoffTicket.satisfaction,
    ).where(HandoffTicket.created_at >= since, HandoffTicket.created_at < until)
    days: dict[str, dict[str, Any]] = {}
    waits_all: list[float] = []
    scores: Counter[int] = Counter()
    totals = Counter[str]()
    for kind, status, resolution, created, first_reply, score in db.execute(stmt):
        day = created.astimezone(tz).date().isoformat()
        d = days.setdefault(day, {"day": day, "live": 0, "replied": 0, "waits": [], "callbacks": 0,
                                  "messages": 0, "rated": 0, "score_sum": 0})
        if kind != "live":
            d["callbacks" if kind == "callback" else "messages"] += 1
            totals["callbacks" if kind == "callback" else "messages"] += 1
            continue
        d["live"] += 1
        totals["live"] += 1
        if status == "closed":
            totals["closed"] += 1
            totals[f"resolution_{resolution or 'other'}"] += 1
        if first_reply is not None:
            wait = max(0.0, (first_reply - created).total_seconds())
            d["replied"] += 1
            d["waits"].append(wait)
            waits_all.append(wait)
        if score is not None:
            d["rated"] += 1
            d["score_sum"] += int(score)
            scores[int(score)] += 1
    out_days = []
    for day in sorted(days):
        d = days[day]
        waits = d.pop("waits")
        d["wait_median_seconds"] = _median(waits)
        out_days.append(d)
    rated = sum(scores.values())
    return {
        "days": out_days,
        "live": totals["live"],
        "replied": len(waits_all),
        "wait_median_seconds": _median(waits_all),
        "wait_mean_seconds": statistics.fmean(waits_all) if waits_all else None,
        "closed": totals["closed"],
        "handed_back": totals["resolution_handed_back"],
        "resolved": totals["resolution_resolved"],
        "callbacks": totals["callbacks"],
        "messages": totals["messages"],
        "rated": rated,
        "satisfaction": {str(k): scores.get(k, 0) for k in range(1, 6)},
        "satisfaction_mean": sum(k * v for k, v in scores.items()) / rated if rated else None,
    }
