"""When the assistant did not understand, and answers that fit no open question.

- "Ste mislili …?" (first stage of Rasa's two-stage fallback) offers the best FAQ topics and
  chat actions by their Slovene titles; each button's payload is the title itself, so a click is
  a normal message the model classifies again, never a typed `/intent` command.
- The rephrase request is the second stage. Both tell the channel gateway with a
  `{"fallback": {...}}` message that this was a misunderstanding (the report counts them).
- The core fallback (the dialogue unsure what comes next) never hands over: it asks to
  rephrase if the user just spoke, otherwise it simply listens.
- A lone "ja", "ne", a number or an e-mail with no question open gets a short, useful reply
  (an old Da / Ne button clicked again: the rating was already recorded).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.faq_meta import intent_titles, ranked_topics, topic_title
from actions.notices import reminder_grant, reminder_reply
from actions.shared import intent_of, text_of

MAX_SUGGESTIONS = 3


def fallback_marker(kind: str) -> dict:  # type: ignore[type-arg]
    """The machine-readable note the gateway reads (never shown: it has no text)."""
    return {"fallback": {"kind": kind}}


class ActionDefaultAskAffirmation(Action):
    """Asks which topic the user meant, with up to three buttons and "Nič od tega"."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        message = tracker.latest_message or {}
        titles: List[str] = []
        intent_title = intent_titles(domain)
        for intent in message.get("intent_ranking") or []:
            name = intent.get("name")
            if name == "faq":
                for topic in ranked_topics(message, MAX_SUGGESTIONS):
                    title = topic_title(domain, topic)
                    if title and title not in titles:
                        titles.append(title)
            elif name in intent_title and intent_title[name] not in titles:
                titles.append(intent_title[name])
            if len(titles) >= MAX_SUGGESTIONS:
                break
        dispatcher.utter_message(json_message=fallback_marker("nlu"))
        if not titles:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        buttons = [{"title": t, "payload": t} for t in titles[:MAX_SUGGESTIONS]]
        # Rasa's two-stage fallback reads out_of_scope as "none of these": it then asks to rephrase
        buttons.append({"title": "Nič od tega", "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
        return []


class ActionDefaultAskRephrase(Action):
    """Second stage: ask to write it differently (the next miss hands over to a person)."""

    def name(self) -> str:
        return "action_default_ask_rephrase"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(json_message=fallback_marker("nlu"))
        dispatcher.utter_message(response="utter_ask_rephrase")
        return []


class ActionCoreFallback(Action):
    """The dialogue is unsure what comes next: never a handoff; ask to rephrase or just listen."""

    def name(self) -> str:
        return "action_core_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.latest_action_name == "action_listen":  # the user just said something we have no turn for
            dispatcher.utter_message(json_message=fallback_marker("dialogue"))
            dispatcher.utter_message(response="utter_ask_rephrase")
            return [UserUtteranceReverted(), FollowupAction("action_listen")]
        return [FollowupAction("action_listen")]


def locked_minutes(tracker: Tracker) -> int:
    """Minutes left of a verification lock this conversation was told about (0 = none)."""
    until = tracker.get_slot("verify_locked_until")
    if not until:
        return 0
    try:
        left = (datetime.fromisoformat(str(until)) - datetime.now(timezone.utc)).total_seconds()
    except ValueError:
        return 0
    return max(0, int(left // 60) + (1 if left % 60 else 0)) if left > 0 else 0


class ActionLoneAnswer(Action):
    """A yes, a no or a bare value while no question is open."""

    def name(self) -> str:
        return "action_lone_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent, text = intent_of(tracker), text_of(tracker).strip()
        grant = reminder_grant(tracker)
        if grant is not None:  # a reply to a reading reminder (the gateway checked it with the backend)
            return reminder_reply(dispatcher, grant)
        if text.startswith("/") and intent in ("affirm", "deny") and tracker.get_slot("faq_feedback"):
            dispatcher.utter_message(response="utter_feedback_already")  # an old Da / Ne clicked again
        elif intent == "deny":
            dispatcher.utter_message(response="utter_lone_no")
        elif intent == "affirm":
            dispatcher.utter_message(response="utter_anything_else")
        elif re.fullmatch(r"\d{3}[\s-]?\d{3}", text) and locked_minutes(tracker):
            dispatcher.utter_message(response="utter_verification_locked", minutes=locked_minutes(tracker))
        elif re.fullmatch(r"\d{3}[\s-]?\d{3}", text):
            dispatcher.utter_message(response="utter_lone_code")
        elif "@" in text or re.fullmatch(r"\d{7}", text):
            dispatcher.utter_message(response="utter_lone_identifier")
        elif re.fullmatch(r"[\d\s.,]+", text):
            dispatcher.utter_message(response="utter_lone_number")
        else:
            dispatcher.utter_message(response="utter_how_can_i_help")
        return []
