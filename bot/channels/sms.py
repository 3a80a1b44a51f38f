"""SMS channel: a Twilio-compatible inbound webhook (signature-checked) and outbound agent replies.

Replies are split into SMS-sized parts (≤ 153 characters, the size of one part of a concatenated
GSM-7 SMS) on word boundaries and returned as TwiML. Buttons become numbered options; a reply with
just that digit sends the option's payload. Agent replies during a handoff go out through Twilio's
REST API when TWILIO_* are set, otherwise into the gateway's own SMS outbox table (sms_outbox).
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.clientref import client_ref
from bot.config import Settings
from bot.handoff import Gateway, OutMessage, conversation_key
from bot.store import Conversation

log = logging.getLogger("bot.sms")
CHANNEL = "sms"
PART = 153
MAX_FORM = 64_000


def split_sms(text: str, limit: int = PART) -> list[str]:
    """Split on word boundaries into parts of at most `limit` characters (long words are cut)."""
    parts: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(word[:limit])
            word = word[limit:]
        if not word:
            continue
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = word
    if current:
        parts.append(current)
    return parts


def options_line(buttons: list[dict[str, str]]) -> str:
    """Buttons as numbered options: "1 – Da, 2 – Ne"."""
    return ", ".join(f"{i} – {b['title']}" for i, b in enumerate(buttons, start=1))


def render(msg: OutMessage) -> str:
    if not msg.buttons:
        return msg.text
    return f"{msg.text} Odgovorite s številko: {options_line(msg.buttons)}"


def twiml(messages: list[OutMessage]) -> Response:
    resp = MessagingResponse()
    for m in messages:
        for part in split_sms(render(m)):
            resp.message(part)
    return Response(str(resp), media_type="application/xml")


class SmsSender:
    """Outbound SMS: Twilio REST when configured, else the gateway's outbox table."""

    def __init__(self, settings: Settings, gateway: Gateway) -> None:
        self.settings = settings
        self.gateway = gateway
        self._client = None
        if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number:
            from twilio.rest import Client

            self._client = Client(settings.twilio_account_sid, settings.twilio_auth_token)

    async def __call__(self, conv: Conversation, msg: OutMessage) -> None:
        for part in split_sms(render(msg)):
            if self._client is not None:
                client = self._client
                await asyncio.to_thread(
                    client.messages.create, to=conv.address, from_=self.settings.twilio_from_number, body=part
                )
            else:
                self.gateway.store.add_sms_outbox(conv.address, part)
        log.info("sms sent for %s (%s)", conv.conversation_id, "twilio" if self._client else "outbox")


def build_router(settings: Settings, gateway: Gateway) -> APIRouter:
    router = APIRouter(prefix="/sms", tags=["sms"])

    @router.post("/inbound")
    async def inbound(request: Request) -> Response:
        """Twilio webhook: form-encoded From/Body, X-Twilio-Signature required (403 otherwise)."""
        signature = request.headers.get("X-Twilio-Signature", "")
        raw = await request.body()
        if not settings.twilio_auth_token or not signature or len(raw) > MAX_FORM:
            return Response("forbidden", status_code=403)
        form = await request.form()
        params = {k: str(v) for k, v in form.items()}
        url = settings.public_url + request.url.path if settings.public_url else str(request.url)
        if not RequestValidator(settings.twilio_auth_token).validate(url, params, signature):
            log.warning("sms webhook with an invalid signature refused")
            return Response("forbidden", status_code=403)
        sender = params.get("From", "").strip()
        if not sender:
            return twiml([])
        body = params.get("Body", "")
        conv_id = conversation_key(CHANNEL, sender)
        async with gateway.dedup.once(CHANNEL, params.get("MessageSid")) as first:
            if not first:  # the same MessageSid again (a replay or Twilio's retry): no second reply
                return twiml([])
            replies = await gateway.handle(
                CHANNEL, conv_id, sender, text=body, numbered_choice=True,
                client_ref=client_ref(settings.client_ref_secret, CHANNEL, sender),
            )
        return twiml(replies)

    return router
