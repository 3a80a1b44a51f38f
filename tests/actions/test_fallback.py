""""Ste mislili …?" offers readable Slovene titles, never intent names."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionCoreFallback, ActionDefaultAskAffirmation, ActionLoneAnswer
from tests.actions.conftest import DOMAIN, message, responses, run, tracker

pytestmark = pytest.mark.offline


def latest(intent_ranking: list, faq_ranking: list) -> Dict[str, Any]:
    return {
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": intent_ranking,
        "response_selector": {
            "faq": {
                "ranking": [{"intent_response_key": f"faq/{t}", "confidence": 0.3} for t in faq_ranking]
            }
        },
        "text": "geslo",
    }


def ask(message: Dict[str, Any]) -> CollectingDispatcher:
    """ "Ste mislili …?" for a message; the fallback marker for the gateway comes first."""
    dispatcher = CollectingDispatcher()
    t = Tracker("c", {}, message, [], False, None, {}, "action_listen")
    asyncio.run(ActionDefaultAskAffirmation().run(dispatcher, t, DOMAIN))
    marker, *shown = dispatcher.messages
    assert marker["custom"] == {"fallback": {"kind": "nlu"}} and not marker["text"]
    dispatcher.messages = shown
    return dispatcher


def test_offers_faq_titles_and_none_of_these() -> None:
    message = latest(
        [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "faq", "confidence": 0.35},
         {"name": "human_handoff", "confidence": 0.1}],
        ["forgot_password", "change_password", "register"],
    )
    (sent,) = ask(message).messages
    titles = [b["title"] for b in sent["buttons"]]
    assert titles == ["Pozabljeno geslo", "Sprememba gesla", "Registracija na portal", "Nič od tega"]
    assert all("{" not in t for t in titles)
    # a click sends the title as plain text: the model classifies it like any message
    assert sent["buttons"][0]["payload"] == "Pozabljeno geslo"


def test_non_faq_intents_get_slovene_titles() -> None:
    message = latest(
        [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "human_handoff", "confidence": 0.3}], []
    )
    (sent,) = ask(message).messages
    assert [b["title"] for b in sent["buttons"]] == ["Pogovor s svetovalcem", "Nič od tega"]


def test_nothing_to_offer_asks_to_rephrase() -> None:
    (sent,) = ask(latest([{"name": "nlu_fallback", "confidence": 0.9}], [])).messages
    assert sent["response"] == "utter_ask_rephrase"


def test_portal_topic_and_chat_self_service_are_both_offered() -> None:
    message = latest(
        [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "submit_reading", "confidence": 0.5},
            {"name": "faq", "confidence": 0.49},
        ],
        ["register"],
    )
    (sent,) = ask(message).messages
    titles = [b["title"] for b in sent["buttons"]]
    assert titles == ["Oddal bi stanje števca kar tukaj v klepetu", "Registracija na portal", "Nič od tega"]


def test_core_fallback_never_hands_over() -> None:
    """The dialogue unsure what comes next: a user message gets a rephrase request and is forgotten."""
    events, dispatcher = run(ActionCoreFallback(), tracker(latest=message("ok", intent="affirm")))
    assert responses(dispatcher) == ["", "utter_ask_rephrase"]
    assert dispatcher.messages[0]["custom"] == {"fallback": {"kind": "dialogue"}}
    assert events == [UserUtteranceReverted(), FollowupAction("action_listen")]
    assert not any("handoff" in m["custom"] for m in dispatcher.messages)
    # after a bot action (nobody spoke): just listen, say nothing
    events, dispatcher = run(ActionCoreFallback(), tracker(latest_action="action_show_invoices"))
    assert events == [FollowupAction("action_listen")] and not dispatcher.messages


@pytest.mark.parametrize(
    ("text", "intent", "slots", "response"),
    [("/affirm", "affirm", {"faq_feedback": "register:da"}, "utter_feedback_already"),
     ("ja", "affirm", {"faq_feedback": "register:da"}, "utter_anything_else"),
     ("ok", "affirm", {}, "utter_anything_else"), ("ne", "deny", {}, "utter_lone_no"),
     ("123456", "inform", {}, "utter_lone_code"), ("12500", "inform", {}, "utter_lone_number"),
     ("ana@example.com", "inform", {}, "utter_lone_identifier"), ("Vikend", "inform", {}, "utter_how_can_i_help")],
)
def test_lone_answers(text: str, intent: str, slots: Dict[str, Any], response: str) -> None:
    _, dispatcher = run(ActionLoneAnswer(), tracker(slots=slots, latest=message(text, intent=intent)))
    assert responses(dispatcher) == [response]


def test_a_code_typed_after_the_lock_is_told_the_lock() -> None:
    from actions.verification import locked_until

    slots = {"verify_locked_until": locked_until(600)}
    _, dispatcher = run(ActionLoneAnswer(), tracker(slots=slots, latest=message("123456")))
    assert responses(dispatcher) == ["utter_verification_locked"] and dispatcher.messages[0]["minutes"] == 10
