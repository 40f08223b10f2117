"""count published posts per tag, per author and for the whole site, kept by triggers

Readers' `post_count` of a tag or an author, and a listing's `total`, were counted over
every post on every request: seconds at 100,000 posts. Now each is a stored number that
the database keeps in step itself (triggers on both engines, so no code path can forget),
counting posts that are published and not in the trash, scheduled ones included. Readers
subtract the scheduled posts that are still to come, which are few and found by index:
a post going live by itself at its time then needs no job to update any count.

On SQLite, a later migration that rebuilds `posts`, `post_tags` or `post_authors` (batch
mode) drops these triggers with the old table and must create them again: see SQLITE.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (record table, link table, the link's column for the record)
LINKS = (("tags", "post_tags", "tag_id"), ("authors", "post_authors", "author_id"))


def counted(row: str) -> str:
    """1 when the post `row` (NEW, OLD, posts) counts as published, else 0: on both engines."""
    return f"(CASE WHEN {row}.status = 'published' AND {row}.deleted_at IS NULL THEN 1 ELSE 0 END)"


def featured(row: str) -> str:
    return f"(CASE WHEN {row}.featured THEN {counted(row)} ELSE 0 END)"


def is_counted(post_id: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM posts WHERE posts.id = {post_id}"
        " AND posts.status = 'published' AND posts.deleted_at IS NULL)"
    )


def _records_of_post(delta: str, post_id: str) -> str:
    """Statements adding `delta` to the counts of every tag and author of the post."""
    return "; ".join(
        f"UPDATE {records} SET published_posts = published_posts + {delta}"
        f" WHERE {delta} != 0 AND id IN (SELECT {key} FROM {link} WHERE post_id = {post_id})"
        for records, link, key in LINKS
    )


def _sqlite_triggers() -> list[str]:
    change = f"({counted('NEW')} - {counted('OLD')})"
    posts = [
        f"""CREATE TRIGGER posts_count_insert AFTER INSERT ON posts BEGIN
            UPDATE post_totals SET published = published + {counted("NEW")},
                featured = featured + {featured("NEW")};
        END""",
        f"""CREATE TRIGGER posts_count_update AFTER UPDATE OF status, deleted_at, featured
            ON posts BEGIN
            {_records_of_post(change, "NEW.id")};
            UPDATE post_totals SET published = published + {change},
                featured = featured + {featured("NEW")} - {featured("OLD")};
        END""",
        # Before: the post's links are still there to say which counts it was in. The
        # links' own triggers, run by the cascade afterwards, no longer find the post.
        f"""CREATE TRIGGER posts_count_delete BEFORE DELETE ON posts BEGIN
            {_records_of_post(f"-{counted('OLD')}", "OLD.id")};
            UPDATE post_totals SET published = published - {counted("OLD")},
                featured = featured - {featured("OLD")};
        END""",
    ]
    links = []
    for records, link, key in LINKS:
        minus = (
            f"UPDATE {records} SET published_posts = published_posts - 1"
            f" WHERE id = OLD.{key} AND {is_counted('OLD.post_id')}"
        )
        plus = (
            f"UPDATE {records} SET published_posts = published_posts + 1"
            f" WHERE id = NEW.{key} AND {is_counted('NEW.post_id')}"
        )
        links += [
            f"CREATE TRIGGER {link}_count_insert AFTER INSERT ON {link} BEGIN {plus}; END",
            f"CREATE TRIGGER {link}_count_delete AFTER DELETE ON {link} BEGIN {minus}; END",
            f"""CREATE TRIGGER {link}_count_update AFTER UPDATE OF post_id, {key} ON {link}
                BEGIN {minus}; {plus}; END""",
        ]
    return posts + links


SQLITE = _sqlite_triggers()
SQLITE_NAMES = [statement.split()[2] for statement in SQLITE]


def _postgres_functions() -> list[str]:
    change = f"({counted('NEW')} - {counted('OLD')})"
    statements = [
        f"""CREATE FUNCTION posts_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE post_totals SET published = published + {counted("NEW")},
                    featured = featured + {featured("NEW")};
            ELSIF TG_OP = 'UPDATE' THEN
                {_records_of_post(change, "NEW.id")};
                UPDATE post_totals SET published = published + {change},
                    featured = featured + {featured("NEW")} - {featured("OLD")};
            ELSE
                {_records_of_post(f"-{counted('OLD')}", "OLD.id")};
                UPDATE post_totals SET published = published - {counted("OLD")},
                    featured = featured - {featured("OLD")};
                RETURN OLD;
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER posts_count_change AFTER INSERT OR UPDATE OF status, deleted_at, featured
            ON posts FOR EACH ROW EXECUTE FUNCTION posts_count_change()""",
        # Before: see the SQLite trigger of the same name.
        """CREATE TRIGGER posts_count_delete BEFORE DELETE ON posts
            FOR EACH ROW EXECUTE FUNCTION posts_count_change()""",
    ]
    for records, link, key in LINKS:
        statements += [
            f"""CREATE FUNCTION {link}_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    UPDATE {records} SET published_posts = published_posts - 1
                    WHERE id = OLD.{key} AND {is_counted("OLD.post_id")};
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN
                    UPDATE {records} SET published_posts = published_posts + 1
                    WHERE id = NEW.{key} AND {is_counted("NEW.post_id")};
                END IF;
                RETURN NULL;
            END $$""",
            f"""CREATE TRIGGER {link}_count_change
                AFTER INSERT OR DELETE OR UPDATE OF post_id, {key} ON {link}
                FOR EACH ROW EXECUTE FUNCTION {link}_count_change()""",
        ]
    return statements


def upgrade() -> None:
    for records, _link, _key in LINKS:
        op.add_column(
            records,
            sa.Column("published_posts", sa.Integer(), nullable=False, server_default="0"),
        )
    op.create_table(
        "post_totals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("published", sa.Integer(), nullable=False),
        sa.Column("featured", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO post_totals (id, published, featured)"
        f" SELECT 1, coalesce(sum({counted('posts')}), 0), coalesce(sum({featured('posts')}), 0)"
        " FROM posts"
    )
    for records, link, key in LINKS:
        op.execute(
            f"UPDATE {records} SET published_posts = (SELECT count(*) FROM {link}"
            f" JOIN posts ON posts.id = {link}.post_id WHERE {link}.{key} = {records}.id"
            " AND posts.status = 'published' AND posts.deleted_at IS NULL)"
        )
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else _postgres_functions():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_NAMES:
            op.execute(f"DROP TRIGGER {name}")
    else:
        for table in ("posts", "post_tags", "post_authors"):
            op.execute(f"DROP FUNCTION {table}_count_change() CASCADE")
    op.drop_table("post_totals")
    for records, _link, _key in LINKS:
        op.drop_column(records, "published_posts")
