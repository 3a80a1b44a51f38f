"""Error shape shared by all endpoints (documented in OpenAPI)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
