"""Failed sign-ins, counted per client address and per address and e-mail together.

The per-account limit is keyed by the address too, so that an attacker elsewhere cannot
lock an account's owner out; the looser per-address limit, across every e-mail, stops
one client trying many accounts (password spraying). Only keyed hashes are stored.
"""

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from cms.auth.models import LoginFailure
from cms.config import Settings
from cms.db import upsert
from cms.problems import TooManyRequests


@dataclass(frozen=True)
class Counter:
    key_hash: str
    limit: int
    refusal: str  # what a client over this limit is told


def counters(settings: Settings, *, address: str, email: str) -> tuple[Counter, Counter]:
    """The address's counter and the address-and-e-mail one, always in this order (the
    order rows are locked in, so two sign-ins never wait for each other crosswise)."""
    return (
        Counter(
            _keyed(settings.secret_key, "sign-in address", address),
            settings.login_max_failures_per_address,
            "Too many failed sign-ins from this address; try again later",
        ),
        Counter(
            _keyed(settings.secret_key, "sign-in", address, email),
            settings.login_max_failures,
            "Too many failed sign-ins for this e-mail; try again later",
        ),
    )


def check(session: Session, counted: tuple[Counter, ...], *, now: datetime) -> None:
    """TooManyRequests, with Retry-After, if any of these counters is over its limit."""
    rows = session.execute(
        select(LoginFailure).where(col(LoginFailure.key_hash).in_([c.key_hash for c in counted]))
    ).scalars()
    _refuse_if_locked({row.key_hash: row for row in rows}, counted, now=now)


def record(
    session: Session,
    counted: tuple[Counter, ...],
    *,
    succeeded: bool,
    now: datetime,
    settings: Settings,
) -> None:
    """Count one sign-in's outcome. The rows are locked first (PostgreSQL; SQLite's writers
    queue anyway) and checked again, so that attempts running side by side are counted one
    after another and none gets an answer once a limit is reached: it is refused even if
    its password was right, which tells a guesser nothing."""
    rows = {counter.key_hash: _locked_row(session, counter.key_hash, now) for counter in counted}
    _refuse_if_locked(rows, counted, now=now)
    window = timedelta(minutes=settings.login_window_minutes)
    for counter in counted:
        row = rows[counter.key_hash]
        if now - row.window_started_at > window:  # a window that has passed starts again
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        if succeeded:
            continue
        row.failures += 1
        if row.failures >= counter.limit:
            row.locked_until = now + window
        session.add(row)
    if succeeded:
        # The owner's own count starts again; the address's does not, or signing in to
        # one's own account between guesses would reset the limit on spraying.
        session.delete(rows[counted[-1].key_hash])
    session.flush()


def _refuse_if_locked(
    rows: dict[str, LoginFailure], counted: tuple[Counter, ...], *, now: datetime
) -> None:
    for counter in counted:
        row = rows.get(counter.key_hash)
        locked_until = row.locked_until if row is not None else None
        if locked_until is None or locked_until <= now:
            continue
        wait = max(1, math.ceil((locked_until - now).total_seconds()))
        raise TooManyRequests(counter.refusal, headers={"Retry-After": str(wait)})


def _locked_row(session: Session, key_hash: str, now: datetime) -> LoginFailure:
    session.execute(
        upsert(session, LoginFailure)
        .values(key_hash=key_hash, failures=0, window_started_at=now)
        .on_conflict_do_nothing(index_elements=["key_hash"])
    )
    return session.execute(
        select(LoginFailure)
        .where(col(LoginFailure.key_hash) == key_hash)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _keyed(secret_key: str, *parts: str) -> str:
    return hmac.new(secret_key.encode(), "\n".join(parts).encode(), hashlib.sha256).hexdigest()
