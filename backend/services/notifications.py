"""One scheduling pass: which notices are due now, claimed once, and written to the outbox.

Due: a reading reminder on the first day of the point's reading window (or up to
REMINDER_CATCHUP_DAYS later while the window is open, if the scheduler was down), for
subscriptions consented to by that day; an invoice notice for each invoice issued since the
consent (at most INVOICE_NOTICE_LOOKBACK_DAYS back), where the access level still sees invoices.

Once: every due notice is claimed by inserting its notification row with ON CONFLICT DO NOTHING
on the UNIQUE key (subscription_id, period_key); only the pass whose insert went in writes the
outbox row, in the same transaction. A restart, a second pass or a second scheduler replica on the
same database therefore skips it (SQLite serialises the writes, PostgreSQL's unique index blocks the
second insert until the first commits, then skips it).

Never at night: a notice claimed between NOTICE_QUIET_START_HOUR and NOTICE_QUIET_END_HOUR
(Ljubljana time) is held, with send_after at the next end hour; a later pass releases it (an
UPDATE … WHERE status = 'held' RETURNING claims each held row once), unless its subscription ended
meanwhile (then it is cancelled) or, for a reminder, the window has closed.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Table, and_, exists, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.core.config import Settings
from backend.db import rowcount
from backend.models import (
    AccountAccess,
    Brand,
    Customer,
    DeliveryChannel,
    Invoice,
    MeteringPoint,
    Notification,
    OutboxMessage,
    Subscription,
    SubscriptionKind,
)
from backend.models.notification import ACTIVE, CANCELLED, HELD, QUEUED
from backend.services import notice_texts
from backend.services.access import INVOICE_LEVELS
from backend.services.sms import sms_parts

log = logging.getLogger("backend.notifications")
BATCH = 1000


@dataclass
class PassResult:
    """What one pass did (counts only: no contact, no text)."""

    at: datetime
    local_time: str
    quiet_hours: bool
    reminders: int = 0  # reading reminders claimed in this pass
    invoice_notices: int = 0  # invoice notices claimed in this pass
    held: int = 0  # of those, held for the end of quiet hours
    released: int = 0  # held earlier, written to the outbox now
    cancelled: int = 0  # held earlier, dropped: subscription ended or window closed
    queued: int = 0  # outbox rows written in this pass

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- reading windows -----------------------------------------------------------------------


def window_start(year: int, month: int, start_day: int) -> date | None:
    """The day the window opens in that month; None when the month has no such day."""
    if start_day > calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, start_day)


def window_end(start: date, start_day: int, end_day: int) -> date:
    """Last day of the window that opens on `start` (windows over the month end close next month)."""
    year, month = start.year, start.month
    if start_day > end_day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, min(end_day, calendar.monthrange(year, month)[1]))


def window_key(start: date) -> str:
    """Period of a reading reminder: the month its window opens in."""
    return f"window:{start:%Y-%m}"


def invoice_key(number: str) -> str:
    """Period of an invoice notice: the invoice itself."""
    return f"invoice:{number}"


def add_months(d: date, months: int) -> tuple[int, int]:
    """(year, month) `months` after d's month."""
    m = d.year * 12 + d.month - 1 + months
    return m // 12, m % 12 + 1


# --- quiet hours ---------------------------------------------------------------------------


def in_quiet_hours(local: datetime, settings: Settings) -> bool:
    """20:00–08:00 by default; start == end means no quiet hours."""
    start, end, hour = settings.notice_quiet_start_hour, settings.notice_quiet_end_hour, local.hour
    if start == end:
        return False
    if start > end:
        return hour >= start or hour < end
    return start <= hour < end


def quiet_end(local: datetime, settings: Settings) -> datetime:
    """The next end of quiet hours after `local` (aware, local zone; DST-correct)."""
    tz = local.tzinfo
    end = time(settings.notice_quiet_end_hour)
    candidate = datetime.combine(local.date(), end, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=tz)
    return candidate


# --- the pass ------------------------------------------------------------------------------


def _insert(db: Session) -> Any:
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


