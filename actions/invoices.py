"""Invoices in the chat: the last ones with their point, the open balance, a PDF link.

Who may see invoices (polni and pooblaščeni, not omejeni) is decided by the backend; a credit
note is shown as money in the customer's favour, not as an open bill with a due date. The PDF
opens in the browser through a signed, short-lived link the backend issues and the channel
gateway serves, so the chat never carries the file or a lasting address of it.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.backend_types import Balance, Invoice
from actions.shared import Wording, reverify, sl_amount, sl_date, text_of

INVOICE_NUMBER = re.compile(r"\b\d{4}-\d{5,}\b")


def public_chat_url() -> str:
    """Where users reach the channel gateway (it serves the PDF links)."""
    return os.getenv("CHAT_PUBLIC_URL", "http://localhost:8080").rstrip("/")


def minutes_left(expires_at: str) -> int:
    """Whole minutes until the backend's expiry (naive times from the backend are UTC)."""
    moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(1, round((moment - datetime.now(timezone.utc)).total_seconds() / 60))


async def fetch_invoices(
    dispatcher: CollectingDispatcher, tracker: Tracker, target: str, limit: int
) -> Tuple[Optional[List[Invoice]], List[EventType]]:
    """The newest invoices, or None after explaining why not (re-verification, no access, down)."""
    result = await backend_client.invoices(tracker.get_slot("auth_token"), tracker.sender_id, limit=limit)
    if result.auth_failed:
        return None, reverify(dispatcher, target)
    if result.status == 403:
        dispatcher.utter_message(response="utter_invoices_no_access")
    elif not result.ok:
        dispatcher.utter_message(response="utter_backend_unavailable")
    elif not result.data["items"]:
        dispatcher.utter_message(response="utter_invoices_none")
    else:
        return list(result.data["items"]), []
    return None, []


def point_of(i: Invoice, wording: Wording) -> str:
    name = f"{i['metering_point_nickname']}, " if i.get("metering_point_nickname") else ""
    return f"{name}{i['metering_point']}, {wording.label('energy', i['energy'])}"


def invoice_line(i: Invoice, wording: Wording) -> str:
    common = {
        "number": i["number"], "point": point_of(i, wording),
        "start": sl_date(i["period_start"]), "end": sl_date(i["period_end"]),
    }
    if i["kind"] == "dobropis":
        return wording.render(
            "utter_line_credit_note", **common, amount=sl_amount(abs(Decimal(i["amount_gross"]))),
            settled=wording.label("credit_settled") if i.get("paid_on") else "",
        )
    return wording.render(
        "utter_line_invoice", **common, kind=wording.label("invoice_kind", i["kind"]),
        amount=sl_amount(i["amount_gross"]), due=sl_date(i["due_date"]),
        status=wording.label("invoice_status", i["status"]),
    )


def balance_line(b: Balance, wording: Wording) -> str:
    open_total = Decimal(b["open_total"])
    if open_total < 0:
        return wording.render("utter_line_balance_credit", credit=sl_amount(-open_total))
    if not b["open_count"] or open_total == 0:
        return wording.render("utter_line_balance_none")
    if b["overdue_count"]:
        return wording.render(
            "utter_line_balance_overdue", open=sl_amount(open_total), overdue=sl_amount(b["overdue_total"])
        )
    return wording.render("utter_line_balance", open=sl_amount(open_total))


class ActionShowInvoices(Action):
    """The five newest invoices and credit/debit notes, then the open balance."""

    def name(self) -> str:
        return "action_show_invoices"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        items, events = await fetch_invoices(dispatcher, tracker, self.name(), limit=5)
        if items is None:
            return events
        wording = Wording(domain, tracker)
        balance = await backend_client.balance(tracker.get_slot("auth_token"), tracker.sender_id)
        dispatcher.utter_message(
            response="utter_invoices",
            lines="\n".join(invoice_line(i, wording) for i in items),
            balance=balance_line(balance.data, wording) if balance.ok else "",
        )
        return []


class ActionInvoicePdf(Action):
    """A link that opens the PDF of the invoice the user named (or the newest one)."""

    def name(self) -> str:
        return "action_invoice_pdf"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        items, events = await fetch_invoices(dispatcher, tracker, self.name(), limit=20)
        if items is None:
            return events
        named = INVOICE_NUMBER.search(text_of(tracker) + " " + str(tracker.get_slot("request_text") or ""))
        invoice = next((i for i in items if named and i["number"] == named.group(0)), items[0])
        link = await backend_client.invoice_pdf_link(tracker.get_slot("auth_token"), tracker.sender_id, invoice["number"])
        if link.auth_failed:
            return reverify(dispatcher, self.name())
        if not link.ok:
            dispatcher.utter_message(
                response="utter_invoice_not_found" if link.status == 404 else "utter_backend_unavailable"
            )
            return []
        dispatcher.utter_message(
            response="utter_invoice_pdf_link", number=invoice["number"], amount=sl_amount(invoice["amount_gross"]),
            minutes=minutes_left(link.data["expires_at"]), url=f"{public_chat_url()}/racun/{link.data['token']}",
        )
        return []
