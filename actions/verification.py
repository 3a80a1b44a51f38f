"""Verification before personal data, and continuing the request that needed it.

The user gives an e-mail or customer number, the backend sends a one-time code to the contact
on file and, for the right code, issues a token bound to this conversation. The token is kept
in a slot that no typed entity can fill (custom mapping); the backend checks it on every
personal call, so the slot alone grants nothing.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.forms import FormValidation
from actions.notices import is_grant
from actions.shared import (
    FLOW_SLOTS,
    VERIFY_SLOTS,
    clear,
    fold,
    form_slots,
    intent_of,
    start_verification,
    text_of,
)

# What a personal intent asks for, and the action or form that does it.
PERSONAL_TARGETS = {
    "submit_reading": "reading_form",
    "list_readings": "action_list_readings",
    "consumption": "action_consumption",
    "invoices": "action_show_invoices",
    "invoice_pdf": "action_invoice_pdf",
    "campaign_join": "campaign_join_form",
    "subscribe_notice": "notice_form",
    "list_notices": "action_list_notices",
    "unsubscribe_notice": "action_unsubscribe_notice",
    "verify": "utter_what_next",
}
FORMS = ("verify_form", "reading_form", "campaign_join_form", "callback_form", "notice_form", "notice_end_form")
IDENTIFIER = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+|\d{5,10}")
RESEND = re.compile(r"\bnov\w* kod|\bponovn\w* (poslji|posljite|kod)|\bposlji\w* (se enkrat|znova|novo)|\bse enkrat\b")
DEFAULT_CODE_MINUTES = 10.0


def normalise_code(text: str) -> Optional[str]:
    digits = re.sub(r"[\s-]", "", text)
    return digits if re.fullmatch(r"\d{6}", digits) else None


def identifier_of(text: str) -> Optional[str]:
    """An e-mail or a customer number in what was typed ("moj mail je ana@x.si" included)."""
    m = IDENTIFIER.search(text.strip())
    return m.group(0) if m else None


def client_ref(tracker: Tracker) -> Optional[str]:
    """The gateway's keyed hash of the client address (for per-client send limits), if sent."""
    metadata = tracker.latest_message.get("metadata") or {}
    ref = metadata.get("client_ref") if isinstance(metadata, dict) else None
    return str(ref)[:128] if ref else None


def fresh(form: str, domain: DomainDict) -> List[EventType]:
    """A form started anew: its answers and the flow flags forgotten."""
    return clear(form_slots(domain, form) + FLOW_SLOTS)


def run_target(target: str, domain: DomainDict) -> List[EventType]:
    """Start what the user asked for (a form starts with empty answers)."""
    if target in FORMS:
        return [*fresh(target, domain), FollowupAction(target)]
    return [FollowupAction(target)]


class ActionPersonalRequest(Action):
    """Entry to every personal action: verify first if needed, then run it."""

    def name(self) -> str:
        return "action_personal_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = intent_of(tracker)
        target = PERSONAL_TARGETS.get(intent, "utter_what_next")
        loop = tracker.active_loop_name
        if loop == "verify_form":  # asked for something else while verifying: do that afterwards
            dispatcher.utter_message(response="utter_request_after_verification")
            return [SlotSet("pending_request", target), SlotSet("request_text", text_of(tracker)[:300]),
                    FollowupAction("verify_form")]
        events: List[EventType] = []
        if loop:  # a new request replaces an unfinished one
            events += [ActiveLoop(None), SlotSet("requested_slot", None), *fresh(loop, domain)]
        if is_grant(tracker.get_slot("auth_token")):  # a reply to a reminder: good for that one reading only
            dispatcher.utter_message(response="utter_reminder_reply_only_reading")
            return events + start_verification(target, text_of(tracker))
        if not tracker.get_slot("auth_token"):
            return events + start_verification(target, text_of(tracker))
        if target == "utter_what_next":
            dispatcher.utter_message(response="utter_already_verified")
            return events
        return events + [SlotSet("request_text", text_of(tracker)[:300]), *run_target(target, domain)]


class ActionResumePending(Action):
    """After verification: continue with what the user originally asked for."""

    def name(self) -> str:
        return "action_resume_pending"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        target = tracker.get_slot("pending_request")
        events: List[EventType] = [SlotSet("pending_request", None), *clear(VERIFY_SLOTS + FLOW_SLOTS)]
        if not tracker.get_slot("auth_token"):
            return events  # stopped (locked, backend down): the reason was already said
        if not target or target == "utter_what_next":
            dispatcher.utter_message(response="utter_what_next")
            return events
        return events + run_target(target, domain)


