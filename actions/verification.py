"""Verification before personal data, and continuing the request that needed it.

The user gives an e-mail or customer number, the backend sends a one-time code to
the contact on file and, for the right code, issues a token bound to this
conversation. The token is kept in a slot that no typed entity can fill (custom
mapping); the backend checks it on every personal call, so the slot alone grants
nothing.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client

# What a personal intent asks for, and the action or form that does it.
PERSONAL_TARGETS = {
    "submit_reading": "reading_form",
    "list_readings": "action_list_readings",
    "consumption": "action_consumption",
    "invoices": "action_show_invoices",
    "invoice_pdf": "action_invoice_pdf",
    "campaign_join": "campaign_join_form",
    "verify": "utter_verified",
}
FORM_SLOTS = {
    "verify_form": ["verify_identifier", "verify_code"],
    "reading_form": ["reading_point", "reading_value", "reading_date", "reading_own_record",
                     "reading_confirm_high", "reading_confirm", "reading_outside_window", "reading_high"],
    "campaign_join_form": ["join_point", "join_confirm"],
    "callback_form": ["callback_text"],
}
AUTH_SLOTS = ["auth_token", "customer_masked", "pending_request"]


def clear(names: List[str]) -> List[EventType]:
    return [SlotSet(name, None) for name in names]


def start_verification(target: str) -> List[EventType]:
    """Remember what the user wanted, forget any old token, and ask who they are."""
    return [SlotSet("pending_request", target), *clear(["auth_token", "customer_masked"]),
            *clear(FORM_SLOTS["verify_form"]), FollowupAction("verify_form")]


def reverify(dispatcher: CollectingDispatcher, target: str) -> List[EventType]:
    """The backend no longer accepts the token (expired): verify again, then continue."""
    dispatcher.utter_message(text="Vaša preverjenost je potekla, zato vas moram preveriti znova.")
    return start_verification(target)


class ActionPersonalRequest(Action):
    """Entry to every personal action: verify first if needed, then run it."""

    def name(self) -> str:
        return "action_personal_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        target = PERSONAL_TARGETS.get(intent, "utter_verified")
        events: List[EventType] = []
        if tracker.active_loop_name:  # a new request replaces an unfinished one
            events += [ActiveLoop(None), SlotSet("requested_slot", None),
                       *clear(FORM_SLOTS.get(tracker.active_loop_name, []))]
        if intent == "campaign_join":
            events += await _campaign_from_text(tracker)
        if not tracker.get_slot("auth_token"):
            return events + start_verification(target)
        if target == "utter_verified":
            dispatcher.utter_message(text="Že ste preverjeni. Kaj želite urediti?")
            return events
        return events + [*clear(FORM_SLOTS.get(target, [])), FollowupAction(target)]


async def _campaign_from_text(tracker: Tracker) -> List[EventType]:
    """The campaign named in a "join" request, remembered for the join form."""
    from actions.campaigns import find_campaign  # campaigns imports this module

    listing = await backend_client.campaigns()
    if not listing.ok:
        return []
    found = find_campaign(tracker.latest_message.get("text") or "", listing.data)
    return [SlotSet("campaign", found["code"])] if found else []


class ActionResumePending(Action):
    """After verification: continue with what the user originally asked for."""

    def name(self) -> str:
        return "action_resume_pending"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        target = tracker.get_slot("pending_request")
        events: List[EventType] = [SlotSet("pending_request", None), *clear(FORM_SLOTS["verify_form"])]
        if not tracker.get_slot("auth_token"):
            return events
        if not target or target == "utter_verified":
            dispatcher.utter_message(response="utter_verified")
            return events
        return events + [*clear(FORM_SLOTS.get(target, [])), FollowupAction(target)]


class ActionCancelForm(Action):
    """"Prekliči": stop the running form; nothing half-done is sent anywhere."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        form = tracker.active_loop_name
        if not form:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
            return []
        dispatcher.utter_message(response="utter_cancelled")
        extra = ["pending_request"] if form == "verify_form" else []
        return [ActiveLoop(None), SlotSet("requested_slot", None), *clear(FORM_SLOTS.get(form, []) + extra)]


class ActionSessionStart(Action):
    """A new session (after 30 idle minutes) keeps the brand but not the verification."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        if tracker.get_slot("brand"):
            events.append(SlotSet("brand", tracker.get_slot("brand")))
        events.append(ActionExecuted("action_listen"))
        return events


def normalise_code(text: str) -> Optional[str]:
    digits = re.sub(r"[\s-]", "", text)
    return digits if re.fullmatch(r"\d{6}", digits) else None


class ValidateVerifyForm(FormValidationAction):
    """Talks to the backend at each step and explains every refusal in Slovene."""

    def name(self) -> str:
        return "validate_verify_form"

    async def validate_verify_identifier(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # cleared by a previous step, nothing typed yet
            return {"verify_identifier": None}
        identifier = str(value or "").strip()
        if not identifier or len(identifier) > 254:
            dispatcher.utter_message(text="Vpišite e-naslov ali številko kupca.")
            return {"verify_identifier": None}
        result = await backend_client.start_verification(identifier, tracker.sender_id)
        if result.ok:
            where = "e-naslov" if result.data.get("channel") == "email" else "telefonsko številko"
            dispatcher.utter_message(
                text=f"Poslal sem vam kodo na {where} {result.data.get('masked_contact')}."
            )
            return {"verify_identifier": identifier}
        if result.unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"requested_slot": None, "verify_identifier": None, **_stop()}
        if result.status == 404:
            dispatcher.utter_message(
                text="Tega e-naslova ali številke kupca ne najdem. Preverite zapis in ga vpišite znova."
            )
            return {"verify_identifier": None}
        dispatcher.utter_message(text=_locked_text(result))
        return {"verify_identifier": None, **_stop()}

    async def validate_verify_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # cleared by a previous step, nothing typed yet
            return {"verify_code": None}
        code = normalise_code(str(value or ""))
        if code is None:
            dispatcher.utter_message(text="Koda ima 6 številk. Vpišite jo, kot je v sporočilu.")
            return {"verify_code": None}
        result = await backend_client.confirm_verification(code, tracker.sender_id)
        if result.ok:
            return {
                "verify_code": "ok",  # the code itself is not kept
                "auth_token": result.data["token"],
                "customer_masked": result.data.get("account_email_masked"),
            }
        if result.unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"verify_code": None, **_stop()}
        if result.code == "code_invalid":
            left = result.extra.get("remaining_attempts")
            dispatcher.utter_message(
                text=f"Koda ni pravilna. Preostali poskusi: {left}." if left is not None
                else "Koda ni pravilna."
            )
            return {"verify_code": None}
        if result.code in ("code_expired", "no_active_challenge"):
            dispatcher.utter_message(
                text="Koda je potekla. Za novo kodo znova vpišite e-naslov ali številko kupca."
            )
            return {"verify_code": None, "verify_identifier": None}
        dispatcher.utter_message(text=_locked_text(result))
        return {"verify_code": None, **_stop()}


def _stop() -> Dict[str, Any]:
    """Slot values that end the verification without success (the form sees it as done)."""
    return {"pending_request": None, "requested_slot": None, "verify_identifier": "-", "verify_code": "-"}


def _locked_text(result: backend_client.Result) -> str:
    minutes = max(1, int(result.extra.get("retry_after", 900)) // 60)
    return (
        f"Zaradi preveč poskusov je preverjanje začasno zaklenjeno. Poskusite znova čez {minutes} min "
        "ali pokličite naše svetovalce na 080 1558 (pon–pet od 8. do 20. ure, sob od 8. do 14. ure)."
    )