def _chunks(rows: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


NOTIFICATION = cast(Table, Notification.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)


def _write_outbox(db: Session, notices: Sequence[Row[Any]], now: datetime) -> int:
    """One outbox row per claimed notification, pointing back to it (a plain executemany, which
    SQLite and PostgreSQL batch into multi-row INSERTs)."""
    if not notices:
        return 0
    db.connection().execute(
        insert(OUTBOX),
        [
            {
                "channel": n.channel,
                "recipient": n.recipient,
                "subject": n.subject,
                "body": n.body,
                "status": "pending",
                "created_at": now,
                "sms_parts": n.sms_parts,
                "notification_id": n.id,
            }
            for n in notices
        ],
    )
    return len(notices)


def _claim(db: Session, rows: list[dict[str, Any]], now: datetime) -> tuple[int, int]:
    """Insert-or-skip the notifications; the inserted ones that are due now go to the outbox.
    Returns (claimed, queued); one transaction per batch."""
    claimed = queued = 0
    stmt = (
        _insert(db)(NOTIFICATION)
        .on_conflict_do_nothing(index_elements=["subscription_id", "period_key"])
        .returning(
            NOTIFICATION.c.id,
            NOTIFICATION.c.channel,
            NOTIFICATION.c.recipient,
            NOTIFICATION.c.subject,
            NOTIFICATION.c.body,
            NOTIFICATION.c.sms_parts,
            NOTIFICATION.c.status,
        )
    )
    for batch in _chunks(rows):
        won = db.connection().execute(stmt, list(batch)).all()
        queued += _write_outbox(db, [n for n in won if n.status == QUEUED], now)
        db.commit()
        claimed += len(won)
    return claimed, queued


def _notice_row(
    sub_id: int,
    key: str,
    kind: SubscriptionKind,
    mp_id: int,
    channel: DeliveryChannel,
    recipient: str,
    text: notice_texts.NoticeText,
    now: datetime,
    send_after: datetime,
    status: str,
    period_end: date | None = None,
    invoice_id: int | None = None,
) -> dict[str, Any]:
    return {
        "subscription_id": sub_id,
        "period_key": key,
        "kind": kind,
        "metering_point_id": mp_id,
        "invoice_id": invoice_id,
        "channel": channel,
        "recipient": recipient,
        "period_end": period_end,
        "subject": text.subject,
        "body": text.body,
        "sms_parts": sms_parts(text.body) if channel == DeliveryChannel.sms else None,
        "status": status,
        "created_at": now,
        "send_after": send_after,
        "queued_at": now if status == QUEUED else None,
    }


def _due_reminders(
    db: Session, settings: Settings, today: date, tz: ZoneInfo, now: datetime, send_after: datetime, status: str
) -> list[dict[str, Any]]:
    """Reminder notifications due today (window opened today, or a few days ago and still open)."""
    S, MP = Subscription, MeteringPoint
    out: list[dict[str, Any]] = []
    for k in range(settings.reminder_catchup_days + 1):
        start = today - timedelta(days=k)
        key = window_key(start)
        stmt = (
            select(
                S.id, S.metering_point_id, S.channel, S.contact, S.consent_at,
                MP.number, MP.reading_window_start_day, MP.reading_window_end_day, Brand.portal_name,
            )
            .join(MP, MP.id == S.metering_point_id)
            .join(Customer, Customer.id == MP.customer_id)
            .join(Brand, Brand.id == Customer.brand_id)
            .join(
                AccountAccess,
                and_(AccountAccess.account_id == S.account_id, AccountAccess.metering_point_id == S.metering_point_id),
            )
            .where(
                S.kind == SubscriptionKind.reading_reminder,
                S.status == ACTIVE,
                MP.reading_window_start_day == start.day,
                ~exists().where(Notification.subscription_id == S.id, Notification.period_key == key),
            )
            .order_by(S.id)
        )
        for r in db.execute(stmt):
            end = window_end(start, r.reading_window_start_day, r.reading_window_end_day)
            if today > end or r.consent_at.astimezone(tz).date() > start:
                continue  # window already closed / consent came after the window opened
            text = notice_texts.reading_reminder(r.channel, r.portal_name, r.number, end)
            out.append(
                _notice_row(
                    r.id, key, SubscriptionKind.reading_reminder, r.metering_point_id, r.channel, r.contact,
                    text, now, send_after, status, period_end=end,
                )
            )
    return out


def _due_invoice_notices(
    db: Session, settings: Settings, today: date, tz: ZoneInfo, now: datetime, send_after: datetime, status: str
) -> list[dict[str, Any]]:
    """A notice per invoice issued since the consent (within the lookback), polni/pooblaščeni only."""
    S, MP = Subscription, MeteringPoint
    stmt = (
        select(
            S.id, S.metering_point_id, S.channel, S.contact, S.consent_at, MP.number.label("mp_number"),
            Brand.portal_name, Invoice.id.label("invoice_id"), Invoice.number.label("invoice_number"),
            Invoice.kind.label("invoice_kind"), Invoice.amount_gross, Invoice.due_date, Invoice.issue_date,
        )
        .join(Invoice, Invoice.metering_point_id == S.metering_point_id)
        .join(MP, MP.id == S.metering_point_id)
        .join(Customer, Customer.id == MP.customer_id)
        .join(Brand, Brand.id == Customer.brand_id)
        .join(
            AccountAccess,
            and_(AccountAccess.account_id == S.account_id, AccountAccess.metering_point_id == S.metering_point_id),
        )
        .where(
            S.kind == SubscriptionKind.invoice_notice,
            S.status == ACTIVE,
            AccountAccess.level.in_(INVOICE_LEVELS),
            Invoice.issue_date >= today - timedelta(days=settings.invoice_notice_lookback_days),
            Invoice.issue_date <= today,
            ~exists().where(
                Notification.subscription_id == S.id, Notification.period_key == literal("invoice:") + Invoice.number
            ),
        )
        .order_by(S.id, Invoice.issue_date, Invoice.id)
    )
    out: list[dict[str, Any]] = []
    for r in db.execute(stmt):
        if r.issue_date < r.consent_at.astimezone(tz).date():
            continue  # issued before the customer asked for notices
        text = notice_texts.invoice_notice(
            r.channel, r.portal_name, r.invoice_kind, r.invoice_number, r.mp_number, r.amount_gross, r.due_date
        )
        out.append(
            _notice_row(
                r.id, invoice_key(r.invoice_number), SubscriptionKind.invoice_notice, r.metering_point_id,
                r.channel, r.contact, text, now, send_after, status, invoice_id=r.invoice_id,
            )
        )
    return out


def _release_held(db: Session, now: datetime, today: date) -> tuple[int, int]:
    """Held notices whose time has come: cancelled if their subscription ended (or the reminder's
    window closed), else written to the outbox. Returns (released, cancelled)."""
    N = Notification
    due = and_(N.status == HELD, N.send_after <= now)
    active = exists().where(Subscription.id == N.subscription_id, Subscription.status == ACTIVE)
    cancelled = rowcount(
        db.execute(
            update(N)
            .where(due, (~active) | (N.period_end.is_not(None) & (N.period_end < today)))
            .values(status=CANCELLED)
            .execution_options(synchronize_session=False)
        )
    )
    released = db.execute(
        update(N)
        .where(due)
        .values(status=QUEUED, queued_at=now)
        .returning(N.id, N.channel, N.recipient, N.subject, N.body, N.sms_parts)
        .execution_options(synchronize_session=False)
    ).all()
    count = 0
    for batch in _chunks(released):
        count += _write_outbox(db, batch, now)
    db.commit()
    return count, cancelled


def run_pass(db: Session, settings: Settings, now: datetime) -> PassResult:
    """Claim every notice due at `now` once; write to the outbox what may be sent now."""
    tz = ZoneInfo(settings.backend_timezone)
    now = now.astimezone(timezone.utc)
    local = now.astimezone(tz)
    today = local.date()
    quiet = in_quiet_hours(local, settings)
    result = PassResult(at=now, local_time=local.isoformat(timespec="minutes"), quiet_hours=quiet)
    if quiet:
        send_after, status = quiet_end(local, settings).astimezone(timezone.utc), HELD
    else:
        send_after, status = now, QUEUED
        result.released, result.cancelled = _release_held(db, now, today)
        result.queued += result.released

    reminders = _due_reminders(db, settings, today, tz, now, send_after, status)
    result.reminders, queued = _claim(db, reminders, now)
    result.queued += queued
    notices = _due_invoice_notices(db, settings, today, tz, now, send_after, status)
    result.invoice_notices, queued = _claim(db, notices, now)
    result.queued += queued
    if quiet:
        result.held = result.reminders + result.invoice_notices
    log.info(
        "notice pass at %s: %d reminders, %d invoice notices claimed, %d held, %d released, %d cancelled, "
        "%d to the outbox",
        result.local_time, result.reminders, result.invoice_notices, result.held, result.released,
        result.cancelled, result.queued,
    )
    return result


def cancel_held(db: Session, subscription_ids: Sequence[int]) -> int:
    """A subscription that ends takes its held notices with it (the caller commits)."""
    if not subscription_ids:
        return 0
    return rowcount(
        db.execute(
            update(Notification)
            .where(Notification.subscription_id.in_(subscription_ids), Notification.status == HELD)
            .values(status=CANCELLED)
            .execution_options(synchronize_session=False)
        )
    )


def next_reminder_on(
    db: Session, settings: Settings, sub: Subscription, mp: MeteringPoint, today: date, tz: ZoneInfo
) -> date | None:
    """Local date the next reading reminder of this subscription is due (sent from the end of the
    quiet hours that day); None when it is not an active reminder subscription."""
    if sub.kind != SubscriptionKind.reading_reminder or sub.status != ACTIVE:
        return None
    notices = {
        n.period_key: n
        for n in db.scalars(select(Notification).where(Notification.subscription_id == sub.id))
    }
    consent_day = sub.consent_at.astimezone(tz).date()
    for offset in range(-1, 14):
        start = window_start(*add_months(today, offset), mp.reading_window_start_day)
        if start is None or start < consent_day:
            continue
        end = window_end(start, mp.reading_window_start_day, mp.reading_window_end_day)
        if min(end, start + timedelta(days=settings.reminder_catchup_days)) < today:
            continue
        notice = notices.get(window_key(start))
        if notice is None:
            return max(start, today)
        if notice.status == HELD:
            return notice.send_after.astimezone(tz).date()
    return None
