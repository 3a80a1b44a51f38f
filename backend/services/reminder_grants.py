"""A reply to a reading reminder as a narrow, short-lived capability (a "reminder grant").

The phone or Telegram chat on file received the reminder, so a reply from it may do exactly what
the reminder asked: read that point's last reading and store one reading for it, in the one
conversation the gateway names, for REMINDER_GRANT_TTL_MINUTES. Nothing else: every other personal
endpoint refuses the token (403 reminder_grant_not_allowed), another point is refused (403
reminder_grant_scope), and after one stored reading the grant is spent (401 reminder_grant_used),
as is the reminder (409 reminder_already_answered for a new grant). The reading itself goes through
the same service and rules as any other (backend.services.readings).

Tokens start with "rg." (a character token_urlsafe never produces), so a session token can never be
taken for a grant; only their SHA-256 is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.core.config import Settings
from backend.core.errors import DomainError
from backend.db import rowcount
from backend.models import (
    AccountAccess,
    DeliveryChannel,
    MeteringPoint,
    MeterReading,
    Notification,
    ReadingType,
    ReminderGrant,
    Subscription,
    SubscriptionKind,
)
from backend.models.notification import ACTIVE, QUEUED
from backend.services import contacts, readings, security

log = logging.getLogger("backend.reminder_grants")
PREFIX = "rg."


@dataclass
class IssuedGrant:
    """The token is shown once; the rest says what it is for."""

    token: str
    grant: ReminderGrant
    notification: Notification
    metering_point: MeteringPoint


def is_grant_token(token: str | None) -> bool:
    """Grant tokens are recognisable by their prefix (no database look-up needed to refuse one)."""
    return bool(token) and token.startswith(PREFIX)  # type: ignore[union-attr]


def not_allowed() -> DomainError:
    """What every personal endpoint but the reading ones answers to a grant."""
    return DomainError(
        403,
        "reminder_grant_not_allowed",
        "Odgovor na opomnik velja le za oddajo odčitka. Za druge podatke se najprej preverite s kodo.",
    )


def issue(
    db: Session,
    settings: Settings,
    now: datetime,
    today: date,
    channel: DeliveryChannel,
    sender: str,
    conversation_id: str,
    mp_number: str | None,
) -> IssuedGrant:
    """A grant for the reminder this contact received in the last REMINDER_REPLY_DAYS days whose
    window is still open and whose subscription is still active."""
    contact = contacts.normalize(channel, sender) or ""  # not a number / chat id: matches no reminder
    N, S, MP = Notification, Subscription, MeteringPoint
    rows = db.execute(
        select(N, MP)
        .join(S, S.id == N.subscription_id)
        .join(MP, MP.id == N.metering_point_id)
        .join(AccountAccess, (AccountAccess.account_id == S.account_id) & (AccountAccess.metering_point_id == MP.id))
        .where(
            N.kind == SubscriptionKind.reading_reminder,
            N.channel == channel,
            N.recipient == contact,
            N.status == QUEUED,
            N.queued_at >= now - timedelta(days=settings.reminder_reply_days),
            N.period_end >= today,
            S.status == ACTIVE,
        )
        .order_by(N.queued_at.desc(), N.id.desc())
    ).all()
    latest: dict[int, tuple[Notification, MeteringPoint]] = {}
    for n, mp in rows:
        if readings.in_window(mp, today):
            latest.setdefault(mp.id, (n, mp))
    if mp_number is not None:
        latest = {k: v for k, v in latest.items() if v[1].number == mp_number}
    if not latest:
        raise DomainError(
            404,
            "no_recent_reminder",
            "Na ta kontakt v zadnjem času nismo poslali opomnika, na katerega bi lahko odgovorili.",
        )
    if len(latest) > 1:
        points = sorted(mp.number for _, mp in latest.values())
        raise DomainError(
            409,
            "reminder_ambiguous",
            "Opomnik smo poslali za več merilnih mest. Napišite, za katero mesto oddajate stanje.",
            metering_points=points,
        )
    notification, mp = next(iter(latest.values()))
    answered = db.scalars(
        select(ReminderGrant.id).where(
            ReminderGrant.notification_id == notification.id, ReminderGrant.used_at.is_not(None)
        )
    ).first()
    if answered is not None:
        raise DomainError(
            409,
            "reminder_already_answered",
            "Na ta opomnik ste že odgovorili in odčitek je shranjen.",
            metering_point=mp.number,
        )
    sub = db.get(Subscription, notification.subscription_id)
    assert sub is not None
    # an earlier grant for this reminder (an earlier message of the reply) gives way to the new one
    db.execute(
        update(ReminderGrant)
        .where(
            ReminderGrant.notification_id == notification.id,
            ReminderGrant.used_at.is_(None),
            ReminderGrant.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    token = PREFIX + security.new_token()
    grant = ReminderGrant(
        token_hash=security.sha256_hex(token),
        notification_id=notification.id,
        account_id=sub.account_id,
        metering_point_id=mp.id,
        conversation_id=conversation_id,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.reminder_grant_ttl_minutes),
    )
    db.add(grant)
    db.commit()
    log.info("reminder grant issued for notification %d (%s)", notification.id, channel.value)
    return IssuedGrant(token, grant, notification, mp)


def authenticate(
    db: Session, now: datetime, token: str, conversation_id: str | None, *, allow_used: bool = False
) -> ReminderGrant:
    """A live grant bound to this conversation (a spent one only when allow_used: for the
    idempotent retry of the submission that spent it)."""
    grant = db.scalars(select(ReminderGrant).where(ReminderGrant.token_hash == security.sha256_hex(token))).first()
    if grant is None or grant.revoked_at is not None:
        raise DomainError(401, "token_invalid", "Preverjanje ni veljavno. Prosimo, preverite se znova.")
    if not conversation_id or conversation_id != grant.conversation_id:
        raise DomainError(
            403, "conversation_mismatch", "Preverjanje velja samo za pogovor, v katerem je bilo opravljeno."
        )
    if grant.used_at is not None and not allow_used:
        raise used_error()
    if now >= grant.expires_at and grant.used_at is None:
        raise DomainError(
            401,
            "reminder_grant_expired",
            "Čas za odgovor na opomnik je potekel. Za oddajo stanja se preverite s kodo.",
        )
    return grant


def revoke(db: Session, now: datetime, token: str) -> None:
    """The conversation ended: the grant stops working at once."""
    db.execute(
        update(ReminderGrant)
        .where(ReminderGrant.token_hash == security.sha256_hex(token), ReminderGrant.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.commit()


def used_error() -> DomainError:
    return DomainError(
        401,
        "reminder_grant_used",
        "Odčitek na podlagi tega opomnika je že shranjen. Za nadaljnje spremembe se preverite s kodo.",
    )


def check_point(grant: ReminderGrant, mp: MeteringPoint) -> None:
    """A grant covers exactly its one metering point."""
    if mp.id != grant.metering_point_id:
        raise DomainError(
            403,
            "reminder_grant_scope",
            "Odgovor na opomnik velja le za merilno mesto iz opomnika. Za druga mesta se preverite s kodo.",
        )


def submit(
    db: Session,
    grant: ReminderGrant,
    access: AccountAccess,
    *,
    raw_value: Any,
    reading_date: date | None,
    reading_type: ReadingType,
    channel: str,
    idempotency_key: str | None,
    confirm_high: bool,
    dry_run: bool,
    today: date,
    now: datetime,
) -> readings.SubmitOutcome:
    """One reading through the normal rules; the grant is spent in the same transaction as the
    stored reading (a conditional UPDATE, so two parallel submissions cannot both store)."""
    check_point(grant, access.metering_point)
    if grant.used_at is not None:
        stored = db.get(MeterReading, grant.reading_id) if grant.reading_id is not None else None
        if stored is not None and idempotency_key and stored.idempotency_key == idempotency_key and not dry_run:
            return readings.SubmitOutcome(stored, created=False)  # a retry of the submission that spent it
        raise used_error()
    if not dry_run:
        claimed = rowcount(
            db.execute(
                update(ReminderGrant)
                .where(ReminderGrant.id == grant.id, ReminderGrant.used_at.is_(None), ReminderGrant.revoked_at.is_(None))
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if claimed != 1:
            db.rollback()
            raise used_error()
    try:
        out = readings.submit(
            db,
            access=access,
            raw_value=raw_value,
            reading_date=reading_date,
            reading_type=reading_type,
            channel=channel,
            idempotency_key=idempotency_key,
            confirm_high=confirm_high,
            dry_run=dry_run,
            today=today,
            now=now,
        )
    except DomainError:
        db.rollback()  # nothing stored: the grant is not spent
        raise
    if dry_run:
        return out
    if out.created:
        db.execute(
            update(ReminderGrant)
            .where(ReminderGrant.id == grant.id)
            .values(reading_id=out.reading.id)
            .execution_options(synchronize_session=False)
        )
        db.commit()
        log.info("reminder grant %d spent on reading %d", grant.id, out.reading.id)
    else:
        db.rollback()  # the key named an earlier reading: nothing new stored, the grant stays unspent
    return out
