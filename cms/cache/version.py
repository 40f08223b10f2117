"""The content version: raised by every write readers may see, read by every process's
response cache, with the keys each raise purges (cms.cache.purges)."""

from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import ScalarSelect, delete, event, insert, select, update
from sqlmodel import Session, col

from cms.cache import purges
from cms.cache.models import CachePurge, ContentVersion

# The purges kept for processes that have not checked yet: one that falls further behind
# than this (a burst of writes within CMS_CACHE_CHECK_SECONDS) drops everything instead.
PURGES_KEPT = 1000
Purged = Callable[[set[str], int], None]  # (the keys, the version that named them)


def watch(session: Session, *, then: Purged) -> None:
    """Raise the version with every commit of `session` that changes what readers may see,
    naming its keys, and call `then` with them after the commit."""
    purges.collect(session)
    event.listen(session, "before_commit", _record_flushed)
    event.listen(session, "after_commit", lambda session: _announce(session, then))


def _record_flushed(session: Session) -> None:
    session.flush()  # before_commit comes before the commit's own flush: name it too
    named = purges.take(session)
    if named:
        session.info["cache_purge"] = (named, record(session, named))


def _announce(session: Session, then: Purged) -> None:
    purged = session.info.pop("cache_purge", None)
    if purged is not None:
        then(*purged)


def record(session: Session, named: Collection[str]) -> int:
    """Raise the version in the writer's own transaction, with what it purges. Raising it
    locks its row until the commit, so versions commit in order, one purge each."""
    raised = session.execute(
        update(ContentVersion)
        .values(version=col(ContentVersion.version) + 1)
        .returning(col(ContentVersion.version))
    ).scalar_one()
    session.execute(insert(CachePurge).values(version=raised, keys=" ".join(sorted(named))))
    session.execute(delete(CachePurge).where(col(CachePurge.version) <= raised - PURGES_KEPT))
    return int(raised)


def read(
    session: Session, *, going_live: ScalarSelect[datetime | None]
) -> tuple[int, datetime | None]:
    """(the version, when the next scheduled post goes live, read by `going_live`, which
    the posts domain gives): a cache made now is good until one of them changes, with no
    write at all in the second case. One statement for both: it runs at every check."""
    version, upcoming = session.execute(select(col(ContentVersion.version), going_live)).one()
    return int(version), upcoming


def purged_since(session: Session, version: int) -> list[tuple[int, set[str]]]:
    """The purges after `version`, oldest first."""
    rows = session.execute(
        select(col(CachePurge.version), col(CachePurge.keys))
        .where(col(CachePurge.version) > version)
        .order_by(col(CachePurge.version))
    )
    return [(number, set(named.split())) for number, named in rows]
