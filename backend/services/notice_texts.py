"""Texts of the backend's own outbound notices (reading reminders, invoice notices), in one place.

These are not chat replies (the assistant words those in domain.yml): they are the messages the
scheduler puts into the outbox. Every one names the portal (Moj GEN-I / Moj Butan plin), and every
SMS / Telegram notice says how to stop it. Polite Slovene with č, š, ž: an SMS with them is UCS-2,
so its parts are counted by backend.services.sms, never by character count alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from backend.models import DeliveryChannel, InvoiceKind

STOP_HINT = "Za odjavo pošljite STOP."
KIND_WORD = {InvoiceKind.racun: "račun", InvoiceKind.dobropis: "dobropis", InvoiceKind.bremepis: "bremepis"}


@dataclass(frozen=True)
class NoticeText:
    """subject only for e-mail."""

    subject: str | None
    body: str


def short_date(d: date) -> str:
    """29. 12. (the reminder's deadline: always within the next weeks)."""
    return f"{d.day}. {d.month}."


def long_date(d: date) -> str:
    """18. 12. 2026."""
    return f"{d.day}. {d.month}. {d.year}"


def money(amount: Decimal) -> str:
    """1.234,50 EUR (Slovene grouping and decimal comma), sign kept."""
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{text} EUR"


def _point_word(portal_name: str) -> str:
    """Butan plin speaks of odjemna mesta, GEN-I of merilna mesta (as in the seeds)."""
    return "odjemno mesto" if "Butan" in portal_name else "merilno mesto"


def reading_reminder(channel: DeliveryChannel, portal_name: str, mp_number: str, window_end: date) -> NoticeText:
    """The monthly reminder at the start of the point's reading window; SMS and Telegram can be
    answered with the reading itself."""
    if channel == DeliveryChannel.email:
        return NoticeText(
            subject=f"{portal_name}: opomnik za oddajo stanja števca",
            body=(
                "Pozdravljeni,\n\n"
                f"vljudno vas prosimo, da do {long_date(window_end)} oddate stanje števca za "
                f"{_point_word(portal_name)} {mp_number}. Stanje lahko oddate v portalu {portal_name} "
                "ali v klepetu z našim virtualnim pomočnikom.\n\n"
                "Opomnik lahko kadar koli izklopite v klepetu (»izklopi opomnik«).\n\n"
                f"Lep pozdrav,\n{portal_name}"
            ),
        )
    return NoticeText(
        subject=None,
        body=(
            f"{portal_name}: oddajte stanje števca za {mp_number} do {short_date(window_end)} "
            f"Odgovorite na to sporočilo s stanjem, npr. 12345. {STOP_HINT}"
        ),
    )


def invoice_notice(
    channel: DeliveryChannel,
    portal_name: str,
    kind: InvoiceKind,
    invoice_number: str,
    mp_number: str,
    amount_gross: Decimal,
    due_date: date,
) -> NoticeText:
    """A new invoice (or credit / debit note) for the point; a credit note has no due date to pay."""
    word = KIND_WORD[kind]
    if kind == InvoiceKind.dobropis:
        amount = f"znesek {money(abs(amount_gross))} v vaše dobro"
    else:
        amount = f"znesek {money(amount_gross)}, zapadlost {long_date(due_date)}"
    if channel == DeliveryChannel.email:
        return NoticeText(
            subject=f"{portal_name}: izdan je nov {word}",
            body=(
                "Pozdravljeni,\n\n"
                f"izdan je {word} {invoice_number} za {_point_word(portal_name)} {mp_number}, {amount}.\n"
                f"Ogledate si ga lahko v portalu {portal_name} ali v klepetu z našim virtualnim pomočnikom.\n\n"
                "Obvestila lahko kadar koli izklopite v klepetu (»izklopi obvestila o računih«).\n\n"
                f"Lep pozdrav,\n{portal_name}"
            ),
        )
    return NoticeText(
        subject=None,
        body=f"{portal_name}: izdan je {word} {invoice_number} za {mp_number}, {amount}. {STOP_HINT}",
    )
