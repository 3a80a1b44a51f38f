"""Agent console at /agent: login, queue and active conversations, transcript, reply, hand back, report.

Agents are configured by AGENT_USERS="ana:<hash>,bor:<hash>" with scrypt hashes made by
`python -m bot.agent_console hash-password`. The session lives server-side (bot/agent_sessions.py):
the HttpOnly, SameSite=Strict cookie (Secure off localhost) holds a random token; logout, a new
password hash and GATEWAY_AGENT_IDLE_MINUTES without a request end it. Every form echoes the
session's CSRF token. Logins are limited per client address and, with a growing delay, per user name.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import getpass
import hashlib
import hmac
import json
import logging
import math
import re
import secrets
import sys
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot import report
from bot.agent_sessions import AgentSessions
from bot.backend_client import BackendError
from bot.clientref import client_address, parse_networks
from bot.config import Settings
from bot.console_store import ConsoleStore
from bot.handoff import Gateway, Handback
from bot.ratelimit import FailureDelay

log = logging.getLogger("bot.agent")
CHART_JS = Path(__file__).resolve().parents[1] / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
SESSION_COOKIE = "agent_session"
LOGIN_COOKIE = "agent_login_csrf"
CONV_ID = re.compile(r"^[a-z]{2,10}-[0-9a-f]{24}$")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
INBOX_UNAVAILABLE = "Seznama pogovorov trenutno ni mogoče naložiti (zaledni sistem ni dosegljiv). Poskusite znova."
HANDBACK_MESSAGES = {
    Handback.resume_failed.value: (
        "Vrnitev virtualnemu pomočniku ni uspela: pomočnik (Rasa) se ni odzval. Pogovor ostaja pri vas, "
        "uporabnikova sporočila prihajajo sem. Poskusite znova čez nekaj trenutkov."
    ),
    Handback.close_failed.value: (
        "Vrnitev ni dokončana: zahtevka ni bilo mogoče zapreti (zaledni sistem ni dosegljiv). "
        "Pogovor ostaja pri vas. Poskusite znova."
    ),
}


# The inbox event stream: how often it reads the tickets, and how long one stream lasts (the
# browser reconnects; a stream never outlives its session by more than one check).
SSE_CHECK_SECONDS = 2.0
SSE_MAX_SECONDS = 300.0
REASONS = {"request": "želi svetovalca", "complaint": "pritožba", "fallback": "pomočnik ni razumel"}
CHANNELS = {"web": "splet", "telegram": "Telegram", "sms": "SMS", "rest": "REST"}
BRANDS = {"geni": "GEN-I", "butan": "Butan plin"}


def waited(since: str | None, now: datetime | None = None) -> str:
    """The waiting time since an ISO instant, as agents read it ("5 min", "2 h 10 min")."""
    if not since:
        return "–"
    try:
        start = datetime.fromisoformat(since)
    except ValueError:
        return "–"
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    minutes = max(0, int(((now or datetime.now(timezone.utc)) - start).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} d {minutes % (24 * 60) // 60} h"


def last_user_text(gateway: Gateway, conversation_id: str, limit: int = 80) -> str:
    """The customer's latest message, shortened, for the queue's preview column."""
    for turn in reversed(gateway.store.turns(conversation_id, limit=20)):
        if turn["role"] == "user":
            text = " ".join(str(turn["text"]).split())
            return text if len(text) <= limit else text[: limit - 1] + "…"
    return ""


class EventStream(StreamingResponse):
    """Server-sent events (the media type also documents the route in the OpenAPI schema)."""

    media_type = "text/event-stream"


# One server-sent event as the OpenAPI schema describes it (the data is JSON text)
SSE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"event": {"type": "string", "enum": ["inbox", "logout"]}, "data": {"type": "string"}},
    "required": ["data"],
}


class CsvResponse(Response):
    media_type = "text/csv"


class JavaScript(FileResponse):
    media_type = "text/javascript"


# --- passwords ------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """scrypt.N.r.p.salt.hash (no ':' ',' or '$', so it fits AGENT_USERS and .env files unquoted)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt.{SCRYPT_N}.{SCRYPT_R}.{SCRYPT_P}.{_b64(salt)}.{_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split(".")
        if scheme != "scrypt":
            return False
        want = _unb64(digest)
        got = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(want)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


_DUMMY_HASH = hash_password(secrets.token_hex(8))


# --- sessions and CSRF ------------------------------------------------------------
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def on_loopback(request: Request) -> bool:
    """The console is opened as http://localhost (development): the one case a cookie may go without TLS."""
    host = (request.url.hostname or "").lower()
    return host in LOOPBACK_HOSTS or host.endswith(".localhost")


def login_key(username: str) -> str:
    """The per-user-name failure counter's key: a hash, so no login name sits in Redis."""
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


class Auth:
    """Server-side agent sessions (cookie = random token) and the login form's signed CSRF cookie."""

    def __init__(self, settings: Settings, gateway: Gateway) -> None:
        self.settings = settings
        self.sessions = AgentSessions(gateway.store, settings.agent_idle_minutes * 60.0,
                                      settings.agent_session_hours * 3600.0)
        self.login = URLSafeTimedSerializer(settings.session_secret, salt="agent-login")
        self.delay = FailureDelay(gateway.limiter.storage, free=settings.login_free_failures,
                                  cap=float(settings.login_max_delay))

    def current(self, request: Request, touch: bool = True) -> dict[str, str] | None:
        found = self.sessions.check(request.cookies.get(SESSION_COOKIE), self.settings.agent_users, touch)
        if found is None:
            return None
        return {"user": found.user, "csrf": found.csrf, "session": found.token_hash}

    def secure(self, request: Request) -> bool:
        """GATEWAY_COOKIE_SECURE: auto = Secure everywhere except on localhost; 1 always; 0 never."""
        mode = self.settings.cookie_secure
        return mode == "1" or (mode == "auto" and not on_loopback(request))

    def set_cookie(self, request: Request, resp: Response, name: str, value: str, max_age: int) -> None:
        resp.set_cookie(
            name, value, max_age=max_age, httponly=True, samesite="strict",
            secure=self.secure(request), path="/agent",
        )


def same_origin(request: Request) -> bool:
    """Defence in depth next to SameSite=Strict and the CSRF token: refuse cross-site POSTs.

    Browsers send Sec-Fetch-Site and Origin; a privacy setting may turn Origin into "null", then
    Sec-Fetch-Site decides. Non-browser clients (no such headers) rely on the token alone.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return site == "same-origin"
    return urlsplit(origin).netloc == request.headers.get("host", "")


def build_router(settings: Settings, gateway: Gateway) -> APIRouter:
    router = APIRouter(prefix="/agent", tags=["agent"])
    auth = Auth(settings, gateway)
    console = ConsoleStore(gateway.store)
    proxies = parse_networks(settings.trusted_proxies)

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        resp = TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    def to_login() -> RedirectResponse:
        return RedirectResponse("/agent/login", status_code=303)

    async def checked_form(request: Request) -> tuple[dict[str, str] | None, dict[str, str]]:
        """(agent, form) when the session is valid and the CSRF token matches; (None, form) otherwise."""
        agent = auth.current(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if agent is None or not same_origin(request):
            return None, form
        if not hmac.compare_digest(form.get("csrf", ""), agent["csrf"]):
            return None, form
        return agent, form

    def forbidden(request: Request, agent: dict[str, str] | None) -> Response:
        if agent is None and auth.current(request) is None:
            return JSONResponse({"detail": "Prijava je potrebna."}, 401)
        return JSONResponse({"detail": "Zahteva ni veljavna (manjka ali napačen žeton CSRF)."}, 403)

    @router.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request) -> Response:
        if auth.current(request):
            return RedirectResponse("/agent", status_code=303)
        token = secrets.token_urlsafe(24)
        resp = page(request, "login.html", csrf=token, error=None)
        auth.set_cookie(request, resp, LOGIN_COOKIE, auth.login.dumps(token), 1800)
        return resp

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        username = form.get("username", "").strip()[:64]
        password = form.get("password", "")[:256]
        try:
            expected = auth.login.loads(request.cookies.get(LOGIN_COOKIE, ""), max_age=1800)
        except BadSignature:
            expected = None
        if not expected or not same_origin(request) or not hmac.compare_digest(form.get("csrf", ""), expected):
            return JSONResponse({"detail": "Zahteva ni veljavna (manjka ali napačen žeton CSRF)."}, 403)
        client = client_address(request.client.host if request.client else None, request.headers, proxies)
        if not gateway.limiter.hit(settings.login_rate_limit, "login", client):
            return page(request, "login.html", 429, csrf=expected, error="Preveč poskusov. Počakajte minuto.")
        # Per user name, whatever the address: many addresses trying one account are slowed too.
        # Checked before the password, so a locked name cannot be tried at all.
        key = login_key(username)
        wait = auth.delay.wait_seconds("agent-login", key)
        if wait > 0:
            log.info("agent login refused: user name locked for %.0f s", wait)
            locked = page(request, "login.html", 429, csrf=expected, error=(
                "Preveč neuspelih prijav s tem uporabniškim imenom. "
                f"Poskusite znova čez {max(1, math.ceil(wait))} s."
            ))
            locked.headers["Retry-After"] = str(max(1, math.ceil(wait)))
            return locked
        stored = settings.agent_users.get(username)
        ok = verify_password(password, stored or _DUMMY_HASH) and stored is not None
        if not ok or stored is None:
            auth.delay.failed("agent-login", key)
            log.info("agent login failed")
            return page(request, "login.html", 401, csrf=expected, error="Napačno uporabniško ime ali geslo.")
        auth.delay.succeeded("agent-login", key)
        auth.sessions.purge()
        resp = RedirectResponse("/agent", status_code=303)
        auth.set_cookie(request, resp, SESSION_COOKIE, auth.sessions.create(username, stored),
                        settings.agent_session_hours * 3600)
        resp.delete_cookie(LOGIN_COOKIE, path="/agent")
        log.info("agent %s logged in", username)
        return resp

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        """Ends the session server-side: the old cookie is worthless afterwards, even if copied."""
        agent, _ = await checked_form(request)
        if agent is None:
            return forbidden(request, agent)
        auth.sessions.end(agent["session"])
        resp = RedirectResponse("/agent/login", status_code=303)
        resp.delete_cookie(SESSION_COOKIE, path="/agent")
        log.info("agent %s logged out", agent["user"])
        return resp

    async def inbox_data() -> dict[str, Any]:
        """From the backend's active live tickets: every replica shows the same queue."""
        try:
            data = await gateway.inbox()
            for item in [*data["queue"], *data["active"], *data["callbacks"]]:
                item["waiting"] = waited(item.get("since"))
                item["reason_text"] = REASONS.get(str(item.get("reason")), str(item.get("reason") or "–"))
                item["channel_text"] = CHANNELS.get(str(item.get("channel")), str(item.get("channel")))
                item["brand_text"] = BRANDS.get(str(item.get("brand")), item.get("brand") or "–")
            for item in [*data["queue"], *data["active"]]:
                item["preview"] = last_user_text(gateway, str(item["id"]))
            return {**data, "error": None}
        except BackendError:
            return {"queue": [], "active": [], "callbacks": [], "error": INBOX_UNAVAILABLE}

    @router.get("", response_class=HTMLResponse)
    async def inbox(request: Request) -> Response:
        agent = auth.current(request)
        if agent is None:
            return to_login()
        return page(request, "inbox.html", agent=agent, **await inbox_data())

    @router.get("/api/inbox")
    async def inbox_json(request: Request) -> Response:
        if auth.current(request) is None:
            return JSONResponse({"detail": "Prijava je potrebna."}, 401)
        return JSONResponse(await inbox_data())

    @router.get("/api/events", response_class=EventStream, responses={200: {
        "description": "`inbox` events (data: the inbox JSON) and a final `logout`",
        "content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA}},
    }})
    async def events(request: Request) -> Response:
        """Server-sent events for the inbox page: an `inbox` event whenever the queue, the active
        conversations or the callback list change (the backend's tickets are read here every few
        seconds, so every replica's consoles see every change), `logout` when the session ends.
        The stream ends after SSE_MAX_SECONDS; EventSource reconnects by itself."""
        if auth.current(request) is None:
            return JSONResponse({"detail": "Prijava je potrebna."}, 401)

        async def stream() -> AsyncIterator[str]:
            last: Any = None
            quiet = 0.0
            started = time.monotonic()
            yield "retry: 3000\n\n"
            while time.monotonic() - started < SSE_MAX_SECONDS:
                if await request.is_disconnected():
                    return
                if auth.current(request, touch=False) is None:
                    yield "event: logout\ndata: {}\n\n"
                    return
                data = await inbox_data()
                snapshot = [[(c["ticket_id"], c.get("assigned_to"), c.get("status")) for c in data[k]]
                            for k in ("queue", "active", "callbacks")]
                if snapshot != last:
                    last, quiet = snapshot, 0.0
                    yield f"event: inbox\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
                elif quiet >= 15:
                    quiet = 0.0
                    yield ": keep-alive\n\n"
                await asyncio.sleep(SSE_CHECK_SECONDS)
                quiet += SSE_CHECK_SECONDS

        return EventStream(stream(),
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def transcript_data(conversation_id: str) -> dict[str, Any] | None:
        conv = await gateway.view(conversation_id) if CONV_ID.match(conversation_id) else None
        if conv is None:
            return None
        data = await gateway.transcript(conversation_id)
        data["handoff"] = conv.handed_off
        data["assigned_to"] = conv.assigned_to
        data["ticket_status"] = conv.status
        return data

    @router.get("/api/c/{conversation_id}/events", response_class=EventStream, responses={200: {
        "description": "`transcript` events (data: the transcript JSON) and a final `logout`",
        "content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA}},
    }})
    async def transcript_events(request: Request, conversation_id: str) -> Response:
        """Server-sent events for an open conversation: a `transcript` event when a message is added
        or the handoff state changes (instead of the page polling), `logout` when the session ends."""
        if auth.current(request) is None:
            return JSONResponse({"detail": "Prijava je potrebna."}, 401)
        if await transcript_data(conversation_id) is None:
            return JSONResponse({"detail": "Pogovora ni."}, 404)

        async def stream() -> AsyncIterator[str]:
            last: Any = None
            started = time.monotonic()
            yield "retry: 3000\n\n"
            while time.monotonic() - started < SSE_MAX_SECONDS:
                if await request.is_disconnected():
                    return
                if auth.current(request, touch=False) is None:
                    yield "event: logout\ndata: {}\n\n"
                    return
                data = await transcript_data(conversation_id)
                if data is None:
                    return
                snapshot = (len(data["items"]), data["handoff"], data["assigned_to"], data["ticket_status"])
                if snapshot != last:
                    last = snapshot
                    yield f"event: transcript\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
                await asyncio.sleep(SSE_CHECK_SECONDS)

        return EventStream(stream(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @router.get("/c/{conversation_id}", response_class=HTMLResponse)
    async def conversation(request: Request, conversation_id: str) -> Response:
        agent = auth.current(request)
        if agent is None:
            return to_login()
        conv = await gateway.view(conversation_id) if CONV_ID.match(conversation_id) else None
        if conv is None:
            return page(request, "message.html", 404, agent=agent, text="Pogovora ni.")
        transcript = await gateway.transcript(conversation_id)
        notice = HANDBACK_MESSAGES.get(request.query_params.get("vrnitev", ""))
        if notice is None and conv.status == "handback_failed":
            notice = HANDBACK_MESSAGES[Handback.resume_failed.value]
        others = sorted(u for u in settings.agent_users if u != agent["user"])
        return page(request, "conversation.html", agent=agent, conv=conv, transcript=transcript, notice=notice,
                    notes=console.notes(conversation_id), canned=console.canned(), others=others,
                    names={u: gateway.display_name(u) for u in others},
                    reason=REASONS.get(str(conv.handoff_reason), conv.handoff_reason or "–"))

    @router.get("/api/c/{conversation_id}/transcript")
    async def transcript_json(request: Request, conversation_id: str) -> Response:
        if auth.current(request) is None:
            return JSONResponse({"detail": "Prijava je potrebna."}, 401)
        data = await transcript_data(conversation_id)
        if data is None:
            return JSONResponse({"detail": "Pogovora ni."}, 404)
        return JSONResponse(data)

    async def action(request: Request, conversation_id: str, what: str) -> Response:
        agent, form = await checked_form(request)
        if agent is None:
            return forbidden(request, agent)
        if not CONV_ID.match(conversation_id) or gateway.store.conversation(conversation_id) is None:
            return JSONResponse({"detail": "Pogovora ni."}, 404)
        if what == "reply":
            await gateway.agent_reply(conversation_id, agent["user"], form.get("text", ""))
        elif what == "note":
            console.add_note(conversation_id, agent["user"], form.get("text", ""))
        elif what == "transfer":
            if not await gateway.transfer(conversation_id, agent["user"], form.get("to", "")):
                return page(request, "message.html", 409, agent=agent,
                            text="Pogovora ni bilo mogoče predati (neznan svetovalec ali pogovor ni več pri svetovalcih).")
            return RedirectResponse("/agent", status_code=303)
        elif what == "claim":
            await gateway.claim(conversation_id, agent["user"])
        elif what in ("handback", "resolve"):
            resolution = "resolved" if what == "resolve" else "handed_back"
            result = await gateway.hand_back(conversation_id, agent["user"], resolution)
            if result in (Handback.done, Handback.conflict, Handback.not_handed_off):
                return RedirectResponse("/agent", status_code=303)
            # Not handed back: the agent stays on the conversation and sees why.
            return RedirectResponse(f"/agent/c/{conversation_id}?vrnitev={result.value}", status_code=303)
        return RedirectResponse(f"/agent/c/{conversation_id}", status_code=303)

    @router.post("/c/{conversation_id}/reply")
    async def reply(request: Request, conversation_id: str) -> Response:
        return await action(request, conversation_id, "reply")

    @router.post("/c/{conversation_id}/claim")
    async def claim(request: Request, conversation_id: str) -> Response:
        return await action(request, conversation_id, "claim")

    @router.post("/c/{conversation_id}/handback")
    async def handback(request: Request, conversation_id: str) -> Response:
        return await action(request, conversation_id, "handback")

    @router.post("/tickets/{ticket_id}/done")
    async def request_done(request: Request, ticket_id: int) -> Response:
        """The callback / message list: "poklical sem" (how=called) or "rešeno" (how=resolved)."""
        agent, form = await checked_form(request)
        if agent is None:
            return forbidden(request, agent)
        if not 1 <= ticket_id <= 2**31 - 1 or not await gateway.close_request(
            ticket_id, agent["user"], form.get("how", "")
        ):
            return page(request, "message.html", 409, agent=agent,
                        text="Zahtevka ni bilo mogoče zaključiti (že zaključen ali ni povratni klic oz. sporočilo).")
        return RedirectResponse("/agent#povratni-klici", status_code=303)

    @router.post("/c/{conversation_id}/note")
    async def note(request: Request, conversation_id: str) -> Response:
        """An internal note: stored for agents, never delivered to the customer."""
        return await action(request, conversation_id, "note")

    @router.post("/c/{conversation_id}/transfer")
    async def transfer(request: Request, conversation_id: str) -> Response:
        return await action(request, conversation_id, "transfer")

    @router.get("/canned", response_class=HTMLResponse)
    async def canned_page(request: Request) -> Response:
        agent = auth.current(request)
        if agent is None:
            return to_login()
        return page(request, "canned.html", agent=agent, canned=console.canned())

    @router.post("/canned")
    async def canned_save(request: Request) -> Response:
        """Add (no id) or edit a canned reply; any agent may, the last editor is recorded."""
        agent, form = await checked_form(request)
        if agent is None:
            return forbidden(request, agent)
        raw_id = form.get("id", "").strip()
        reply_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 10 else None
        if (raw_id and reply_id is None) or not console.save_canned(
            reply_id, form.get("title", ""), form.get("text", ""), agent["user"]
        ):
            return page(request, "canned.html", 422, agent=agent, canned=console.canned(),
                        error="Naslov in besedilo odgovora sta obvezna.")
        return RedirectResponse("/agent/canned", status_code=303)

    @router.post("/canned/{reply_id}/delete")
    async def canned_delete(request: Request, reply_id: int) -> Response:
        agent, _ = await checked_form(request)
        if agent is None:
            return forbidden(request, agent)
        if 1 <= reply_id <= 2**31 - 1:
            console.delete_canned(reply_id)
        return RedirectResponse("/agent/canned", status_code=303)

    @router.get("/search", response_class=HTMLResponse)
    async def search(request: Request) -> Response:
        """By customer number (digits, or B + digits for Butan: the conversations in which that
        customer was verified) or by text in the stored messages."""
        agent = auth.current(request)
        if agent is None:
            return to_login()
        q = request.query_params.get("q", "").strip()[:200]
        results: list[dict[str, Any]] = []
        error = None
        if re.fullmatch(r"B?\d{4,12}", q):
            try:
                results = [{"id": c["conversation_id"], "text": "preverjena stranka " + q, "role": "customer"}
                           for c in await gateway.backend.customer_conversations(q)]
            except BackendError:
                error = INBOX_UNAVAILABLE
        elif q:
            results = console.search_text(q)
            if len(q) < 3:
                error = "Vpišite vsaj 3 znake ali številko stranke."
        return page(request, "search.html", agent=agent, q=q, results=results, error=error)

    @router.post("/c/{conversation_id}/resolve")
    async def resolve(request: Request, conversation_id: str) -> Response:
        """Solved by the agent: like a hand-back (Rasa resumed first), recorded as resolved."""
        return await action(request, conversation_id, "resolve")

    async def report_data(request: Request) -> tuple[dict[str, Any], str | None]:
        first, last, error = report.period(request.query_params.get("od"), request.query_params.get("do"))
        start, end = report.bounds(first, last)
        try:
            feedback: dict[str, Any] | None = await gateway.backend.feedback_report(
                start.isoformat(), end.isoformat(), titles=True)
        except BackendError:
            feedback = None
        try:
            handoffs: dict[str, Any] | None = await gateway.backend.handoff_report(start.isoformat(), end.isoformat())
        except BackendError:
            handoffs = None
        days = report.gateway_days(gateway.store, first, last)
        return report.build(first, last, days, handoffs, feedback), error

    @router.get("/report", response_class=HTMLResponse)
    async def report_page(request: Request) -> Response:
        """Date range (od / do, local days), charts and tables; every rate defined beside it."""
        agent = auth.current(request)
        if agent is None:
            return to_login()
        data, error = await report_data(request)
        return page(request, "report.html", agent=agent, r=data, error=error, charts=report.chart_data(data),
                    pct=report.pct, num=report.num, minutes=report.minutes,
                    channels=gateway.store.per_channel())

    @router.get("/report.csv", response_class=CsvResponse)
    async def report_csv(request: Request) -> Response:
        if auth.current(request) is None:
            return JSONResponse({"detail": "Prijava je potrebna."}, 401)
        data, _ = await report_data(request)
        name = f"porocilo-{data['first']}-{data['last']}.csv"
        return CsvResponse(report.csv_text(data),
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})

    @router.get("/vendor/chart.umd.min.js", response_class=JavaScript)
    async def chart_js() -> Response:
        """Chart.js from node_modules (package-lock.json; scripts/ensure_node_modules.sh installs it)."""
        if not CHART_JS.is_file():
            return JSONResponse({"detail": "Knjižnica za grafe ni nameščena (scripts/ensure_node_modules.sh)."}, 404)
        return JavaScript(CHART_JS, headers={"Cache-Control": "public, max-age=86400"})

    return router


# --- command line -------------------------------------------------------------
def _cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.agent_console")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("hash-password", help="read a password (prompt or stdin) and print its hash for AGENT_USERS")
    end = sub.add_parser("end-sessions", help="log an agent out everywhere (a lost laptop, a leaver)")
    end.add_argument("name")
    dev = sub.add_parser("dev-agent", help="development only: add a demo agent to an env file if it has none")
    dev.add_argument("--env-file", default="var/dev-secrets.env")
    dev.add_argument("--name", default="demo")
    args = parser.parse_args(argv)
    if args.cmd == "hash-password":
        password = getpass.getpass("Geslo: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            print("Geslo mora imeti vsaj 8 znakov.", file=sys.stderr)
            return 2
        print(hash_password(password))
        return 0
    if args.cmd == "end-sessions":
        from bot.config import get_settings
        from bot.store import Store

        store = Store(get_settings().resolved_database_url())
        try:
            ended = AgentSessions(store, 0, 0).end_all(args.name)
        finally:
            store.close()
        print(f"ended {ended} session(s) of agent '{args.name}'")
        return 0
    path = Path(args.env_file)
    text = path.read_text() if path.exists() else ""
    if "AGENT_USERS=" in text:
        print(f"{path} already defines AGENT_USERS; nothing changed")
        return 0
    password = secrets.token_urlsafe(12)
    lines = [
        f"AGENT_USERS={args.name}:{hash_password(password)}",
        f"AGENT_DEMO_USER={args.name}",
        f"AGENT_DEMO_PASSWORD={password}",
    ]
    if "GATEWAY_SESSION_SECRET=" not in text:
        lines.append(f"GATEWAY_SESSION_SECRET={secrets.token_hex(32)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        if text and not text.endswith("\n"):
            fh.write("\n")
        fh.write("\n".join(lines) + "\n")
    path.chmod(0o600)
    print(f"demo agent '{args.name}' added; its password is in {path} (AGENT_DEMO_PASSWORD)")
    return 0


if __name__ == "__main__":
    raise SystemExit(_cli())
