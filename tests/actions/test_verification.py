"""Personal requests: verification first, then the original request; the verification form
against the real backend; cancel stops a form cleanly."""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.verification import (
    ActionCancelForm,
    ActionPersonalRequest,
    ActionResumePending,
    ValidateVerifyForm,
    identifier_of,
    normalise_code,
)
from tests.actions.conftest import message, responses, run, said, slot_events, tracker


def t(intent: str, slots: Optional[Dict[str, Any]] = None, loop: Optional[str] = None, text: str = "x"):  # type: ignore[no-untyped-def]
    return tracker("conv-9", slots or {}, message(text, intent=intent), loop=loop)


@pytest.mark.offline
def test_unverified_request_remembers_it_and_starts_verification() -> None:
    events, _ = run(ActionPersonalRequest(), t("invoices", text="pokaži moje račune"))
    assert SlotSet("pending_request", "action_show_invoices") in events
    assert SlotSet("request_text", "pokaži moje račune") in events
    assert SlotSet("auth_token", None) in events
    assert events[-1] == FollowupAction("verify_form")


@pytest.mark.offline
def test_verified_request_runs_at_once_with_a_fresh_form() -> None:
    events, _ = run(ActionPersonalRequest(), t("submit_reading", {"auth_token": "t"}))
    assert events[-1] == FollowupAction("reading_form")
    assert SlotSet("reading_value", None) in events and SlotSet("flow_stopped", None) in events


@pytest.mark.offline
def test_new_request_replaces_an_unfinished_form() -> None:
    events, _ = run(ActionPersonalRequest(), t("invoices", {"auth_token": "t"}, loop="reading_form"))
    assert events[0] == ActiveLoop(None)
    assert events[-1] == FollowupAction("action_show_invoices")


@pytest.mark.offline
def test_a_request_during_verification_waits_for_it() -> None:
    events, dispatcher = run(ActionPersonalRequest(), t("consumption", loop="verify_form"))
    assert responses(dispatcher) == ["utter_request_after_verification"]
    assert SlotSet("pending_request", "action_consumption") in events
    assert events[-1] == FollowupAction("verify_form") and ActiveLoop(None) not in events


@pytest.mark.offline
def test_resume_continues_only_with_a_token() -> None:
    events, _ = run(ActionResumePending(), t("inform", {"pending_request": "action_show_invoices"}))
    assert FollowupAction("action_show_invoices") not in events
    events, _ = run(ActionResumePending(), t("inform", {"pending_request": "action_show_invoices", "auth_token": "x"}))
    assert events[-1] == FollowupAction("action_show_invoices")


@pytest.mark.offline
def test_cancel_clears_the_form_and_says_nothing_was_stored() -> None:
    events, dispatcher = run(ActionCancelForm(), t("cancel", {"reading_value": "123"}, loop="reading_form"))
    assert ActiveLoop(None) in events and SlotSet("reading_value", None) in events
    assert responses(dispatcher) == ["utter_cancelled"]


@pytest.mark.parametrize(("text", "code"), [("123456", "123456"), ("123 456", "123456"), ("12345", None),
                                            ("abcdef", None), ("123-456", "123456")])
@pytest.mark.offline
def test_code_normalisation(text: str, code: Optional[str]) -> None:
    assert normalise_code(text) == code


@pytest.mark.offline
def test_identifier_in_what_was_typed() -> None:
    assert identifier_of("moj mail je Ana.Novak@example.com") == "Ana.Novak@example.com"
    assert identifier_of("1000001") == "1000001"
    assert identifier_of("ne vem") is None


def form(slots: Dict[str, Any], new: Dict[str, Any], text: str, conv: str, **kw: Any):  # type: ignore[no-untyped-def]
    return run(ValidateVerifyForm(), tracker(conv, slots, message(text, **kw), new, loop="verify_form"))


def test_code_sent_reply_is_the_same_for_unknown_identifiers() -> None:
    known, d1 = form({"requested_slot": "verify_identifier"}, {"verify_identifier": "ana.novak@example.com"},
                     "ana.novak@example.com", "conv-known")
    unknown, d2 = form({"requested_slot": "verify_identifier"}, {"verify_identifier": "nihce@example.com"},
                       "nihce@example.com", "conv-unknown")
    assert responses(d1) == responses(d2) == ["utter_code_sent"]
    assert slot_events(known)["verify_identifier"] and slot_events(unknown)["verify_identifier"]


def test_a_question_about_the_code_is_answered_and_the_code_asked_again() -> None:
    slots = {"requested_slot": "verify_code", "verify_identifier": "ana.novak@example.com", "code_minutes": 10.0}
    events, dispatcher = form(slots, {"verify_code": "koliko časa velja koda?"}, "koliko časa velja koda?",
                              "conv-code-help", intent="code_help")
    assert said(dispatcher, "utter_code_help")["minutes"] == 10
    assert slot_events(events)["verify_code"] is None and not slot_events(events).get("flow_stopped")


def test_wrong_code_says_how_many_tries_remain() -> None:
    conv = "conv-wrong-then-right"
    form({"requested_slot": "verify_identifier"}, {"verify_identifier": "lara.kralj@example.com"},
         "lara.kralj@example.com", conv)
    events, dispatcher = form({"requested_slot": "verify_code"}, {"verify_code": "000000"}, "000000", conv)
    assert said(dispatcher, "utter_code_invalid")["remaining"] == 4 or "utter_verified" in responses(dispatcher)


def test_a_third_account_in_one_conversation_is_refused_clearly() -> None:
    """The backend limits accounts per conversation (paid SMS abuse); the bot says why and stops."""
    conv = "conv-three-accounts"
    for email in ("eva.krajnc@example.com", "oto.bergant@example.com"):
        _, dispatcher = form({"requested_slot": "verify_identifier"}, {"verify_identifier": email}, email, conv)
        assert responses(dispatcher) == ["utter_code_sent"]
    events, dispatcher = form({"requested_slot": "verify_identifier"}, {"verify_identifier": "jana.zorko@example.com"},
                              "jana.zorko@example.com", conv)
    assert responses(dispatcher) == ["utter_too_many_accounts"] and slot_events(events)["flow_stopped"] is True
