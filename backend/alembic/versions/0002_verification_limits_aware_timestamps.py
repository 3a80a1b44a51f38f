"""verification limits (one budget and lock per account, unknown identifiers, client ref, SMS
budget) and timezone-aware timestamps

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00

- verification_guard: attempt budget + lock per account (was per challenge), and the row that
  serialises the send checks of an account / identifier / conversation / client;
- usage_counter: the global daily SMS budget;
- verification_challenge: subject_key, client_ref_hash, account_id nullable (unknown identifiers
  are stored so they cost the same limits); attempts and locked_until move to verification_guard
  (locks in force are carried over);
- every timestamp column becomes TIMESTAMP WITH TIME ZONE on PostgreSQL; the stored values were
  UTC, and are read as UTC. SQLite keeps UTC text (the model's type reads it as aware UTC).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, nullable)
TIMESTAMPS = [
    ("faq_feedback", "created_at", False),
    ("handoff_ticket", "created_at", False),
    ("handoff_ticket", "updated_at", False),
    ("outbox_message", "created_at", False),
    ("portal_account", "created_at", False),
    ("account_access", "granted_at", False),
    ("campaign_enrolment", "created_at", False),
    ("meter_reading", "created_at", False),
    ("session_token", "created_at", False),
    ("session_token", "expires_at", False),
    ("session_token", "revoked_at", True),
    ("verification_challenge", "created_at", False),
    ("verification_challenge", "expires_at", False),
    ("verification_challenge", "consumed_at", True),
]


def _set_timezone(aware: bool) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, column, nullable in TIMESTAMPS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.DateTime(timezone=not aware),
                type_=sa.DateTime(timezone=aware),
                existing_nullable=nullable,
                postgresql_using=f"{column} AT TIME ZONE 'UTC'" if postgres else None,
            )


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "verification_guard",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_verification_guard")),
    )
    op.create_table(
        "usage_counter",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_usage_counter")),
    )
    # locks in force move to the account's guard row
    op.execute(
        "INSERT INTO verification_guard (key, failed_attempts, first_failed_at, locked_until, updated_at) "
        "SELECT 'a:' || account_id, MAX(attempts), NULL, MAX(locked_until), MAX(created_at) "
        "FROM verification_challenge WHERE locked_until IS NOT NULL GROUP BY account_id"
    )
    with op.batch_alter_table("verification_challenge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_key", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("client_ref_hash", sa.String(length=64), nullable=True))
    op.execute("UPDATE verification_challenge SET subject_key = 'a:' || account_id")
    with op.batch_alter_table("verification_challenge", schema=None) as batch_op:
        batch_op.alter_column("subject_key", existing_type=sa.String(length=80), nullable=False)
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_column("attempts")
        batch_op.drop_column("locked_until")
        batch_op.create_index("ix_challenge_subject_created", ["subject_key", "created_at"], unique=False)
        batch_op.create_index("ix_challenge_client_created", ["client_ref_hash", "created_at"], unique=False)
    _set_timezone(True)


def downgrade() -> None:
    """Revert this revision (challenges of unknown identifiers are dropped: the old schema has no place for them)."""
    _set_timezone(False)
    op.execute("DELETE FROM verification_challenge WHERE account_id IS NULL")
    with op.batch_alter_table("verification_challenge", schema=None) as batch_op:
        batch_op.drop_index("ix_challenge_client_created")
        batch_op.drop_index("ix_challenge_subject_created")
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("client_ref_hash")
        batch_op.drop_column("subject_key")
    with op.batch_alter_table("verification_challenge", schema=None) as batch_op:
        batch_op.alter_column("attempts", existing_type=sa.Integer(), server_default=None)
    op.drop_table("usage_counter")
    op.drop_table("verification_guard")
