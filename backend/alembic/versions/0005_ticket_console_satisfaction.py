"""handoff ticket: masked customer, claim / first-reply / close times, resolution, satisfaction

The agent console shows the verified customer (masked) and the report measures the waiting time
to the first agent reply; after a hand-back or a resolve the customer rates the agent's help
(1-5), stored with the ticket. Existing closed tickets get closed_at = updated_at (the best
record of when they were closed); nothing else is guessed.

Revision ID: 0005
Revises: 0004 (written on 0003; re-chained when 0004_subscriptions reached main)
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("customer", sa.String(length=120), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("satisfaction_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    """Add the columns (all nullable), then date the tickets that are already closed."""
    with op.batch_alter_table("handoff_ticket", schema=None) as batch_op:
        for column in _columns():
            batch_op.add_column(column)
    op.execute("UPDATE handoff_ticket SET closed_at = updated_at WHERE status = 'closed'")


def downgrade() -> None:
    """Drop them again (ratings and waiting times are lost, the tickets stay)."""
    with op.batch_alter_table("handoff_ticket", schema=None) as batch_op:
        for column in reversed(_columns()):
            batch_op.drop_column(column.name)
