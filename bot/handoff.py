"""Routing between the user, Rasa and the agents: the gateway's core, shared by every channel.

While a conversation is handed off, Rasa 3.6 has paused it and runs no actions, so routing has to
happen here, in front of Rasa: user messages go to the agent inbox (stored, shown live in the
console), agent replies go out on the user's own channel, and handing back resumes Rasa.

Whether a person has the conversation is decided in one place: the backend's live handoff ticket
(open / assigned / handback_failed = a person has it). Every replica asks the backend on every user
message, so two gateway replicas can never disagree, and a hand-back closes the ticket only after
Rasa has been resumed: otherwise the user's next messages would vanish into a paused Rasa.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot import privacy
from bot.backend_client import BackendClient, BackendConflict, BackendError
from bot.config import Settings
from bot.console_texts import (
    RESOLVED_NOTICE,
    SATISFACTION_ALREADY,
    SATISFACTION_FAILED,
    SATISFACTION_PREFIX,
    SATISFACTION_QUESTION,
    SATISFACTION_THANKS,
    claim_notice,
    parse_satisfaction,
    satisfaction_buttons,
)
from bot.dedup import Deduplicator
from bot.erasure import TrackerEvents, TrackerUnavailable
from bot.neutralise import clean_user_text, too_long_notice
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.ratelimit import Limiter
from bot.store import Conversation, Store

log = logging.getLogger("bot.handoff")

RATE_LIMITED = (
    "Prejeli smo veliko sporočil v kratkem času. Počakajte, prosim, minuto in nato poskusite znova."
)
RASA_DOWN = (
    "Virtualni pomočnik trenutno žal ni dosegljiv. Poskusite, prosim, znova čez nekaj minut ali pokličite "
    "naše svetovalce na brezplačno številko 080 1558."
)
STATE_UNKNOWN = (
    "Vašega sporočila trenutno žal ne morem posredovati. Poskusite, prosim, znova čez nekaj trenutkov."
)
HANDOFF_FAILED = (
    "Svetovalca vam trenutno žal ne morem dodeliti. Poskusite, prosim, znova čez nekaj minut ali pokličite "
    "na brezplačno številko 080 1558. Do takrat vam z veseljem pomagam sam."
)
HANDBACK_NOTICE = "Pogovor je znova prevzel virtualni pomočnik."
ERASE_FAILED = (
    "Zgodovine pogovora ta hip žal ni bilo mogoče izbrisati. Poskusite, prosim, znova čez nekaj minut."
)
ACTIVE_STATUSES = ["open", "assigned", "handback_failed"]


@dataclass
class OutMessage:
    """One message to show the user: from the bot, an agent, or a gateway notice (system)."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    role: str = "bot"

    def as_dict(self) -> dict[str, Any]:
        return {"role": self.role, "text": self.text, "buttons": self.buttons}


Deliverer = Callable[[Conversation, OutMessage], Awaitable[None]]


class Handback(str, enum.Enum):
    """Outcome of a hand-back, shown to the agent in the console."""

    done = "done"
    not_handed_off = "not_handed_off"
    resume_failed = "resume_failed"  # Rasa not resumed after retries: the ticket says handback_failed
    close_failed = "close_failed"  # Rasa resumed, but the backend did not close the ticket: retry
    conflict = "conflict"  # someone else handed back first


@dataclass
class ConversationView:
    """A conversation with its handoff ticket, for the console (the ticket is the truth)."""

    conversation_id: str
    channel: str
    ticket: dict[str, Any] | None

    @property
    def handed_off(self) -> bool:
        return self.ticket is not None

    @property
    def ticket_id(self) -> int | None:
        return int(self.ticket["id"]) if self.ticket else None

    @property
    def handoff_reason(self) -> str | None:
        return str(self.ticket["reason"]) if self.ticket else None

    @property
    def assigned_to(self) -> str | None:
        return self.ticket.get("assigned_to") if self.ticket else None

    @property
    def status(self) -> str | None:
        return str(self.ticket["status"]) if self.ticket else None


def conversation_key(channel: str, address: str) -> str:
    """Stable, non-reversible conversation id for an address (phone numbers never become ids)."""
    digest = hashlib.sha256(f"{channel}:{address}".encode()).hexdigest()[:24]
    return f"{channel}-{digest}"


def _buttons(message: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in message.get("buttons") or []
        if isinstance(b, dict)
    ]


