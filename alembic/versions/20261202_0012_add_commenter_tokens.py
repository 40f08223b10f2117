"""add commenter tokens: known-commenter approval on proof, not on a typed e-mail

Each public comment keeps the sha256 of the commenter token its sender was given (or
showed). Comments from before have none, so their writers are asked for moderation once
more before their token makes them known.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("commenter_hash", sa.String(64), nullable=True))
    op.create_index("ix_comments_commenter_hash", "comments", ["commenter_hash"])


def downgrade() -> None:
    op.drop_index("ix_comments_commenter_hash", table_name="comments")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("commenter_hash")
