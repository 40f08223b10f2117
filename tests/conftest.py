"""Test set-up: a real database (SQLite by default, PostgreSQL when CMS_TEST_DATABASE_URL names a
server), migrated once per run; each test inside a transaction that is rolled back afterwards."""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from cms.app import create_app
from cms.config import Settings
from cms.db import make_engine
from cms.migrations import upgrade_database

# e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test: a server on which the run creates,
# and afterwards drops, databases of its own. Unset: SQLite files in a temporary folder.
SERVER_URL = os.environ.get("CMS_TEST_DATABASE_URL", "")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _create_database(tmp: Path) -> tuple[str, object]:
    """A new empty database: (its URL, what to call to drop it)."""
    name = f"cms_test_{uuid.uuid4().hex[:12]}"
    if not SERVER_URL:
        path = tmp / f"{name}.db"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    server = make_url(SERVER_URL)
    admin = make_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A factory of throw-away databases, all dropped at the end of the run."""
    drops = []

    def make() -> str:
        url, drop = _create_database(tmp_path_factory.mktemp("db"))
        drops.append(drop)
        return url

    yield make
    for drop in drops:
        drop()  # type: ignore[operator]


@pytest.fixture(scope="session")
def engine(new_database) -> Iterator[Engine]:
    engine = make_engine(new_database())
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def _session_on(connection: Connection) -> Session:
    # Commits inside become savepoints: the test's outer transaction undoes everything.
    return Session(bind=connection, join_transaction_mode="create_savepoint")


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with _session_on(connection) as session:
        yield session


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 1, 15, 12, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        media_dir=str(tmp_path / "media"),
        database_url="sqlite://",  # unused: the app is handed the test engine
        site_url="https://blog.example.com",
        cors_origins=["*"],
        admin_cors_origins=["https://admin.example.com"],
        # Tests change rows behind the app's back; the cache has tests of its own.
        response_cache=False,
        # Webhook tests drive the worker themselves (tests/webhooks).
        webhooks_worker=False,
    )


@pytest.fixture
def app(settings: Settings, engine: Engine, connection: Connection, clock: Clock):  # type: ignore[no-untyped-def]
    # Every session the app opens is on the test's connection: inside its transaction.
    return create_app(
        settings, engine=engine, sessions=lambda _writes: _session_on(connection), clock=clock
    )


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://api.test", raise_server_exceptions=False) as client:
        yield client


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(
        self, _connection: object, _cursor: object, statement: str, *_args: object
    ) -> None:
        self.count += 1
        self.statements.append(statement)

    def reads_since(self, start: int) -> list[str]:
        """The statements that read, after the first `start` (not the tests' savepoints)."""
        return [
            s for s in self.statements[start:] if s.lstrip().upper().startswith(("SELECT", "WITH"))
        ]


@pytest.fixture
def count_queries(engine: Engine) -> Iterator[QueryCounter]:
    """Counts the SQL statements sent while the test runs."""
    counter = QueryCounter()
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


@pytest.fixture
def live_app(new_database) -> Iterator[tuple[TestClient, object]]:  # type: ignore[no-untyped-def]
    """The app with its own session handling on a database of its own: real commits."""
    engine = make_engine(new_database())
    upgrade_database(engine)
    with TestClient(
        create_app(Settings(database_url="sqlite://", webhooks_worker=False), engine=engine)
    ) as client:
        yield client, engine
    engine.dispose()
