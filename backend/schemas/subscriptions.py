"""Notice subscriptions, the gateway's opt-out and reminder replies, and the dev scheduler pass.

Answers carry stable codes (`result`) and data only: the assistant words them (domain.yml).
Contacts only ever appear masked.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field

from backend.models import DeliveryChannel, SubscriptionKind
from backend.schemas.common import Instant

Source = Literal["chat", "web", "sms", "telegram"]


def _telegram_chat_id() -> Any:
    return Field(
        default=None,
        min_length=1,
        max_length=32,
        description="Only for channel telegram: the chat id of the Telegram conversation, as the gateway passes it",
    )


class SubscriptionIn(BaseModel):
    """Switch a notice on for one metering point (the same point + kind + channel twice is one)."""

    metering_point: str = Field(min_length=1, max_length=40)
    kind: SubscriptionKind
    channel: DeliveryChannel
    telegram_chat_id: str | None = _telegram_chat_id()
    source: Source = Field(default="chat", description="Where the consent was given")


class SubscriptionChangeIn(BaseModel):
    """Move a subscription to another channel (the consent for the new channel is recorded now)."""

    channel: DeliveryChannel
    telegram_chat_id: str | None = _telegram_chat_id()
    source: Source = "chat"


class SubscriptionOut(BaseModel):
    """A subscription, with what the confirmation needs: what, where (masked) and when."""

    id: int
    metering_point: str
    metering_point_nickname: str | None
    brand: str
    kind: SubscriptionKind
    channel: DeliveryChannel
    masked_contact: str = Field(description="041 *** 456, a***@e***.com, or ***789 for a Telegram chat")
    status: Literal["active", "ended"]
    consent_at: datetime
    consent_source: str
    ended_at: datetime | None
    end_reason: str | None = Field(description="user, opt_out, channel_changed, contact_changed")
    window_start_day: int | None = Field(description="Reading reminders: the window's first day of the month")
    window_end_day: int | None = Field(description="Reading reminders: the window's last day of the month")
    next_reminder_on: date | None = Field(
        description="Active reading reminders: the local date the next reminder goes out (from quiet_end_hour)"
    )
    quiet_start_hour: int = Field(description="No notice goes out from this hour (Ljubljana time) …")
    quiet_end_hour: int = Field(description="… until this hour; what falls in between is sent then")


class SubscriptionResult(BaseModel):
    """created / existing (idempotent create); changed / unchanged / merged (channel change: the
    subscription returned replaces replaced_id); ended / already_ended."""

    result: Literal["created", "existing", "changed", "unchanged", "merged", "ended", "already_ended"]
    subscription: SubscriptionOut
    replaced_id: int | None = None


class SubscriptionsEnded(BaseModel):
    """Every active subscription that matched the filters was switched off."""

    result: Literal["ended", "none"]
    ended: int
    items: list[SubscriptionOut]


class OptOutIn(BaseModel):
    """STOP / ODJAVA received by the gateway from this sender (an SMS number or a Telegram chat id)."""

    channel: Literal["sms", "telegram"] = "sms"
    sender: str = Field(min_length=1, max_length=64, description="E.164 number (Twilio From) or Telegram chat id")


class OptOutOut(BaseModel):
    """How many subscriptions to that sender ended (0: there were none)."""

    result: Literal["ended", "none"]
    ended: int
    channel: str
    masked_sender: str


class ReminderGrantIn(BaseModel):
    """An SMS or Telegram message arrived: may it answer a reading reminder?"""

    channel: Literal["sms", "telegram"]
    sender: str = Field(min_length=1, max_length=64, description="E.164 number (Twilio From) or Telegram chat id")
    conversation_id: str = Field(min_length=1, max_length=128, description="The grant is bound to it")
    metering_point: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="Only when several reminders are open (409 reminder_ambiguous)",
    )


class ReminderGrantOut(BaseModel):
    """A bearer token for GET /me/metering-points, GET/POST /me/metering-points/{n}/readings of this
    one point (with X-Conversation-Id), spent by one stored reading."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    scope: Literal["reading_reminder_reply"] = "reading_reminder_reply"
    expires_at: datetime
    conversation_id: str
    metering_point: str
    metering_point_nickname: str | None
    brand: str
    window_end: date = Field(description="The reminder asked for the reading by this day")
    reminder_sent_at: datetime


YEAR_20XX = re.compile(r"^20[0-9]{2}-")


def _year_20xx(value: object) -> object:
    """The pass computes dates around `at`: keep it to this century (as the schema's pattern says)."""
    if isinstance(value, str) and not YEAR_20XX.match(value):
        raise ValueError("expected a date-time in the years 2000-2099")
    return value


class SchedulerRunIn(BaseModel):
    """Dev only: one scheduling pass as if the clock showed `at` (default: the backend's clock)."""

    at: Annotated[Instant, BeforeValidator(_year_20xx)] | None = Field(
        default=None,
        description="RFC 3339 date-time in the years 2000–2099",
        json_schema_extra={"pattern": YEAR_20XX.pattern},
    )


class SchedulerRunOut(BaseModel):
    """What the pass did (counts)."""

    at: datetime
    local_time: str
    quiet_hours: bool
    reminders: int
    invoice_notices: int
    held: int
    released: int
    cancelled: int
    queued: int
