"""Invoices in the chat: the last ones, the open balance; a complaint goes to a person.

Who may see invoices (polni and pooblaščeni, not omejeni) is decided by the backend;
its refusal is passed on as it is, in Slovene.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import backend_client
from actions.formatting import sl_amount, sl_date
from actions.verification import reverify

KINDS = {"racun": "račun", "dobropis": "dobropis", "bremepis": "bremepis"}
STATUS = {"paid": "plačan", "open": "odprt", "overdue": "zapadel"}


async def fetch_invoices(
    dispatcher: CollectingDispatcher, tracker: Tracker, target: str, limit: int
) -> tuple[Optional[List[Dict[str, Any]]], List[EventType]]:
    """The newest invoices, or None after explaining why not (re-verification, no access, down)."""
    result = await backend_client.invoices(tracker.get_slot("auth_token"), tracker.sender_id, limit=limit)
    if result.auth_failed:
        return None, reverify(dispatcher, target)
    if result.status == 403:
        dispatcher.utter_message(text=result.message or "Do računov nimate dostopa.")
    elif not result.ok:
        dispatcher.utter_message(response="utter_backend_unavailable")
    elif not result.data["items"]:
        dispatcher.utter_message(text="Za vaša merilna mesta ni izdanih računov.")
    else:
        return list(result.data["items"]), []
    return None, []


def invoice_line(i: Dict[str, Any]) -> str:
    return (
        f"• {KINDS.get(i['kind'], i['kind'])} {i['number']}, obdobje {sl_date(i['period_start'])}–"
        f"{sl_date(i['period_end'])}: {sl_amount(i['amount_gross'])}, zapadlost {sl_date(i['due_date'])}, "
        f"{STATUS.get(i['status'], i['status'])}"
    )


class ActionShowInvoices(Action):
    """The five newest invoices and credit/debit notes, then the open balance."""

    def name(self) -> str:
        return "action_show_invoices"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        items, events = await fetch_invoices(dispatcher, tracker, self.name(), limit=5)
        if items is None:
            return events
        balance = await backend_client.balance(tracker.get_slot("auth_token"), tracker.sender_id)
        text = "Vaši zadnji računi:\n" + "\n".join(invoice_line(i) for i in items)
        if balance.ok:
            b = balance.data
            text += f"\nOdprto skupaj: {sl_amount(b['open_total'])}"
            if b.get("overdue_count"):
                text += f", od tega zapadlo: {sl_amount(b['overdue_total'])}"
            text += "."
        dispatcher.utter_message(text=text)
        return []


class ActionInvoicePdf(Action):
    """Where the PDF of an invoice is: the portal's archive (the chat cannot carry the file safely)."""

    def name(self) -> str:
        return "action_invoice_pdf"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        items, events = await fetch_invoices(dispatcher, tracker, self.name(), limit=1)
        if items is None:
            return events
        newest = items[0]
        dispatcher.utter_message(
            text=f"Vaš zadnji račun je {newest['number']} ({sl_amount(newest['amount_gross'])}). "
            "PDF vseh računov najdete na portalu v zavihku »Računi«, kjer je tudi arhiv preteklih plačil."
        )
        return []
