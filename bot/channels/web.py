"""Web chat widget channel: session issue, messages, history and a WebSocket for agent pushes.

The session id is issued here (random, 256 bits) and is the only key to a history: the conversation
id Rasa and the agents see is derived from it but does not reveal it, and it is stored only hashed.

What the widget needs beyond the text (all additive to the original fields): per message its time
(`created_at`, ISO 8601 with the Ljubljana offset), the agent's display name on agent turns (`author`)
and, for messages with buttons, whether a later user turn answered them (`answered`) and with which
button (`chosen`); per conversation its handoff state and the place in the agents' queue
(`conversation`: {"state": "bot"|"queued"|"assigned", "agent": ..., "queue_position": ...}).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from bot.handoff import Gateway, OutMessage
from bot.store import Conversation, Store

log = logging.getLogger("bot.web")
CHANNEL = "web"
MAX_BODY = 200_000
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


def conversation_state(
    store: Store, conv: Conversation | None, display: DisplayName = agent_display_name
) -> dict[str, Any]:
    """Handoff state for the widget; queue_position counts unclaimed handoffs, oldest first (1 = next)."""
    if conv is None or not conv.handed_off:
        return {"state": "bot", "agent": None, "queue_position": None}
    if conv.assigned_to:
        return {"state": "assigned", "agent": display(conv.assigned_to), "queue_position": None}
    waiting = [c.conversation_id for c in store.conversations_in_handoff() if not c.assigned_to]
    position = waiting.index(conv.conversation_id) + 1 if conv.conversation_id in waiting else None
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
    """Open widget WebSockets per conversation, for live agent messages and handoff-state changes."""

    def __init__(self) -> None:
        self.sockets: dict[str, set[WebSocket]] = {}
        self._locks: dict[WebSocket, asyncio.Lock] = {}
        self.store: Store | None = None
        self.display: DisplayName = agent_display_name

    def attach(self, store: Store, display: DisplayName = agent_display_name) -> None:
        """The store that frames read the stored turn and the handoff state from (set by build_router)."""
        self.store = store
        self.display = display

    def add(self, conversation_id: str, ws: WebSocket) -> None:
        self.sockets.setdefault(conversation_id, set()).add(ws)
        self._locks.setdefault(ws, asyncio.Lock())

    def remove(self, conversation_id: str, ws: WebSocket) -> None:
        self.sockets.get(conversation_id, set()).discard(ws)
        self._locks.pop(ws, None)

    def state(self, conversation_id: str) -> dict[str, Any]:
        if self.store is None:
            return {"state": "bot", "agent": None, "queue_position": None}
        return conversation_state(self.store, self.store.conversation(conversation_id), self.display)

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
        if self.store is not None:
            for t in reversed(self.store.turns(conversation_id, limit=5)):
                if t["role"] == msg.role and t["text"] == msg.text:
                    data["id"] = t["id"]
                    data["created_at"] = iso_time(float(t["created_at"]))
                    if msg.role == "agent":
                        data["author"] = self.display(t.get("author"))
                    break
        return data

    async def push(self, conv: Conversation, msg: OutMessage) -> None:
        """Deliverer for the web channel: the turn is already stored; push to open tabs."""
        sockets = list(self.sockets.get(conv.conversation_id, ()))
        if not sockets:
            return
        frame = {
            "type": "message",
            "message": self._message(conv.conversation_id, msg),
            "conversation": self.state(conv.conversation_id),
        }
        for ws in sockets:
            await self.send(conv.conversation_id, ws, frame)

    async def push_state(self, conversation_id: str) -> None:
        """A state-only frame (e.g. right after a claim) for callers that know the state changed."""
        frame = {"type": "state", "conversation": self.state(conversation_id)}
        for ws in list(self.sockets.get(conversation_id, ())):
            await self.send(conversation_id, ws, frame)


def web_conversation_id(session_id: str) -> str:
    return "web-" + hashlib.sha256(("conv:" + session_id).encode()).hexdigest()[:24]


def build_router(gateway: Gateway, hub: WebHub) -> APIRouter:
    router = APIRouter(prefix="/api/web", tags=["web"])
    hub.attach(gateway.store)
    sessions_limiter = MovingWindowRateLimiter(MemoryStorage())
    sessions_limit = parse(gateway.settings.session_rate_limit)

    def conversation_for(session_id: str | None) -> str | None:
        if not session_id or len(session_id) > 100:
            return None
        return gateway.store.web_conversation(session_id)

    @router.post("/session")
    async def new_session(request: Request) -> JSONResponse:
        """Issue a new unguessable session id (kept by the widget in localStorage)."""
        client = request.client.host if request.client else "?"
        if not sessions_limiter.hit(sessions_limit, "session", client):
            return JSONResponse({"detail": "Preveč novih pogovorov. Poskusite, prosim, čez minuto."}, 429)
        session_id = secrets.token_urlsafe(32)
        conv_id = web_conversation_id(session_id)
        gateway.store.add_web_session(session_id, conv_id)
        gateway.store.ensure_conversation(conv_id, CHANNEL, conv_id)
        return JSONResponse({"session_id": session_id})

    @router.get("/history")
    async def history(x_session_id: str | None = Header(default=None)) -> JSONResponse:
        """The turns of this session only; any other id gets 404."""
        conv_id = conversation_for(x_session_id)
        if conv_id is None:
            return JSONResponse({"detail": SESSION_UNKNOWN}, 404)
        conv = gateway.store.conversation(conv_id)
        turns = history_messages(gateway.store.turns(conv_id, limit=200), hub.display)
        return JSONResponse({
            "messages": turns,
            "handoff": bool(conv and conv.handed_off),
            "conversation": conversation_state(gateway.store, conv, hub.display),
        })

    @router.post("/message")
    async def message(request: Request, x_session_id: str | None = Header(default=None)) -> JSONResponse:
        """{"text": ...} typed, or {"payload": ..., "title": ...} for a button press."""
        conv_id = conversation_for(x_session_id)
        if conv_id is None:
            return JSONResponse({"detail": SESSION_UNKNOWN}, 404)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            data: Any = {"text": raw[:MAX_BODY].decode("utf-8", "replace")}
        else:
            try:
                data = json.loads(raw.decode("utf-8", "replace") or "{}")
            except ValueError:
                data = None
        if not isinstance(data, dict):
            return JSONResponse({"messages": [OutMessage(BAD_REQUEST, role="system").as_dict()]})
        text = data.get("text")
        payload = data.get("payload")
        title = data.get("title")
        replies = await gateway.handle(
            CHANNEL,
            conv_id,
            conv_id,
            text=text if isinstance(text, str) else None,
            payload=payload if isinstance(payload, str) else None,
            title=title if isinstance(title, str) else None,
        )
        conv = gateway.store.conversation(conv_id)
        now = iso_time(time.time())
        return JSONResponse({
            "messages": [{**m.as_dict(), "created_at": now} for m in replies],
            "handoff": bool(conv and conv.handed_off),
            "conversation": conversation_state(gateway.store, conv, hub.display),
        })

    async def watch_state(conv_id: str, websocket: WebSocket, last: dict[str, Any]) -> None:
        """Sends a state frame whenever the handoff state or the queue position changes."""
        while True:
            await asyncio.sleep(STATE_CHECK_SECONDS)
            state = hub.state(conv_id)
            if state != last:
                last = state
                await hub.send(conv_id, websocket, {"type": "state", "conversation": state})

    @router.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        """First frame from the widget: {"session_id": ...}; then the server pushes agent messages
        and handoff-state changes ({"type": "state", "conversation": {...}})."""
        await websocket.accept()
        try:
            first = await asyncio.wait_for(websocket.receive_json(), timeout=10)
        except (asyncio.TimeoutError, WebSocketDisconnect, ValueError, KeyError):
            await websocket.close(code=1008)
            return
        conv_id = conversation_for(first.get("session_id") if isinstance(first, dict) else None)
        if conv_id is None:
            await websocket.send_json({"type": "error", "detail": SESSION_UNKNOWN})
            await websocket.close(code=1008)
            return
        hub.add(conv_id, websocket)
        state = hub.state(conv_id)
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
