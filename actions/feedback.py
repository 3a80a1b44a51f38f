""""Vam je bil odgovor v pomoč?" after every FAQ answer, the Da / Ne it gets, and the user's own
request to erase the conversation's history."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
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


class ActionEraseHistory(Action):
    """ "Izbriši moje podatke", confirmed: the gateway deletes the conversation's stored history
    (its turns and Rasa's tracker events) when it sees the marker; here the conversation forgets
    everything it knew, the verification included. The backend's records (readings) stay."""

    def name(self) -> str:
        return "action_erase_history"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_history_erased")
        dispatcher.utter_message(json_message={"erase": {"conversation": True}})
        brand = tracker.get_slot("brand")
        return [AllSlotsReset(), *([SlotSet("brand", brand)] if brand else [])]
