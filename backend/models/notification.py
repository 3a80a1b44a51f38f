"""Notice subscriptions, the notices the scheduler queued for them, and reminder grants.

- Subscription: a customer's consent to one kind of notice for one metering point on one channel.
- Notification: one notice per subscription and period; the UNIQUE key (subscription_id,
  period_key) is how two scheduler passes, restarts or replicas agree that it was sent once.
- ReminderGrant: what a reply to a reading reminder may do (one reading for one point).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import Base, DeliveryChannel, SubscriptionKind, str_enum
from backend.models.customer import MeteringPoint

ACTIVE = "active"
ENDED = "ended"
# notification.status
HELD = "held"  # claimed during quiet hours; goes to the outbox at send_after (08:00 local)
QUEUED = "queued"  # written to the outbox
CANCELLED = "cancelled"  # held, but the subscription ended before it could be sent


class Subscription(Base):
    """Consent to a notice kind for one point on one channel, with the contact used.

    contact: E.164 phone (sms), lower-case e-mail (email) or the Telegram chat id (telegram).
    At most one active row per account, point, kind and channel (partial unique index); ended
    rows stay as the record of consent and withdrawal."""

    __tablename__ = "subscription"
    __table_args__ = (
        Index(
            "uq_subscription_active",
            "account_id",
            "metering_point_id",
            "kind",
            "channel",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_subscription_contact", "channel", "contact", "status"),
        Index("ix_subscription_kind_status", "kind", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("portal_account.id"), index=True)
    metering_point_id: Mapped[int] = mapped_column(ForeignKey("metering_point.id"), index=True)
    kind: Mapped[SubscriptionKind] = mapped_column(str_enum(SubscriptionKind))
    channel: Mapped[DeliveryChannel] = mapped_column(str_enum(DeliveryChannel))
    contact: Mapped[str] = mapped_column(String(254))
    consent_at: Mapped[datetime] = mapped_column()
    consent_source: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    ended_at: Mapped[datetime | None] = mapped_column()
    end_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    metering_point: Mapped[MeteringPoint] = relationship()


class Notification(Base):
    """One notice for one subscription and period (reminders: "window:2026-12"; invoice notices:
    "invoice:<number>"). The body is rendered when the notice is claimed, so a held notice goes
    out unchanged at 08:00; the outbox row written for it points back here (notification_id)."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("subscription_id", "period_key"),
        Index("ix_notification_reply", "channel", "recipient", "kind", "queued_at"),
        Index("ix_notification_held", "status", "send_after"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"))
    period_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[SubscriptionKind] = mapped_column(str_enum(SubscriptionKind))
    metering_point_id: Mapped[int] = mapped_column(ForeignKey("metering_point.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    channel: Mapped[DeliveryChannel] = mapped_column(str_enum(DeliveryChannel))
    recipient: Mapped[str] = mapped_column(String(254))
    # reading reminders: the last day of the reading window the reminder is about
    period_end: Mapped[date | None] = mapped_column(Date)
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sms_parts: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column()
    send_after: Mapped[datetime] = mapped_column()
    queued_at: Mapped[datetime | None] = mapped_column()


class ReminderGrant(Base):
    """A reply to a reading reminder, as a capability: read the last reading of one point and store
    one reading for it, in one conversation, until expires_at; spent (used_at) by the stored
    reading. Only the token's SHA-256 is stored."""

    __tablename__ = "reminder_grant"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("portal_account.id"))
    metering_point_id: Mapped[int] = mapped_column(ForeignKey("metering_point.id"))
    conversation_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    reading_id: Mapped[int | None] = mapped_column(ForeignKey("meter_reading.id"))
