"""A post's address: a slug made unique on creation, and changed without breaking links."""

from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlmodel import Session, col

from cms.posts.models import Post, PostSlugRedirect, PostStatus
from cms.problems import Conflict, Unprocessable
from cms.slugs import numbered, slugify_text


def change_slug(session: Session, post: Post, wanted: str, now: datetime) -> bool:
    """Give the post a new slug (True if it changed); a live post's old one keeps redirecting."""
    slug = slugify_text(wanted)
    if not slug:
        raise Unprocessable("The slug has no letters or digits", field="slug")
    if slug == post.slug:
        return False
    own_former = session.get(PostSlugRedirect, slug)
    if own_former is not None and own_former.post_id == post.id:
        session.delete(own_former)  # taking a former slug back
        session.flush()
    elif slug_taken(session, slug):
        raise Conflict(f"The slug {slug!r} is already used by another post", field="slug")
    if post.status == PostStatus.PUBLISHED and post.published_at and post.published_at <= now:
        # Readers and search engines know the old address: keep it answering 301.
        session.add(PostSlugRedirect(slug=post.slug, post_id=post.id or 0, created_at=now))
    post.slug = slug
    return True


def free_slug(session: Session, wanted: str | None, title: str) -> str:
    """The slug asked for (which must be free), else one made from the title, numbered if taken."""
    if wanted is not None:
        slug = slugify_text(wanted)
        if not slug:
            raise Unprocessable("The slug has no letters or digits", field="slug")
        if slug_taken(session, slug):
            raise Conflict(f"The slug {slug!r} is already used by another post", field="slug")
        return slug
    return first_free_slug(session, slugify_text(title) or "post")


def first_free_slug(session: Session, base: str) -> str:
    """`base` if no post has it, else `base-2`, `base-3`...: the first one free."""
    number = 1
    while slug_taken(session, numbered(base, number)):
        number += 1
    return numbered(base, number)


def slug_taken(session: Session, slug: str) -> bool:
    # A former slug stays reserved: it still redirects to its post.
    in_posts = exists().where(col(Post.slug) == slug)
    in_history = exists().where(col(PostSlugRedirect.slug) == slug)
    return bool(session.execute(select(or_(in_posts, in_history))).scalar())
