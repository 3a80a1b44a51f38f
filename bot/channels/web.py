"""Web chat widget channel: session issue, messages, history and a WebSocket for agent pushes.

The session id is issued here (random, 256 bits) and is the only key to a history: the conversation
id Rasa and the agents see is derived from it but does not reveal it, and it is stored only hashed.

What the widget needs beyond the text (all additive to the original fields): per message its time
(`created_at`, ISO 8601 with the Ljubljana offset), the agent's display name on agent turns (`author`)
and, for messages with buttons, whether a later user turn answered them (`answered`) and with which
button (`chosen`); per conversation its handoff state and the place in the agents' queue
(`conversation`: {"state": "bot"|"queued"|"assigned", "agent": ..., "queue_position": ...}).

With REDIS_URL set, a push is published to every replica (bot/fanout.py) and delivered by the one
that holds the widget's WebSocket; without it, pushes stay in this process.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse

from bot import bounded
from bot.backend_client import BackendError
from bot.clientref import client_address, client_ref, parse_networks
from bot.fanout import Fanout
from bot.handoff import Gateway, OutMessage
from bot.schemas import REFUSALS, Detail, HistoryOut, MessageIn, MessageOut, SessionOut
from bot.store import Conversation

log = logging.getLogger("bot.web")
CHANNEL = "web"
BRANDS = ("geni", "butan")  # the widget's data-brand values (actions/brand.py)
MAX_WS_FRAME = 4_096  # the first frame is {"session_id": ...}
SESSION_UNKNOWN = "Seja klepeta ni veljavna. Osvežite, prosim, stran, da začnete nov pogovor."
BAD_REQUEST = "Sporočila žal nisem mogel prebrati. Poskusite, prosim, znova."
ZONE = ZoneInfo("Europe/Ljubljana")
# How often an open widget socket re-reads its conversation's handoff state. The claim may happen in
# another process (a second gateway replica, the console elsewhere), so an in-process event alone
# would not reach this socket; one primary-key read every few seconds per open tab does.
STATE_CHECK_SECONDS = 2.0
# Maps the agent login stored on a turn to the name the customer sees.
DisplayName = Callable[[str | None], str | None]


def iso_time(ts: float) -> str:
    """Epoch seconds as ISO 8601 with the Ljubljana offset: the widget shows it in the reader's clock."""
    return datetime.fromtimestamp(ts, ZONE).isoformat(timespec="seconds")


def agent_display_name(login: str | None) -> str | None:
    """What the customer sees as the agent's signature: the console login, capitalised ("ana" -> "Ana")."""
    if not login:
        return None
    return login[:1].upper() + login[1:]


BOT_STATE: dict[str, Any] = {"state": "bot", "agent": None, "queue_position": None}


async def ticket_state(
    gateway: Gateway, ticket: dict[str, Any] | None, display: DisplayName = agent_display_name
) -> dict[str, Any]:
    """Handoff state for the widget from the backend's live ticket; queue_position counts the
    unclaimed live tickets, oldest first (1 = next)."""
    if ticket is None:
        return dict(BOT_STATE)
    if ticket.get("assigned_to"):
        return {"state": "assigned", "agent": display(ticket.get("assigned_to")), "queue_position": None}
    try:
        waiting = [t["id"] for t in sorted(await gateway.backend.tickets(active=True, kind="live"), key=lambda t: t["id"])
                   if not t.get("assigned_to")]
    except BackendError:
        waiting = []
    position = waiting.index(ticket["id"]) + 1 if ticket.get("id") in waiting else None
    return {"state": "queued", "agent": None, "queue_position": position}


def history_messages(
    turns: list[dict[str, Any]], display: DisplayName = agent_display_name
) -> list[dict[str, Any]]:
    """Stored turns as the widget shows them; a button press is stored as its title, which is how
    `chosen` is found again after a reload."""
    out: list[dict[str, Any]] = []
    next_user: str | None = None  # text of the nearest later user turn, None when there is none
    for t in reversed(turns):
        chosen = None
        if next_user is not None:
            for b in t["buttons"]:
                if next_user in (str(b.get("title", ""))[:200], str(b.get("payload", ""))[:200]):
                    chosen = b.get("title")
                    break
        out.append({
            "id": t["id"], "role": t["role"], "text": t["text"], "buttons": t["buttons"],
            "created_at": iso_time(float(t["created_at"])),
            "author": display(t.get("author")) if t["role"] == "agent" else None,
            "answered": next_user is not None,
            "chosen": chosen,
        })
        if t["role"] == "user":
            next_user = t["text"]
    out.reverse()
    return out


