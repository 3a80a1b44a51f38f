"""Notice subscriptions: create (idempotent), list, change channel, end, and the SMS opt-out.

Rules: only for a point the verified account has access to; invoice notices only where the
access level sees invoices (polni, pooblaščeni); SMS and e-mail go to the contact on file,
Telegram to the chat id the gateway passes. The same point + kind + channel twice is one
subscription (a partial unique index over the active rows; a concurrent duplicate loses on it and
gets the winner back). Ending keeps the row (the record of consent and withdrawal) and cancels
what was held for the night.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.core.errors import DomainError
from backend.models import (
    DeliveryChannel,
    Notification,
    PortalAccount,
    ReminderGrant,
    Subscription,
    SubscriptionKind,
)
from backend.models.notification import ACTIVE, ENDED
from backend.services import contacts
from backend.services.access import access_for, require_invoice_access
from backend.services.notifications import cancel_held

log = logging.getLogger("backend.subscriptions")


@dataclass
class Outcome:
    """result is a stable code the assistant words: created / existing / changed / unchanged /
    merged / ended / already_ended."""

    result: str
    subscription: Subscription
    replaced_id: int | None = None


def contact_for(account: PortalAccount, channel: DeliveryChannel, telegram_chat_id: str | None) -> str:
    """The contact a notice on `channel` goes to, in its stored form, or a DomainError."""
    if channel == DeliveryChannel.telegram:
        chat = contacts.normalize_telegram(telegram_chat_id)
        if chat is None:
            raise DomainError(
                422,
                "telegram_chat_id_required",
                "Obvestila na Telegram lahko vklopite le v pogovoru na Telegramu.",
            )
        return chat
    customer = account.customer
    if channel == DeliveryChannel.sms:
        phone = contacts.normalize_phone(customer.contact_phone)
        if phone is None:
            raise DomainError(
                409,
                "contact_missing",
                "Pri vašem računu nimamo zapisane mobilne številke, zato obvestil po SMS ne moremo pošiljati.",
                channel=channel.value,
            )
        return phone
    email = contacts.normalize_email(customer.contact_email) or contacts.normalize_email(account.email)
    if email is None:
        raise DomainError(
            409,
            "contact_missing",
            "Pri vašem računu nimamo zapisanega e-naslova, zato obvestil po e-pošti ne moremo pošiljati.",
            channel=channel.value,
        )
    return email


def _active(
    db: Session, account_id: int, mp_id: int, kind: SubscriptionKind, channel: DeliveryChannel
) -> Subscription | None:
    return db.scalars(
        select(Subscription).where(
            Subscription.account_id == account_id,
            Subscription.metering_point_id == mp_id,
            Subscription.kind == kind,
            Subscription.channel == channel,
            Subscription.status == ACTIVE,
        )
    ).first()


def _consented(
    account_id: int, point_id: int, kind: SubscriptionKind, channel: DeliveryChannel, contact: str, source: str,
    now: datetime,
) -> Subscription:
    """A new active subscription: consent given now, from `source` (chat, sms …)."""
    return Subscription(
        account_id=account_id, metering_point_id=point_id, kind=kind, channel=channel, contact=contact,
        consent_at=now, consent_source=source, status=ACTIVE, created_at=now, updated_at=now,
    )


def _end_rows(db: Session, subs: list[Subscription], now: datetime, reason: str) -> None:
    """Mark ended, cancel held notices and revoke unused reminder grants (the caller commits)."""
    ids = [s.id for s in subs]
    for s in subs:
        s.status, s.ended_at, s.end_reason, s.updated_at = ENDED, now, reason, now
    cancel_held(db, ids)
    if ids:
        db.execute(
            update(ReminderGrant)
            .where(
                ReminderGrant.notification_id.in_(
                    select(Notification.id).where(Notification.subscription_id.in_(ids))
                ),
                ReminderGrant.used_at.is_(None),
                ReminderGrant.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )


def create(
    db: Session,
    now: datetime,
    account: PortalAccount,
    mp_number: str,
    kind: SubscriptionKind,
    channel: DeliveryChannel,
    telegram_chat_id: str | None,
    source: str,
) -> Outcome:
    """Subscribe (or return the active subscription that already is the same)."""
    acc = access_for(db, account.id, mp_number)
    if kind == SubscriptionKind.invoice_notice:
        require_invoice_access(acc)
    contact = contact_for(account, channel, telegram_chat_id)
    existing = _active(db, account.id, acc.metering_point_id, kind, channel)
    if existing is not None:
        if existing.contact == contact:
            return Outcome("existing", existing)
        # the same notice, now to another contact (a new number on file, another Telegram chat)
        _end_rows(db, [existing], now, "contact_changed")
        db.flush()
    sub = _consented(account.id, acc.metering_point_id, kind, channel, contact, source, now)
    db.add(sub)
    try:
        db.commit()
    except IntegrityError:
        # a concurrent request for the same point + kind + channel won: return its row
        db.rollback()
        winner = _active(db, account.id, acc.metering_point_id, kind, channel)
        if winner is None:
            raise
        return Outcome("existing", winner)
    log.info("subscription %d created: %s by %s for account id %d", sub.id, kind.value, channel.value, account.id)
    return Outcome("created", sub, replaced_id=existing.id if existing is not None else None)


def list_for(db: Session, account_id: int, status: str) -> list[Subscription]:
    """The account's subscriptions, oldest first; status active / ended / all."""
    stmt = select(Subscription).where(Subscription.account_id == account_id)
    if status != "all":
        stmt = stmt.where(Subscription.status == status)
    return list(db.scalars(stmt.order_by(Subscription.id)))


