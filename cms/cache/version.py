"""The content version: raised by every write, read by every process's response cache."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event, func, select, update
from sqlmodel import Session, col

from cms.cache.models import ContentVersion
from cms.posts.models import Post
from cms.posts.visibility import is_scheduled


def watch(session: Session, *, then: Callable[[], None]) -> None:
    """Raise the version with every commit of `session`, and call `then` after it."""
    event.listen(session, "before_commit", bump)
    event.listen(session, "after_commit", lambda _session: then())


def bump(session: Session) -> None:
    """Say, in the writer's own transaction, that public content may have changed."""
    session.execute(update(ContentVersion).values(version=col(ContentVersion.version) + 1))


def read(session: Session, *, now: datetime) -> tuple[int, datetime | None]:
    """(the version, when the next scheduled post goes live): a cache made now is good
    until one of them changes, with no write at all in the second case."""
    next_live = select(func.min(Post.published_at)).where(is_scheduled(now)).scalar_subquery()
    version, upcoming = session.execute(select(col(ContentVersion.version), next_live)).one()
    return int(version), upcoming
