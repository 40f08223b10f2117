"""add post revisions, the trash (deleted_at), edit versions and who created/updated a post

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table to add the foreign keys.
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_posts_created_by_id_users", "users", ["created_by_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key(
            "fk_posts_updated_by_id_users", "users", ["updated_by_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("posts") as batch:
        batch.alter_column("version", server_default=None)
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_format", sa.String(16), nullable=False),
        sa.Column("custom_excerpt", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.UniqueConstraint("post_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("post_revisions")
    with op.batch_alter_table("posts") as batch:
        batch.drop_constraint("fk_posts_updated_by_id_users", type_="foreignkey")
        batch.drop_constraint("fk_posts_created_by_id_users", type_="foreignkey")
        batch.drop_column("updated_by_id")
        batch.drop_column("created_by_id")
        batch.drop_column("deleted_at")
        batch.drop_column("version")
