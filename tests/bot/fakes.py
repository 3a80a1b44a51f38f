"""Local stand-ins for Rasa (REST channel + tracker API) and the Telegram Bot API, on free loopback ports."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from devtools.servers import free_port

HANDOFF_TEXT = "Povezujem vas s svetovalcem. Počakajte, prosim, pogovor bo prevzel v nekaj minutah."
ERASED_TEXT = "Zgodovino tega pogovora sem izbrisal. Če me boste še kaj vprašali, začneva znova."
FEEDBACK_BUTTONS = [{"title": "Da", "payload": "/affirm"}, {"title": "Ne", "payload": "/deny"}]


class ThreadServer:
    """uvicorn in a background thread: real HTTP on 127.0.0.1."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class FakeRasa:
    """Canned replies like the real bot's, a pause on handoff, and the token-protected tracker API."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.received: list[tuple[str, str]] = []
        self.metadata: list[dict[str, Any]] = []
        self.resume_fails = 0  # answer this many resume calls with 503 (Rasa restarting)
        self.resumed: list[str] = []
        self.paused: set[str] = set()
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.down = False
        self.app = FastAPI()
        self.app.post("/webhooks/rest/webhook")(self.webhook)
        self.app.get("/conversations/{sender}/tracker")(self.tracker)
        self.app.post("/conversations/{sender}/tracker/events")(self.append_event)

    def reply_for(self, message: str) -> list[dict[str, Any]]:
        low = message.lower()
        if low.startswith("ponovi: "):
            return [{"text": message[len("ponovi: "):]}]
        if "svetoval" in low or "človek" in low:
            return [{"text": HANDOFF_TEXT}, {"custom": {"handoff": {"kind": "live", "reason": "request"}}}]
        if "izbriši moje podatke" in low:  # as actions/feedback.py's action_erase_history answers
            return [{"text": ERASED_TEXT}, {"custom": {"erase": {"conversation": True}}}]
        if message == "/affirm":
            return [{"text": "Hvala za oceno! Vesel sem, da sem vam lahko pomagal."}]
        if message == "/deny":
            return [{"text": "Hvala za oceno, žal mi je, da vam nisem pomagal."}]
        if "geslo" in low:
            return [
                {"text": "Na strani https://moj.gen-i.si kliknite »Pozabil sem geslo«, nato sledite povezavi."},
                {"text": "Vam je bil odgovor v pomoč?", "buttons": FEEDBACK_BUTTONS},
            ]
        if "podobno" in low:  # an answer that merely begins like a miss (no marker)
            return [{"text": "Nisem prepričan, kaj točno vas zanima, zato navajam vse možnosti: …"}]
        if "xyzzy" in low:  # as actions/fallback.py answers a miss: the marker, then the question
            return [{"custom": {"fallback": {"kind": "nlu"}}},
                    {"text": "Nisem prepričan, kaj točno vas zanima. Ste mislili kaj od tega?",
                     "buttons": [{"title": "Pozabljeno geslo", "payload": "Pozabljeno geslo"},
                                 {"title": "Nič od tega", "payload": "/deny"}]},
                    {"custom": {"fallback": True}}]
        return [{"text": f"Odgovor pomočnika na: {message[:400]}"}]

    async def webhook(self, request: Request) -> JSONResponse:
        if self.down:
            return JSONResponse({"error": "down"}, 503)
        body = await request.json()
        sender, message = body["sender"], body["message"]
        self.received.append((sender, message))
        self.metadata.append(body.get("metadata") or {})
        if sender in self.paused:
            return JSONResponse([])
        now = time.time()
        events = self.events.setdefault(sender, [])
        events.append({"event": "user", "text": message, "timestamp": now})
        replies = self.reply_for(message)
        for i, r in enumerate(replies):
            if r.get("text"):
                events.append({"event": "bot", "text": r["text"], "timestamp": now + 0.001 * (i + 1),
                               "data": {"buttons": r.get("buttons")}})
            if "handoff" in (r.get("custom") or {}):
                self.paused.add(sender)
        return JSONResponse([{"recipient_id": sender, **r} for r in replies])

    async def tracker(self, sender: str, request: Request) -> JSONResponse:
        if request.query_params.get("token") != self.token:
            return JSONResponse({"message": "unauthorized"}, 401)
        return JSONResponse({
            "sender_id": sender,
            "slots": {"customer_masked": "a***@e***.si"},
            "paused": sender in self.paused,
            "events": self.events.get(sender, []),
        })

    async def append_event(self, sender: str, request: Request) -> JSONResponse:
        if request.query_params.get("token") != self.token:
            return JSONResponse({"message": "unauthorized"}, 401)
        body = await request.json()
        events = body if isinstance(body, list) else [body]
        names = [e.get("event") for e in events if isinstance(e, dict)]
        if "resume" in names and self.resume_fails > 0:
            self.resume_fails -= 1
            return JSONResponse({"message": "unavailable"}, 503)
        if "resume" in names:
            self.paused.discard(sender)
            self.resumed.append(sender)
        return JSONResponse({"sender_id": sender})


class FakeTelegram:
    """The few Bot API methods python-telegram-bot calls, recorded; getUpdates serves queued updates."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/bot{token}/{method}")(self.method)
        self._message_id = 100

    def sent(self) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == "sendMessage"]

    async def method(self, token: str, method: str, request: Request) -> JSONResponse:
        if token != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        ctype = request.headers.get("content-type", "")
        params: dict[str, Any] = {}
        if "json" in ctype:
            params = await request.json()
        elif ctype:
            params = {k: v for k, v in (await request.form()).items()}
        for key in ("reply_markup", "allowed_updates"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        self.calls.append((method, params))
        if method == "getMe":
            result: Any = {"id": 4242, "is_bot": True, "first_name": "Pomočnik", "username": "mojgeni_test_bot",
                           "can_join_groups": False, "can_read_all_group_messages": False,
                           "supports_inline_queries": False}
        elif method == "getUpdates":
            offset = int(params.get("offset") or 0)
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if not pending:
                await asyncio.sleep(0.2)
            result = pending
        elif method == "sendMessage":
            self._message_id += 1
            result = {"message_id": self._message_id, "date": int(time.time()),
                      "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": params.get("text", "")}
        else:
            result = True
        return JSONResponse({"ok": True, "result": result})
