"""Domain errors with a stable machine code and a Slovene message, mapped to HTTP by main.py."""

from __future__ import annotations

from datetime import date
from typing import Any


class DomainError(Exception):
    """A rule violation the caller can explain to the user; never a server error."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.headers: dict[str, str] = {}

    def detail(self) -> dict[str, Any]:
        """JSON body under "detail", as FastAPI's HTTPException does."""
        return {"code": self.code, "message": self.message, **self.extra}


def fmt_date(d: date | None) -> str:
    """Slovene date style used in the seed terms: 6. 1. 2017."""
    return "" if d is None else f"{d.day}. {d.month}. {d.year}"