def get_owned(db: Session, account_id: int, subscription_id: int) -> Subscription:
    """The account's own subscription, or 404 (another account's looks the same as none)."""
    sub = db.get(Subscription, subscription_id)
    if sub is None or sub.account_id != account_id:
        raise DomainError(404, "subscription_not_found", "Tega obvestila med vašimi obvestili ne najdemo.")
    return sub


def change_channel(
    db: Session,
    now: datetime,
    account: PortalAccount,
    subscription_id: int,
    channel: DeliveryChannel,
    telegram_chat_id: str | None,
    source: str,
) -> Outcome:
    """Move a subscription to another channel: the old row ends ("channel_changed"), a new one
    records the consent for the new channel; if that channel is already subscribed the two merge."""
    sub = get_owned(db, account.id, subscription_id)
    if sub.status != ACTIVE:
        raise DomainError(409, "subscription_ended", "To obvestilo je že izklopljeno. Lahko ga vklopite znova.")
    contact = contact_for(account, channel, telegram_chat_id)
    if sub.channel == channel and sub.contact == contact:
        return Outcome("unchanged", sub)
    if sub.kind == SubscriptionKind.invoice_notice:
        require_invoice_access(access_for(db, account.id, sub.metering_point.number))
    other = _active(db, account.id, sub.metering_point_id, sub.kind, channel)
    if other is not None and other.id != sub.id and other.contact == contact:
        _end_rows(db, [sub], now, "channel_changed")
        db.commit()
        return Outcome("merged", other, replaced_id=sub.id)
    ended = [sub] + ([other] if other is not None and other.id != sub.id else [])
    _end_rows(db, ended, now, "channel_changed")
    db.flush()
    new = _consented(account.id, sub.metering_point_id, sub.kind, channel, contact, source, now)
    db.add(new)
    db.commit()
    return Outcome("changed", new, replaced_id=sub.id)


def end(db: Session, now: datetime, account_id: int, subscription_id: int) -> Outcome:
    """Switch one subscription off at once."""
    sub = get_owned(db, account_id, subscription_id)
    if sub.status != ACTIVE:
        return Outcome("already_ended", sub)
    _end_rows(db, [sub], now, "user")
    db.commit()
    return Outcome("ended", sub)


def end_matching(
    db: Session,
    now: datetime,
    account_id: int,
    mp_number: str | None,
    kind: SubscriptionKind | None,
    channel: DeliveryChannel | None,
) -> list[Subscription]:
    """Switch off every active subscription of the account that matches the filters (none = all)."""
    stmt = select(Subscription).where(Subscription.account_id == account_id, Subscription.status == ACTIVE)
    if mp_number is not None:
        stmt = stmt.where(Subscription.metering_point_id == access_for(db, account_id, mp_number).metering_point_id)
    if kind is not None:
        stmt = stmt.where(Subscription.kind == kind)
    if channel is not None:
        stmt = stmt.where(Subscription.channel == channel)
    subs = list(db.scalars(stmt.order_by(Subscription.id)))
    _end_rows(db, subs, now, "user")
    db.commit()
    return subs


def opt_out(db: Session, now: datetime, channel: DeliveryChannel, sender: str) -> tuple[int, str]:
    """STOP / ODJAVA from a phone (or Telegram chat): every subscription to that contact on that
    channel ends at once, whichever account made it. Returns (how many ended, masked sender)."""
    contact = contacts.normalize(channel, sender)
    if contact is None:  # not a number / chat id: no subscription can be to it
        return 0, "***"
    subs = list(
        db.scalars(
            select(Subscription).where(
                Subscription.channel == channel, Subscription.contact == contact, Subscription.status == ACTIVE
            )
        )
    )
    _end_rows(db, subs, now, "opt_out")
    db.commit()
    log.info("opt-out by %s: %d subscriptions ended", channel.value, len(subs))
    return len(subs), contacts.mask(channel, contact)
