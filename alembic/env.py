"""Alembic environment: the schema is made only by these migrations, on SQLite and PostgreSQL."""

from alembic import context
from sqlalchemy import Connection

from cms.config import get_settings
from cms.db import make_engine
from cms.migrations import include_object, migrating
from cms.models import metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A caller (the CLI, the tests) may hand over its own connection.
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with migrating(engine) as connection:
        run_on(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run `cms db upgrade`")
run_migrations_online()
