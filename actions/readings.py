"""Meter readings in the chat: point, value, date, confirm, submit; the list; consumption.

Every rule is the backend's, and so is the reading of the typed value ("4.321" is 4321,
"12,5" has decimals): the actions pass the text on and word the backend's answer. A dry run
checks the value as soon as it is typed and again with the date, so a value lower than the
last one, a day outside the operator's window or an implausible consumption is explained
before the user confirms. The submission carries an idempotency key derived from its content,
so a retry after a timeout stores nothing twice.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.backend_types import MeteringPoint
from actions.forms import FormValidation
from actions.notices import is_grant, reminder_grant
from actions.shared import (
    FLOW_SLOTS,
    Wording,
    asked_before,
    clear,
    form_slots,
    match_points,
    parse_date,
    point_buttons,
    point_name,
    reverify,
    sl_date,
    start_verification,
    today,
    yes_no,
)

VALUE_CODES = ("reading_not_number", "reading_not_integer", "reading_negative", "reading_too_large")


def idempotency_key(conversation_id: str, point: str, value: int, day: str, kind: str) -> str:
    """Same conversation + same reading = same key: a retried submit is stored once."""
    raw = "|".join([conversation_id, point, str(value), day, kind])
    return "chat-" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def kind_of(tracker: Tracker) -> str:
    return "lastna_evidenca" if tracker.get_slot("reading_own_record") is True else "oddaja"


async def account_points(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> tuple[Optional[List[MeteringPoint]], List[EventType]]:
    """The account's metering points, or None and what to do instead (re-verify, say it is down)."""
    result = await backend_client.metering_points(tracker.get_slot("auth_token"), tracker.sender_id)
    if result.ok:
        return list(result.data), []
    if result.auth_failed:
        return None, [SlotSet(k, v) for k, v in expired(dispatcher).items()]
    dispatcher.utter_message(response="utter_backend_unavailable")
    return None, []


def chosen(points: List[MeteringPoint], number: Optional[str]) -> Optional[MeteringPoint]:
    return next((p for p in points if p["number"] == number), None)


class ActionAskReadingPoint(Action):
    """Asks which of the account's points (only reached with two or more)."""

    def name(self) -> str:
        return "action_ask_reading_point"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        points, events = await account_points(dispatcher, tracker)
        if points is None:  # the form ends here; the user was told why
            return [ActiveLoop(None), SlotSet("requested_slot", None), *clear(form_slots(domain, "reading_form"))]
        dispatcher.utter_message(response="utter_which_point", buttons=point_buttons(points, Wording(domain, tracker)))
        return []


def expired(dispatcher: CollectingDispatcher) -> Dict[str, Any]:
    """The token expired mid-form: end the form; its exit starts the verification again."""
    dispatcher.utter_message(response="utter_verification_expired")
    return {"auth_token": None, "pending_request": "reading_form", **FormValidation.stop()}


