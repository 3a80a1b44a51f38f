"""Error shape shared by all endpoints (documented in OpenAPI)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict


class ErrorDetail(BaseModel):
    """Stable machine code plus a Slovene message the bot can show as is."""

    model_config = ConfigDict(extra="allow")
    code: str
    message: str


class ErrorResponse(BaseModel):
    """{"detail": {"code": ..., "message": ...}}"""

    detail: ErrorDetail


ERRORS: dict[int | str, dict[str, object]] = {
    s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 405, 409, 410, 422, 429, 503)
}


RFC3339_START = re.compile(r"\d{4}-\d\d-\d\d[Tt ]")


def _text_only(value: object) -> object:
    """RFC 3339 text only (pydantic would read "0.5" as a Unix timestamp)."""
    if isinstance(value, datetime) or (isinstance(value, str) and RFC3339_START.match(value)):
        return value
    raise ValueError("expected an RFC 3339 date-time")


def _utc(value: datetime) -> datetime:
    """Without an offset the instant is read as UTC (like every timestamp the API returns)."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


Instant = Annotated[datetime, BeforeValidator(_text_only), AfterValidator(_utc)]
