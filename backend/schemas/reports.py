"""Report shapes (agent console)."""

from __future__ import annotations

from pydantic import BaseModel


class TopicFeedback(BaseModel):
    """Ratings of one FAQ topic; `title` is its Slovene title ("_unknown" sums invalid topics)."""

    topic: str
    title: str | None = None
    answers: int
    helpful: int
    not_helpful: int
    helpful_share: float


class FeedbackReport(BaseModel):
    """All ratings in the period, per topic."""

    total: int
    helpful: int
    helpful_share: float | None
    topics: list[TopicFeedback]


class HandoffDay(BaseModel):
    """Handoff tickets created on one local day."""

    day: str
    live: int
    replied: int
    wait_median_seconds: float | None
    callbacks: int
    messages: int
    rated: int
    score_sum: int


class HandoffReport(BaseModel):
    """Tickets created in the period: live handoffs (waiting time to the first agent reply,
    how they ended, satisfaction 1-5) and the callback / message tickets taken outside hours."""

    days: list[HandoffDay]
    live: int
    replied: int
    wait_median_seconds: float | None
    wait_mean_seconds: float | None
    closed: int
    handed_back: int
    resolved: int
    callbacks: int
    messages: int
    rated: int
    satisfaction: dict[str, int]
    satisfaction_mean: float | None
