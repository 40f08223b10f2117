"""store each post's view total on the post, indexed for most-viewed first

`sort=-view_count` summed every live post's counter shards (0006) to return ten: 145-187 ms
at 100,000 posts. Now the total is `posts.view_count`, added to by each batch of views in
the transaction that counts them, with an index led by status and ending in id like every
other sort (0011): a most-viewed page is the first rows of one index range.

The shards of the total (`post_view_totals`) go: a batch now locks the post's row anyway,
and a second copy of the number would only be one more write to keep in step. Batches on
PostgreSQL queue on a hot post's row, one batch per process at a time (group commit), in
post id order so they never deadlock. The per-day counts stay sharded, as they were.

No trigger on posts runs for the new column: 0007's, 0009's and 0010's each name the
columns they follow (UPDATE OF), and PostgreSQL computes the search vector again only when
its own columns change. Adding the column needs no table rebuild on SQLite (which would
drop those triggers).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_posts_status_view_count"


def upgrade() -> None:
    op.add_column(
        "posts", sa.Column("view_count", sa.Integer(), nullable=False, server_default="0")
    )
    op.execute(
        "UPDATE posts SET view_count = (SELECT sum(views) FROM post_view_totals"
        " WHERE post_view_totals.post_id = posts.id)"
        " WHERE id IN (SELECT post_id FROM post_view_totals)"
    )
    op.create_index(INDEX, "posts", ["status", "view_count", "id"])
    op.drop_table("post_view_totals")


def downgrade() -> None:
    op.create_table(
        "post_view_totals",
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("shard", sa.Integer(), primary_key=True),
        sa.Column("views", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO post_view_totals (post_id, shard, views)"
        " SELECT id, 0, view_count FROM posts WHERE view_count > 0"
    )
    op.drop_index(INDEX, "posts")
    # Not in batch mode: rebuilding posts on SQLite would drop 0007's and 0009's triggers.
    op.drop_column("posts", "view_count")
