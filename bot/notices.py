"""Notices on the gateway side (issue 15): STOP / ODJAVA ends the sender's subscriptions without
going to Rasa, and a number sent by a contact that got a reading reminder travels to Rasa with a
reminder grant from the backend (backend/NOTICES.md, sections 3 and 4).

Both only for channels whose sender the gateway can trust: SMS after the Twilio signature check,
Telegram (the chat id comes from Telegram's update, through the webhook secret or long polling).
"""

from __future__ import annotations

import logging
import re
import unicodedata

from bot.backend_client import BackendError
from bot.handoff import Gateway, OutMessage

log = logging.getLogger("bot.notices")

OPT_OUT_WORDS = {"stop", "odjava"}
# a meter reading as people type it: "12345", "12 345", "12.345", "1234,5"
READING_VALUE = re.compile(r"\d[\d .,]{0,14}")
REMINDER_CHANNELS = ("sms", "telegram")

OPT_OUT_DONE = {
    "sms": "Obvestila na to številko so izklopljena. Ne bomo vam jih več pošiljali. "
           "Znova jih lahko vklopite v klepetu (»vklopi SMS opomnik«).",
    "telegram": "Obvestila v ta klepet so izklopljena. Ne bomo vam jih več pošiljali. "
                "Znova jih lahko vklopite tukaj (»vklopi opomnik na Telegram«).",
}
OPT_OUT_NONE = {
    "sms": "Na to številko nimate vklopljenih obvestil, zato ni česa izklopiti.",
    "telegram": "V ta klepet nimate vklopljenih obvestil, zato ni česa izklopiti.",
}
OPT_OUT_FAILED = (
    "Odjava ta hip žal ni uspela. Pošljite, prosim, STOP znova čez nekaj minut "
    "ali pokličite brezplačno številko 080 1558."
)


def is_opt_out(text: str | None) -> bool:
    """ "STOP", "stop", "S T O P", "Odjava!" — the word alone, any case, spaces and dots ignored."""
    if not text:
        return False
    folded = unicodedata.normalize("NFKD", text).casefold()
    bare = re.sub(r"[\s.!]", "", "".join(c for c in folded if not unicodedata.combining(c)))
    return bare in OPT_OUT_WORDS


def reading_value(text: str | None) -> str | None:
    """The text when it is just a number (a reply to a reminder), else None."""
    stripped = (text or "").strip()
    return stripped if READING_VALUE.fullmatch(stripped) else None


async def opt_out(gateway: Gateway, channel: str, conversation_id: str, address: str, text: str) -> list[OutMessage]:
    """End every subscription to `address` on `channel` at once; the reply confirms it."""
    gateway.store.ensure_conversation(conversation_id, channel, address)
    gateway.store.add_turn(conversation_id, "user", text.strip()[:200])
    try:
        ended = await gateway.backend.opt_out(channel, address)
    except BackendError:
        reply = OPT_OUT_FAILED
    else:
        reply = OPT_OUT_DONE[channel] if ended else OPT_OUT_NONE[channel]
        log.info("opt-out on %s for %s: %d ended", channel, conversation_id, ended)
    gateway.store.add_turn(conversation_id, "system", reply)
    return [OutMessage(reply, role="system")]
