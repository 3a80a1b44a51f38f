"""console: server-side agent sessions, canned replies, internal notes

Revision ID: 0004_console
Revises: 0003_privacy
"""

import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_console"
down_revision: str | None = "0003_privacy"
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
    canned = op.create_table(
        "canned_reply",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_reply")),
    )
    # a few to start from; agents edit or delete them in the console
    op.bulk_insert(canned, [
        {"title": title, "text": text, "updated_by": "sistem", "updated_at": time.time()}
        for title, text in (
            ("Pozdrav", "Pozdravljeni! Hvala, ker ste počakali. Kako vam lahko pomagam?"),
            ("Preverjam", "Hvala za podatke. Trenutek, prosim, da preverim."),
            ("Zaključek", "Ali vam lahko pomagam še s čim drugim?"),
        )
    ])
    op.create_table(
        "agent_note",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_note")),
    )
    op.create_index("ix_agent_note_conversation", "agent_note", ["conversation_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_agent_note_conversation", table_name="agent_note")
    op.drop_table("agent_note")
    op.drop_table("canned_reply")
    op.drop_index("ix_agent_session_user", table_name="agent_session")
    op.drop_table("agent_session")
