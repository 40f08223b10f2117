"""The schema is made only by migrations, and the models agree with them exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from cms.db import make_engine
from cms.migrations import alembic_config, upgrade_database
from cms.models import metadata


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
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
        from alembic import command

        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_database(engine)
        assert {"posts", "authors", "tags"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
