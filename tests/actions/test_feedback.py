"""Feedback actions, run on Tracker fixtures; events compared as in rasa-sdk's own tests."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionAskFeedback, ActionRecordFeedback


def tracker(intent: str, slots: Optional[Dict[str, Any]] = None, topic: Optional[str] = None) -> Tracker:
    latest: Dict[str, Any] = {"intent": {"name": intent, "confidence": 0.99}, "text": "x"}
    if topic:
        latest["response_selector"] = {
            "faq": {"response": {"intent_response_key": f"faq/{topic}", "confidence": 0.9}}
        }
    return Tracker("conv-1", slots or {}, latest, [], False, None, {}, "action_listen")


pytestmark = pytest.mark.offline  # the backend is not there: the rating is kept in the conversation


def test_ask_feedback_remembers_the_answered_topic() -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAskFeedback().run(dispatcher, tracker("faq", topic="register"), {}))
    # a new answer to rate: an earlier rating does not answer this one
    assert events == [SlotSet("last_faq_topic", "register"), SlotSet("faq_feedback", None)]
    assert dispatcher.messages[0]["response"] == "utter_ask_feedback"


@pytest.mark.parametrize(
    ("intent", "value", "response"),
    [("affirm", "register:da", "utter_feedback_thanks"), ("deny", "register:ne", "utter_feedback_sorry")],
)
def test_record_feedback(intent: str, value: str, response: str) -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ActionRecordFeedback().run(dispatcher, tracker(intent, {"last_faq_topic": "register"}), {})
    )
    assert events == [SlotSet("faq_feedback", value)]
    assert dispatcher.messages[0]["response"] == response


def test_erase_forgets_the_conversation_and_tells_the_gateway() -> None:
    from rasa_sdk.events import AllSlotsReset

    from actions.feedback import ActionEraseHistory

    dispatcher = CollectingDispatcher()
    t = tracker("affirm", {"brand": "butan", "auth_token": "secret"})
    events = asyncio.run(ActionEraseHistory().run(dispatcher, t, {}))
    assert events == [AllSlotsReset(), SlotSet("brand", "butan")]  # the token is forgotten, the brand kept
    assert dispatcher.messages[0]["response"] == "utter_history_erased"
    assert dispatcher.messages[1]["custom"] == {"erase": {"conversation": True}}
