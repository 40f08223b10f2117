"""Counting views: once per visitor per window, exactly, with no single row every view waits on.

A view is three upserts in the request's transaction: the visitor's row (which says whether
the view counts), then +1 on one random shard of the post's total and of today's count.
Nothing is held in memory, so a restart or a crashed process loses nothing, and any number
of processes can count at once.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from cms.db import upsert
from cms.posts.models import Post
from cms.posts.visibility import is_live
from cms.problems import NotFound
from cms.views.models import SHARDS, PostViewDay, PostViewer, PostViewTotal

# Visitors' rows outlive the repeat window only until the next purge, at most this late.
PURGE_EVERY = timedelta(minutes=5)


@dataclass
class Housekeeping:
    """When this process last purged visitors' rows: purging is cheap, but not on every view."""

    due: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))

    def take(self, now: datetime) -> bool:
        if now < self.due:
            return False
        self.due = now + PURGE_EVERY
        return True


def count_view(
    session: Session, *, slug: str, visitor: str, now: datetime, window: timedelta
) -> int:
    """Count a view of the live post `slug` unless `visitor` was counted within `window`;
    answer the post's view count. NotFound (and nothing stored) for any other slug."""
    post_id = session.execute(
        select(col(Post.id)).where(col(Post.slug) == slug, is_live(now))
    ).scalar()
    if post_id is None:
        raise NotFound(f"No published post with slug {slug!r}")
    if _first_in_window(session, post_id=post_id, visitor=visitor, now=now, window=window):
        add_views(session, post_id=post_id, day=now.date(), views=1)
    return view_count(session, post_id=post_id)


def add_views(session: Session, *, post_id: int, day: date, views: int) -> None:
    """Add `views` to the post's total and to its count for `day` (UTC)."""
    shard = random.randrange(SHARDS)
    for model, keys in ((PostViewTotal, {}), (PostViewDay, {"day": day})):
        statement = upsert(session, model).values(post_id=post_id, shard=shard, views=views, **keys)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["post_id", *keys, "shard"],
                set_={"views": model.views + statement.excluded.views},
            )
        )


def view_count(session: Session, *, post_id: int) -> int:
    total = select(func.coalesce(func.sum(PostViewTotal.views), 0)).where(
        col(PostViewTotal.post_id) == post_id
    )
    return int(session.execute(total).scalar_one())


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


def _first_in_window(
    session: Session, *, post_id: int, visitor: str, now: datetime, window: timedelta
) -> bool:
    # One atomic statement decides: a new visitor is inserted, one last counted before the
    # window is brought up to now, and anyone else leaves no row behind in RETURNING. Two
    # requests from the same visitor at once queue on the row, and only one counts.
    statement = upsert(session, PostViewer).values(post_id=post_id, visitor=visitor, counted_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=["post_id", "visitor"],
        set_={"counted_at": statement.excluded.counted_at},
        where=col(PostViewer.counted_at) <= now - window,
    )
    return session.execute(statement.returning(col(PostViewer.post_id))).first() is not None
