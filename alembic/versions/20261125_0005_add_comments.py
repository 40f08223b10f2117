"""add comments (moderated, nested) and a per-post switch to close them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(
            sa.Column("comments_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("posts") as batch:
        batch.alter_column("comments_enabled", server_default=None)
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "parent_id",
            sa.Integer(),
            sa.ForeignKey("comments.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(100), nullable=False),
        sa.Column("author_email", sa.String(254), nullable=False),
        sa.Column("avatar_hash", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_comments_post_id_status_created_at", "comments", ["post_id", "status", "created_at"]
    )
    op.create_index("ix_comments_status_created_at", "comments", ["status", "created_at"])
    op.create_index("ix_comments_sender_hash", "comments", ["sender_hash"])


def downgrade() -> None:
    op.drop_table("comments")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("comments_enabled")
