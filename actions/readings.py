"""Meter readings in the chat: pick a point, value, date, confirm, submit; list; consumption.

Every rule is the backend's: before the summary the reading is checked with a dry
run, so a value lower than the last one, a day outside the operator's window or an
implausible consumption is explained before the user confirms. The submission
carries an idempotency key derived from its content, so a retry after a timeout
stores nothing twice.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.formatting import parse_date, parse_reading, sl_date, today
from actions.verification import FORM_SLOTS, clear, reverify

ENERGY = {"elektrika": "elektrika", "zemeljski_plin": "zemeljski plin", "unp": "plin UNP"}
READING_SLOTS = FORM_SLOTS["reading_form"]


def point_label(p: Dict[str, Any]) -> str:
    name = f"{p['nickname']} – " if p.get("nickname") else ""
    return f"{name}{p['number']} ({ENERGY.get(p['energy'], p['energy'])})"


def idempotency_key(conversation_id: str, point: str, value: int, day: str, kind: str) -> str:
    """Same conversation + same reading = same key: a retried submit is stored once."""
    raw = "|".join([conversation_id, point, str(value), day, kind])
    return "chat-" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def payload(tracker: Tracker, dry_run: bool, day: Optional[str] = None) -> Dict[str, Any]:
    kind = "lastna_evidenca" if tracker.get_slot("reading_own_record") else "oddaja"
    value = int(tracker.get_slot("reading_value"))
    day = day or tracker.get_slot("reading_date")
    return {
        "value": value,
        "reading_date": day,
        "type": kind,
        "channel": "chat",
        "confirm_high": bool(tracker.get_slot("reading_confirm_high")),
        "dry_run": dry_run,
        "idempotency_key": idempotency_key(
            tracker.sender_id, tracker.get_slot("reading_point"), value, day, kind
        ),
    }


async def points(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[str, Any]]]:
    """The account's metering points, or None after telling the user what went wrong."""
    result = await backend_client.metering_points(tracker.get_slot("auth_token"), tracker.sender_id)
    if result.ok:
        return list(result.data)
    if not result.auth_failed:
        dispatcher.utter_message(response="utter_backend_unavailable")
    return None


class ActionAskReadingPoint(Action):
    """Offers the account's metering points as buttons (or takes the only one)."""

    def name(self) -> str:
        return "action_ask_reading_point"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        result = await backend_client.metering_points(tracker.get_slot("auth_token"), tracker.sender_id)
        if result.auth_failed:
            return reverify(dispatcher, "reading_form")
        if not result.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return [SlotSet("requested_slot", None), *clear(READING_SLOTS)]
        if not result.data:
            dispatcher.utter_message(
                text="Na vaš račun ni povezano nobeno merilno mesto. Povežete ga na portalu z ikono "
                "»Poveži pogodbo«."
            )
            return []
        dispatcher.utter_message(
            text="Za katero merilno mesto oddajate stanje?",
            buttons=[{"title": point_label(p), "payload": p["number"]} for p in result.data],
        )
        return []


