"""The schema is made only by migrations, and the models agree with them exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from cms.db import make_engine
from cms.migrations import (
    alembic_config,
    downgrade_database,
    include_object,
    upgrade_database,
)
from cms.models import metadata


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, metadata)

    assert differences == []


def test_database_is_at_the_newest_migration(engine: Engine) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head


def test_migrations_run_down_and_up_again_on_an_empty_database(new_database) -> None:
    engine = make_engine(new_database())
    try:
        upgrade_database(engine)
        downgrade_database(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_database(engine)
        assert {"posts", "authors", "tags"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrading_a_database_with_content_keeps_every_row(new_database) -> None:
    """SQLite rebuilds tables to change them; the rows that refer to them must survive that."""
    engine = make_engine(new_database())
    try:
        upgrade_database(engine, "0004")
        with engine.begin() as connection:
            for statement in _CONTENT_AT_0004:
                connection.execute(text(statement))
        upgrade_database(engine)
        with engine.connect() as connection:
            counts = {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("posts", "authors", "tags", "post_authors", "post_tags")
            }
            views = connection.execute(
                text("SELECT day, views FROM post_view_days WHERE post_id = 1")
            ).one()
            stored = connection.execute(
                text(
                    "SELECT (SELECT published_posts FROM tags), (SELECT published_posts FROM"
                    " authors), published, featured FROM post_totals"
                )
            ).one()
        assert counts == dict.fromkeys(counts, 1)
        # Counts of published posts start from the content already there (0009).
        assert tuple(stored) == (1, 1, 1, 0)
        # The count stored before views were counted by day moves to the day the post went out.
        assert (str(views.day), views.views) == ("2021-01-28", 62)
    finally:
        engine.dispose()


_CONTENT_AT_0004 = [
    "INSERT INTO authors (id, slug, name, bio, created_at, updated_at)"
    " VALUES (1, 'jo', 'Jo', '', '2021-01-01', '2021-01-01')",
    "INSERT INTO tags (id, slug, name, description, created_at, updated_at)"
    " VALUES (1, 'travel', 'Travel', '', '2021-01-01', '2021-01-01')",
    "INSERT INTO posts (id, slug, title, body, body_format, html, plaintext, excerpt,"
    " reading_time, featured, status, published_at, created_at, updated_at, view_count,"
    " comment_count, version)"
    " VALUES (1, 'hello', 'Hello', 'Hi.', 'markdown', '<p>Hi.</p>', 'Hi.', 'Hi.', 1, false,"
    " 'published', '2021-01-28 10:00:00', '2021-01-28 10:00:00', '2021-02-02 10:00:00',"
    " 62, 0, 1)",
    "INSERT INTO post_authors (post_id, author_id, position) VALUES (1, 1, 0)",
    "INSERT INTO post_tags (post_id, tag_id, position) VALUES (1, 1, 0)",
]