class Gateway:
    """Channel-independent message handling, handoff routing and the agent inbox."""

    def __init__(
        self, settings: Settings, store: Store, rasa: RasaClient, backend: BackendClient,
        limiter: Limiter | None = None, tracker: TrackerEvents | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.tracker = tracker or TrackerEvents(settings.resolved_tracker_url())
        self.dedup = Deduplicator(store, settings.dedup_ttl_seconds, settings.redis_url)
        self.rasa = rasa
        self.backend = backend
        self.limiter = limiter or Limiter(settings.redis_url)
        self.deliverers: dict[str, Deliverer] = {}

    # --- handoff state (the backend's ticket) -------------------------------
    async def active_ticket(self, conversation_id: str) -> dict[str, Any] | None:
        """The live ticket giving this conversation to a person; raises BackendError if unknown."""
        return await self.backend.handoff_state(conversation_id)

    async def handed_off(self, conversation_id: str) -> bool:
        """For display only (history, greeting): False when the backend cannot tell."""
        try:
            return await self.active_ticket(conversation_id) is not None
        except BackendError:
            return False

    async def view(self, conversation_id: str) -> ConversationView | None:
        conv = self.store.conversation(conversation_id)
        if conv is None:
            return None
        try:
            ticket = await self.active_ticket(conversation_id)
        except BackendError:
            ticket = None
        return ConversationView(conversation_id, conv.channel, ticket)

    # --- user side ----------------------------------------------------------
    def allowed(self, conversation_id: str) -> bool:
        """Per-sender rate limit (moving window, shared by replicas through Redis)."""
        return self.limiter.hit(self.settings.rate_limit, "msg", conversation_id)

    def offered_payloads(self, conversation_id: str) -> set[str]:
        """Payloads of buttons this conversation was actually shown (recent bot turns)."""
        return {
            b.get("payload", "")
            for t in self.store.turns(conversation_id, limit=60)
            if t["role"] == "bot"
            for b in t["buttons"]
        }

    def code_expected(self, conversation_id: str) -> bool:
        """Did the last message the user saw (bot or agent) ask for the one-time code?"""
        for t in reversed(self.store.turns(conversation_id, limit=5)):
            if t["role"] != "user":
                return privacy.asks_for_code(t["text"])
        return False

    async def handle_with_state(
        self,
        channel: str,
        conversation_id: str,
        address: str,
        text: str | None = None,
        payload: str | None = None,
        title: str | None = None,
        client_ref: str | None = None,
        numbered_choice: bool = False,
        metadata: dict[str, Any] | None = None,
        reminder_reply: bool = False,
    ) -> tuple[list[OutMessage], bool]:
        """One user message in; the replies to show out (empty while an agent has the conversation)
        and whether a person has the conversation now (so the web channel need not ask again).

        `numbered_choice`: a reply that is just a number picks that button of the last bot reply
        (SMS), unless a person has the conversation.
        `metadata`: what the channel adds for the actions (Telegram: the chat id).
        `reminder_reply`: the sender is trusted (signed SMS, Telegram): a message that is just a
        number is checked with the backend as the answer to a reading reminder, and the grant
        goes to Rasa in the metadata (bot/notices.py).
        """
        conv = self.store.ensure_conversation(conversation_id, channel, address)
        if not self.allowed(conversation_id):
            return [OutMessage(RATE_LIMITED, role="system")], False
        try:
            ticket = await self.active_ticket(conversation_id)
        except BackendError:
            return [OutMessage(STATE_UNKNOWN, role="system")], False

        if numbered_choice and ticket is None and text is not None and payload is None:
            choice = text.strip()
            if choice.isdigit() and conv.last_buttons and 1 <= int(choice) <= len(conv.last_buttons):
                button = conv.last_buttons[int(choice) - 1]
                text, payload, title = None, str(button["payload"]), str(button["title"])

        if payload is not None and payload.startswith(SATISFACTION_PREFIX):
            # The answer to the gateway's own question after a human chat: stored with the ticket
            # in the backend, never sent to Rasa (it would be an unknown intent there).
            return await self.satisfaction_answer(conv, payload, title), ticket is not None
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
                return [OutMessage(cleaned.reply or "", role="system")], ticket is not None
            shown = cleaned.text
            to_rasa = cleaned.text
            if cleaned.truncated:
                notices.append(OutMessage(too_long_notice(self.settings.max_message_chars), role="system"))

        if payload is None and privacy.CODE_RE.search(shown):
            shown = privacy.user_turn_text(shown, self.code_expected(conversation_id))  # Rasa gets to_rasa
        if ticket is not None:
            self.store.add_turn(conversation_id, "user", shown, during_handoff=True)
            return notices, True

        self.store.add_turn(conversation_id, "user", shown)
        metadata = {**(metadata or {}), "channel": channel}
        if client_ref:
            metadata["client_ref"] = client_ref
        if reminder_reply and payload is None:
            grant = await self.reminder_grant(channel, address, conversation_id, to_rasa)
            if grant is not None:
                metadata["reminder_grant"] = grant
        try:
            replies = await self.rasa.send(conversation_id, to_rasa, metadata)
            if not replies and await self.rasa.paused(conversation_id):
                # No ticket, yet Rasa is paused (a handoff whose ticket was never created or was
                # closed elsewhere): the ticket decides, so Rasa is resumed and gets the message again.
                log.warning("conversation %s was paused without an active ticket: resumed", conversation_id)
                if await self.rasa.resume(conversation_id):
                    replies = await self.rasa.send(conversation_id, to_rasa, metadata)
        except RasaUnavailable:
            msg = OutMessage(RASA_DOWN, role="system")
            self.store.add_turn(conversation_id, "system", msg.text)
            return [*notices, msg], False

        out: list[OutMessage] = list(notices)
        handoff: dict[str, Any] | None = None
        fallback = False
        erase = False
        for m in replies:
            custom = m.get("custom")
            if isinstance(custom, dict):
                if isinstance(custom.get("handoff"), dict):
                    handoff = custom["handoff"]
                # {"erase": {"conversation": true}} from action_erase_history: never shown
                erase = erase or (isinstance(custom.get("erase"), dict) and custom["erase"].get("conversation") is True)
                if custom.get("fallback") is True or isinstance(custom.get("fallback"), dict):
                    fallback = True  # {"fallback": {"kind": "nlu" | "dialogue"}}: counted, never shown
            body = m.get("text")
            if isinstance(body, str) and body:
                out.append(OutMessage(body, _buttons(m)))
        self.store.count(conversation_id, forwarded=1, fallbacks=int(fallback))
        if erase and not self.erase_history(conversation_id):
            out = [*notices, OutMessage(ERASE_FAILED, role="system")]  # not "izbrisal" when it was not
        bot_messages = [reply for reply in out if reply.role == "bot"]
        for reply in bot_messages:
            self.store.add_turn(conversation_id, "bot", reply.text, reply.buttons)
        if bot_messages:
            self.store.set_last_buttons(conversation_id, bot_messages[-1].buttons)
        if handoff is not None and handoff.get("kind", "live") == "live":
            failed = await self.start_handoff(conv, str(handoff.get("reason") or "request"), metadata.get("brand"))
            out.extend(failed)
            return out, not failed
        return out, False

    async def satisfaction_answer(self, conv: Conversation, payload: str, title: str | None) -> list[OutMessage]:
        """Store the customer's 1-5 with the ticket it was asked for, once.

        Only a question this conversation was actually sent counts: a forged payload naming
        another conversation's ticket is refused like any unoffered payload.
        """
        parsed = parse_satisfaction(payload)
        offered = {
            b.get("payload", "")
            for t in self.store.turns(conv.conversation_id, limit=60)
            if t["role"] == "system"
            for b in t["buttons"]
        }
        if parsed is None or payload not in offered:
            return [OutMessage(STATE_UNKNOWN, role="system")]
        ticket_id, score = parsed
        self.store.add_turn(conv.conversation_id, "user", (title or str(score))[:200])
        try:
            await self.backend.rate_ticket(ticket_id, score)
            reply = SATISFACTION_THANKS
            log.info("satisfaction %s stored for ticket %s", score, ticket_id)
        except BackendConflict:
            reply = SATISFACTION_ALREADY
        except BackendError:
            reply = SATISFACTION_FAILED
        self.store.add_turn(conv.conversation_id, "system", reply)
        self.store.set_last_buttons(conv.conversation_id, [])
        return [OutMessage(reply, role="system")]

    async def reminder_grant(
        self, channel: str, address: str, conversation_id: str, text: str
    ) -> dict[str, Any] | None:
        """A number from a contact that got a reading reminder: the backend's grant for it (for
        that one point and one reading), with the value; None for anything else."""
        from bot.notices import REMINDER_CHANNELS, reading_value

        value = reading_value(text)
        if value is None or channel not in REMINDER_CHANNELS:
            return None
        grant = await self.backend.reminder_grant(channel, address, conversation_id)
        if grant is None:
            return None
        return {"token": grant["token"], "metering_point": grant.get("metering_point"),
                "expires_at": grant.get("expires_at"), "value": value}

    def erase_history(self, conversation_id: str) -> bool:
        """Delete the conversation's stored history: the gateway's turns and Rasa's tracker events
        (the reply that confirms it is stored afterwards, as the history's only turn). False when
        Rasa's tracker store could not be changed: then nothing is claimed to be deleted."""
        try:
            events = self.tracker.delete_conversation(conversation_id)
        except TrackerUnavailable:
            return False
        turns = self.store.delete_turns(conversation_id)
        log.info("conversation %s: history erased (%d turns, %d tracker events)", conversation_id, turns, events)
        return True

    def forget_conversation(self, conversation_id: str) -> int:
        """An expired web session or a retired conversation: its Rasa events (if the tracker store
        can be reached; bot.retention deletes them by age otherwise) and all its gateway rows."""
        try:
            self.tracker.delete_conversation(conversation_id)
        except TrackerUnavailable:
            pass
        return self.store.delete_conversation(conversation_id)

    async def handle(self, *args: Any, **kwargs: Any) -> list[OutMessage]:
        """handle_with_state without the state (Telegram, SMS)."""
        return (await self.handle_with_state(*args, **kwargs))[0]

    async def start_handoff(self, conv: Conversation, reason: str, brand: str | None = None) -> list[OutMessage]:
        """Rasa has paused and asked for a person: open (or find) the live ticket, with retries.

        Without a ticket no agent would ever see the conversation, so after the retries Rasa is
        resumed and the user is told, instead of being left with a silent bot.
        """
        recent = [t["text"] for t in self.store.turns(conv.conversation_id, limit=10) if t["role"] == "user"]
        customer = await self.customer_masked(conv.conversation_id)
        for attempt in range(3):
            try:
                _, created = await self.backend.create_ticket(
                    conv.conversation_id, conv.channel, reason, "live",
                    brand=brand or self.settings.default_brand,  # the widget's site, else the channel's
                    summary=privacy.redact("\n".join(recent[-5:])) or None,
                    customer=customer,
                )
            except BackendError:
                await asyncio.sleep(0.3 * 2**attempt)
                continue
            if created:
                self.store.count(conv.conversation_id, handoffs=1)
            log.info("conversation %s handed off (%s, %s)", conv.conversation_id, conv.channel, reason)
            return []
        log.warning("handoff ticket not created for %s: Rasa resumed", conv.conversation_id)
        await self.rasa.resume(conv.conversation_id)
        self.store.add_turn(conv.conversation_id, "system", HANDOFF_FAILED)
        return [OutMessage(HANDOFF_FAILED, role="system")]

    async def customer_masked(self, conversation_id: str) -> str | None:
        """The verified customer as Rasa's tracker slot `customer_masked` has it (None: not verified)."""
        try:
            slots = (await self.rasa.tracker(conversation_id)).get("slots") or {}
        except Exception as exc:  # the queue can do without it
            log.warning("tracker of %s not read: %s", conversation_id, type(exc).__name__)
            return None
        masked = slots.get("customer_masked")
        return str(masked)[:120] if masked else None

    # --- agent side ---------------------------------------------------------
    def display_name(self, login: str | None) -> str | None:
        """What the customer sees for an agent: the name configured in AGENT_USERS, else the login
        capitalised ("ana" -> "Ana")."""
        if not login:
            return None
        configured = self.settings.agent_names.get(login)
        return configured[0] if configured else login[:1].upper() + login[1:]

    def claim_notice(self, login: str) -> str:
        gender = self.settings.agent_names.get(login, ("", ""))[1]
        return claim_notice(self.display_name(login) or login, gender)

    async def inbox(self) -> dict[str, list[dict[str, Any]]]:
        """Queue and active conversations, from the backend's active live tickets (oldest first),
        and the callback / message tickets taken outside hours (oldest first)."""
        queue: list[dict[str, Any]] = []
        active: list[dict[str, Any]] = []
        for t in sorted(await self.backend.tickets(active=True, kind="live"), key=lambda t: t["id"]):
            item = {
                "id": t["conversation_id"], "channel": t["channel"], "reason": t["reason"],
                "ticket_id": t["id"], "since": t["created_at"], "assigned_to": t.get("assigned_to"),
                "status": t["status"], "brand": t.get("brand"), "customer": t.get("customer"),
            }
            (active if t.get("assigned_to") else queue).append(item)
        requests = [*await self.backend.tickets(active=True, kind="callback"),
                    *await self.backend.tickets(active=True, kind="message")]
        callbacks = [
            {"ticket_id": t["id"], "kind": t["kind"], "id": t["conversation_id"], "channel": t["channel"],
             "brand": t.get("brand"), "since": t["created_at"], "summary": t.get("summary"),
             "contact": t.get("contact"), "assigned_to": t.get("assigned_to")}
            for t in sorted(requests, key=lambda t: t["id"])
        ]
        return {"queue": queue, "active": active, "callbacks": callbacks}

    async def close_request(self, ticket_id: int, agent: str, resolution: str) -> bool:
        """A callback ("poklical sem": called) or message ticket ("rešeno": resolved) is done.

        Only those kinds: a live ticket is closed by a hand-back, which resumes Rasa first.
        """
        if resolution not in ("called", "resolved"):
            return False
        try:
            kinds = {"called": ["callback"], "resolved": ["callback", "message"]}[resolution]
            open_ids = {int(t["id"]) for kind in kinds for t in await self.backend.tickets(active=True, kind=kind)}
            if ticket_id not in open_ids:
                return False
            await self.backend.update_ticket(ticket_id, if_status=ACTIVE_STATUSES, status="closed",
                                             resolution=resolution, assigned_to=agent)
        except BackendError:
            return False
        log.info("request ticket %s closed (%s)", ticket_id, resolution)
        return True

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

    async def claim(self, conversation_id: str, agent: str) -> bool:
        """The agent takes the conversation (the ticket records who), and the customer is told who
        on their own channel: one notice per change of agent, stored so a reload shows it too."""
        return await self._claim(conversation_id, agent) is not None

    async def _claim(self, conversation_id: str, agent: str) -> dict[str, Any] | None:
        """claim(); the ticket as it was before (None: not handed off or the backend failed)."""
        try:
            ticket = await self.active_ticket(conversation_id)
            if ticket is None:
                return None
            if ticket.get("assigned_to") == agent:
                return ticket
            status = "handback_failed" if ticket["status"] == "handback_failed" else "assigned"
            await self.backend.update_ticket(int(ticket["id"]), if_status=ACTIVE_STATUSES, status=status,
                                             assigned_to=agent)
        except BackendError:
            return None
        conv = self.store.conversation(conversation_id)
        if conv is not None:
            notice = self.claim_notice(agent)
            self.store.add_turn(conversation_id, "system", notice, during_handoff=True, author=agent)
            await self.deliver(conv, OutMessage(notice, role="system"))
        return ticket

    async def transfer(self, conversation_id: str, agent: str, to: str) -> bool:
        """Give the conversation to another agent (a configured login); the customer is told who now."""
        if to == agent or to not in self.settings.agent_users:
            return False
        try:
            ticket = await self.active_ticket(conversation_id)
        except BackendError:
            return False
        if ticket is None:
            return False
        return await self._claim(conversation_id, to) is not None

    async def agent_reply(self, conversation_id: str, agent: str, text: str) -> bool:
        """Store the agent's reply and send it on the user's own channel (only while a person has it)."""
        conv = self.store.conversation(conversation_id)
        text = text.strip()[:4000]
        ticket = await self._claim(conversation_id, agent) if conv is not None and text else None
        if conv is None or ticket is None:
            return False
        self.store.add_turn(conversation_id, "agent", text, during_handoff=True, author=agent)
        delivered = await self.deliver(conv, OutMessage(text, role="agent"))
        if ticket.get("first_reply_at") is None:
            try:  # the report's waiting time ends here (the backend keeps the first time only)
                await self.backend.update_ticket(int(ticket["id"]), first_reply=True)
            except BackendError:
                log.warning("first reply time of ticket %s not stored", ticket["id"])
        return delivered

    async def hand_back(self, conversation_id: str, agent: str, resolution: str = "handed_back") -> Handback:
        """Resume Rasa (with retries), then close the ticket, then tell the user and ask how
        satisfied they were. `resolution`: handed_back (to the bot) or resolved (the agent solved it).

        If Rasa cannot be resumed the ticket stays with the person, marked handback_failed, so the
        console shows it and the user's messages keep reaching the agents instead of a paused Rasa.
        """
        conv = self.store.conversation(conversation_id)
        try:
            ticket = await self.active_ticket(conversation_id)
        except BackendError:
            return Handback.close_failed
        if conv is None or ticket is None:
            return Handback.not_handed_off
        resumed = False
        for attempt in range(max(1, self.settings.handback_retries)):
            if await self.rasa.resume(conversation_id):
                resumed = True
                break
            await asyncio.sleep(0.5 * 2**attempt)
        if not resumed:
            log.warning("hand-back of %s: Rasa not resumed, the agent keeps the conversation", conversation_id)
            try:
                await self.backend.update_ticket(int(ticket["id"]), if_status=ACTIVE_STATUSES,
                                                 status="handback_failed", assigned_to=agent)
            except BackendError:
                pass
            return Handback.resume_failed
        try:
            await self.backend.update_ticket(int(ticket["id"]), if_status=ACTIVE_STATUSES, status="closed",
                                             assigned_to=agent, resolution=resolution)
        except BackendConflict:
            return Handback.conflict
        except BackendError:
            return Handback.close_failed
        notice = RESOLVED_NOTICE if resolution == "resolved" else HANDBACK_NOTICE
        self.store.add_turn(conversation_id, "system", notice, during_handoff=True, author=agent)
        await self.deliver(conv, OutMessage(notice, role="system"))
        await self.ask_satisfaction(conv, int(ticket["id"]))
        log.info("conversation %s handed back (%s)", conversation_id, resolution)
        return Handback.done

    async def ask_satisfaction(self, conv: Conversation, ticket_id: int) -> None:
        """"Kako ste zadovoljni s pomočjo svetovalca?" with 1-5 as buttons on the customer's channel
        (numbers on SMS, through last_buttons); the answer comes back as a payload the gateway keeps."""
        buttons = satisfaction_buttons(ticket_id)
        self.store.add_turn(conv.conversation_id, "system", SATISFACTION_QUESTION, buttons)
        self.store.set_last_buttons(conv.conversation_id, buttons)
        await self.deliver(conv, OutMessage(SATISFACTION_QUESTION, buttons, role="system"))

    async def transcript(self, conversation_id: str) -> dict[str, Any]:
        """Whole conversation for the console: Rasa's tracker (bot + user turns) + handoff turns."""
        tracker = await self.rasa.tracker(conversation_id)
        items: list[dict[str, Any]] = []
        last_bot: str | None = None
        offered: dict[str, str] = {}  # payload -> title of the latest bot buttons
        for ev in tracker.get("events") or []:
            if ev.get("event") == "user" and ev.get("text"):
                # Rasa's tracker holds what the user typed, codes and contacts included: agents see
                # contacts masked and a code as the gateway's turns store it.
                raw = str(ev["text"])
                # a clicked button reaches Rasa as its payload ("/affirm"): shown as its title
                text = offered[raw] if raw in offered else privacy.user_turn_text(
                    privacy.mask_contacts(raw), privacy.asks_for_code(last_bot))
                items.append({"role": "user", "text": text,
                              "at": float(ev.get("timestamp") or 0)})
            elif ev.get("event") == "bot" and ev.get("text"):
                last_bot = str(ev["text"])
                buttons = (ev.get("data") or {}).get("buttons") or []
                offered = {str(b.get("payload")): str(b.get("title")) for b in buttons if isinstance(b, dict)}
                items.append(
                    {"role": "bot", "text": ev["text"], "buttons": buttons, "at": float(ev.get("timestamp") or 0)}
                )
        source = "rasa" if items else "gateway"
        for t in self.store.turns(conversation_id, only_handoff=bool(items)):
            if items and t["role"] == "bot":
                continue
            text = privacy.mask_contacts(t["text"]) if t["role"] == "user" else t["text"]
            items.append(
                {"role": t["role"], "text": text, "buttons": t["buttons"], "at": t["created_at"],
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
