"""Web chat widget channel: session issue, messages, history and a WebSocket for agent pushes.

The session id is issued here (random, 256 bits) and is the only key to a history: the conversation
id Rasa and the agents see is derived from it but does not reveal it, and it is stored only hashed.
With REDIS_URL set, a push is published to every replica (bot/fanout.py) and delivered by the one
that holds the widget's WebSocket; without it, pushes stay in this process.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from typing import Any

from fastapi import APIRouter, Header, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse

from bot.clientref import client_address, client_ref, parse_networks
from bot.fanout import Fanout
from bot.handoff import Gateway, OutMessage
from bot.store import Conversation

log = logging.getLogger("bot.web")
CHANNEL = "web"
MAX_BODY = 200_000
SESSION_UNKNOWN = "Seja klepeta ni veljavna. Osvežite, prosim, stran, da začnete nov pogovor."
BAD_REQUEST = "Sporočila žal nisem mogel prebrati. Poskusite, prosim, znova."


class WebHub:
    """Open widget WebSockets per conversation (in this replica), for live agent messages."""

    def __init__(self, fanout: Fanout | None = None) -> None:
        self.sockets: dict[str, set[WebSocket]] = {}
        self.fanout = fanout

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

    def remove(self, conversation_id: str, ws: WebSocket) -> None:
        sockets = self.sockets.get(conversation_id)
        if sockets is not None:
            sockets.discard(ws)
            if not sockets:
                self.sockets.pop(conversation_id, None)

    async def local_push(self, conversation_id: str, message: dict[str, Any]) -> None:
        for ws in list(self.sockets.get(conversation_id, ())):
            try:
                await ws.send_json({"type": "message", "message": message})
            except Exception:  # a closed tab is not an error
                self.remove(conversation_id, ws)

    async def push(self, conv: Conversation, msg: OutMessage) -> None:
        """Deliverer for the web channel: the turn is already stored; push to open tabs anywhere."""
        payload = {"conversation_id": conv.conversation_id, "message": msg.as_dict()}
        if self.fanout is not None and await self.fanout.publish(payload):
            return
        await self.local_push(conv.conversation_id, payload["message"])  # no Redis (or it is down)


def web_conversation_id(session_id: str) -> str:
    return "web-" + hashlib.sha256(("conv:" + session_id).encode()).hexdigest()[:24]


def build_router(gateway: Gateway, hub: WebHub) -> APIRouter:
    router = APIRouter(prefix="/api/web", tags=["web"])
    settings = gateway.settings
    proxies = parse_networks(settings.trusted_proxies)

    def client_of(request: Request) -> str:
        return client_address(request.client.host if request.client else None, request.headers, proxies)

    def conversation_for(session_id: str | None) -> str | None:
        if not session_id or len(session_id) > 100:
            return None
        return gateway.store.web_conversation(session_id)

    @router.post("/session")
    async def new_session(request: Request) -> JSONResponse:
        """Issue a new unguessable session id (kept by the widget in localStorage)."""
        if not gateway.limiter.hit(settings.session_rate_limit, "session", client_of(request)):
            return JSONResponse({"detail": "Preveč novih pogovorov. Poskusite, prosim, čez minuto."}, 429)
        session_id = secrets.token_urlsafe(32)
        conv_id = web_conversation_id(session_id)
        gateway.store.ensure_conversation(conv_id, CHANNEL, conv_id)
        gateway.store.add_web_session(session_id, conv_id)
        return JSONResponse({"session_id": session_id})

    @router.get("/history")
    async def history(x_session_id: str | None = Header(default=None)) -> JSONResponse:
        """The turns of this session only; any other id gets 404."""
        conv_id = conversation_for(x_session_id)
        if conv_id is None:
            return JSONResponse({"detail": SESSION_UNKNOWN}, 404)
        turns = [
            {"id": t["id"], "role": t["role"], "text": t["text"], "buttons": t["buttons"]}
            for t in gateway.store.turns(conv_id, limit=200)
        ]
        return JSONResponse({"messages": turns, "handoff": await gateway.handed_off(conv_id)})

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
        replies, handed_off = await gateway.handle_with_state(
            CHANNEL,
            conv_id,
            conv_id,
            text=text if isinstance(text, str) else None,
            payload=payload if isinstance(payload, str) else None,
            title=title if isinstance(title, str) else None,
            client_ref=client_ref(settings.client_ref_secret, CHANNEL, client_of(request)),
        )
        return JSONResponse(
            {"messages": [m.as_dict() for m in replies], "handoff": handed_off}
        )

    @router.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        """First frame from the widget: {"session_id": ...}; then the server pushes agent messages."""
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
        await websocket.send_json({"type": "ready"})
        try:
            while True:
                await websocket.receive_text()  # keep-alive pings from the widget
        except WebSocketDisconnect:
            pass
        finally:
            hub.remove(conv_id, websocket)

    return router
