"""Personal requests: verification first, then the original request; cancel stops a form cleanly."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.verification import ActionCancelForm, ActionPersonalRequest, ActionResumePending, normalise_code


def tracker(intent: str, slots: Optional[Dict[str, Any]] = None, loop: Optional[str] = None) -> Tracker:
    latest = {"intent": {"name": intent, "confidence": 1.0}, "text": "x"}
    return Tracker("conv-9", slots or {}, latest, [], False, None, {"name": loop} if loop else {},
                   "action_listen")


@pytest.fixture(autouse=True)
def no_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACKEND_URL", raising=False)


def run(action: Any, t: Tracker) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    return asyncio.run(action.run(dispatcher, t, {})), dispatcher


def test_unverified_request_remembers_it_and_starts_verification() -> None:
    events, _ = run(ActionPersonalRequest(), tracker("invoices"))
    assert SlotSet("pending_request", "action_show_invoices") in events
    assert SlotSet("auth_token", None) in events
    assert events[-1] == FollowupAction("verify_form")


def test_verified_request_runs_at_once() -> None:
    events, _ = run(ActionPersonalRequest(), tracker("submit_reading", {"auth_token": "t"}))
    assert events[-1] == FollowupAction("reading_form")
    assert SlotSet("reading_value", None) in events  # a fresh form


def test_new_request_replaces_an_unfinished_form() -> None:
    events, _ = run(ActionPersonalRequest(), tracker("invoices", {"auth_token": "t"}, loop="reading_form"))
    assert events[0] == ActiveLoop(None)
    assert events[-1] == FollowupAction("action_show_invoices")


def test_resume_continues_only_with_a_token() -> None:
    events, _ = run(ActionResumePending(), tracker("inform", {"pending_request": "action_show_invoices"}))
    assert FollowupAction("action_show_invoices") not in events
    events, _ = run(
        ActionResumePending(), tracker("inform", {"pending_request": "action_show_invoices", "auth_token": "t"})
    )
    assert events[-1] == FollowupAction("action_show_invoices")


def test_cancel_clears_the_form_and_says_nothing_was_stored() -> None:
    events, dispatcher = run(ActionCancelForm(), tracker("cancel", {"reading_value": "123"}, loop="reading_form"))
    assert ActiveLoop(None) in events and SlotSet("reading_value", None) in events
    assert dispatcher.messages[0]["response"] == "utter_cancelled"


@pytest.mark.parametrize(("text", "code"), [("123456", "123456"), ("123 456", "123456"), ("12345", None),
                                            ("abcdef", None), ("123-456", "123456")])
def test_code_normalisation(text: str, code: Optional[str]) -> None:
    assert normalise_code(text) == code