class ActionCancelForm(Action):
    """ "Prekliči": stop the running form; nothing half-done is sent anywhere."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        form = tracker.active_loop_name
        if not form:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
            return []
        dispatcher.utter_message(response="utter_cancelled")
        extra = ["pending_request", "request_text"] if form == "verify_form" else []
        return [ActiveLoop(None), SlotSet("requested_slot", None), *fresh(form, domain), *clear(extra)]


class ActionSessionStart(Action):
    """A new session (after 30 idle minutes) keeps the brand but not the verification."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        if tracker.get_slot("brand"):
            events.append(SlotSet("brand", tracker.get_slot("brand")))
        events.append(ActionExecuted("action_listen"))
        return events


class ActionCodeHelp(Action):
    """ "Koliko časa velja koda?", "koda ni prišla" outside the verification form."""

    def name(self) -> str:
        return "action_code_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_code_help_general")
        return []


def _minutes(seconds: Any, default: float = 15 * 60) -> int:
    try:
        return max(1, int(float(seconds)) // 60)
    except (TypeError, ValueError):
        return max(1, int(default) // 60)


def locked_until(retry_after: Any) -> str:
    """When a lock ends (ISO, UTC), remembered so a code typed later is answered with the lock."""
    seconds = float(retry_after) if isinstance(retry_after, (int, float)) else 15 * 60
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat()


class ValidateVerifyForm(FormValidation):
    """Talks to the backend at each step and explains every refusal."""

    def name(self) -> str:
        return "validate_verify_form"

    async def _send(self, identifier: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
        result = await backend_client.start_verification(identifier, tracker.sender_id, client_ref(tracker))
        if result.ok:
            # the backend answers the same whether or not the identifier exists (no account enumeration)
            minutes = _minutes(result.data.get("expires_in_seconds"), DEFAULT_CODE_MINUTES * 60)
            dispatcher.utter_message(response="utter_code_sent", minutes=minutes)
            return {"verify_identifier": identifier, "code_minutes": float(minutes)}
        retry = result.extra.get("retry_after")
        if result.code == "sms_budget_exhausted":
            dispatcher.utter_message(response="utter_code_not_sent")
            return {"verify_identifier": None, **self.stop()}
        if result.unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"verify_identifier": None, **self.stop()}
        if result.code in ("too_many_codes", "too_many_codes_conversation", "too_many_codes_client"):
            dispatcher.utter_message(response="utter_too_many_codes", minutes=_minutes(retry))
            # a code sent a moment ago may still be on its way: keep waiting for it
            return {"verify_identifier": identifier}
        if result.code == "too_many_accounts_conversation":
            dispatcher.utter_message(response="utter_too_many_accounts", minutes=_minutes(retry))
            return {"verify_identifier": None, **self.stop()}
        dispatcher.utter_message(response="utter_verification_locked", minutes=_minutes(retry))
        return {"verify_identifier": None, "verify_locked_until": locked_until(retry), **self.stop()}

    async def validate_verify_identifier(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        identifier = identifier_of(str(value))
        if identifier is None or len(identifier) > 254:
            return self.not_an_answer("verify_identifier", dispatcher, tracker, "utter_verify_identifier_invalid")
        return await self._send(identifier, dispatcher, tracker)

    async def validate_verify_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value)
        code = normalise_code(text)
        if code is None:
            if RESEND.search(fold(text)) or (intent_of(tracker) == "code_help" and "nov" in fold(text)):
                resent = await self._send(str(tracker.get_slot("verify_identifier") or ""), dispatcher, tracker)
                return {**resent, "verify_code": None}
            if intent_of(tracker) == "code_help":
                minutes = int(tracker.get_slot("code_minutes") or DEFAULT_CODE_MINUTES)
                dispatcher.utter_message(response="utter_code_help", minutes=minutes)
                return {"verify_code": None}
            if re.fullmatch(r"[\d\s-]{3,12}", text.strip()):
                dispatcher.utter_message(response="utter_code_format")
                return {"verify_code": None}
            return self.not_an_answer("verify_code", dispatcher, tracker, "utter_code_format")
        result = await backend_client.confirm_verification(code, tracker.sender_id)
        if result.ok:
            dispatcher.utter_message(response="utter_verified")
            return {
                "verify_code": "ok",  # the code itself is not kept
                "auth_token": result.data["token"],
                "customer_masked": result.data.get("account_email_masked"),
            }
        if result.unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"verify_code": None, **self.stop()}
        if result.code == "code_invalid":
            dispatcher.utter_message(response="utter_code_invalid", remaining=result.extra.get("remaining_attempts", "—"))
            return {"verify_code": None}
        if result.code in ("code_expired", "no_active_challenge", "too_many_attempts"):
            dispatcher.utter_message(response="utter_code_expired")
            return {"verify_code": None, "verify_identifier": None}
        retry = result.extra.get("retry_after")
        dispatcher.utter_message(response="utter_verification_locked", minutes=_minutes(retry))
        return {"verify_code": None, "verify_locked_until": locked_until(retry), **self.stop()}

