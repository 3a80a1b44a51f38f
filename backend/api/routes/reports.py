"""Read-only aggregates for the agent console (feedback per topic)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.deps import ApiKeyDep, SessionDep
from backend.schemas.common import ERRORS, Instant
from backend.schemas.reports import FeedbackReport
from backend.services import reports

router = APIRouter(dependencies=[ApiKeyDep], responses=ERRORS, tags=["reports"])


@router.get("/reports/feedback", response_model=FeedbackReport)
def feedback_report(
    db: SessionDep,
    since: Annotated[Instant | None, Query(description="RFC 3339 date-time; without an offset it is UTC")] = None,
    until: Annotated[Instant | None, Query(description="RFC 3339 date-time; without an offset it is UTC")] = None,
    brand: Annotated[str | None, Query(max_length=32)] = None,
) -> FeedbackReport:
    """Da/Ne ratings per FAQ topic with the helpful share; optional period [since, until) and brand."""
    return FeedbackReport.model_validate(reports.feedback_summary(db, since, until, brand))
