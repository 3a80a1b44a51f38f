"""privacy: seen provider delivery ids (replays processed once), turns indexed by age (retention)

Revision ID: 0003_privacy
Revises: 0001
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_privacy"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "seen_delivery",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_seen_delivery")),
    )
    with op.batch_alter_table("seen_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_delivery_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("turn", schema=None) as batch_op:
        batch_op.create_index("ix_turn_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("turn", schema=None) as batch_op:
        batch_op.drop_index("ix_turn_created_at")
    with op.batch_alter_table("seen_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_delivery_expires_at"))
    op.drop_table("seen_delivery")
