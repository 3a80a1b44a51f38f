"""Handing the conversation to a person: on request, for complaints, after two misses in a row.

Within support hours (Mon–Fri 8–20, Sat 8–14, closed on Sundays and Slovene public holidays)
the conversation is queued: the bot says so, tells the channel gateway with a
`custom.handoff` message, and pauses (Rasa stays silent until the agent hands back). Outside
hours the user gets the hours and a callback / message ticket is offered instead.

Only a misunderstanding of the *user* hands over (Rasa's two-stage fallback gives up and runs
`action_default_fallback`); when the *dialogue* is unsure what comes next, the core fallback
(`action_core_fallback`, actions/fallback.py) listens instead.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

import holidays
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.forms import FormValidation
from actions.shared import intent_of

TZ = ZoneInfo("Europe/Ljubljana")
# weekday -> (opening hour, closing hour); Sunday closed
HOURS = {0: (8, 20), 1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 20), 5: (8, 14)}
LEAD = {"complaint": "utter_handoff_live_complaint", "fallback": "utter_handoff_live_fallback"}


def now() -> datetime:
    """Local time; HANDOFF_FAKE_NOW (ISO) pins it for tests and demos."""
    fake = os.getenv("HANDOFF_FAKE_NOW")
    return datetime.fromisoformat(fake).replace(tzinfo=TZ) if fake else datetime.now(TZ)


def within_support_hours(moment: datetime) -> bool:
    """True when agents are at work at `moment` (local time)."""
    if moment.date() in holidays.country_holidays("SI", years=moment.year):
        return False
    opening = HOURS.get(moment.weekday())
    return opening is not None and opening[0] <= moment.hour < opening[1]


def reason_of(tracker: Tracker) -> str:
    return {"complaint": "complaint", "human_handoff": "request"}.get(intent_of(tracker), "fallback")


async def handoff(dispatcher: CollectingDispatcher, reason: str) -> List[EventType]:
    if within_support_hours(now()):
        dispatcher.utter_message(response=LEAD.get(reason, "utter_handoff_live"))
        dispatcher.utter_message(json_message={"handoff": {"kind": "live", "reason": reason}})
        # paused until an agent hands back; the listen makes the next message after the
        # hand-back a fresh turn (an FAQ is answered, not taken as part of the handoff)
        return [ConversationPaused(), ActionExecuted("action_listen")]
    dispatcher.utter_message(response="utter_handoff_closed")
    return [SlotSet("callback_text", None), FollowupAction("callback_form")]


class ActionHandoff(Action):
    """Queues for an agent within hours; outside hours offers a callback or a message."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return await handoff(dispatcher, reason_of(tracker))


class ActionDefaultFallback(Action):
    """Rasa's two-stage fallback gave up (two misses in a row): a person takes over."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return await handoff(dispatcher, "fallback")


class ValidateCallbackForm(FormValidation):
    """The message or callback request written outside hours (any text; a bare "ok" is not one)."""

    def name(self) -> str:
        return "validate_callback_form"

    async def validate_callback_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value).strip()
        if len(text) < 3:
            return self.not_an_answer("callback_text", dispatcher, tracker, "utter_ask_callback_text")
        return {"callback_text": text[:2000]}


class ActionSaveCallback(Action):
    """Stores the callback request or message written outside hours as a backend ticket."""

    def name(self) -> str:
        return "action_save_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = str(tracker.get_slot("callback_text") or "").strip()[:2000]
        if not text or tracker.get_slot("flow_stopped"):
            return [SlotSet("callback_text", None), SlotSet("flow_stopped", None)]
        digits = re.sub(r"\D", "", text)
        kind = "callback" if len(digits) >= 8 else "message"
        metadata = tracker.latest_message.get("metadata") or {}
        channel = metadata.get("channel") if isinstance(metadata, dict) else None
        result = await backend_client.create_ticket(
            {"conversation_id": tracker.sender_id, "channel": str(channel or "rest")[:32], "reason": "request",
             "kind": kind, "brand": tracker.get_slot("brand"), "summary": text,
             "contact": text if kind == "callback" else None}
        )
        if result.ok:
            dispatcher.utter_message(response="utter_callback_saved" if kind == "callback" else "utter_message_saved")
        else:
            dispatcher.utter_message(response="utter_callback_failed")
        return [SlotSet("callback_text", None)]
