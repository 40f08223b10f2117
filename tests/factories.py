"""Small factories: each builds one thing through the services, with defaults you can override."""

import itertools
from datetime import UTC, datetime

from sqlmodel import Session

from cms.authors import service as authors_service
from cms.authors.models import Author
from cms.authors.schemas import AuthorCreate
from cms.posts import service as posts_service
from cms.posts.models import Post
from cms.posts.schemas import PostCreate

_numbers = itertools.count(1)
PAST = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def make_author(session: Session, **overrides: object) -> Author:
    number = next(_numbers)
    fields: dict[str, object] = {"name": f"Writer {number}", "bio": "Writes things."}
    fields.update(overrides)
    return authors_service.create_author(session, data=AuthorCreate(**fields))  # type: ignore[arg-type]


def make_post(
    session: Session,
    *,
    authors: list[Author] | None = None,
    published: bool = True,
    now: datetime = PAST,
    **overrides: object,
) -> Post:
    """A post by `authors` (a new author by default), published at `published_at` unless a draft."""
    number = next(_numbers)
    authors = authors if authors is not None else [make_author(session)]
    fields: dict[str, object] = {
        "title": f"Post number {number}",
        "body": f"Some words for post {number}.",
        "author_ids": [author.id for author in authors],
        "published_at": PAST,
    }
    fields.update(overrides)
    if "html" in overrides:
        del fields["body"]
    post = posts_service.create_post(session, data=PostCreate(**fields), now=now)  # type: ignore[arg-type]
    if published:
        posts_service.publish_post(session, post=post, now=now)
    return post
