"""Routing between the user, Rasa and the agents: the gateway's core, shared by every channel.

While a conversation is handed off, Rasa 3.6 has paused it and runs no actions, so routing has to
happen here, in front of Rasa: user messages go to the agent inbox (stored, shown live in the
console), agent replies go out on the user's own channel, and handing back resumes Rasa.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from bot.backend_client import BackendClient, BackendError
from bot.config import Settings
from bot.neutralise import clean_user_text, too_long_notice
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.store import Conversation, Store

log = logging.getLogger("bot.handoff")

RATE_LIMITED = (
    "Prejeli smo veliko sporočil v kratkem času. Počakajte, prosim, minuto in nato poskusite znova."
)
RASA_DOWN = (
    "Virtualni pomočnik trenutno žal ni dosegljiv. Poskusite, prosim, znova čez nekaj minut ali pokličite "
    "naše svetovalce na brezplačno številko 080 1558."
)
HANDBACK_NOTICE = "Pogovor je znova prevzel virtualni pomočnik."


@dataclass
class OutMessage:
    """One message to show the user: from the bot, an agent, or a gateway notice (system)."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    role: str = "bot"

    def as_dict(self) -> dict[str, Any]:
        return {"role": self.role, "text": self.text, "buttons": self.buttons}


Deliverer = Callable[[Conversation, OutMessage], Awaitable[None]]


def conversation_key(channel: str, address: str) -> str:
    """Stable, non-reversible conversation id for an address (phone numbers never become ids)."""
    digest = hashlib.sha256(f"{channel}:{address}".encode()).hexdigest()[:24]
    return f"{channel}-{digest}"