class ValidateReadingForm(FormValidation):
    """Checks each answer; the backend's dry run decides before the summary is shown."""

    def name(self) -> str:
        return "validate_reading_form"

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """A reply to a newer reminder while an older reading is still open (a wrong value left
        unanswered last month, say): that reading is dropped and the new reminder's point and value
        are checked with the new grant (with the old, spent or expired one the customer was asked
        to verify again)."""
        grant = reminder_grant(tracker)
        if grant is None or grant["token"] == tracker.get_slot("auth_token"):
            return await super().get_validation_events(dispatcher, tracker, domain)
        value = re.sub(r"\s", "", str(grant["value"]))[:20]
        dispatcher.utter_message(response="utter_reminder_reply_start", value=value, point=grant["metering_point"])
        updates: Dict[str, Any] = {**{slot: None for slot in self.domain_slots(domain)},
                                   "auth_token": str(grant["token"])}
        tracker.slots.update(updates)
        # the same checks, in the same order, as when the reminder reply opens the form
        given = (("reading_point", str(grant["metering_point"])), ("reading_value", value),
                 ("reading_date", today().isoformat()))
        for name, answer in given:
            tracker.slots[name] = updates[name] = answer
            checked = await getattr(self, f"validate_{name}")(answer, dispatcher, tracker, domain)
            updates.update(checked)
            tracker.slots.update(checked)
            if tracker.get_slot(name) is None or tracker.get_slot("flow_stopped"):
                break
        return [SlotSet(name, v) for name, v in updates.items()]

    def needed(self, slot: str, tracker: Tracker) -> bool:
        return {
            "reading_own_record": bool(tracker.get_slot("reading_outside_window")),
            "reading_confirm_high": bool(tracker.get_slot("reading_high")),
        }.get(slot, True)

    async def extract_reading_point(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Before asking: the only point is taken; a point the request named ("stanje plina") too."""
        if tracker.get_slot("reading_point") or tracker.get_slot("requested_slot") or tracker.get_slot("flow_stopped"):
            return {}
        points, events = await account_points(dispatcher, tracker)
        if points is None:
            return {**{e["name"]: e["value"] for e in events}, **self.stop()}
        if not points:
            dispatcher.utter_message(response="utter_no_points")
            return self.stop()
        found = points if len(points) == 1 else match_points(str(tracker.get_slot("request_text") or ""), points)
        if len(found) != 1:
            return {}
        dispatcher.utter_message(response="utter_reading_point_chosen", point=point_name(found[0], Wording(domain, tracker)))
        return {"reading_point": found[0]["number"]}

    async def validate_reading_point(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        points, events = await account_points(dispatcher, tracker)
        if points is None:
            return {"reading_point": None, **{e["name"]: e["value"] for e in events}, **self.stop()}
        found = match_points(str(value), points)
        if len(found) == 1:
            return {"reading_point": found[0]["number"]}
        if found:
            buttons = point_buttons(found, Wording(domain, tracker))
            dispatcher.utter_message(response="utter_point_ambiguous", buttons=buttons)
            return {"reading_point": None}
        return self.not_an_answer("reading_point", dispatcher, tracker, "utter_point_unknown")

    async def _dry_run(self, tracker: Tracker, value: Any, day: str, kind: str) -> backend_client.Result[Any]:
        return await backend_client.submit_reading(
            tracker.get_slot("auth_token"), tracker.sender_id, str(tracker.get_slot("reading_point")),
            {"value": value, "reading_date": day, "type": kind, "channel": "chat",
             "confirm_high": tracker.get_slot("reading_confirm_high") is True, "dry_run": True},
        )

    @staticmethod
    def _refused(result: backend_client.Result[Any], dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        """The backend's reason for a refused reading, worded; the answers to give again.

        A refused value also clears the day, so the new value is checked with its day again.
        """
        e = result.extra
        if result.code in VALUE_CODES:
            dispatcher.utter_message(response=f"utter_{result.code}")
            return {"reading_value": None, "reading_date": None}
        if result.code == "reading_lower_than_last":
            dispatcher.utter_message(
                response="utter_reading_lower_than_last", value=e.get("value", ""), last_value=e.get("last_value"),
                unit=e.get("unit", ""), last_date=sl_date(e.get("last_date")),
            )
            return {"reading_value": None, "reading_date": None}
        if result.code in ("reading_in_future", "reading_too_old"):
            dispatcher.utter_message(response=f"utter_{result.code}", days=e.get("max_age_days", 5))
            return {"reading_date": None}
        dispatcher.utter_message(response="utter_reading_refused")
        return {"reading_value": None, "reading_date": None}

    async def validate_reading_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value).strip()
        if not re.search(r"\d", text):
            return self.not_an_answer("reading_value", dispatcher, tracker, "utter_reading_not_number")
        # the value alone, as own record (no window check): the day is not known yet
        result = await self._dry_run(tracker, text, today().isoformat(), "lastna_evidenca")
        if result.ok:
            return {"reading_value": str(result.data["reading"]["value"])}
        if result.auth_failed:
            return {"reading_value": None, **expired(dispatcher)}
        if result.unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"reading_value": None, **self.stop()}
        if result.code == "consumption_implausible":
            return {"reading_value": str(result.extra.get("value") or re.sub(r"\D", "", text))}
        return self._refused(result, dispatcher)

    async def validate_reading_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        day = parse_date(str(value))
        if day is None:
            return self.not_an_answer("reading_date", dispatcher, tracker, "utter_date_unknown")
        if day > today():
            dispatcher.utter_message(response="utter_reading_in_future")
            return {"reading_date": None}
        iso = day.isoformat()
        reading = tracker.get_slot("reading_value")
        if reading is None:  # the value given with it was just refused: the day is asked again after it
            return {"reading_date": None}
        result = await self._dry_run(tracker, reading, iso, kind_of(tracker))
        answer: Dict[str, Any] = {"reading_date": iso}
        if result.code == "outside_window":
            dispatcher.utter_message(
                response="utter_reading_outside_window",
                start=result.extra.get("window_start_day"), end=result.extra.get("window_end_day"),
            )
            answer["reading_outside_window"] = "da"
            result = await self._dry_run(tracker, reading, iso, "lastna_evidenca")  # the other rules, for that day
        if result.ok:
            return answer
        if result.code == "consumption_implausible":
            e = result.extra
            dispatcher.utter_message(
                response="utter_reading_implausible", consumption=e.get("consumption"), days=e.get("days"),
                unit=e.get("unit", ""),
            )
            return {**answer, "reading_high": "da"}
        if result.auth_failed:
            return {"reading_date": None, **expired(dispatcher)}
        if result.unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"reading_date": None, **self.stop()}
        return {**answer, **self._refused(result, dispatcher)}

    def _yes_no(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[Optional[bool], Dict[str, Any]]:
        answer = yes_no(tracker)
        if answer is None:
            return None, self.not_an_answer(slot, dispatcher, tracker, "utter_yes_or_no")
        return answer, {}

    async def validate_reading_own_record(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        answer, again = self._yes_no("reading_own_record", dispatcher, tracker)
        if answer is None:
            return again
        if not answer:
            dispatcher.utter_message(response="utter_reading_cancelled")
            return {"reading_own_record": False, **self.stop()}
        return {"reading_own_record": True}

    async def validate_reading_confirm_high(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        answer, again = self._yes_no("reading_confirm_high", dispatcher, tracker)
        if answer is None:
            return again
        if not answer:  # the user types the value again
            dispatcher.utter_message(response="utter_reading_value_again")
            return {"reading_confirm_high": None, "reading_high": None, "reading_value": None, "reading_date": None}
        return {"reading_confirm_high": True}

    async def validate_reading_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        answer, again = self._yes_no("reading_confirm", dispatcher, tracker)
        if answer is None:
            return again
        if not answer:
            dispatcher.utter_message(response="utter_reading_cancelled")
            return {"reading_confirm": False, **self.stop()}
        return {"reading_confirm": True}


async def point_facts(tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
    """What the questions about the chosen point show: its name, unit, last reading, window."""
    result = await backend_client.metering_points(tracker.get_slot("auth_token"), tracker.sender_id)
    point = chosen(list(result.data), tracker.get_slot("reading_point")) if result.ok else None
    wording = Wording(domain, tracker)
    if point is None:
        return {"point": tracker.get_slot("reading_point"), "unit": "", "last": "", "window": ""}
    name = point_name(point, wording)
    last = point["last_reading"]
    window = wording.render(
        "utter_line_window_open" if point["window_open_today"] else "utter_line_window_closed",
        start=point["reading_window_start_day"], end=point["reading_window_end_day"],
    )
    return {
        "point": name,
        "unit": point["unit"],
        "last": wording.render("utter_line_last_reading", point=name, value=last["value"], unit=point["unit"],
                               date=sl_date(last["reading_date"]))
        if last else wording.render("utter_line_no_last_reading", point=name),
        "window": window,
    }


class ActionAskReadingValue(Action):
    """Shows the point's last reading and window, then asks for the new value."""

    def name(self) -> str:
        return "action_ask_reading_value"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if asked_before(tracker, "reading_value", "reading_form"):  # after a refused value: no repeat of the facts
            dispatcher.utter_message(response="utter_reading_value_reask")
            return []
        facts = await point_facts(tracker, domain)
        dispatcher.utter_message(response="utter_reading_value_prompt", last=facts["last"], window=facts["window"])
        return []


class ActionAskReadingConfirmHigh(Action):
    def name(self) -> str:
        return "action_ask_reading_confirm_high"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        facts = await point_facts(tracker, domain)
        dispatcher.utter_message(
            response="utter_reading_confirm_high_prompt", value=tracker.get_slot("reading_value"), unit=facts["unit"]
        )
        return []


class ActionAskReadingConfirm(Action):
    """The summary the user confirms before anything is stored."""

    def name(self) -> str:
        return "action_ask_reading_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        facts = await point_facts(tracker, domain)
        own = kind_of(tracker) == "lastna_evidenca"
        dispatcher.utter_message(
            response="utter_reading_summary_own_record" if own else "utter_reading_summary",
            point=facts["point"], value=tracker.get_slot("reading_value"), unit=facts["unit"],
            date=sl_date(tracker.get_slot("reading_date")),
        )
        return []


class ActionSubmitReading(Action):
    """Sends the confirmed reading; the backend's answer decides what the user is told."""

    def name(self) -> str:
        return "action_submit_reading"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        grant = is_grant(tracker.get_slot("auth_token"))
        # a reminder grant is good for this one reading: forgotten after it, whatever happened
        done = clear(form_slots(domain, "reading_form") + FLOW_SLOTS + (["auth_token"] if grant else []))
        if tracker.get_slot("pending_request") and not tracker.get_slot("auth_token"):
            return done + start_verification(str(tracker.get_slot("pending_request")))  # token expired mid-form
        if (tracker.get_slot("flow_stopped") or tracker.get_slot("reading_confirm") is not True
                or not tracker.get_slot("reading_value")):
            return done
        point, value, day, kind = (tracker.get_slot("reading_point"), int(tracker.get_slot("reading_value")),
                                   str(tracker.get_slot("reading_date")), kind_of(tracker))
        result = await backend_client.submit_reading(
            tracker.get_slot("auth_token"), tracker.sender_id, point,
            {"value": value, "reading_date": day, "type": kind, "channel": reply_channel(tracker) if grant else "chat",
             "confirm_high": tracker.get_slot("reading_confirm_high") is True, "dry_run": False,
             "idempotency_key": idempotency_key(tracker.sender_id, point, value, day, kind)},
        )
        if result.ok:
            r = result.data["reading"]
            says = {"value": r["value"], "unit": result.data["unit"], "point": point, "date": sl_date(r["reading_date"])}
            if result.data["duplicate"]:
                dispatcher.utter_message(response="utter_reading_duplicate", **says)
            else:
                own = r["type"] == "lastna_evidenca"
                dispatcher.utter_message(response="utter_reading_saved_own_record" if own else "utter_reading_saved", **says)
        elif result.auth_failed:
            return done + reverify(dispatcher, "reading_form")
        elif result.unavailable:
            dispatcher.utter_message(response="utter_reading_not_saved_unavailable")
        else:
            dispatcher.utter_message(response="utter_reading_not_saved")
        return done


def reply_channel(tracker: Tracker) -> str:
    """Where a reply to a reminder came from (the gateway's channel), recorded with the reading."""
    metadata = tracker.latest_message.get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return channel if channel in ("sms", "telegram") else "sms"


class PerPointAction(Action, ABC):
    """One line per metering point of the account (readings, consumption …) in one bubble."""

    response = ""

    @abstractmethod
    async def line(self, token: str, tracker: Tracker, point: MeteringPoint, wording: Wording) -> Optional[str]:
        """The point's line; None when the backend did not answer."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        token = tracker.get_slot("auth_token")
        result = await backend_client.metering_points(token, tracker.sender_id)
        if result.auth_failed:
            return reverify(dispatcher, self.name())
        if not result.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        if not result.data:
            dispatcher.utter_message(response="utter_no_points")
            return []
        wording = Wording(domain, tracker)
        lines = []
        for p in result.data:
            text = await self.line(token, tracker, p, wording)
            if text is None:
                dispatcher.utter_message(response="utter_backend_unavailable")
                return []
            lines.append(text)
        dispatcher.utter_message(response=self.response, lines="\n".join(lines))
        return []


class ActionListReadings(PerPointAction):
    """The last readings of each of the account's metering points."""

    response = "utter_readings_list"

    def name(self) -> str:
        return "action_list_readings"

    async def line(self, token: str, tracker: Tracker, point: MeteringPoint, wording: Wording) -> Optional[str]:
        rows = await backend_client.readings(token, tracker.sender_id, point["number"], limit=3)
        if not rows.ok:
            return None
        values = ", ".join(
            wording.render("utter_line_reading_value", value=r["value"], date=sl_date(r["reading_date"])) for r in rows.data
        )
        return wording.render("utter_line_point_readings", point=point_name(point, wording),
                              values=values or wording.label("no_readings"))


class ActionConsumption(PerPointAction):
    """Consumption per month; for omejeni access only since the access was granted (backend rule)."""

    response = "utter_consumption"

    def name(self) -> str:
        return "action_consumption"

    async def line(self, token: str, tracker: Tracker, point: MeteringPoint, wording: Wording) -> Optional[str]:
        c = await backend_client.consumption(token, tracker.sender_id, point["number"])
        if c.unavailable:
            return None
        name = point_name(point, wording)
        if not c.ok:
            return wording.render("utter_line_point_consumption", point=name, since="",
                                  months=wording.label("no_consumption_access"))
        months = ", ".join(
            wording.render("utter_line_consumption_month", month=m["month"], amount=m["consumption"], unit=c.data["unit"])
            for m in c.data["periods"][-3:]
        )
        since = wording.render("utter_line_consumption_since", date=sl_date(c.data["since"])) if c.data.get("since") else ""
        return wording.render("utter_line_point_consumption", point=name, since=since,
                              months=months or wording.label("no_consumption"))
