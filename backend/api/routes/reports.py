"""Read-only aggregates for the agent console (feedback per topic)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.deps import ApiKeyDep, SessionDep, SettingsDep
from backend.schemas.common import ERRORS, Instant
from backend.schemas.reports import FeedbackReport, HandoffReport
from backend.services import reports
from backend.services.topics import faq_topics

router = APIRouter(dependencies=[ApiKeyDep], responses=ERRORS, tags=["reports"])


@router.get("/reports/feedback", response_model=FeedbackReport)
def feedback_report(
    db: SessionDep,
    settings: SettingsDep,
    since: Annotated[Instant | None, Query(description="RFC 3339 date-time; without an offset it is UTC")] = None,
    until: Annotated[Instant | None, Query(description="RFC 3339 date-time; without an offset it is UTC")] = None,
    brand: Annotated[str | None, Query(max_length=32)] = None,
    titles: Annotated[bool, Query(description="topic titles; unknown topics summed as _unknown")] = False,
) -> FeedbackReport:
    """Da/Ne ratings per FAQ topic with the helpful share; optional period [since, until) and brand."""
    names = faq_topics(settings.resolved_faq_topics_dir()) if titles else None
    return FeedbackReport.model_validate(reports.feedback_summary(db, since, until, brand, names))


@router.get("/reports/handoffs", response_model=HandoffReport)
def handoff_report(
    db: SessionDep,
    settings: SettingsDep,
    since: Annotated[Instant, Query(description="RFC 3339 date-time; without an offset it is UTC")],
    until: Annotated[Instant, Query(description="RFC 3339 date-time; without an offset it is UTC")],
) -> HandoffReport:
    """Tickets created in [since, until) per local day (BACKEND_TIMEZONE): live handoffs with the
    waiting time to the first agent reply and satisfaction, callbacks and messages. An empty or
    reversed period has no tickets; only days with tickets are listed, so a long one stays small."""
    return HandoffReport.model_validate(reports.handoff_summary(db, since, until, settings.backend_timezone))