class WebHub:
    """Open widget WebSockets (in this replica), for live agent messages and handoff-state changes.

    With Redis a push is published to every replica and delivered by the one holding the socket.
    """

    def __init__(self, fanout: Fanout | None = None) -> None:
        self.sockets: dict[str, set[WebSocket]] = {}
        self._locks: dict[WebSocket, asyncio.Lock] = {}
        self.fanout = fanout
        self.gateway: Gateway | None = None
        self.display: DisplayName = agent_display_name

    def attach(self, gateway: Gateway, display: DisplayName = agent_display_name) -> None:
        """Where frames read the stored turn and the handoff state from (set by build_router)."""
        self.gateway = gateway
        self.display = display

    def start(self) -> None:
        """Subscribe to the other replicas' deliveries (no-op without Redis)."""
        if self.fanout is not None:
            self.fanout.start(self._from_fanout)

    async def _from_fanout(self, payload: dict[str, Any]) -> None:
        conv_id, message = payload.get("conversation_id"), payload.get("message")
        if isinstance(conv_id, str) and isinstance(message, dict):
            await self.local_push(conv_id, message)

    def add(self, conversation_id: str, ws: WebSocket) -> None:
        self.sockets.setdefault(conversation_id, set()).add(ws)
        self._locks.setdefault(ws, asyncio.Lock())

    def remove(self, conversation_id: str, ws: WebSocket) -> None:
        sockets = self.sockets.get(conversation_id)
        if sockets is not None:
            sockets.discard(ws)
            if not sockets:
                self.sockets.pop(conversation_id, None)
        self._locks.pop(ws, None)

    async def state(self, conversation_id: str) -> dict[str, Any]:
        """The widget's view of the backend's handoff ticket (the truth, shared by every replica)."""
        if self.gateway is None:
            return dict(BOT_STATE)
        try:
            ticket = await self.gateway.active_ticket(conversation_id)
            return await ticket_state(self.gateway, ticket, self.display)
        except BackendError:
            return dict(BOT_STATE)

    async def send(self, conversation_id: str, ws: WebSocket, frame: dict[str, Any]) -> None:
        """One frame to one socket; the lock keeps a push and the state watcher from interleaving."""
        lock = self._locks.setdefault(ws, asyncio.Lock())
        try:
            async with lock:
                await ws.send_json(frame)
        except Exception:  # a closed tab is not an error
            self.remove(conversation_id, ws)

    def _message(self, conversation_id: str, msg: OutMessage) -> dict[str, Any]:
        """The pushed message with the stored turn's time and author (the turn is stored before delivery)."""
        data = msg.as_dict()
        data["id"] = None
        data["created_at"] = iso_time(time.time())
        data["author"] = None
        if self.gateway is not None:
            for t in reversed(self.gateway.store.turns(conversation_id, limit=5)):
                if t["role"] == msg.role and t["text"] == msg.text:
                    data["id"] = t["id"]
                    data["created_at"] = iso_time(float(t["created_at"]))
                    if msg.role == "agent":
                        data["author"] = self.display(t.get("author"))
                    break
        return data

    async def local_push(self, conversation_id: str, message: dict[str, Any]) -> None:
        """Deliver to this replica's sockets of the conversation, with the current handoff state."""
        sockets = list(self.sockets.get(conversation_id, ()))
        if not sockets:
            return
        frame = {"type": "message", "message": message, "conversation": await self.state(conversation_id)}
        for ws in sockets:
            await self.send(conversation_id, ws, frame)

    async def push(self, conv: Conversation, msg: OutMessage) -> None:
        """Deliverer for the web channel: the turn is already stored; push to open tabs anywhere."""
        message = self._message(conv.conversation_id, msg)
        if self.fanout is not None and await self.fanout.publish({"conversation_id": conv.conversation_id,
                                                                  "message": message}):
            return
        await self.local_push(conv.conversation_id, message)  # no Redis (or it is down)

    async def push_state(self, conversation_id: str) -> None:
        """A state-only frame (e.g. right after a claim) for callers that know the state changed."""
        frame = {"type": "state", "conversation": await self.state(conversation_id)}
        for ws in list(self.sockets.get(conversation_id, ())):
            await self.send(conversation_id, ws, frame)


def web_conversation_id(session_id: str) -> str:
    return "web-" + hashlib.sha256(("conv:" + session_id).encode()).hexdigest()[:24]