class Gateway:
    """Channel-independent message handling, handoff state and the agent inbox."""

    def __init__(self, settings: Settings, store: Store, rasa: RasaClient, backend: BackendClient) -> None:
        self.settings = settings
        self.store = store
        self.rasa = rasa
        self.backend = backend
        self.deliverers: dict[str, Deliverer] = {}
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._limit: RateLimitItem = parse(settings.rate_limit)

    # --- user side ----------------------------------------------------------
    def allowed(self, conversation_id: str) -> bool:
        """Per-sender rate limit (moving window)."""
        return self._limiter.hit(self._limit, "msg", conversation_id)

    def offered_payloads(self, conversation_id: str) -> set[str]:
        """Payloads of buttons this conversation was actually shown (recent bot turns)."""
        return {
            b.get("payload", "")
            for t in self.store.turns(conversation_id, limit=60)
            if t["role"] == "bot"
            for b in t["buttons"]
        }

    async def handle(
        self,
        channel: str,
        conversation_id: str,
        address: str,
        text: str | None = None,
        payload: str | None = None,
        title: str | None = None,
    ) -> list[OutMessage]:
        """One user message in; the replies to show out (empty while an agent has the conversation)."""
        conv = self.store.ensure_conversation(conversation_id, channel, address)
        if not self.allowed(conversation_id):
            return [OutMessage(RATE_LIMITED, role="system")]

        if payload is not None and payload not in self.offered_payloads(conversation_id):
            # A payload the bot never offered is typed text in disguise: treat it as such.
            text, payload = payload, None
        notices: list[OutMessage] = []
        if payload is not None:
            shown = (title or payload)[:200]
            to_rasa = payload
        else:
            cleaned = clean_user_text(text, self.settings.max_message_chars)
            if cleaned.reply is not None or cleaned.text is None:
                return [OutMessage(cleaned.reply or "", role="system")]
            shown = cleaned.text
            to_rasa = cleaned.text
            if cleaned.truncated:
                notices.append(OutMessage(too_long_notice(self.settings.max_message_chars), role="system"))

        if conv.handed_off:
            self.store.add_turn(conversation_id, "user", shown, during_handoff=True)
            return notices

        self.store.add_turn(conversation_id, "user", shown)
        try:
            replies = await self.rasa.send(conversation_id, to_rasa, {"channel": channel})
        except RasaUnavailable:
            msg = OutMessage(RASA_DOWN, role="system")
            self.store.add_turn(conversation_id, "system", msg.text)
            return [*notices, msg]

        out: list[OutMessage] = list(notices)
        handoff: dict[str, Any] | None = None
        fallback = False
        for m in replies:
            custom = m.get("custom")
            # machine-readable notes from the actions (never shown: they carry no text)
            if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
                handoff = custom["handoff"]
            if isinstance(custom, dict) and isinstance(custom.get("fallback"), dict):
                fallback = True
            body = m.get("text")
            if not isinstance(body, str) or not body:
                continue
            buttons = [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in m.get("buttons") or []
                if isinstance(b, dict)
            ]
            out.append(OutMessage(body, buttons))
        self.store.count(conversation_id, forwarded=1, fallbacks=int(fallback))
        for reply in out:
            if reply.role == "bot":
                self.store.add_turn(conversation_id, "bot", reply.text, reply.buttons)
        bot_messages = [m for m in out if m.role == "bot"]
        if bot_messages:
            # Only the latest reply's buttons can be chosen by number (SMS) or index (Telegram).
            self.store.update_conversation(conversation_id, last_buttons=bot_messages[-1].buttons)
        if handoff is not None and handoff.get("kind", "live") == "live":
            await self.start_handoff(conv, str(handoff.get("reason") or "request"))
        return out

    async def start_handoff(self, conv: Conversation, reason: str) -> None:
        """Queue for an agent: backend ticket + routing switch. Idempotent per conversation."""
        if not self.store.start_handoff(conv.conversation_id, None, reason):
            return
        recent = [t["text"] for t in self.store.turns(conv.conversation_id, limit=10) if t["role"] == "user"]
        try:
            ticket = await self.backend.create_ticket(
                conv.conversation_id, conv.channel, reason, "live",
                brand=self.settings.default_brand, summary="\n".join(recent[-5:]) or None,
            )
            self.store.update_conversation(conv.conversation_id, ticket_id=int(ticket["id"]))
        except BackendError:
            log.warning("handoff ticket not created for %s; routing to agents anyway", conv.conversation_id)
        log.info("conversation %s handed off (%s, %s)", conv.conversation_id, conv.channel, reason)

    # --- agent side ---------------------------------------------------------
    async def deliver(self, conv: Conversation, msg: OutMessage) -> bool:
        deliverer = self.deliverers.get(conv.channel)
        if deliverer is None:
            log.warning("no deliverer for channel %s", conv.channel)
            return False
        try:
            await deliverer(conv, msg)
        except Exception as exc:  # a channel failing must not lose the stored turn
            log.warning("delivery on %s failed: %s", conv.channel, type(exc).__name__)
            return False
        return True

    async def claim(self, conversation_id: str, agent: str) -> None:
        conv = self.store.conversation(conversation_id)
        if conv is None or not conv.handed_off or conv.assigned_to == agent:
            return
        self.store.update_conversation(conversation_id, assigned_to=agent)
        if conv.ticket_id:
            try:
                await self.backend.update_ticket(conv.ticket_id, status="assigned", assigned_to=agent)
            except BackendError:
                pass

    async def agent_reply(self, conversation_id: str, agent: str, text: str) -> bool:
        """Store the agent's reply and send it on the user's own channel."""
        conv = self.store.conversation(conversation_id)
        text = text.strip()[:4000]
        if conv is None or not conv.handed_off or not text:
            return False
        await self.claim(conversation_id, agent)
        self.store.add_turn(conversation_id, "agent", text, during_handoff=True, author=agent)
        return await self.deliver(conv, OutMessage(text, role="agent"))

    async def hand_back(self, conversation_id: str, agent: str) -> bool:
        """Close the ticket, resume Rasa, tell the user, route to Rasa again."""
        conv = self.store.conversation(conversation_id)
        if conv is None or not self.store.end_handoff(conversation_id):
            return False
        if conv.ticket_id:
            try:
                await self.backend.update_ticket(conv.ticket_id, status="closed", assigned_to=agent)
            except BackendError:
                pass
        if not await self.rasa.resume(conversation_id):
            log.warning("rasa resume failed for %s", conversation_id)
        self.store.add_turn(conversation_id, "system", HANDBACK_NOTICE, during_handoff=True, author=agent)
        await self.deliver(conv, OutMessage(HANDBACK_NOTICE, role="system"))
        log.info("conversation %s handed back", conversation_id)
        return True

    async def transcript(self, conversation_id: str) -> dict[str, Any]:
        """Whole conversation for the console: Rasa's tracker (bot + user turns) + handoff turns."""
        tracker = await self.rasa.tracker(conversation_id)
        items: list[dict[str, Any]] = []
        for ev in tracker.get("events") or []:
            if ev.get("event") == "user" and ev.get("text"):
                items.append({"role": "user", "text": ev["text"], "at": float(ev.get("timestamp") or 0)})
            elif ev.get("event") == "bot" and ev.get("text"):
                buttons = (ev.get("data") or {}).get("buttons") or []
                items.append(
                    {"role": "bot", "text": ev["text"], "buttons": buttons, "at": float(ev.get("timestamp") or 0)}
                )
        source = "rasa" if items else "gateway"
        for t in self.store.turns(conversation_id, only_handoff=bool(items)):
            if items and t["role"] == "bot":
                continue
            items.append(
                {"role": t["role"], "text": t["text"], "buttons": t["buttons"], "at": t["created_at"],
                 "author": t["author"]}
            )
        items.sort(key=lambda i: i["at"])
        slots = tracker.get("slots") or {}
        masked = slots.get("customer_masked")
        return {
            "conversation_id": conversation_id,
            "source": source,
            "customer_masked": str(masked) if masked else None,
            "items": items,
            "generated_at": time.time(),
        }
