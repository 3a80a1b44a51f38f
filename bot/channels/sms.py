"""SMS channel: a Twilio-compatible inbound webhook (signature-checked) and outbound agent replies.

Replies are split on word boundaries into parts that are each billed as one SMS part, by the text's
encoding: GSM-7 (153 septets, an extension character such as € costs two) or, as soon as one
character is outside that alphabet (č, š, ž, –), UCS-2 (67 UTF-16 units) — a 153-character part
with a "č" would be billed as three. They are returned as TwiML. Buttons become numbered options; a reply with
just that digit sends the option's payload. Agent replies during a handoff go out through Twilio's
REST API when TWILIO_* are set, otherwise into the gateway's own SMS outbox table (sms_outbox).
"""

from __future__ import annotations

import asyncio
import logging

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec; pinned in requirements/backend.txt)
from fastapi import APIRouter, Request
from fastapi.responses import Response
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.clientref import client_ref
from bot.config import Settings
from bot.handoff import Gateway, OutMessage, conversation_key
from bot.notices import is_opt_out, opt_out
from bot.store import Conversation

log = logging.getLogger("bot.sms")
CHANNEL = "sms"
PART = 153  # GSM-7 septets per part of a concatenated SMS
UCS2_PART = 67  # UTF-16 units per part once the text needs UCS-2
MAX_FORM = 64_000


def is_gsm7(text: str) -> bool:
    """Every character is in the GSM 03.38 alphabet (the maintained gsm0338 codec decides)."""
    if "\x1b" in text:
        return False
    try:
        text.encode("gsm03.38")
    except UnicodeEncodeError:
        return False
    return True


def sms_units(text: str, gsm7: bool) -> int:
    """Length in the encoding's units: septets (GSM-7) or UTF-16 code units (UCS-2)."""
    return len(text.encode("gsm03.38")) if gsm7 else len(text.encode("utf-16-le")) // 2


def _cut(word: str, limit: int, gsm7: bool) -> tuple[str, str]:
    """The longest head of `word` that fits `limit` units, and the rest."""
    end = len(word)
    while end > 1 and sms_units(word[:end], gsm7) > limit:
        end -= 1
    return word[:end], word[end:]


def split_sms(text: str, limit: int | None = None) -> list[str]:
    """Split on word boundaries into parts of at most `limit` units (long words are cut); by
    default the size of one billed part in the text's encoding (153 GSM-7, 67 UCS-2)."""
    gsm7 = is_gsm7(text)
    limit = limit or (PART if gsm7 else UCS2_PART)
    parts: list[str] = []
    current = ""
    for word in text.split():
        while sms_units(word, gsm7) > limit:
            if current:
                parts.append(current)
                current = ""
            head, word = _cut(word, limit, gsm7)
            parts.append(head)
        if not word:
            continue
        candidate = f"{current} {word}" if current else word
        if sms_units(candidate, gsm7) <= limit:
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
            if is_opt_out(body):  # STOP / ODJAVA: the subscriptions end here, Rasa never sees it
                return twiml(await opt_out(gateway, CHANNEL, conv_id, sender, body))
            replies = await gateway.handle(
                CHANNEL, conv_id, sender, text=body, numbered_choice=True, reminder_reply=True,
                client_ref=client_ref(settings.client_ref_secret, CHANNEL, sender),
            )
        return twiml(replies)

    return router
