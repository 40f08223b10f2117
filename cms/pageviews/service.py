"""Counting views: once per visitor per window, exactly, and cheaply under load.

Views that arrive together are written together: one transaction, and one commit, for all
the views that came in while the previous batch was being written (group commit). Each
request waits for its batch's commit, so a view that was answered is a view that is stored,
whatever happens to the process afterwards; nothing is held in memory between batches.

In the database, a view is +1 on the post's total (posts.view_count, which most-viewed
sorts by) and on one random shard of its count for the day; the visitor's row says whether
the view counts at all. Every batch takes its rows in one order (post id ascending), so two
batches on PostgreSQL may queue on a post's row but never deadlock.
"""

import asyncio
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool

from cms.config import Settings
from cms.db import UTCDateTime
from cms.pageviews.models import SHARDS, PostViewDay, PostViewer
from cms.posts.models import Post
from cms.posts.visibility import NOW, is_live
from cms.problems import NotFound
from cms.timestamps import Clock

# Visitors' rows outlive the repeat window only until the next purge, at most this late.
PURGE_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class View:
    slug: str
    visitor: str  # a keyed hash (cms.visitors), never an address


@dataclass
class ViewCounter:
    """Collects views and writes them in batches, one batch at a time (per process)."""

    sessions: Callable[[], Session]  # a writing session; its commit makes a batch durable
    clock: Clock
    settings: Settings
    # Told after every committed batch that counted views: which posts, and when.
    viewed: Callable[[list[int], datetime], None] = lambda _posts, _at: None
    _waiting: list[tuple[View, asyncio.Future[int]]] = field(default_factory=list)
    _writer: asyncio.Task[None] | None = None
    _purge_due: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))

    async def count(self, view: View) -> int:
        """Count `view` (unless its visitor was counted within the window) once it is
        committed, and answer the post's view count. NotFound unless the post is live."""
        answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append((view, answer))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_while_waiting())
        return await answer

    async def _write_while_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    counts = await run_in_threadpool(self._write, [view for view, _ in batch])
                except Exception as error:  # every view of the batch failed with it
                    for _, answer in batch:
                        answer.set_exception(error)
                    continue
                for (view, answer), count in zip(batch, counts, strict=True):
                    if count is None:
                        answer.set_exception(NotFound(f"No published post with slug {view.slug!r}"))
                    else:
                        answer.set_result(count)
        finally:
            self._writer = None

    def _write(self, views: list[View]) -> list[int | None]:
        now, window = self.clock(), timedelta(minutes=self.settings.view_window_minutes)
        with self.sessions() as session:
            batch = count_views(session, views=views, now=now, window=window)
            if now >= self._purge_due:
                self._purge_due = now + PURGE_EVERY
                purge_viewers(session, before=now - window)
            session.commit()
        # Not a content change: cached answers that show these posts' counts are refreshed
        # within CMS_VIEW_COUNT_MAX_AGE_SECONDS; nothing else is dropped.
        if batch.counted:
            self.viewed(batch.counted, now)
        return batch.counts


@dataclass(frozen=True)
class Batch:
    counts: list[int | None]  # per view: its post's count afterwards, None if not live
    counted: list[int]  # the posts whose count went up (repeats within the window do not)


def count_views(session: Session, *, views: list[View], now: datetime, window: timedelta) -> Batch:
    """Count each view of a live post whose visitor was not counted within `window`; answer
    each post's view count afterwards, or None where the slug is not a live post. A fixed
    number of statements, however many views, each built once (_Statements)."""
    writer = session.connection()
    built = _statements(writer.dialect.name)
    slugs = sorted({view.slug for view in views})
    post_ids: dict[str, int] = dict(writer.execute(_LIVE_IDS, {"slugs": slugs, "now": now}).all())
    visits = sorted({(post_ids[v.slug], v.visitor) for v in views if v.slug in post_ids})
    counted: Counter[int] = Counter()
    if visits:
        since = now - window
        rows = [
            {"post_id": post, "visitor": who, "counted_at": now, "window_start": since}
            for post, who in visits
        ]
        fresh = writer.execute(built.first_in_window, rows)
        counted.update(post_id for post_id, _ in fresh)
    add_views(session, views_by_post=counted, day=now.date(), viewed_at=now)
    totals = view_counts(session, post_ids=list(post_ids.values()))
    counts = [totals.get(post_ids[v.slug], 0) if v.slug in post_ids else None for v in views]
    return Batch(counts, counted=sorted(counted))


