""""Vam je bil odgovor v pomoč?" after every FAQ answer, and the Da / Ne it gets."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.faq_meta import topic_of


class ActionAskFeedback(Action):
    """Asks for a rating and remembers which topic it rates (the slot is in the tracker)."""

    def name(self) -> str:
        return "action_ask_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_feedback")
        # a new answer to rate: the previous rating no longer answers this question
        return [SlotSet("last_faq_topic", topic_of(tracker.latest_message)), SlotSet("faq_feedback", None)]


class ActionRecordFeedback(Action):
    """Records Da / Ne for the last answered topic, in the conversation and the backend."""

    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        helpful = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        topic = tracker.get_slot("last_faq_topic") or "neznano"
        await backend_client.send_feedback(
            conversation_id=tracker.sender_id, topic=topic, helpful=helpful
        )
        dispatcher.utter_message(response="utter_feedback_thanks" if helpful else "utter_feedback_sorry")
        return [SlotSet("faq_feedback", f"{topic}:{'da' if helpful else 'ne'}")]
