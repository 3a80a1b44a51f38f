"""FastAPI app: routers under /api/v1 and error handlers that always answer in Slovene JSON."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.api.routes import account, campaigns, health, invoices, notices, reports, support, verification
from backend.core.errors import DomainError

log = logging.getLogger("backend")
API_PREFIX = "/api/v1"

app = FastAPI(
    title="Podporni asistent – backend",
    version="0.1.0",
    description=(
        "System of record for the support assistant. Errors: "
        '{"detail": {"code": "<stable_code>", "message": "<slovensko sporočilo>"}}. '
        "Non-public endpoints need X-API-Key; personal ones also Authorization: Bearer <token> "
        "and X-Conversation-Id matching the token. Text containing NUL (U+0000) is refused with "
        "422 invalid_characters. Every timestamp is RFC 3339 in UTC (suffix Z). Error codes: "
        "backend/ERRORS.md."
    ),
)

app.include_router(health.router)
app.include_router(health.router, prefix=API_PREFIX)
app.include_router(verification.router, prefix=API_PREFIX)
app.include_router(account.router, prefix=API_PREFIX)
app.include_router(invoices.router, prefix=API_PREFIX)
app.include_router(invoices.links, prefix=API_PREFIX)
app.include_router(campaigns.public, prefix=API_PREFIX)
app.include_router(campaigns.personal, prefix=API_PREFIX)
app.include_router(support.router, prefix=API_PREFIX)
app.include_router(reports.router, prefix=API_PREFIX)
app.include_router(notices.personal, prefix=API_PREFIX)
app.include_router(notices.gateway, prefix=API_PREFIX)
app.include_router(notices.dev, prefix=API_PREFIX)


def _has_nul(value: Any) -> bool:
    """NUL characters cannot be stored in PostgreSQL text; find them anywhere in parsed JSON."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


@app.middleware("http")
async def reject_nul(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Refuse NUL characters up front, so SQLite and PostgreSQL behave the same (clean 422, no 500)."""
    bad = "\x00" in request.scope.get("path", "") or b"%00" in request.scope.get("query_string", b"")
    if not bad and request.method in ("POST", "PUT", "PATCH"):
        body = await request.body()
        if b"\x00" in body:
            bad = True
        elif b"\\u0000" in body:
            try:
                bad = _has_nul(json.loads(body))
            except ValueError:
                bad = False
    if bad:
        return _err(422, "invalid_characters", "Vnos vsebuje nedovoljene znake.")
    return await call_next(request)


HTTP_MESSAGES = {
    400: ("bad_request", "Zahteva ni v veljavni obliki (pričakujemo JSON)."),
    404: ("not_found", "Ta vir ne obstaja."),
    405: ("method_not_allowed", "Ta metoda za ta naslov ni dovoljena."),
}


def _err(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"detail": {"code": code, "message": message, **extra}}, headers=headers
    )


@app.exception_handler(DomainError)
async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
    """Business-rule violations: stable code + Slovene message."""
    return JSONResponse(status_code=exc.status, content={"detail": exc.detail()}, headers=exc.headers or None)


@app.exception_handler(RequestValidationError)
async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    """Malformed requests get a Slovene message; the offending input is not echoed back."""
    fields = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e.get("loc", ()))
        fields.append({"field": loc, "type": str(e.get("type", ""))})
    names = ", ".join(f["field"] for f in fields[:5])
    return _err(422, "invalid_request", f"Zahteva ni veljavna (polja: {names}).", errors=fields[:20])


@lru_cache(maxsize=1)
def _path_methods() -> list[tuple[re.Pattern[str], str]]:
    """Documented methods per path template, from our own OpenAPI schema."""
    out = []
    for template, item in app.openapi()["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        out.append((re.compile(f"^{regex}$"), ", ".join(sorted(m.upper() for m in item))))
    return out


def _allowed_methods(path: str) -> str | None:
    """Every method the path offers (Starlette's 405 names only those of the first route)."""
    return next((methods for regex, methods in _path_methods() if regex.match(path)), None)


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Framework errors (unknown path, wrong method) in the same shape."""
    code, message = HTTP_MESSAGES.get(exc.status_code, ("http_error", "Zahteve ni mogoče obdelati."))
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request.url.path) or headers.get("Allow", "")
    return _err(exc.status_code, code, message, headers=headers or None)


@app.exception_handler(Exception)
async def unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    """Last resort: log the type only (no request data, which could hold codes or tokens)."""
    log.error("unexpected error: %s", type(exc).__name__)
    return _err(500, "internal_error", "Prišlo je do napake v sistemu. Poskusite znova kasneje.")
