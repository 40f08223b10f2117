"""When the database cannot do its part: which errors mean that, and logging each outage once.

A database that is down, a disk that is full or a writer that waited too long is not a bug in
the request: the client should come back later (503 with Retry-After), and the operator needs
one line saying it started and one saying it ended, not a traceback per request.
"""

import errno
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from enum import Enum

import psycopg
from sqlalchemy import exc

log = logging.getLogger("cms")


class Kind(Enum):
    """What is wrong, and how long a client had better wait (Retry-After, in seconds)."""

    UNREACHABLE = ("The database cannot be reached; try again in a moment", 5)
    STORAGE = ("The database cannot store anything now (disk full or failing)", 30)
    BUSY = ("The database is busy; try again in a moment", 1)

    def __init__(self, detail: str, retry_after: int) -> None:
        self.detail, self.retry_after = detail, retry_after


# SQLite's primary result codes (the low byte of the extended one) that say the database
# is unusable for now, not that the statement was wrong: "no such table" is SQLITE_ERROR.
_SQLITE_KINDS = {
    sqlite3.SQLITE_BUSY: Kind.BUSY,
    sqlite3.SQLITE_LOCKED: Kind.BUSY,
    sqlite3.SQLITE_NOMEM: Kind.BUSY,
    sqlite3.SQLITE_PROTOCOL: Kind.BUSY,
    sqlite3.SQLITE_FULL: Kind.STORAGE,
    sqlite3.SQLITE_IOERR: Kind.STORAGE,
    sqlite3.SQLITE_READONLY: Kind.STORAGE,
    sqlite3.SQLITE_CANTOPEN: Kind.UNREACHABLE,
}
# PostgreSQL SQLSTATE classes (the first two characters) of OperationalError that are not a
# lost server: resources (53: disk full, out of memory, too many connections), conflicts
# between transactions (40), locks and cancelled statements (55, 57014), system errors (58).
_POSTGRES_KINDS = {"53": Kind.BUSY, "40": Kind.BUSY, "55": Kind.BUSY, "58": Kind.STORAGE}
_POSTGRES_STATES = {"53100": Kind.STORAGE, "57014": Kind.BUSY}
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


def kind_of(error: BaseException) -> Kind | None:
    """The outage `error` reports, or None for an error in the program (a 500)."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return Kind.UNREACHABLE
    if isinstance(error, exc.TimeoutError | exc.DisconnectionError):
        return Kind.BUSY if isinstance(error, exc.TimeoutError) else Kind.UNREACHABLE
    cause = error.orig if isinstance(error, exc.DBAPIError) else error
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        return _SQLITE_KINDS.get(code & 0xFF) if code is not None else None
    if isinstance(cause, psycopg.OperationalError):
        state = cause.sqlstate or ""  # none at all: the connection failed or was lost
        return _POSTGRES_STATES.get(state) or _POSTGRES_KINDS.get(state[:2], Kind.UNREACHABLE)
    if isinstance(cause, OSError) and cause.errno in _NO_SPACE:
        return Kind.STORAGE
    return None


@dataclass
class _Down:
    since: float  # time.monotonic()
    error: str


class OutageLog:
    """Logs the start of each outage and its end, once each, however many requests see it.

    An outage ends when a request that began after it started succeeds at what failed:
    reading for an unreachable database, writing for a full disk (reads still work then).
    Requests already under way when it began prove nothing either way.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down: dict[Kind, _Down] = {}

    def failed(self, kind: Kind, error: BaseException) -> None:
        if kind is Kind.BUSY or kind in self._down:
            return  # contention is not an outage; an outage already logged is not news
        with self._lock:
            if kind in self._down:
                return
            self._down[kind] = _Down(time.monotonic(), _summary(error))
        log.error("database outage: %s (%s); answering 503", kind.detail, _summary(error))

    def succeeded(self, *, began: float, wrote: bool) -> None:
        """A request that began at `began` (time.monotonic()) used the database without fail."""
        if not self._down:  # the usual case, and lock-free
            return
        for kind in (Kind.UNREACHABLE, *((Kind.STORAGE,) if wrote else ())):
            with self._lock:
                down = self._down.get(kind)
                if down is None or began <= down.since:
                    continue
                del self._down[kind]
            log.warning(
                "database outage over after %.1f s: %s",
                time.monotonic() - down.since,
                kind.name.lower(),
            )


def _summary(error: BaseException) -> str:
    cause = error.orig if isinstance(error, exc.DBAPIError) else error
    lines = str(cause).strip().splitlines() or [type(cause).__name__]
    return f"{type(cause).__name__}: {lines[0]}"