def add_views(
    session: Session, *, views_by_post: dict[int, int], day: date, viewed_at: datetime | None
) -> None:
    """Add views to each post's total and to its count for `day` (UTC); `viewed_at` tells
    the response caches (None for views that are history, loaded rather than counted)."""
    if not views_by_post:
        return
    writer = session.connection()
    built = _statements(writer.dialect.name)
    rows = [
        {
            "post_id": post_id,
            "shard": random.randrange(SHARDS),
            "views": views,
            "day": day,
            "viewed_at": viewed_at,
        }
        for post_id, views in sorted(views_by_post.items())
    ]  # in one order everywhere: two batches never lock each other's rows crosswise
    writer.execute(built.add_to_total, rows)
    writer.execute(built.add_to_day, rows)


def view_counts(session: Session, *, post_ids: list[int]) -> dict[int, int]:
    """Each post's stored total. In a transaction that added to it, the number it commits:
    the post's row is locked until then."""
    if not post_ids:
        return {}
    rows = session.connection().execute(_TOTALS, {"post_ids": post_ids})
    return {post_id: int(views) for post_id, views in rows}


def views_by_day(session: Session, *, post_id: int, first: date, last: date) -> dict[date, int]:
    rows = session.execute(
        select(col(PostViewDay.day), func.sum(PostViewDay.views))
        .where(col(PostViewDay.post_id) == post_id, col(PostViewDay.day).between(first, last))
        .group_by(col(PostViewDay.day))
    )
    return {day: int(views) for day, views in rows}


def purge_viewers(session: Session, *, before: datetime) -> None:
    """Forget visitors counted before `before`: their repeats count again anyway."""
    session.execute(delete(PostViewer).where(col(PostViewer.counted_at) < before))


_LIVE_IDS: Any = select(col(Post.slug), col(Post.id)).where(
    col(Post.slug).in_(bindparam("slugs", expanding=True)), is_live(NOW)
)
_TOTALS: Any = select(col(Post.id), col(Post.view_count)).where(
    col(Post.id).in_(bindparam("post_ids", expanding=True))
)


@dataclass(frozen=True)
class _Statements:
    """A batch's writes, built once per engine and run with a list of rows each: building
    a statement for every batch cost more than writing it (bench/views.py)."""

    first_in_window: Any
    add_to_total: Any
    add_to_day: Any


@lru_cache(maxsize=2)
def _statements(dialect: str) -> _Statements:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The (post, visitor) pairs that count: new ones, and ones last counted before the
    # window. One atomic statement decides: a new pair is inserted, an old one brought up
    # to now, and any other leaves nothing in RETURNING. Two processes counting the same
    # pair at once queue on its row, and only one counts.
    viewer = insert(PostViewer).values(
        post_id=bindparam("post_id"),
        visitor=bindparam("visitor"),
        counted_at=bindparam("counted_at", type_=UTCDateTime()),
    )
    first_in_window = viewer.on_conflict_do_update(
        index_elements=["post_id", "visitor"],
        set_={"counted_at": viewer.excluded.counted_at},
        where=col(PostViewer.counted_at) <= bindparam("window_start", type_=UTCDateTime()),
    ).returning(col(PostViewer.post_id), col(PostViewer.visitor))
    # Only view_count and viewed_at change: no trigger on posts follows them (0014), and the
    # post's updated_at and version, what editors see change, stay as they were.
    add_to_total = (
        update(Post)
        .where(col(Post.id) == bindparam("post_id"))
        .values(
            view_count=col(Post.view_count) + bindparam("views"),
            viewed_at=bindparam("viewed_at", type_=UTCDateTime()),
        )
    )
    day = insert(PostViewDay).values(
        post_id=bindparam("post_id"),
        day=bindparam("day"),
        shard=bindparam("shard"),
        views=bindparam("views"),
    )
    add_to_day = day.on_conflict_do_update(
        index_elements=["post_id", "day", "shard"],
        set_={"views": col(PostViewDay.views) + day.excluded.views},
    )
    return _Statements(first_in_window, add_to_total, add_to_day)
