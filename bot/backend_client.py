"""HTTP to the backend (system of record): handoff tickets and the feedback report."""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger("bot.backend")


class BackendError(Exception):
    """The backend did not accept a call; callers degrade gracefully."""


class BackendClient:
    """Service-to-service calls with X-API-Key."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/") + "/api/v1"
        self.http = httpx.AsyncClient(timeout=timeout, headers={"X-API-Key": api_key})

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        try:
            resp = await self.http.request(method, self.base_url + path, **kw)
        except httpx.HTTPError as exc:
            log.warning("backend %s %s unreachable: %s", method, path.split("/")[1], type(exc).__name__)
            raise BackendError(type(exc).__name__) from exc
        if resp.status_code >= 400:
            log.warning("backend %s %s answered %s", method, path.split("/")[1], resp.status_code)
            raise BackendError(str(resp.status_code))
        return resp.json()

    async def create_ticket(
        self, conversation_id: str, channel: str, reason: str, kind: str = "live",
        brand: str | None = None, summary: str | None = None,
    ) -> dict[str, Any]:
        body = {"conversation_id": conversation_id, "channel": channel, "reason": reason, "kind": kind}
        if brand:
            body["brand"] = brand
        if summary:
            body["summary"] = summary[:5000]
        return dict(await self._call("POST", "/handoff-tickets", json=body))

    async def update_ticket(self, ticket_id: int, **fields: Any) -> dict[str, Any]:
        return dict(await self._call("PATCH", f"/handoff-tickets/{ticket_id}", json=fields))

    async def tickets(self, status: str | None = None, conversation_id: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"status": status, "conversation_id": conversation_id}.items() if v}
        return list(await self._call("GET", "/handoff-tickets", params=params))

    async def invoice_pdf(self, token: str) -> bytes | None:
        """The PDF a signed link opens; None when the link is forged, expired or no longer allowed."""
        try:
            resp = await self.http.get(f"{self.base_url}/invoice-pdf/{token}")
        except httpx.HTTPError as exc:
            log.warning("backend invoice-pdf unreachable: %s", type(exc).__name__)
            raise BackendError(type(exc).__name__) from exc
        if resp.status_code in (404, 422):
            return None
        if resp.status_code >= 400 or resp.headers.get("content-type") != "application/pdf":
            log.warning("backend invoice-pdf answered %s", resp.status_code)
            raise BackendError(str(resp.status_code))
        return resp.content

    async def feedback_report(self) -> dict[str, Any]:
        return dict(await self._call("GET", "/reports/feedback"))
