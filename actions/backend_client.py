"""The action server's only I/O: HTTP calls to the backend (system of record).

One shared aiohttp session per event loop (connection reuse); every call has a short timeout
and returns a `Result`, so a backend that is down or slow never raises into the conversation,
and the caller always knows whether the backend really did what was asked (nothing is ever
reported as saved otherwise). Personal calls carry the verification token and the conversation
id: the backend, not a slot, decides what this conversation may see.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from dataclasses import dataclass, field
from typing import Any, Dict, Generic, List, Optional, TypeVar, cast
from urllib.parse import quote

import aiohttp

from actions.backend_types import (
    Balance,
    Campaign,
    Consumption,
    Eligibility,
    Enrolment,
    InvoiceList,
    MeteringPoint,
    PdfLink,
    Reading,
    ReadingSubmit,
    Subscription,
    SubscriptionResult,
    SubscriptionsEnded,
    VerificationStarted,
    Verified,
)

logger = logging.getLogger(__name__)

API = "/api/v1"
UNAVAILABLE = "backend_unavailable"
T = TypeVar("T")


@dataclass
class Result(Generic[T]):
    """What the backend answered: HTTP status (0 = no answer), JSON body, error code and data."""

    status: int
    body: Any = None
    code: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def data(self) -> T:
        """The body as the endpoint's documented shape (only meaningful when `ok`)."""
        return cast(T, self.body)

    @property
    def unavailable(self) -> bool:
        return self.status == 0 or self.status >= 500

    @property
    def auth_failed(self) -> bool:
        return self.status == 401


# a session belongs to the loop it was made on (the action server has one; each test its own)
_sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession] = weakref.WeakKeyDictionary()


def _session() -> aiohttp.ClientSession:
    """The loop's shared session (created on first use, recreated if closed)."""
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        timeout = aiohttp.ClientTimeout(total=float(os.getenv("BACKEND_TIMEOUT_SECONDS", "5")))
        session = aiohttp.ClientSession(timeout=timeout)
        _sessions[loop] = session
    return session


async def close() -> None:
    """Close this loop's session (server shutdown, end of a test)."""
    session = _sessions.pop(asyncio.get_running_loop(), None)
    if session is not None:
        await session.close()


def _base_url() -> Optional[str]:
    url = os.getenv("BACKEND_URL", "").rstrip("/")
    return url or None


async def request(
    method: str,
    path: str,
    *,
    json: Optional[Dict[str, Any]] = None,
    params: Optional[Dict[str, Any]] = None,
    token: Optional[str] = None,
    conversation_id: Optional[str] = None,
) -> Result[Any]:
    """One backend call; an error becomes a Result with the backend's stable code and its data."""
    base = _base_url()
    if base is None:
        return Result(0, code=UNAVAILABLE)
    headers = {"X-API-Key": os.getenv("BACKEND_API_KEY", "")}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if conversation_id:
        headers["X-Conversation-Id"] = conversation_id
    try:
        async with _session().request(method, base + API + path, json=json, params=params, headers=headers) as resp:
            body: Any = await resp.json() if resp.content_type == "application/json" else None
            if resp.status < 300:
                return Result(resp.status, body)
            detail = body.get("detail") if isinstance(body, dict) else None
            if isinstance(detail, dict):
                extra = {k: v for k, v in detail.items() if k not in ("code", "message")}
                return Result(resp.status, body, detail.get("code"), extra)
            logger.warning("backend %s %s answered %s", method, path.split("/")[1], resp.status)
            return Result(resp.status, body)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        # path parts may carry identifiers: log only the first segment and the error type
        logger.warning("backend %s %s unreachable: %s", method, path.split("/")[1], type(exc).__name__)
        return Result(0, code=UNAVAILABLE)


def q(value: str) -> str:
    """A path segment, escaped."""
    return quote(value, safe="")


async def send_feedback(conversation_id: str, topic: str, helpful: bool) -> bool:
    """Stores one Da / Ne rating of an FAQ answer; True when the backend accepted it."""
    result = await request(
        "POST",
        "/feedback",
        json={"conversation_id": conversation_id, "topic": topic, "rating": "Da" if helpful else "Ne"},
    )
    return result.ok


