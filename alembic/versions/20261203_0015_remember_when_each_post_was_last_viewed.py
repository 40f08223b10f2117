"""remember when each post was last viewed

Counting a view no longer empties the response caches: each process reads the posts
viewed since its last check (`viewed_at >= ...`, hence the index) and makes again only
the answers that show them. The batch that adds to `view_count` sets it in the same
UPDATE; no trigger on posts follows it (they name their columns: UPDATE OF).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_posts_viewed_at"


def upgrade() -> None:
    op.add_column("posts", sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(INDEX, "posts", ["viewed_at"])


def downgrade() -> None:
    op.drop_index(INDEX, "posts")
    op.drop_column("posts", "viewed_at")
