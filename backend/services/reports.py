"""Aggregates for the agent console's report: FAQ ratings per topic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from backend.models import FaqFeedback


def feedback_summary(
    db: Session, since: datetime | None = None, until: datetime | None = None, brand: str | None = None
) -> dict[str, Any]:
    """Per-topic counts of rated answers and the helpful share, most-rated topics first."""
    helpful = func.sum(func.cast(FaqFeedback.helpful, Integer))
    stmt = select(FaqFeedback.topic, func.count(FaqFeedback.id), helpful).group_by(FaqFeedback.topic)
    if since is not None:
        stmt = stmt.where(FaqFeedback.created_at >= since)
    if until is not None:
        stmt = stmt.where(FaqFeedback.created_at < until)
    if brand:
        stmt = stmt.where(FaqFeedback.brand == brand)
    topics = []
    for topic, count, yes in db.execute(stmt):
        yes = int(yes or 0)
        topics.append(
            {"topic": topic, "answers": int(count), "helpful": yes, "not_helpful": int(count) - yes,
             "helpful_share": yes / count if count else 0.0}
        )
    topics.sort(key=lambda t: (-t["answers"], t["topic"]))
    total = sum(t["answers"] for t in topics)
    total_yes = sum(t["helpful"] for t in topics)
    return {
        "total": total,
        "helpful": total_yes,
        "helpful_share": total_yes / total if total else None,
        "topics": topics,
    }
