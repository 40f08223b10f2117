"""Applying the Alembic migrations from code (the CLI, the server's start, the tests)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from cms.db import BUSY_TIMEOUT_SECONDS

# Any number of processes may start at once (replicas of one service): each migrates under
# this lock, so the first applies the migrations and the others then find nothing to do.
# PostgreSQL's advisory lock key: any constant bigint that the application uses for nothing else.
MIGRATION_LOCK_KEY = 0x636D735F6D696772  # "cms_migr"
# How long a process waits for another's migrations on SQLite, in milliseconds.
SQLITE_MIGRATION_WAIT_MS = 10 * 60 * 1000

# alembic/ sits beside the package in a checkout; in an installed copy run from
# the project folder (the Docker image) it is found in the working directory.
_CANDIDATES = (Path(__file__).resolve().parent.parent / "alembic", Path.cwd() / "alembic")


def alembic_config() -> Config:
    for folder in _CANDIDATES:
        if (folder / "env.py").exists():
            config = Config()
            config.set_main_option("script_location", str(folder))
            return config
    raise FileNotFoundError("the alembic/ folder was not found beside the cms package")


def include_object(
    _object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """What the models describe. Full-text search is made by migration 0007 in each
    database's own terms (an FTS5 table, a generated tsvector column) and has no model."""
    if type_ == "table":
        return not (name or "").startswith("posts_fts")
    return name not in ("search_vector", "ix_posts_search_vector")


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction, fit for changing the schema.

    On SQLite, migrations rebuild tables (copy, drop the old one, rename), and dropping a
    table with foreign keys on deletes every row that refers to it, through ON DELETE
    CASCADE. SQLite's documented procedure: keys off outside the transaction, and a
    foreign_key_check before committing.

    Only one process migrates at a time: the others wait, then read the version it left.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            driver = connection.connection.driver_connection
            driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            # BEGIN IMMEDIATE takes the write lock first; wait as long as a migration may take.
            driver.execute(f"PRAGMA busy_timeout={SQLITE_MIGRATION_WAIT_MS}")  # type: ignore[union-attr]
            connection = connection.execution_options(sqlite_immediate=True)
        try:
            with connection.begin():
                _lock_against_other_migrations(connection)
                yield connection
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("a migration left rows pointing at missing rows")
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
                driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")  # type: ignore[union-attr]


def _lock_against_other_migrations(connection: Connection) -> None:
    # On PostgreSQL a transaction-level advisory lock, freed by the commit. SQLite's write
    # lock, held from BEGIN IMMEDIATE, already keeps every other writer out.
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind `engine` up to `revision` (default: the newest)."""
    run_migrations(engine, command.upgrade, revision)


def downgrade_database(engine: Engine, revision: str) -> None:
    run_migrations(engine, command.downgrade, revision)


def run_migrations(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config()
    with migrating(engine) as connection:
        config.attributes["connection"] = connection
        step(config, revision)
