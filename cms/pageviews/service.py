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
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool

from cms.config import Settings
from cms.pageviews.models import SHARDS, PostViewDay, PostViewer
from cms.pageviews.statements import Statements, statements_for
from cms.posts.models import Post
from cms.problems import NotFound
from cms.timestamps import Clock

log = logging.getLogger(__name__)

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
            session.commit()
        # Not a content change: cached answers that show these posts' counts are refreshed
        # within CMS_VIEW_COUNT_MAX_AGE_SECONDS; nothing else is dropped.
        if batch.counted:
            self.viewed(batch.counted, now)
        if now >= self._purge_due:
            self._purge_due = now + PURGE_EVERY
            self._purge(before=now - window)
        return batch.counts

    def _purge(self, *, before: datetime) -> None:
        # In a transaction of its own, after the batch's: deleting old visitors' rows while
        # holding posts' rows could deadlock with a batch that holds one of those visitors
        # (a repeat after the window) and waits for one of those posts. Its failure is not
        # the batch's, which is committed: the next purge deletes what this one did not.
        try:
            with self.sessions() as session:
                purge_viewers(session, before=before)
                session.commit()
        except Exception:
            log.exception("purging visitors counted before %s failed", before)


@dataclass(frozen=True)
class Batch:
    counts: list[int | None]  # per view: its post's count afterwards, None if not live
    counted: list[int]  # the posts whose count went up (repeats within the window do not)


def count_views(session: Session, *, views: list[View], now: datetime, window: timedelta) -> Batch:
    """Count each view of a live post whose visitor was not counted within `window`; answer
    each post's view count afterwards, or None where the slug is not a live post. A fixed
    number of statements, however many views, each compiled once (cms.pageviews.statements)."""
    with statements_for(session) as (cursor, built):
        return _count(cursor, built, views=views, now=now, window=window)


def _count(
    cursor: Any, built: Statements, *, views: list[View], now: datetime, window: timedelta
) -> Batch:
    slugs = sorted({view.slug for view in views})
    built.live_ids.run(cursor, {"slugs": built.many(slugs), "now": built.stamp(now)})
    post_ids: dict[str, int] = dict(cursor.fetchall())
    visits = sorted({(post_ids[v.slug], v.visitor) for v in views if v.slug in post_ids})
    counted: Counter[int] = Counter()
    if visits:
        counted_at, window_start = built.stamp(now), built.stamp(now - window)
        rows = [
            {
                "post_id": post,
                "visitor": who,
                "counted_at": counted_at,
                "window_start": window_start,
            }
            for post, who in visits
        ]
        counted.update(post_id for post_id, _ in built.each_returning(cursor, rows))
    _add(cursor, built, views_by_post=counted, day=now.date(), viewed_at=now)
    totals = _totals(cursor, built, list(post_ids.values()))
    counts = [totals.get(post_ids[v.slug], 0) if v.slug in post_ids else None for v in views]
    return Batch(counts, counted=sorted(counted))


def add_views(
    session: Session, *, views_by_post: dict[int, int], day: date, viewed_at: datetime | None
) -> None:
    """Add views to each post's total and to its count for `day` (UTC); `viewed_at` tells
    the response caches (None for views that are history, loaded rather than counted)."""
    with statements_for(session) as (cursor, built):
        _add(cursor, built, views_by_post=views_by_post, day=day, viewed_at=viewed_at)


def view_counts(session: Session, *, post_ids: list[int]) -> dict[int, int]:
    """Each post's stored total. In a transaction that added to it, the number it commits:
    the post's row is locked until then."""
    with statements_for(session) as (cursor, built):
        return _totals(cursor, built, post_ids)


def _add(
    cursor: Any,
    built: Statements,
    *,
    views_by_post: dict[int, int],
    day: date,
    viewed_at: datetime | None,
) -> None:
    if not views_by_post:
        return
    on_day, at = built.day(day), None if viewed_at is None else built.stamp(viewed_at)
    rows = [
        {
            "post_id": post_id,
            "shard": random.randrange(SHARDS),
            "views": views,
            "day": on_day,
            "viewed_at": at,
        }
        for post_id, views in sorted(views_by_post.items())
    ]  # in one order everywhere: two batches never lock each other's rows crosswise
    built.add_to_total.run_many(cursor, rows)
    built.add_to_day.run_many(cursor, rows)


def _totals(cursor: Any, built: Statements, post_ids: list[int]) -> dict[int, int]:
    if not post_ids:
        return {}
    built.totals.run(cursor, {"post_ids": built.many(post_ids)})
    return {post_id: int(views) for post_id, views in cursor.fetchall()}


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


def viewed_since(session: Session, since: datetime) -> list[tuple[int, datetime]]:
    """The posts whose views were last counted at `since` or later, and when."""
    rows = session.execute(
        select(col(Post.id), col(Post.viewed_at)).where(col(Post.viewed_at) >= since)
    )
    return [(post, at) for post, at in rows]
