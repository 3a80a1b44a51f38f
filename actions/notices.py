"""Notices in the chat: switching reading reminders and invoice notices on, listing, ending them;
and a reading sent as the answer to a reminder (SMS / Telegram).

The kind (reminder / invoice notice) and the channel (SMS, e-mail, Telegram) are read from the
request's words when it names them, else asked with buttons; the point is taken when the account
has only one (or the request names one), else asked. Every rule is the backend's: who may get
invoice notices, which contact is on file (it answers with the contact masked), when the first
reminder goes out. Telegram needs the chat id, which only the gateway knows: it passes it in the
message metadata (actions/brand.py puts it in the `telegram_chat_id` slot).

A reply to a reminder comes with a reminder grant the gateway obtained from the backend (the
number on file got the reminder): the grant stands in for the one-time code for that one point
and that one reading, in the normal reading form; nothing else accepts it.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.backend_types import MeteringPoint, Subscription
from actions.forms import FormValidation
from actions.shared import (
    AUTH_SLOTS,
    FLOW_SLOTS,
    VERIFY_SLOTS,
    Wording,
    clear,
    fold,
    form_slots,
    match_points,
    point_buttons,
    sl_date,
    start_verification,
    text_of,
    today,
    words,
)

KIND_WORDS = {
    "reading_reminder": r"opomn|opomin|stanj|odcit|stevc|stevec|plinomer",
    "invoice_notice": r"racun|faktur",
}
CHANNEL_WORDS = {
    "sms": r"\bsms|\bsmsj|\bsporocil\w* na telefon|telefon|mobitel|mobilni|\bgsm\b",
    "email": r"e\s*-?\s*post|e\s*-?\s*mail|\bmail|\bmejl|elektronsk",
    "telegram": r"telegram",
}
ALL_WORDS = {"vse", "vsa", "vsi", "vseh", "vsega", "vsak", "vsako", "oboje", "obe", "oba"}
GRANT_PREFIX = "rg."


def kind_in(text: str) -> Optional[str]:
    """The notice the text names; None when it names none or both (then it is asked)."""
    if text in KIND_WORDS:  # already read (a value taken from the request)
        return text
    folded = fold(text)
    found = [kind for kind, pattern in KIND_WORDS.items() if re.search(pattern, folded)]
    return found[0] if len(found) == 1 else None


def channel_in(text: str) -> Optional[str]:
    if text in CHANNEL_WORDS:
        return text
    folded = fold(text)
    found = [channel for channel, pattern in CHANNEL_WORDS.items() if re.search(pattern, folded)]
    return found[0] if len(found) == 1 else None


def is_grant(token: Optional[str]) -> bool:
    """A reminder grant, not a verification token (the backend's grant tokens start with rg.)."""
    return bool(token) and str(token).startswith(GRANT_PREFIX)


def subscription_point(s: Subscription) -> str:
    nickname = s.get("metering_point_nickname")
    return f"{nickname} – {s['metering_point']}" if nickname else s["metering_point"]


def notice_line(s: Subscription, wording: Wording, with_next: bool = True) -> str:
    nxt = ""
    if with_next and s["kind"] == "reading_reminder" and s.get("next_reminder_on"):
        nxt = wording.render("utter_line_notice_next", date=sl_date(s["next_reminder_on"]))
    return wording.render(
        "utter_line_notice", what=wording.label("notice_kind", s["kind"]), point=subscription_point(s),
        channel=wording.label("notice_channel", s["channel"]), contact=s["masked_contact"], next=nxt,
    )


def narrow(subs: Sequence[Subscription], text: str) -> List[Subscription]:
    """The subscriptions the text names: each criterion it names (point, kind, channel) narrows."""
    folded = fold(text)
    chosen = list(subs)
    compact = re.sub(r"[\s\-]", "", folded)
    by_point = [s for s in chosen if re.sub(r"-", "", fold(s["metering_point"])) in compact
                or (s.get("metering_point_nickname")
                    and set(words(str(s["metering_point_nickname"]))) <= set(words(text)))]
    if by_point:
        chosen = by_point
    kind = kind_in(text)
    if kind and any(s["kind"] == kind for s in chosen):
        chosen = [s for s in chosen if s["kind"] == kind]
    channel = channel_in(text)
    if channel and any(s["channel"] == channel for s in chosen):
        chosen = [s for s in chosen if s["channel"] == channel]
    return chosen


def says_all(text: str) -> bool:
    return bool(ALL_WORDS & set(words(text)))


async def active_subscriptions(
    dispatcher: CollectingDispatcher, tracker: Tracker, target: str
) -> tuple[Optional[List[Subscription]], List[EventType]]:
    """The account's active subscriptions, or None and what to do instead (re-verify, say why)."""
    result = await backend_client.subscriptions(tracker.get_slot("auth_token"), tracker.sender_id)
    if result.ok:
        return list(result.data), []
    if result.auth_failed or result.code == "reminder_grant_not_allowed":
        dispatcher.utter_message(response="utter_verification_expired")
        return None, start_verification(target, str(tracker.get_slot("request_text") or text_of(tracker)))
    dispatcher.utter_message(response="utter_backend_unavailable")
    return None, []


# --- switching on ---------------------------------------------------------------------------------
class ValidateNoticeForm(FormValidation):
    """Kind, channel and point: from the request's words where it names them, else asked."""

    def name(self) -> str:
        return "validate_notice_form"

    @staticmethod
    def _fresh(tracker: Tracker, slot: str) -> bool:
        """Only before the first question: read the request's own words."""
        return not (tracker.get_slot(slot) or tracker.get_slot("requested_slot") or tracker.get_slot("flow_stopped"))

    async def extract_notice_kind(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if not self._fresh(tracker, "notice_kind"):
            return {}
        kind = kind_in(str(tracker.get_slot("request_text") or ""))
        return {"notice_kind": kind} if kind else {}

    async def extract_notice_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if not self._fresh(tracker, "notice_channel"):
            return {}
        channel = channel_in(str(tracker.get_slot("request_text") or ""))
        if channel == "telegram" and not tracker.get_slot("telegram_chat_id"):
            dispatcher.utter_message(response="utter_notice_telegram_elsewhere")
            return {}
        return {"notice_channel": channel} if channel else {}

    async def extract_notice_point(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if not self._fresh(tracker, "notice_point"):
            return {}
        points, stopped = await self._points(dispatcher, tracker)
        if points is None:
            return stopped
        if not points:
            dispatcher.utter_message(response="utter_no_points")
            return self.stop()
        found = points if len(points) == 1 else match_points(str(tracker.get_slot("request_text") or ""), points)
        return {"notice_point": found[0]["number"]} if len(found) == 1 else {}

    @staticmethod
    async def _points(
        dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[Optional[List[MeteringPoint]], Dict[str, Any]]:
        """The account's points, or None and the slots that end the form (an expired token is
        forgotten: action_subscribe_notice then verifies again)."""
        result = await backend_client.metering_points(tracker.get_slot("auth_token"), tracker.sender_id)
        if result.ok:
            return list(result.data), {}
        if result.auth_failed:
            dispatcher.utter_message(response="utter_verification_expired")
            return None, {"auth_token": None, **FormValidation.stop()}
        dispatcher.utter_message(response="utter_backend_unavailable")
        return None, FormValidation.stop()

    async def validate_notice_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        kind = kind_in(str(value))
        if kind:
            return {"notice_kind": kind}
        return self.not_an_answer("notice_kind", dispatcher, tracker, "utter_notice_kind_unknown")

    async def validate_notice_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        channel = channel_in(str(value))
        if channel == "telegram" and not tracker.get_slot("telegram_chat_id"):
            dispatcher.utter_message(response="utter_notice_telegram_elsewhere")
            return {"notice_channel": None}
        if channel:
            return {"notice_channel": channel}
        return self.not_an_answer("notice_channel", dispatcher, tracker, "utter_notice_channel_unknown")

    async def validate_notice_point(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        points, stopped = await self._points(dispatcher, tracker)
        if points is None:
            return {"notice_point": None, **stopped}
        found = match_points(str(value), points)
        if len(found) == 1:
            return {"notice_point": found[0]["number"]}
        if found:
            buttons = point_buttons(found, Wording(domain, tracker))
            dispatcher.utter_message(response="utter_point_ambiguous", buttons=buttons)
            return {"notice_point": None}
        return self.not_an_answer("notice_point", dispatcher, tracker, "utter_point_unknown")


class ActionAskNoticePoint(Action):
    """Which of the account's points (only reached with two or more)."""

    def name(self) -> str:
        return "action_ask_notice_point"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        result = await backend_client.metering_points(tracker.get_slot("auth_token"), tracker.sender_id)
        points = list(result.data) if result.ok else []
        buttons = point_buttons(points, Wording(domain, tracker))
        dispatcher.utter_message(response="utter_notice_which_point", buttons=buttons)
        return []


class ActionSubscribeNotice(Action):
    """After the form: switch the notice on and say what, where (masked) and when."""

    def name(self) -> str:
        return "action_subscribe_notice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        done = clear(form_slots(domain, "notice_form") + FLOW_SLOTS)
        token = tracker.get_slot("auth_token")
        if not token:  # the token expired mid-form (the user was told): verify, then start again
            return done + start_verification("notice_form", str(tracker.get_slot("request_text") or ""))
        point, kind, channel = (tracker.get_slot("notice_point"), tracker.get_slot("notice_kind"),
                                tracker.get_slot("notice_channel"))
        if tracker.get_slot("flow_stopped") or not (point and kind and channel):
            return done
        chat_id = tracker.get_slot("telegram_chat_id") if channel == "telegram" else None
        result = await backend_client.subscribe(token, tracker.sender_id, str(point), str(kind), str(channel), chat_id)
        wording = Wording(domain, tracker)
        if result.ok:
            s = result.data["subscription"]
            says = {"point": subscription_point(s), "channel": wording.label("notice_channel", s["channel"]),
                    "contact": s["masked_contact"], "quiet_start": s["quiet_start_hour"],
                    "quiet_end": s["quiet_end_hour"], "stop": wording.label("notice_stop", s["channel"])}
            if result.data["result"] == "existing":
                what = wording.label("notice_kind", s["kind"])
                dispatcher.utter_message(response="utter_notice_already_on", what=what, **says)
            elif s["kind"] == "reading_reminder":
                dispatcher.utter_message(
                    response="utter_notice_subscribed_reminder", first=sl_date(s.get("next_reminder_on")),
                    start=s.get("window_start_day"), end=s.get("window_end_day"), **says,
                )
            else:
                dispatcher.utter_message(response="utter_notice_subscribed_invoice", **says)
        elif result.auth_failed or result.code == "reminder_grant_not_allowed":
            dispatcher.utter_message(response="utter_verification_expired")
            return done + start_verification("notice_form", str(tracker.get_slot("request_text") or ""))
        elif result.code == "access_denied_invoices":
            dispatcher.utter_message(response="utter_notice_invoices_no_access", point=point)
        elif result.code == "contact_missing":
            dispatcher.utter_message(
                response="utter_notice_contact_missing", channel=wording.label("notice_channel", channel),
                contact_kind=wording.label("notice_contact_kind", channel),
            )
        elif result.code == "metering_point_not_found":
            dispatcher.utter_message(response="utter_notice_point_missing")
        else:
            dispatcher.utter_message(response="utter_notice_not_saved")
        return done


# --- listing and ending ---------------------------------------------------------------------------------
class ActionListNotices(Action):
    """ "Kateri opomniki so vklopljeni?": each active notice with its point, channel, contact, next date."""

    def name(self) -> str:
        return "action_list_notices"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        subs, events = await active_subscriptions(dispatcher, tracker, self.name())
        if subs is None:
            return events
        if not subs:
            dispatcher.utter_message(response="utter_notices_none")
            return []
        wording = Wording(domain, tracker)
        dispatcher.utter_message(response="utter_notices_list", lines="\n".join(notice_line(s, wording) for s in subs))
        return []


async def end_notices(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, chosen: Sequence[Subscription], everything: bool
) -> List[EventType]:
    """End the chosen subscriptions (or all) at once and say which ended."""
    token, conv = tracker.get_slot("auth_token"), tracker.sender_id
    ended: List[Subscription] = []
    failed: Optional[backend_client.Result[Any]] = None
    if everything:
        result = await backend_client.end_all_subscriptions(token, conv)
        if result.ok:
            ended = list(result.data["items"])
        else:
            failed = result
    else:
        for s in chosen:
            one = await backend_client.end_subscription(token, conv, s["id"])
            if not one.ok:
                failed = one
                break
            ended.append(one.data["subscription"])
    if failed is not None and not ended:
        if failed.auth_failed:
            dispatcher.utter_message(response="utter_verification_expired")
            return start_verification("action_unsubscribe_notice", str(tracker.get_slot("request_text") or ""))
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    if not ended:
        dispatcher.utter_message(response="utter_notices_none_to_end")
        return []
    wording = Wording(domain, tracker)
    dispatcher.utter_message(response="utter_notices_ended",
                             lines="\n".join(notice_line(s, wording, with_next=False) for s in ended))
    return []


class ActionUnsubscribeNotice(Action):
    """ "Izklopi opomnik": one subscription (or the one the words name) ends; with several, asks which."""

    def name(self) -> str:
        return "action_unsubscribe_notice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        subs, events = await active_subscriptions(dispatcher, tracker, self.name())
        if subs is None:
            return events
        if not subs:
            dispatcher.utter_message(response="utter_notices_none_to_end")
            return []
        text = str(tracker.get_slot("request_text") or text_of(tracker))
        if says_all(text):
            return await end_notices(dispatcher, tracker, domain, subs, everything=True)
        chosen = subs if len(subs) == 1 else narrow(subs, text)
        if len(chosen) == 1:
            return await end_notices(dispatcher, tracker, domain, chosen, everything=False)
        return [*clear(form_slots(domain, "notice_end_form") + FLOW_SLOTS), FollowupAction("notice_end_form")]


class ValidateNoticeEndForm(FormValidation):
    def name(self) -> str:
        return "validate_notice_end_form"

    async def validate_notice_end_choice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value)
        if says_all(text):
            return {"notice_end_choice": "all"}
        subs, _ = await active_subscriptions(dispatcher, tracker, "action_unsubscribe_notice")
        if subs is None:
            return {"notice_end_choice": None, **self.stop()}
        chosen = narrow(subs, text)
        if len(chosen) == 1 and len(chosen) < len(subs):
            return {"notice_end_choice": str(chosen[0]["id"])}
        return self.not_an_answer("notice_end_choice", dispatcher, tracker, "utter_notice_end_unknown")


class ActionAskNoticeEndChoice(Action):
    """Which notice to end: one button per active subscription, and "Vse"."""

    def name(self) -> str:
        return "action_ask_notice_end_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        result = await backend_client.subscriptions(tracker.get_slot("auth_token"), tracker.sender_id)
        subs = list(result.data) if result.ok else []
        wording = Wording(domain, tracker)
        buttons = [{"title": t, "payload": t} for t in (end_title(s, wording) for s in subs)]
        buttons.append({"title": wording.label("notice_all"), "payload": wording.label("notice_all")})
        dispatcher.utter_message(response="utter_ask_notice_end_choice", buttons=buttons)
        return []


def end_title(s: Subscription, wording: Wording) -> str:
    """A button title that `narrow` reads back as exactly this subscription."""
    kind = wording.label("notice_kind", s["kind"])
    return f"{kind[:1].upper()}{kind[1:]}, {s['metering_point']}, {wording.label('notice_channel', s['channel'])}"


class ActionEndNotice(Action):
    """After "which one?": end it (or all)."""

    def name(self) -> str:
        return "action_end_notice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        done = clear(form_slots(domain, "notice_end_form") + FLOW_SLOTS)
        choice = tracker.get_slot("notice_end_choice")
        if tracker.get_slot("flow_stopped") or not choice:
            return done
        if choice == "all":
            return done + await end_notices(dispatcher, tracker, domain, [], everything=True)
        subs, events = await active_subscriptions(dispatcher, tracker, "action_unsubscribe_notice")
        if subs is None:
            return done + events
        chosen = [s for s in subs if str(s["id"]) == str(choice)]
        return done + await end_notices(dispatcher, tracker, domain, chosen, everything=False)


# --- a reading as the answer to a reminder ------------------------------------------------------------
def reminder_grant(tracker: Tracker) -> Optional[Mapping[str, Any]]:
    """The grant the gateway attached to this message (it asked the backend), if any."""
    metadata = tracker.latest_message.get("metadata") or {}
    grant = metadata.get("reminder_grant") if isinstance(metadata, dict) else None
    if isinstance(grant, dict) and is_grant(grant.get("token")) and grant.get("metering_point") and grant.get("value"):
        return grant
    return None


def reminder_reply(dispatcher: CollectingDispatcher, grant: Mapping[str, Any]) -> List[EventType]:
    """The reading form for the reminded point, the value and today's date given: the summary
    follows, and "da" stores it with the grant (which the backend accepts for nothing else)."""
    value = re.sub(r"\s", "", str(grant["value"]))[:20]
    dispatcher.utter_message(response="utter_reminder_reply_start", value=value, point=grant["metering_point"])
    return [
        *clear(AUTH_SLOTS + VERIFY_SLOTS + FLOW_SLOTS + ["pending_request", "request_text"]),
        *clear(["reading_own_record", "reading_confirm_high", "reading_confirm"]),
        SlotSet("auth_token", str(grant["token"])),
        SlotSet("reading_point", str(grant["metering_point"])),
        SlotSet("reading_value", value),
        SlotSet("reading_date", today().isoformat()),
        FollowupAction("reading_form"),
    ]
