"""Handing the conversation to a person: on request, after two misses, for complaints.

Within support hours (Mon–Fri 8–20, Sat 8–14, closed on Sundays and Slovene public
holidays) the conversation is queued: the bot says so, tells the channel gateway
with a `custom.handoff` message, and pauses (Rasa stays silent until the agent hands
back). Outside hours the user gets the hours and a callback / message ticket is
offered instead.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

import holidays
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import backend_client

TZ = ZoneInfo("Europe/Ljubljana")
# weekday -> (opening hour, closing hour); Sunday closed
HOURS = {0: (8, 20), 1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 20), 5: (8, 14)}
HOURS_TEXT = "od ponedeljka do petka od 8. do 20. ure in v soboto od 8. do 14. ure (ob nedeljah in praznikih smo zaprti)"


def now() -> datetime:
    """Local time; HANDOFF_FAKE_NOW (ISO) pins it for tests and demos."""
    fake = os.getenv("HANDOFF_FAKE_NOW")
    return datetime.fromisoformat(fake).replace(tzinfo=TZ) if fake else datetime.now(TZ)


def within_support_hours(moment: datetime) -> bool:
    """True when agents are at work at `moment` (local time)."""
    if moment.date() in holidays.Slovenia(years=moment.year):
        return False
    opening = HOURS.get(moment.weekday())
    return opening is not None and opening[0] <= moment.hour < opening[1]


def reason_of(tracker: Tracker) -> str:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return {"complaint": "complaint", "human_handoff": "request"}.get(intent or "", "fallback")


class ActionHandoff(Action):
    """Queues for an agent within hours; outside hours offers a callback or a message."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        return await handoff(dispatcher, tracker, reason_of(tracker))


async def handoff(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> List[EventType]:
    if within_support_hours(now()):
        lead = {
            "complaint": "Reklamacijo bo uredil naš svetovalec.",
            "fallback": "Tega vam žal ne znam razložiti, zato vas povezujem s svetovalcem.",
        }.get(reason, "")
        dispatcher.utter_message(
            text=f"{lead} Povezujem vas z našim svetovalcem; prosimo za trenutek potrpljenja. "
            "Svetovalec bo odgovoril kar tukaj.".strip()
        )
        dispatcher.utter_message(json_message={"handoff": {"kind": "live", "reason": reason}})
        return [ConversationPaused()]
    dispatcher.utter_message(
        text=f"Naši svetovalci so zdaj nedosegljivi; na voljo so {HOURS_TEXT}, na brezplačni številki 080 1558."
    )
    return [SlotSet("callback_text", None), FollowupAction("callback_form")]


class ActionDefaultFallback(Action):
    """Second miss in a row: hand over to a person (or give contacts outside hours)."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        return await handoff(dispatcher, tracker, "fallback")


class ActionSaveCallback(Action):
    """Stores the callback request or message written outside hours as a backend ticket."""

    def name(self) -> str:
        return "action_save_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        text = str(tracker.get_slot("callback_text") or "").strip()[:2000]
        if not text:
            return [SlotSet("callback_text", None)]
        digits = re.sub(r"\D", "", text)
        kind = "callback" if len(digits) >= 8 else "message"
        channel = (tracker.latest_message.get("metadata") or {}).get("channel") or "rest"
        result = await backend_client.create_ticket(
            {"conversation_id": tracker.sender_id, "channel": str(channel)[:32], "reason": "request",
             "kind": kind, "brand": tracker.get_slot("brand"), "summary": text,
             "contact": text if kind == "callback" else None}
        )
        if result.ok:
            dispatcher.utter_message(
                text="Hvala, zabeležili smo vašo prošnjo za povratni klic. Svetovalec vas bo poklical v delovnem času."
                if kind == "callback" else
                "Hvala, vaše sporočilo smo zabeležili. Svetovalec vam bo odgovoril v delovnem času."
            )
        else:
            dispatcher.utter_message(
                text="Oprostite, sporočila zdaj ne morem shraniti. Pokličite nas na 080 1558 v delovnem času."
            )
        return [SlotSet("callback_text", None)]
