"""handoff ticket: at most one active live ticket per conversation

The backend's ticket decides whether a person has a conversation (every gateway replica asks it),
so two active live tickets for one conversation must be impossible: older duplicates are closed,
then a partial unique index enforces it.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "kind = 'live' AND status IN ('open', 'assigned', 'handback_failed')"


def upgrade() -> None:
    """Close duplicate active live tickets (keep the newest), then add the partial unique index."""
    op.execute(
        "UPDATE handoff_ticket SET status = 'closed' WHERE kind = 'live' AND status IN ('open', 'assigned') "
        "AND id NOT IN (SELECT MAX(id) FROM handoff_ticket WHERE kind = 'live' AND status IN ('open', 'assigned') "
        "GROUP BY conversation_id)"
    )
    op.create_index(
        "uq_handoff_ticket_active_live", "handoff_ticket", ["conversation_id"], unique=True,
        sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE),
    )


def downgrade() -> None:
    """Drop the index (the closed duplicates stay closed)."""
    op.drop_index("uq_handoff_ticket_active_live", table_name="handoff_ticket")
