"""Notices: subscriptions of the verified customer, the gateway's opt-out and reminder replies, and
a dev-only scheduling pass."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from backend.core.config import Settings
from backend.core.errors import DomainError
from backend.deps import AccountDep, ApiKeyDep, ClockDep, SessionDep, SettingsDep
from backend.models import DeliveryChannel, Subscription, SubscriptionKind
from backend.schemas.common import ERRORS
from backend.schemas.subscriptions import (
    OptOutIn,
    OptOutOut,
    ReminderGrantIn,
    ReminderGrantOut,
    SchedulerRunIn,
    SchedulerRunOut,
    SubscriptionChangeIn,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionResult,
    SubscriptionsEnded,
)
from backend.services import contacts, notifications, reminder_grants, subscriptions
from backend.services.subscriptions import Outcome

personal = APIRouter(prefix="/me/subscriptions", tags=["notices"], responses=ERRORS)
gateway = APIRouter(prefix="/notices", tags=["notices"], dependencies=[ApiKeyDep], responses=ERRORS)
dev = APIRouter(prefix="/dev", tags=["dev"], dependencies=[ApiKeyDep], responses=ERRORS)

SubscriptionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def subscription_out(db: Session, settings: Settings, clock: ClockDep, sub: Subscription) -> SubscriptionOut:
    """Serialise with the masked contact and, for reminders, the window and the next send date."""
    mp = sub.metering_point
    reminder = sub.kind == SubscriptionKind.reading_reminder
    tz = ZoneInfo(settings.backend_timezone)
    return SubscriptionOut(
        id=sub.id,
        metering_point=mp.number,
        metering_point_nickname=mp.nickname,
        brand=mp.customer.brand.code,
        kind=sub.kind,
        channel=sub.channel,
        masked_contact=contacts.mask(sub.channel, sub.contact),
        status="active" if sub.status == "active" else "ended",
        consent_at=sub.consent_at,
        consent_source=sub.consent_source,
        ended_at=sub.ended_at,
        end_reason=sub.end_reason,
        window_start_day=mp.reading_window_start_day if reminder else None,
        window_end_day=mp.reading_window_end_day if reminder else None,
        next_reminder_on=notifications.next_reminder_on(db, settings, sub, mp, clock.today(), tz),
        quiet_start_hour=settings.notice_quiet_start_hour,
        quiet_end_hour=settings.notice_quiet_end_hour,
    )


def _result(db: Session, settings: Settings, clock: ClockDep, out: Outcome) -> SubscriptionResult:
    return SubscriptionResult(
        result=out.result,  # type: ignore[arg-type]
        subscription=subscription_out(db, settings, clock, out.subscription),
        replaced_id=out.replaced_id,
    )


@personal.post(
    "",
    response_model=SubscriptionResult,
    status_code=201,
    responses={200: {"model": SubscriptionResult, "description": "Already subscribed (result existing)"}},
)
def create_subscription(
    body: SubscriptionIn,
    account: AccountDep,
    db: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
) -> SubscriptionResult:
    """Switch a notice on: 201 created, 200 existing (the same point + kind + channel is one
    subscription). SMS / e-mail go to the contact on file, Telegram to telegram_chat_id."""
    out = subscriptions.create(
        db, clock.now(), account, body.metering_point, body.kind, body.channel, body.telegram_chat_id, body.source
    )
    if out.result == "existing":
        response.status_code = 200
    return _result(db, settings, clock, out)


@personal.get("", response_model=list[SubscriptionOut])
def list_subscriptions(
    account: AccountDep,
    db: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    status: Literal["active", "ended", "all"] = "active",
) -> list[SubscriptionOut]:
    """The account's subscriptions (default: the active ones), oldest first."""
    return [subscription_out(db, settings, clock, s) for s in subscriptions.list_for(db, account.id, status)]


@personal.delete("", response_model=SubscriptionsEnded)
def end_subscriptions(
    account: AccountDep,
    db: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    metering_point: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    kind: SubscriptionKind | None = None,
    channel: DeliveryChannel | None = None,
) -> SubscriptionsEnded:
    """Switch off every active subscription that matches the filters (no filter: all of them)."""
    ended = subscriptions.end_matching(db, clock.now(), account.id, metering_point, kind, channel)
    return SubscriptionsEnded(
        result="ended" if ended else "none",
        ended=len(ended),
        items=[subscription_out(db, settings, clock, s) for s in ended],
    )


@personal.patch("/{subscription_id}", response_model=SubscriptionResult)
def change_subscription(
    subscription_id: SubscriptionId,
    body: SubscriptionChangeIn,
    account: AccountDep,
    db: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> SubscriptionResult:
    """Move to another channel: changed (a new subscription replaces replaced_id), unchanged, or
    merged (that channel was already subscribed: the existing one is returned)."""
    out = subscriptions.change_channel(
        db, clock.now(), account, subscription_id, body.channel, body.telegram_chat_id, body.source
    )
    return _result(db, settings, clock, out)


@personal.delete("/{subscription_id}", response_model=SubscriptionResult)
def end_subscription(
    subscription_id: SubscriptionId, account: AccountDep, db: SessionDep, clock: ClockDep, settings: SettingsDep
) -> SubscriptionResult:
    """Switch one subscription off at once: ended, or already_ended."""
    return _result(db, settings, clock, subscriptions.end(db, clock.now(), account.id, subscription_id))


@gateway.post("/opt-out", response_model=OptOutOut)
def opt_out(body: OptOutIn, db: SessionDep, clock: ClockDep) -> OptOutOut:
    """STOP / ODJAVA: every subscription to this sender on this channel ends at once (no token:
    the gateway has checked the provider's signature)."""
    channel = DeliveryChannel(body.channel)
    ended, masked = subscriptions.opt_out(db, clock.now(), channel, body.sender)
    return OptOutOut(result="ended" if ended else "none", ended=ended, channel=channel.value, masked_sender=masked)


@gateway.post("/reminder-grants", response_model=ReminderGrantOut, status_code=201)
def reminder_grant(body: ReminderGrantIn, db: SessionDep, clock: ClockDep, settings: SettingsDep) -> ReminderGrantOut:
    """A message from this sender may answer the reading reminder it got in the last
    REMINDER_REPLY_DAYS days (window still open): a grant for that one point and one reading,
    bound to conversation_id."""
    issued = reminder_grants.issue(
        db, settings, clock.now(), clock.today(), DeliveryChannel(body.channel), body.sender,
        body.conversation_id, body.metering_point,
    )
    n, mp = issued.notification, issued.metering_point
    assert n.period_end is not None and n.queued_at is not None
    return ReminderGrantOut(
        token=issued.token,
        expires_at=issued.grant.expires_at,
        conversation_id=issued.grant.conversation_id,
        metering_point=mp.number,
        metering_point_nickname=mp.nickname,
        brand=mp.customer.brand.code,
        window_end=n.period_end,
        reminder_sent_at=n.queued_at,
    )


@dev.post("/scheduler/run", response_model=SchedulerRunOut)
def dev_scheduler_run(
    body: SchedulerRunIn, db: SessionDep, clock: ClockDep, settings: SettingsDep
) -> SchedulerRunOut:
    """Dev only (DEV_OUTBOX_ENABLED=1): one scheduling pass at `at` (default: the backend's clock),
    exactly what the scheduler process does on its tick."""
    if not settings.dev_outbox_enabled:
        raise DomainError(404, "not_found", "Ta vir ne obstaja.")
    at = body.at or clock.now()
    return SchedulerRunOut.model_validate(notifications.run_pass(db, settings, at).as_dict())
