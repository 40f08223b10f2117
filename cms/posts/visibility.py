"""What readers may see: a post is live once published and its publish time has come."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from cms.posts.models import Post, PostStatus


def is_live(now: datetime) -> ColumnElement[bool]:
    # A published post with a future published_at is "scheduled": it becomes
    # visible by itself once `now` passes that time, with no job to run.
    return and_(
        col(Post.status) == PostStatus.PUBLISHED,
        col(Post.published_at) <= now,
        col(Post.deleted_at).is_(None),  # trashed posts are gone for readers at once
    )
