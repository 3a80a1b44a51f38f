"""One base class for every form's validation (as RasaHQ/financial-demo's CustomFormValidationAction).

What all forms share lives here, so each topic module only says how to check its own answers:
- the questions come from the domain; a form may skip questions it does not need (`needed`);
- a slot we cleared ourselves (None) is not an answer to validate;
- `stop()` ends a form early with nothing submitted (the form's "done" rule then sees
  `flow_stopped` and only tidies up);
- a message that is no answer to the question ("koliko časa velja koda?" while the bot waits
  for the code) gets the FAQ answer or a short hint, and the form asks the same question
  again. It never counts as a misunderstanding, so it can never lead to a handoff.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.faq_meta import answerable_topic
from actions.shared import intent_of

# Intents whose question is answered later: the form keeps its question.
LATER = {"campaign_info", "campaign_list", "code_help", "list_readings", "verify"}
# Small talk inside a form: the form simply asks again (bot_challenge is answered first).
SMALL_TALK_RESPONSES = {"bot_challenge": "utter_iamabot"}


class FormValidation(FormValidationAction, ABC):
    """Validation of one form; subclasses define `validate_<slot>` for their questions."""

    @abstractmethod
    def name(self) -> str:
        """validate_<form name> (abstract, so the action server does not register the base)."""

    def needed(self, slot: str, tracker: Tracker) -> bool:
        """Whether the form asks `slot` now (e.g. "lastna evidenca?" only outside the window)."""
        return True

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        if tracker.get_slot("flow_stopped"):
            return []
        return [s for s in domain_slots if self.needed(s, tracker)]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """rasa-sdk's loop over the newly set slots, except that a cleared slot (None) is no answer."""
        wanted = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        updates: Dict[str, Any] = {}
        for name, value in tracker.slots_to_validate().items():
            if name not in wanted:
                continue
            updates[name] = value
            method = getattr(self, f"validate_{name}", None)
            if value is None or method is None:
                continue
            checked = await method(value, dispatcher, tracker, domain)
            updates.update(checked)
            tracker.slots.update(checked)
        return [SlotSet(name, value) for name, value in updates.items()]

    @staticmethod
    def stop() -> Dict[str, Any]:
        """End the form now; its "done" rule submits nothing."""
        return {"flow_stopped": True}

    @staticmethod
    def not_an_answer(
        slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, hint: Optional[str]
    ) -> Dict[str, Any]:
        """The message answers something else: answer it if it is an FAQ, else give the hint.

        The slot stays empty, so the form asks its question again.
        """
        intent = intent_of(tracker)
        topic = answerable_topic(tracker.latest_message) if intent == "faq" else None
        if topic:
            dispatcher.utter_message(response=f"utter_faq/{topic}")
        elif intent in LATER:
            dispatcher.utter_message(response="utter_not_now_in_form")
        elif intent in SMALL_TALK_RESPONSES:
            dispatcher.utter_message(response=SMALL_TALK_RESPONSES[intent])
        elif hint:
            dispatcher.utter_message(response=hint)
        return {slot: None}
