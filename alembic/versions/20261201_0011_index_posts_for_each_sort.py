"""index posts for each sort the Content API offers

`GET /posts?sort=title` (or reading_time, comment_count, created_at, updated_at, slug, id)
read every live post and sorted them to return ten: 90-180 ms at 100,000 posts. With an
index led by status, as every live query is, and ending in id, the tie-breaker, a sorted
page is the first rows of one index range, in either direction. A second featured index
serves `featured=true` newest first and `sort=-featured,-published_at`.

`view_count` is a sum over counter shards (migration 0006) and has no index: see the note
in cms/posts/models.py.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORTS = (
    ("id",),
    ("slug",),
    ("title",),
    ("created_at",),
    ("updated_at",),
    ("reading_time",),
    ("comment_count",),
    ("featured",),
    ("featured", "published_at"),
)


def _name(columns: tuple[str, ...]) -> str:
    return f"ix_posts_status_{'_'.join(columns)}"


def upgrade() -> None:
    for columns in SORTS:
        # id ends each index (it is the tie-breaker), so ("id",) needs no second copy.
        tail = [] if columns == ("id",) else ["id"]
        op.create_index(_name(columns), "posts", ["status", *columns, *tail])


def downgrade() -> None:
    for columns in SORTS:
        op.drop_index(_name(columns), "posts")
