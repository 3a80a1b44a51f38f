"""notice subscriptions, notifications (sent once per subscription and period), reminder grants,
Telegram in the outbox and the SMS part count

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:00:00

- subscription: consent to reading reminders / invoice notices per metering point and channel;
  one active row per account, point, kind and channel (partial unique index);
- notification: UNIQUE (subscription_id, period_key), the insert-or-skip key that keeps a notice
  from going out twice (restarts, two scheduler replicas);
- reminder_grant: a reply to a reminder may store one reading for one point (token hashed);
- outbox_message: channel also allows 'telegram' (CHECK constraint widened, same name),
  sms_parts, the number of SMS parts a body is billed as (NULL for older rows), and
  notification_id, the notice a row delivers (NULL for verification codes).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


KINDS = ("reading_reminder", "invoice_notice")
CHANNELS = ("email", "sms", "telegram")
ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("metering_point_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum(*KINDS, name="subscriptionkind"), nullable=False),
        sa.Column("channel", _enum(*CHANNELS, name="deliverychannel"), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_source", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["portal_account.id"], name=op.f("fk_subscription_account_id_portal_account")
        ),
        sa.ForeignKeyConstraint(
            ["metering_point_id"],
            ["metering_point.id"],
            name=op.f("fk_subscription_metering_point_id_metering_point"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription")),
    )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscription_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscription_metering_point_id"), ["metering_point_id"], unique=False)
        batch_op.create_index("ix_subscription_contact", ["channel", "contact", "status"], unique=False)
        batch_op.create_index("ix_subscription_kind_status", ["kind", "status"], unique=False)
        batch_op.create_index(
            "uq_subscription_active",
            ["account_id", "metering_point_id", "kind", "channel"],
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        )

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=64), nullable=False),
        sa.Column("kind", _enum(*KINDS, name="subscriptionkind"), nullable=False),
        sa.Column("metering_point_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("channel", _enum(*CHANNELS, name="deliverychannel"), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sms_parts", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("send_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name=op.f("fk_notification_invoice_id_invoice")),
        sa.ForeignKeyConstraint(
            ["metering_point_id"],
            ["metering_point.id"],
            name=op.f("fk_notification_metering_point_id_metering_point"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["subscription.id"], name=op.f("fk_notification_subscription_id_subscription")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("subscription_id", "period_key", name=op.f("uq_notification_subscription_id")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_held", ["status", "send_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_metering_point_id"), ["metering_point_id"], unique=False)
        batch_op.create_index("ix_notification_reply", ["channel", "recipient", "kind", "queued_at"], unique=False)

    op.create_table(
        "reminder_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("metering_point_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reading_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["portal_account.id"], name=op.f("fk_reminder_grant_account_id_portal_account")
        ),
        sa.ForeignKeyConstraint(
            ["metering_point_id"],
            ["metering_point.id"],
            name=op.f("fk_reminder_grant_metering_point_id_metering_point"),
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"], ["notification.id"], name=op.f("fk_reminder_grant_notification_id_notification")
        ),
        sa.ForeignKeyConstraint(
            ["reading_id"], ["meter_reading.id"], name=op.f("fk_reminder_grant_reading_id_meter_reading")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_grant")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reminder_grant_token_hash")),
    )
    with op.batch_alter_table("reminder_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_grant_notification_id"), ["notification_id"], unique=False)

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sms_parts", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("notification_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_notification_id_notification"), "notification", ["notification_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_notification_id"), ["notification_id"], unique=False)
        # the CHECK constraint ck_outbox_message_channel is replaced by one that allows telegram
        batch_op.alter_column(
            "channel",
            existing_type=_enum("email", "sms", name="channel"),
            type_=_enum(*CHANNELS, name="channel"),
            existing_nullable=False,
        )


def downgrade() -> None:
    """Revert this revision (Telegram rows leave the outbox: the old schema cannot hold them)."""
    op.execute("DELETE FROM outbox_message WHERE channel = 'telegram'")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_notification_id"))
        batch_op.drop_constraint(batch_op.f("fk_outbox_message_notification_id_notification"), type_="foreignkey")
        batch_op.drop_column("notification_id")
        batch_op.alter_column(
            "channel",
            existing_type=_enum(*CHANNELS, name="channel"),
            type_=_enum("email", "sms", name="channel"),
            existing_nullable=False,
        )
        batch_op.drop_column("sms_parts")
    op.drop_table("reminder_grant")
    op.drop_table("notification")
    op.drop_table("subscription")
