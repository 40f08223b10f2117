"""Small factories: each builds one thing through the services, with defaults you can override.

They set the scene, not its history: the services audit every write, but what a factory
writes leaves no audit event, so a test reads in the log only what its own requests did."""

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, select
from sqlmodel import Session, col

from cms.app import database_state
from cms.audit.models import AuditEvent
from cms.auth import service as auth_service
from cms.auth.models import TokenKind
from cms.auth.passwords import hash_password
from cms.authors import service as authors_service
from cms.authors.models import Author
from cms.authors.schemas import AuthorCreate
from cms.comments.models import Comment, CommentStatus
from cms.http.cache import ResponseCache
from cms.posts import service as posts_service
from cms.posts.models import Post
from cms.posts.schemas import PostCreate
from cms.timestamps import utcnow
from cms.users.models import Role, User

_numbers = itertools.count(1)
PAST = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


@contextmanager
def _unaudited(session: Session) -> Iterator[None]:
    last = session.execute(select(func.max(col(AuditEvent.id)))).scalar() or 0
    yield
    session.execute(delete(AuditEvent).where(col(AuditEvent.id) > last))


def make_author(session: Session, **overrides: object) -> Author:
    number = next(_numbers)
    fields: dict[str, object] = {"name": f"Writer {number}", "bio": "Writes things."}
    fields.update(overrides)
    data = AuthorCreate(**fields)  # type: ignore[arg-type]
    with _unaudited(session):
        return authors_service.create_author(session, data=data, actor=None, now=utcnow())


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
    data = PostCreate(**fields)  # type: ignore[arg-type]
    with _unaudited(session):
        post = posts_service.create_post(session, data=data, actor=None, now=now)
        if published:
            at = data.published_at
            posts_service.publish_post(session, post=post, at=at, actor=None, now=now)
    return post


def make_user(
    session: Session, *, role: Role = Role.EDITOR, with_author: bool = True, **overrides: object
) -> User:
    """A user with the password PASSWORD and, by default, an author profile of their own."""
    number = next(_numbers)
    name = str(overrides.pop("name", f"{role.value.title()} {number}"))
    if "author_id" not in overrides:
        author = make_author(session, name=name) if with_author else None
        overrides["author_id"] = author.id if author else None
    user = User(
        email=str(overrides.pop("email", f"user{number}@example.com")),
        name=name,
        role=role,
        password_hash=_PASSWORD_HASH,
        **overrides,  # type: ignore[arg-type]
    )
    session.add(user)
    session.flush()
    return user


def bearer(session: Session, user: User, *, now: datetime = PAST) -> dict[str, str]:
    """Headers that authenticate as `user` (an API token that does not expire)."""
    issued = auth_service.issue_token(session, user=user, name="test", kind=TokenKind.API, now=now)
    return {"Authorization": f"Bearer {issued.secret}"}


def make_pending_comment(session: Session, *, post: Post, **overrides: object) -> Comment:
    """A reader's comment waiting for moderation (approve it with moderate())."""
    number = next(_numbers)
    fields: dict[str, object] = {
        "post_id": post.id,
        "author_name": f"Reader {number}",
        "author_email": f"reader{number}@example.com",
        "avatar_hash": "0" * 64,
        "body": f"Comment {number}",
        "html": f"<p>Comment {number}</p>",
        "status": CommentStatus.PENDING,
        "sender_hash": f"sender-{number}",
        "created_at": PAST,
        "updated_at": PAST,
    }
    fields.update(overrides)
    comment = Comment(**fields)  # type: ignore[arg-type]
    session.add(comment)
    session.flush()
    return comment


def make_response_cache(engine: Engine, *, clock: Callable[[], datetime]) -> ResponseCache:
    """A process's response cache on `engine`, checking every second, as the app makes it."""
    return ResponseCache(
        engine=engine, state=database_state(), clock=clock, check_seconds=1, max_bytes=2**20
    )
