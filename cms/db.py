"""The database: engine, the per-request session and the column types both engines share."""

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Connection, DateTime, Engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from cms.outages import Kind, kind_of
from cms.problems import DomainError

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
T = TypeVar("T")
# How long a writer waits for another to finish before giving up (SQLite).
BUSY_TIMEOUT_SECONDS = 10


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every engine.

    SQLite has no time zones: values are stored there as naive UTC, so that text
    comparison orders them correctly, and come back with UTC attached.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, with SQLite set up for real transactions and concurrent readers."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            # As many connections as the server has threads for requests (anyio's 40), so
            # that none waits for a connection under load.
            kwargs = {"pool_size": 10, "max_overflow": 30, "pool_use_lifo": True, **kwargs}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT;
        # emit BEGIN ourselves (the SQLAlchemy documentation's recipe), in WriterQueue.
        writers = WriterQueue()
        event.listen(engine, "begin", writers.begin)
        event.listen(engine, "commit", writers.leave)
        event.listen(engine, "rollback", writers.leave)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class WriterQueue:
    """SQLite lets one transaction write at a time. Waiting in SQLite's busy handler means
    polling, and under load a waiter can lose every poll until it times out ("database is
    locked"); so within one process, writers wait for each other here, in a real queue.
    Other processes are still waited for by the busy handler, one writer per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: Connection | None = None

    def begin(self, connection: Connection) -> None:
        # A transaction that will write takes SQLite's write lock at BEGIN: writers then
        # queue instead of failing with "database is locked" when two read the same row
        # and then both try to write it.
        if not connection.get_execution_options().get("sqlite_immediate", False):
            connection.exec_driver_sql("BEGIN")
            return
        # Bounded, so that a thread which opens a second writing transaction while holding
        # the first cannot wait forever: it falls back to SQLite's own waiting.
        if self._lock.acquire(timeout=BUSY_TIMEOUT_SECONDS):
            self._holder = connection
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.leave(connection)
            raise

    def leave(self, connection: Connection) -> None:
        if self._holder is connection:
            self._holder = None
            self._lock.release()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints rather than on every commit: a commit
        # survives the process crashing (it is in the OS), and the file is never corrupted.
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def upsert(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """INSERT ... ON CONFLICT for this session's database: the two dialects spell it alike."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


Sessions = Callable[[bool], Session]  # writes -> a new session


def sessions_on(engine: Engine) -> Sessions:
    """New sessions on `engine`. One that writes takes SQLite's write lock as it begins
    (BEGIN IMMEDIATE, in WriterQueue), so that writers queue instead of failing."""
    engines = {
        writes: engine.execution_options(sqlite_immediate=writes) for writes in (False, True)
    }
    return lambda writes: Session(engines[writes])


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def committing(session: Session, *, incidental: bool = False) -> Iterator[Session]:
    """Yield `session`; commit if the request succeeded, roll back if anything failed.

    `incidental`: the request only reads, and what it writes is bookkeeping (a token's last
    use); a disk too full to store that must not fail the read, so it is dropped then.
    """
    try:
        yield session
        _commit(session, incidental=incidental)
    except DomainError as error:
        session.commit() if error.keeps_changes else session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise


def _commit(session: Session, *, incidental: bool) -> None:
    try:
        session.commit()
    except DBAPIError as error:
        if not incidental or kind_of(error) is not Kind.STORAGE:
            raise
        session.rollback()  # written again by a later request, once there is room


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    # Signed-in requests may write even on GET (a token's last use, the trash's purge).
    writes = request.method not in SAFE_METHODS or "authorization" in request.headers
    began = time.monotonic()
    sessions: Sessions = request.app.state.sessions
    with sessions(writes) as session:
        watch_changes(request, session)
        yield from committing(session, incidental=request.method in SAFE_METHODS)
    if request.method not in SAFE_METHODS and "authorization" in request.headers:
        # A signed-in write went through: its address is the one to link to from what is
        # sent outside any request (webhook payloads), unless CMS_API_URL names one.
        request.app.state.api_base = str(request.base_url).rstrip("/")
    # Committed: the database answers, and it stores what a changing request wrote (each
    # raises the content version), which ends an outage of either kind (cms.outages).
    request.app.state.outages.succeeded(began=began, wrote=request.method not in SAFE_METHODS)


def watch_changes(request: Request, session: Session) -> None:
    """A request that changes content raises the content version as it commits, so that
    response caches, here and in other processes, drop what they hold."""
    if request.method not in SAFE_METHODS:
        request.app.state.watch_writes(session)


# scope="function": the commit above runs before the response goes out, so a
# failed commit is reported as an error, never as a success.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def on_read_thread(session: Session, work: Callable[..., T], /, **kwargs: Any) -> T:
    """`work(session, **kwargs)`, a route's reads, on the thread where they cost least: on
    SQLite, the event loop's own (inline): its queries
    take less than the hop to a worker thread (a cache miss ran 3x slower through threads).
    On PostgreSQL, in one hop to a worker thread: every query waits on the network, and
    those waits would stop the event loop (a post's page under load: 130 req/s in a
    thread, 60 inline, bench/run.py)."""
    if session.get_bind().dialect.name == "sqlite":
        return work(session, **kwargs)
    return await run_in_threadpool(work, session, **kwargs)


async def get_read_session(request: Request) -> AsyncIterator[Session]:
    """A session for the Content API's reads, which routes run through `on_read_thread`.

    They never write, so nothing is committed, and they never wait for a lock: SQLite's
    WAL and PostgreSQL's MVCC let readers through while others write.
    """
    began = time.monotonic()
    sessions: Sessions = request.app.state.sessions
    with sessions(False) as session:
        yield session
        if session.in_transaction():  # it did read, and did not fail
            request.app.state.outages.succeeded(began=began, wrote=False)


# scope="function": closed as the route returns, before the answer is sent, so that a
# connection is held only while reads run, not by every answer still being written (on
# SQLite, whose reads run on the event loop, that is one warm connection at a time; at
# 100,000 posts, fresh overflow connections with cold caches made one answer in a hundred
# wait a second).
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