def build_router(gateway: Gateway, hub: WebHub) -> APIRouter:
    router = APIRouter(prefix="/api/web", tags=["web"])
    hub.attach(gateway, gateway.display_name)
    settings = gateway.settings
    proxies = parse_networks(settings.trusted_proxies)

    def client_of(request: Request) -> str:
        return client_address(request.client.host if request.client else None, request.headers, proxies)

    def conversation_for(session_id: str | None) -> str | None:
        """The session's conversation; None (404: the widget starts a new session) for an unknown
        session and for one idle longer than GATEWAY_WEB_HISTORY_HOURS, whose history is deleted."""
        if not session_id or len(session_id) > 100:
            return None
        found = gateway.store.web_session_activity(session_id)
        if found is None:
            return None
        conv_id, last = found
        if time.time() - last > settings.web_history_hours * 3600:
            gateway.forget_conversation(conv_id)
            log.info("web session of %s expired: history deleted", conv_id)
            return None
        return conv_id

    @router.post("/session", response_model=SessionOut,
                 responses={429: {"model": Detail, "description": "too many new sessions from this address"}})
    async def new_session(request: Request) -> JSONResponse:
        """Issue a new unguessable session id (kept by the widget in localStorage)."""
        if not gateway.limiter.hit(settings.session_rate_limit, "session", client_of(request)):
            return JSONResponse({"detail": "Preveč novih pogovorov. Poskusite, prosim, čez minuto."}, 429)
        session_id = secrets.token_urlsafe(32)
        conv_id = web_conversation_id(session_id)
        gateway.store.ensure_conversation(conv_id, CHANNEL, conv_id)
        gateway.store.add_web_session(session_id, conv_id)
        return JSONResponse({"session_id": session_id})

    @router.get("/history", response_model=HistoryOut, responses={404: REFUSALS[404]})
    async def history(x_session_id: str | None = Header(default=None)) -> JSONResponse:
        """The turns of this session only; any other id gets 404."""
        conv_id = conversation_for(x_session_id)
        if conv_id is None:
            return JSONResponse({"detail": SESSION_UNKNOWN}, 404)
        ticket: dict[str, Any] | None = None
        try:
            ticket = await gateway.active_ticket(conv_id)
        except BackendError:
            pass
        turns = history_messages(gateway.store.turns(conv_id, limit=200), hub.display)
        return JSONResponse({
            "messages": turns,
            "handoff": ticket is not None,
            "conversation": await ticket_state(gateway, ticket, hub.display),
        })

    @router.post("/message", response_model=MessageOut, responses=REFUSALS, openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": MessageIn.model_json_schema()}}}})
    async def message(request: Request, x_session_id: str | None = Header(default=None)) -> JSONResponse:
        """{"text": ...} typed, or {"payload": ..., "title": ...} for a button press."""
        conv_id = conversation_for(x_session_id)
        if conv_id is None:
            return JSONResponse({"detail": SESSION_UNKNOWN}, 404)
        raw = await request.body()  # at most GATEWAY_MAX_BODY_BYTES (bounded.BodyLimit)
        try:
            data: Any = bounded.loads(raw or b"{}", settings.max_json_depth)
        except bounded.JsonRefused:
            data = None
        if not isinstance(data, dict):
            # the same shape as every reply (schemathesis found this one without time or state)
            return JSONResponse({
                "messages": [{**OutMessage(BAD_REQUEST, role="system").as_dict(), "created_at": iso_time(time.time())}],
                "handoff": False, "conversation": dict(BOT_STATE)})
        text = data.get("text")
        payload = data.get("payload")
        title = data.get("title")
        brand = data.get("brand") if data.get("brand") in BRANDS else None
        replies, handed_off = await gateway.handle_with_state(
            CHANNEL,
            conv_id,
            conv_id,
            text=text if isinstance(text, str) else None,
            payload=payload if isinstance(payload, str) else None,
            title=title if isinstance(title, str) else None,
            client_ref=client_ref(settings.client_ref_secret, CHANNEL, client_of(request)),
            metadata={"brand": brand} if brand else None,
        )
        now = iso_time(time.time())
        return JSONResponse({
            "messages": [{**m.as_dict(), "created_at": now} for m in replies],
            "handoff": handed_off,
            "conversation": await hub.state(conv_id) if handed_off else dict(BOT_STATE),
        })

    async def watch_state(conv_id: str, websocket: WebSocket, last: dict[str, Any]) -> None:
        """Sends a state frame whenever the handoff state or the queue position changes."""
        while True:
            await asyncio.sleep(STATE_CHECK_SECONDS)
            state = await hub.state(conv_id)
            if state != last:
                last = state
                await hub.send(conv_id, websocket, {"type": "state", "conversation": state})

    @router.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        """First frame from the widget: {"session_id": ...}; then the server pushes agent messages
        and handoff-state changes ({"type": "state", "conversation": {...}})."""
        await websocket.accept()
        try:
            frame = await asyncio.wait_for(websocket.receive_text(), timeout=10)
            if len(frame) > MAX_WS_FRAME:
                raise bounded.JsonRefused("first frame too long")
            first = bounded.loads(frame, settings.max_json_depth)
        except (asyncio.TimeoutError, WebSocketDisconnect, ValueError, KeyError):
            await websocket.close(code=1008)
            return
        conv_id = conversation_for(first.get("session_id") if isinstance(first, dict) else None)
        if conv_id is None:
            await websocket.send_json({"type": "error", "detail": SESSION_UNKNOWN})
            await websocket.close(code=1008)
            return
        hub.add(conv_id, websocket)
        state = await hub.state(conv_id)
        await hub.send(conv_id, websocket, {"type": "ready", "conversation": state})
        watcher = asyncio.create_task(watch_state(conv_id, websocket, state))
        try:
            while True:
                await websocket.receive_text()  # keep-alive pings from the widget
        except WebSocketDisconnect:
            pass
        finally:
            watcher.cancel()
            hub.remove(conv_id, websocket)

    return router
