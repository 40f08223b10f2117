"""count views in sharded per-post and per-day counters, with a record of recent visitors

posts.view_count (one row every view would have to lock) becomes the sum of up to eight
counter rows per post; counts already stored move to them, on the day the post went out.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _post_id() -> sa.Column[int]:
    return sa.Column(
        "post_id",
        sa.Integer(),
        sa.ForeignKey("posts.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "post_view_totals",
        _post_id(),
        sa.Column("shard", sa.Integer(), primary_key=True),
        sa.Column("views", sa.Integer(), nullable=False),
    )
    op.create_table(
        "post_view_days",
        _post_id(),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("shard", sa.Integer(), primary_key=True),
        sa.Column("views", sa.Integer(), nullable=False),
    )
    op.create_table(
        "post_viewers",
        _post_id(),
        sa.Column("visitor", sa.String(64), primary_key=True),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_post_viewers_counted_at", "post_viewers", ["counted_at"])

    went_out = "coalesce(published_at, created_at)"
    day = (
        f"date({went_out})"
        if op.get_bind().dialect.name == "sqlite"
        else f"CAST({went_out} AT TIME ZONE 'UTC' AS date)"
    )
    op.execute(
        "INSERT INTO post_view_totals (post_id, shard, views)"
        " SELECT id, 0, view_count FROM posts WHERE view_count > 0"
    )
    op.execute(
        "INSERT INTO post_view_days (post_id, day, shard, views)"
        f" SELECT id, {day}, 0, view_count FROM posts WHERE view_count > 0"
    )
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("view_count")


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("view_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE posts SET view_count = coalesce("
        "(SELECT sum(views) FROM post_view_totals WHERE post_id = posts.id), 0)"
    )
    with op.batch_alter_table("posts") as batch:
        batch.alter_column("view_count", server_default=None)
    op.drop_table("post_viewers")
    op.drop_table("post_view_days")
    op.drop_table("post_view_totals")