class ValidateReadingForm(FormValidationAction):
    """Checks each answer; the backend's dry run decides before the summary is shown."""

    def name(self) -> str:
        return "validate_reading_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        needed = {
            "reading_own_record": bool(tracker.get_slot("reading_outside_window")),
            "reading_confirm_high": bool(tracker.get_slot("reading_high")),
        }
        return [s for s in domain_slots if needed.get(s, True)]

    async def validate_reading_point(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # cleared by a previous step, nothing typed yet
            return {"reading_point": None}
        found = await points(dispatcher, tracker)
        if found is None:
            return {"reading_point": None}
        text = str(value or "").strip().lower()
        for p in found:
            if text in (p["number"].lower(), (p.get("nickname") or "").lower()):
                return {"reading_point": p["number"]}
        dispatcher.utter_message(text="Tega merilnega mesta ne najdem med vašimi. Izberite ga z gumbom.")
        return {"reading_point": None}

    async def validate_reading_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # cleared by a previous step, nothing typed yet
            return {"reading_value": None}
        number, problem = parse_reading(str(value or ""))
        if problem:
            dispatcher.utter_message(text=problem)
            return {"reading_value": None}
        return {"reading_value": str(number)}

    async def validate_reading_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # cleared by a previous step, nothing typed yet
            return {"reading_date": None}
        day = parse_date(str(value or ""))
        if day is None:
            dispatcher.utter_message(text="Datuma ne razumem. Vpišite npr. »danes«, »včeraj« ali »20. 11. 2026«.")
            return {"reading_date": None}
        if day > today():
            dispatcher.utter_message(text="Datum odčitka ne sme biti v prihodnosti.")
            return {"reading_date": None}
        return await self._dry_run(dispatcher, tracker, day.isoformat())

    async def validate_reading_own_record(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # cleared by a previous step, nothing typed yet
            return {"reading_own_record": None}
        if value is False:
            dispatcher.utter_message(response="utter_cancelled")
            return {"requested_slot": None, **{s: None for s in READING_SLOTS}, "reading_confirm": False}
        return {"reading_own_record": True}

    async def validate_reading_confirm_high(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # cleared by a previous step, nothing typed yet
            return {"reading_confirm_high": None}
        if value is False:  # the user will type the value again
            return {"reading_confirm_high": None, "reading_high": None, "reading_value": None}
        return {"reading_confirm_high": True}

    async def _dry_run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, day: str
    ) -> Dict[str, Any]:
        result = await backend_client.submit_reading(
            tracker.get_slot("auth_token"), tracker.sender_id, tracker.get_slot("reading_point"),
            payload(tracker, dry_run=True, day=day),
        )
        if result.ok:
            return {"reading_date": day}
        if result.code == "outside_window":
            dispatcher.utter_message(text=result.message or "Odčitek je izven obdobja za oddajo.")
            return {"reading_date": day, "reading_outside_window": "da"}
        if result.code == "consumption_implausible":
            dispatcher.utter_message(text=result.message or "Poraba je nenavadno visoka.")
            return {"reading_date": day, "reading_high": "da"}
        if result.code == "reading_lower_than_last":
            dispatcher.utter_message(
                text=(result.message or "Odčitek je nižji od zadnjega.")
                + " Vpišite pravilno stanje ali napišite »svetovalec«."
            )
            return {"reading_date": day, "reading_value": None}
        if result.code in ("reading_too_old", "reading_in_future"):
            dispatcher.utter_message(text=result.message)
            return {"reading_date": None}
        if result.unavailable or result.auth_failed:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"requested_slot": None, **{s: None for s in READING_SLOTS}, "reading_confirm": False}
        dispatcher.utter_message(text=result.message or "Odčitka ne morem sprejeti.")
        return {"reading_value": None}


class ActionAskReadingConfirm(Action):
    """The summary the user confirms before anything is sent."""

    def name(self) -> str:
        return "action_ask_reading_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        kind = "lastna evidenca" if tracker.get_slot("reading_own_record") else "oddaja"
        dispatcher.utter_message(
            text=(
                f"Povzetek: merilno mesto {tracker.get_slot('reading_point')}, stanje "
                f"{tracker.get_slot('reading_value')}, datum {sl_date(tracker.get_slot('reading_date'))}, "
                f"tip: {kind}. Ali odčitek pošljem?"
            ),
            buttons=[{"title": "Da, pošlji", "payload": "/affirm"}, {"title": "Ne", "payload": "/deny"}],
        )
        return []


class ActionSubmitReading(Action):
    """Sends the confirmed reading; the backend's answer decides what the user is told."""

    def name(self) -> str:
        return "action_submit_reading"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        done = clear(READING_SLOTS)
        if tracker.get_slot("reading_confirm") is not True or not tracker.get_slot("reading_value"):
            if tracker.get_slot("reading_confirm") is False:
                dispatcher.utter_message(response="utter_cancelled")
            return done
        result = await backend_client.submit_reading(
            tracker.get_slot("auth_token"), tracker.sender_id, tracker.get_slot("reading_point"),
            payload(tracker, dry_run=False),
        )
        if result.ok:
            reading = result.data["reading"]
            again = " (ta odčitek je bil že zabeležen, drugič ga nisem shranil)" if result.data.get("duplicate") else ""
            dispatcher.utter_message(
                text=f"Odčitek {reading['value']} z dne {sl_date(reading['reading_date'])} je shranjen{again}. Hvala!"
            )
        elif result.auth_failed:
            return done + reverify(dispatcher, "reading_form")
        elif result.unavailable:
            dispatcher.utter_message(
                text="Oprostite, odčitka zdaj ne morem poslati, ker sistem ne odgovarja. Ni shranjen. "
                "Poskusite znova čez nekaj minut (ponovni poskus ga ne bo shranil dvakrat)."
            )
        else:
            dispatcher.utter_message(text=f"Odčitek ni bil shranjen: {result.message}")
        return done


class PerPointAction(Action, ABC):
    """Shows one line per metering point of the account (readings, consumption …)."""

    title = ""

    @abstractmethod
    async def line(self, token: str, conversation_id: str, point: Dict[str, Any]) -> Optional[str]:
        """The point's line; None when the backend did not answer."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        token = tracker.get_slot("auth_token")
        result = await backend_client.metering_points(token, tracker.sender_id)
        if result.auth_failed:
            return reverify(dispatcher, self.name())
        if not result.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        lines = []
        for p in result.data:
            text = await self.line(token, tracker.sender_id, p)
            if text is None:
                dispatcher.utter_message(response="utter_backend_unavailable")
                return []
            lines.append(f"• {point_label(p)}{text}")
        dispatcher.utter_message(text=f"{self.title}:\n" + "\n".join(lines) if lines else
                                 "Na vaš račun ni povezano nobeno merilno mesto.")
        return []


class ActionListReadings(PerPointAction):
    """The last readings of each of the account's metering points."""

    title = "Zadnji odčitki"

    def name(self) -> str:
        return "action_list_readings"

    async def line(self, token: str, conversation_id: str, point: Dict[str, Any]) -> Optional[str]:
        rows = await backend_client.readings(token, conversation_id, point["number"], limit=3)
        if not rows.ok:
            return None
        values = ", ".join(f"{r['value']} ({sl_date(r['reading_date'])})" for r in rows.data)
        return f": {values or 'ni odčitkov'}"


class ActionConsumption(PerPointAction):
    """Consumption per month; for omejeni access only since the access was granted (backend rule)."""

    title = "Poraba zadnje mesece"

    def name(self) -> str:
        return "action_consumption"

    async def line(self, token: str, conversation_id: str, point: Dict[str, Any]) -> Optional[str]:
        c = await backend_client.consumption(token, conversation_id, point["number"])
        if c.unavailable:
            return None
        if not c.ok:
            return f": {c.message or 'podatki niso na voljo'}"
        months = ", ".join(f"{m['month']}: {m['consumption']} {c.data['unit']}" for m in c.data["periods"][-3:])
        since = f" (od {sl_date(c.data['since'])})" if c.data.get("since") else ""
        return f"{since}: {months or 'ni podatkov'}"
