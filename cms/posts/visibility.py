"""What readers may see: a post is live once published and its publish time has come."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_

from cms.posts.models import Post, PostStatus


def is_live(now: datetime) -> ColumnElement[bool]:
    # A published post with a future published_at is "scheduled": it becomes
    # visible by itself once `now` passes that time, with no job to run.
    return and_(Post.status == PostStatus.PUBLISHED, Post.published_at <= now)  # type: ignore[arg-type,operator]
