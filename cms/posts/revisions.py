"""Revisions: every saved version of a post's title, body and excerpt, with who and when."""

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from cms.posts.models import Post, PostRevision
from cms.problems import NotFound
from cms.users.models import User


def keep(session: Session, *, post: Post, actor: User | None, now: datetime) -> PostRevision:
    """Record the post's current title, body and excerpt as its newest revision."""
    last = session.execute(
        select(func.max(PostRevision.number)).where(col(PostRevision.post_id) == post.id)
    ).scalar()
    revision = PostRevision(
        post_id=post.id or 0,
        number=(last or 0) + 1,
        title=post.title,
        body=post.body,
        body_format=post.body_format,
        custom_excerpt=post.custom_excerpt,
        created_at=now,
        created_by_id=actor.id if actor else None,
    )
    session.add(revision)
    session.flush()
    return revision


def list_revisions(session: Session, *, post: Post) -> tuple[list[PostRevision], dict[int, User]]:
    """Every revision of the post, newest first, with the users who saved them."""
    rows = list(
        session.execute(
            select(PostRevision)
            .where(col(PostRevision.post_id) == post.id)
            .order_by(col(PostRevision.number).desc())
        ).scalars()
    )
    ids = {row.created_by_id for row in rows if row.created_by_id}
    users = session.execute(select(User).where(col(User.id).in_(ids))).scalars()
    return rows, {user.id or 0: user for user in users}


def get(session: Session, *, post: Post, number: int) -> PostRevision:
    revision = session.execute(
        select(PostRevision).where(
            col(PostRevision.post_id) == post.id, col(PostRevision.number) == number
        )
    ).scalar()
    if revision is None:
        raise NotFound(f"Post {post.id} has no revision {number}")
    return revision
