"""console: server-side agent sessions

Revision ID: 0002_console
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_console"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Agent sessions move from a signed cookie to this table (old cookies simply stop working)."""
    op.create_table(
        "agent_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("password_tag", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("last_seen", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_agent_session")),
    )
    op.create_index("ix_agent_session_user", "agent_session", ["user"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_agent_session_user", table_name="agent_session")
    op.drop_table("agent_session")
