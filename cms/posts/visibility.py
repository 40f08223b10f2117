"""What readers may see: a post is live once published and its publish time has come."""

from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, and_, bindparam, func, select
from sqlmodel import col

from cms.db import UTCDateTime
from cms.posts.models import Post, PostStatus

SCHEDULED = "scheduled"
# A time, or a parameter to bind one to (the readers' statements are built once: queries.py).
Moment = datetime | ColumnElement[datetime]
NOW = bindparam("now", type_=UTCDateTime())


def last_change(updated_at: datetime, published_at: datetime | None) -> datetime:
    """When readers last saw a post change: its latest edit, or its publication if later."""
    return max(updated_at, published_at or updated_at)


def is_live(now: Moment) -> ColumnElement[bool]:
    # A published post with a future published_at is "scheduled": it becomes
    # visible by itself once `now` passes that time, with no job to run.
    return and_(has_status(PostStatus.PUBLISHED, now), _not_trashed())


def is_scheduled(now: Moment) -> ColumnElement[bool]:
    """Published, and to go live later: what stored counts of published posts (migration
    0009) hold that readers must not see yet."""
    return and_(has_status(SCHEDULED, now), _not_trashed())


def next_going_live(now: datetime) -> ScalarSelect[datetime | None]:
    """When the next scheduled post goes live (NULL if none is): until then, nothing readers
    see changes by itself. The response caches read it at every check (cms.cache.state)."""
    return select(func.min(Post.published_at)).where(is_scheduled(now)).scalar_subquery()


def _not_trashed() -> ColumnElement[bool]:
    return col(Post.deleted_at).is_(None)  # trashed posts are gone for readers at once


def has_status(status: str, now: Moment) -> ColumnElement[bool]:
    """Posts whose status as editors see it (draft, scheduled, published) is `status`."""
    if status == SCHEDULED:
        return and_(col(Post.status) == PostStatus.PUBLISHED, col(Post.published_at) > now)
    if status == PostStatus.PUBLISHED:
        return and_(col(Post.status) == PostStatus.PUBLISHED, col(Post.published_at) <= now)
    return col(Post.status) == PostStatus.DRAFT


def status_of(post: Post, now: datetime) -> str:
    """draft, scheduled or published: what editors see."""
    if post.status == PostStatus.DRAFT:
        return PostStatus.DRAFT
    if post.published_at is not None and post.published_at > now:
        return SCHEDULED
    return PostStatus.PUBLISHED