async def start_verification(
    identifier: str, conversation_id: str, client_ref: Optional[str] = None
) -> Result[VerificationStarted]:
    body = {"identifier": identifier, "conversation_id": conversation_id}
    if client_ref:
        body["client_ref"] = client_ref
    return await request("POST", "/verification/start", json=body)


async def confirm_verification(code: str, conversation_id: str) -> Result[Verified]:
    return await request(
        "POST", "/verification/confirm", json={"code": code, "conversation_id": conversation_id}
    )


async def metering_points(token: str, conversation_id: str) -> Result[List[MeteringPoint]]:
    return await request("GET", "/me/metering-points", token=token, conversation_id=conversation_id)


async def readings(token: str, conversation_id: str, point: str, limit: int = 5) -> Result[List[Reading]]:
    return await request(
        "GET", f"/me/metering-points/{q(point)}/readings", params={"limit": limit},
        token=token, conversation_id=conversation_id,
    )


async def submit_reading(
    token: str, conversation_id: str, point: str, payload: Dict[str, Any]
) -> Result[ReadingSubmit]:
    return await request(
        "POST", f"/me/metering-points/{q(point)}/readings", json=payload,
        token=token, conversation_id=conversation_id,
    )


async def consumption(token: str, conversation_id: str, point: str) -> Result[Consumption]:
    return await request(
        "GET", f"/me/metering-points/{q(point)}/consumption", token=token, conversation_id=conversation_id
    )


async def invoices(token: str, conversation_id: str, limit: int = 5) -> Result[InvoiceList]:
    return await request(
        "GET", "/me/invoices", params={"limit": limit}, token=token, conversation_id=conversation_id
    )


async def balance(token: str, conversation_id: str) -> Result[Balance]:
    return await request("GET", "/me/invoices/balance", token=token, conversation_id=conversation_id)


async def invoice_pdf_link(token: str, conversation_id: str, number: str) -> Result[PdfLink]:
    return await request(
        "POST", f"/me/invoices/{q(number)}/pdf-link", token=token, conversation_id=conversation_id
    )


async def campaigns() -> Result[List[Campaign]]:
    return await request("GET", "/campaigns")


async def eligibility(token: str, conversation_id: str, code: str, point: str) -> Result[Eligibility]:
    return await request(
        "GET", f"/me/campaigns/{q(code)}/eligibility", params={"metering_point": point},
        token=token, conversation_id=conversation_id,
    )


async def join_campaign(token: str, conversation_id: str, code: str, point: str) -> Result[Enrolment]:
    return await request(
        "POST", f"/me/campaigns/{q(code)}/join", json={"metering_point": point},
        token=token, conversation_id=conversation_id,
    )


async def subscribe(
    token: str, conversation_id: str, point: str, kind: str, channel: str, telegram_chat_id: Optional[str] = None
) -> Result[SubscriptionResult]:
    """Switch a notice on (201 created, 200 existing: the same point + kind + channel is one)."""
    body: Dict[str, Any] = {"metering_point": point, "kind": kind, "channel": channel, "source": "chat"}
    if telegram_chat_id:
        body["telegram_chat_id"] = telegram_chat_id
        body["source"] = "telegram"
    return await request("POST", "/me/subscriptions", json=body, token=token, conversation_id=conversation_id)


async def subscriptions(token: str, conversation_id: str) -> Result[List[Subscription]]:
    """The account's active subscriptions, oldest first."""
    return await request("GET", "/me/subscriptions", token=token, conversation_id=conversation_id)


async def end_subscription(token: str, conversation_id: str, subscription_id: int) -> Result[SubscriptionResult]:
    return await request("DELETE", f"/me/subscriptions/{int(subscription_id)}", token=token,
                         conversation_id=conversation_id)


async def end_all_subscriptions(token: str, conversation_id: str) -> Result[SubscriptionsEnded]:
    """Every active subscription of the account ends (no filter)."""
    return await request("DELETE", "/me/subscriptions", token=token, conversation_id=conversation_id)


async def create_ticket(payload: Dict[str, Any]) -> Result[Dict[str, Any]]:
    return await request("POST", "/handoff-tickets", json=payload)
