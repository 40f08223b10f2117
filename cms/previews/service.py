"""Preview links: made by anyone who may see a post, good for CMS_PREVIEW_HOURS, and ended
when the post is unpublished or deleted (cms.posts.service calls `end_previews`)."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from cms.audit import service as audit
from cms.posts.models import Post
from cms.previews.models import PostPreview
from cms.problems import NotFound
from cms.users.models import User


def create_preview(
    session: Session, *, post: Post, actor: User | None, now: datetime, hours: float
) -> tuple[PostPreview, str]:
    """A new preview of `post`, and its token (256 random bits, kept only as a hash)."""
    token = secrets.token_urlsafe(32)
    # Expired ones are of no use to anyone: cleared as new ones are made.
    session.execute(delete(PostPreview).where(col(PostPreview.expires_at) <= now))
    preview = PostPreview(
        post_id=post.id or 0,
        token_hash=_hash(token),
        expires_at=now + timedelta(hours=hours),
        created_at=now,
        created_by_id=actor.id if actor else None,
    )
    session.add(preview)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="post.preview",
        subject_id=post.id,
        summary=f"until {preview.expires_at:%Y-%m-%d %H:%M} UTC",
        now=now,
    )
    return preview, token


def previewed_post(session: Session, *, token: str, now: datetime) -> Post:
    """The post a live token shows; NotFound for a token unknown, expired or of a post gone
    (in the trash too), all alike: a guess learns nothing."""
    if len(token) > 100:  # ours are 43 characters
        raise NotFound("No such preview: it may have expired, or its post was unpublished")
    found = session.exec(
        select(Post)
        .join(PostPreview, col(PostPreview.post_id) == col(Post.id))
        .where(
            col(PostPreview.token_hash) == _hash(token),
            col(PostPreview.expires_at) > now,
            col(Post.deleted_at).is_(None),
        )
    ).first()
    if found is None:
        raise NotFound("No such preview: it may have expired, or its post was unpublished")
    return found


def end_previews(session: Session, *, post_id: int) -> None:
    session.execute(delete(PostPreview).where(col(PostPreview.post_id) == post_id))


def revoke_previews(session: Session, *, post: Post, actor: User | None, now: datetime) -> None:
    """An editor ends every preview link of `post`; audited."""
    end_previews(session, post_id=post.id or 0)
    audit.record(session, actor=actor, action="post.preview.end", subject_id=post.id, now=now)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
