"""date post_tags and post_authors with the post's published_at, indexed for newest-first walks

A tag's (or an author's) newest posts were found by reading every post with the tag and
sorting them: thousands of rows for a popular tag at 100,000 posts, on every tag filter
and every related-posts query. With the post's published_at on each link and an index on
(tag_id, published_at), they are the first rows of one index range. The database keeps
the copy in step itself (triggers on both engines), as migration 0009 does its counts.

On SQLite, a later migration that rebuilds `posts`, `post_tags` or `post_authors` (batch
mode) drops these triggers with the old table and must create them again: see SQLITE.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKS = (("post_tags", "tag_id"), ("post_authors", "author_id"))
OF_POST = "(SELECT posts.published_at FROM posts WHERE posts.id = NEW.post_id)"

SQLITE = [
    f"""CREATE TRIGGER {link}_dated AFTER INSERT ON {link} BEGIN
        UPDATE {link} SET published_at = {OF_POST}
        WHERE post_id = NEW.post_id AND {key} = NEW.{key};
    END"""
    for link, key in LINKS
] + [
    f"""CREATE TRIGGER posts_date_links AFTER UPDATE OF published_at ON posts BEGIN
        {"; ".join(f"UPDATE {link} SET published_at = NEW.published_at WHERE post_id = NEW.id" for link, _ in LINKS)};
    END"""  # noqa: E501
]
SQLITE_NAMES = [statement.split()[2] for statement in SQLITE]

POSTGRES = [
    f"""CREATE FUNCTION link_dated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.published_at := {OF_POST};
        RETURN NEW;
    END $$""",
    *(
        f"""CREATE TRIGGER {link}_dated BEFORE INSERT OR UPDATE OF post_id ON {link}
            FOR EACH ROW EXECUTE FUNCTION link_dated()"""
        for link, _ in LINKS
    ),
    f"""CREATE FUNCTION posts_date_links() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {"; ".join(f"UPDATE {link} SET published_at = NEW.published_at WHERE post_id = NEW.id" for link, _ in LINKS)};
        RETURN NULL;
    END $$""",  # noqa: E501
    """CREATE TRIGGER posts_date_links AFTER UPDATE OF published_at ON posts
        FOR EACH ROW EXECUTE FUNCTION posts_date_links()""",
]


def upgrade() -> None:
    for link, key in LINKS:
        op.add_column(link, sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(
            f"UPDATE {link} SET published_at ="
            f" (SELECT posts.published_at FROM posts WHERE posts.id = {link}.post_id)"
        )
        op.create_index(f"ix_{link}_{key}_published_at", link, [key, "published_at", "post_id"])
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_NAMES:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP FUNCTION posts_date_links() CASCADE")
        op.execute("DROP FUNCTION link_dated() CASCADE")
    for link, key in LINKS:
        op.drop_index(f"ix_{link}_{key}_published_at", link)
        # Not in batch mode: rebuilding the table on SQLite would drop 0009's triggers.
        op.drop_column(link, "published_at")
