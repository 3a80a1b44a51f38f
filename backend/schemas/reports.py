"""Report shapes (agent console)."""

from __future__ import annotations

from pydantic import BaseModel


class TopicFeedback(BaseModel):
    """Ratings of one FAQ topic."""

    topic: str
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
