"""HTTP to the backend (system of record): handoff tickets (which decide whether a person has a
conversation) and the feedback report."""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger("bot.backend")


class BackendError(Exception):
    """The backend did not accept a call; callers degrade gracefully."""


class BackendConflict(BackendError):
    """409: a conditional ticket change lost (another replica or agent changed it first)."""


class BackendClient:
    """Service-to-service calls with X-API-Key."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/") + "/api/v1"
        self.http = httpx.AsyncClient(timeout=timeout, headers={"X-API-Key": api_key})

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _call(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        what = path.split("/")[1]
        try:
            resp = await self.http.request(method, self.base_url + path, **kw)
        except httpx.HTTPError as exc:
            log.warning("backend %s %s unreachable: %s", method, what, type(exc).__name__)
            raise BackendError(type(exc).__name__) from exc
        if resp.status_code == 409:
            raise BackendConflict("409")
        if resp.status_code >= 400:
            log.warning("backend %s %s answered %s", method, what, resp.status_code)
            raise BackendError(str(resp.status_code))
        try:
            return resp.status_code, resp.json()
        except ValueError as exc:
            raise BackendError("not json") from exc

    async def handoff_state(self, conversation_id: str) -> dict[str, Any] | None:
        """The active live ticket of this conversation, or None when the bot has it."""
        _, body = await self._call("GET", f"/conversations/{conversation_id}/handoff")
        ticket = body.get("ticket") if isinstance(body, dict) else None
        return dict(ticket) if isinstance(ticket, dict) and body.get("active") else None

    async def create_ticket(
        self, conversation_id: str, channel: str, reason: str, kind: str = "live",
        brand: str | None = None, summary: str | None = None, customer: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """(ticket, created): a live ticket already active for the conversation comes back as is.
        `customer`: the verified customer as agents may see it (masked; the backend redacts again)."""
        body = {"conversation_id": conversation_id, "channel": channel, "reason": reason, "kind": kind}
        if brand:
            body["brand"] = brand
        if customer:
            body["customer"] = customer[:120]
        if summary:
            body["summary"] = summary[:5000]
        status, data = await self._call("POST", "/handoff-tickets", json=body)
        return dict(data), status == 201

    async def update_ticket(self, ticket_id: int, if_status: list[str] | None = None, **fields: Any) -> dict[str, Any]:
        body = dict(fields)
        if if_status:
            body["if_status"] = if_status
        return dict((await self._call("PATCH", f"/handoff-tickets/{ticket_id}", json=body))[1])

    async def tickets(
        self, status: str | None = None, conversation_id: str | None = None, active: bool | None = None,
        kind: str | None = None, limit: int = 200,
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {k: v for k, v in {"status": status, "conversation_id": conversation_id,
                                                     "kind": kind}.items() if v}
        if active is not None:
            params["active"] = "true" if active else "false"
        params["limit"] = limit
        return list((await self._call("GET", "/handoff-tickets", params=params))[1])

    async def rate_ticket(self, ticket_id: int, score: int) -> dict[str, Any]:
        """The customer's satisfaction with a closed live ticket; BackendConflict when already rated."""
        return dict((await self._call("POST", f"/handoff-tickets/{ticket_id}/satisfaction",
                                      json={"score": score}))[1])

    async def customer_conversations(self, customer_number: str) -> list[dict[str, Any]]:
        """Conversations in which this customer was verified, newest first (the console's search)."""
        return list((await self._call("GET", f"/customers/{customer_number}/conversations"))[1])

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

    async def feedback_report(self, since: str | None = None, until: str | None = None,
                              titles: bool = False) -> dict[str, Any]:
        params = {k: v for k, v in {"since": since, "until": until}.items() if v}
        if titles:
            params["titles"] = "true"
        return dict((await self._call("GET", "/reports/feedback", params=params))[1])

    async def handoff_report(self, since: str, until: str) -> dict[str, Any]:
        """Tickets per local day: live handoffs, waiting time to the first agent reply, satisfaction."""
        return dict((await self._call("GET", "/reports/handoffs", params={"since": since, "until": until}))[1])

    async def opt_out(self, channel: str, sender: str) -> int:
        """STOP / ODJAVA: every subscription to this sender on this channel ends; how many did."""
        _, body = await self._call("POST", "/notices/opt-out", json={"channel": channel, "sender": sender})
        return int(body.get("ended") or 0) if isinstance(body, dict) else 0

    async def reminder_grant(self, channel: str, sender: str, conversation_id: str) -> dict[str, Any] | None:
        """A grant to answer the reading reminder this sender got, or None (no recent reminder,
        several open ones, already answered: the message then goes on as ordinary text)."""
        body = {"channel": channel, "sender": sender, "conversation_id": conversation_id}
        try:
            resp = await self.http.post(self.base_url + "/notices/reminder-grants", json=body)
        except httpx.HTTPError as exc:
            log.warning("backend notices unreachable: %s", type(exc).__name__)
            return None
        if resp.status_code != 201:
            if resp.status_code not in (404, 409):
                log.warning("backend notices answered %s", resp.status_code)
            return None
        try:
            data = resp.json()
        except ValueError:
            return None
        return dict(data) if isinstance(data, dict) and data.get("token") else None
