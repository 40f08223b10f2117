"""Authors: as readers see them, each with the number of live posts they wrote, and as editors
manage them (guest authors need no login account). Every editor's write is audited here,
whoever calls."""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from cms.authors.models import Author
from cms.authors.schemas import AuthorCreate, AuthorUpdate
from cms.linked.models import PostAuthor
from cms.linked.records import SORTING, Counted, Edit, LinkedRecords
from cms.media.details import details_json, library_image
from cms.paging import Pagination, SortKey
from cms.slugs import numbered, slugify_text
from cms.users.models import User

AUTHORS = LinkedRecords(
    model=Author,
    noun="author",
    id=col(Author.id),
    slug=col(Author.slug),
    link_post_id=col(PostAuthor.post_id),
    link_record_id=col(PostAuthor.author_id),
    link_position=col(PostAuthor.position),
    published_posts=col(Author.published_posts),
)

__all__ = ["AUTHORS", "SORTING", "Counted"]


def list_authors(
    session: Session,
    *,
    now: datetime,
    pagination: Pagination,
    sort: list[SortKey],
    live_only: bool = False,
    where: ColumnElement[bool] | None = None,
) -> tuple[list[Counted[Author]], int]:
    """A page of authors in `sort` order, and how many there are; with `live_only`
    (readers), only authors of a live post; `where`, a condition on the authors."""
    return AUTHORS.list_page(
        session, now=now, pagination=pagination, sort=sort, live_only=live_only, where=where
    )


def get_author(
    session: Session, *, slug: str, now: datetime, live_only: bool = False
) -> Counted[Author]:
    """The author with this slug (with `live_only`, only if on a live post), or NotFound."""
    return AUTHORS.get_by_slug(session, slug=slug, now=now, live_only=live_only)


def get_author_by_id(session: Session, *, author_id: int, now: datetime) -> Counted[Author]:
    """The author with this id, whatever is published, or NotFound."""
    return AUTHORS.get_by_id(session, record_id=author_id, now=now)


def authors_of_posts(
    session: Session, *, post_ids: list[int], now: datetime
) -> dict[int, list[Counted[Author]]]:
    """Each post's authors in their order, in one query."""
    return AUTHORS.of_posts(session, post_ids=post_ids, now=now)


def create_author(
    session: Session, *, data: AuthorCreate, actor: User | None, now: datetime
) -> Author:
    """A new author; the slug comes from the name unless given, and must be free."""
    fields = _measured(session, data.model_dump(exclude={"slug"}))
    return AUTHORS.create(session, fields=fields, slug=data.slug, actor=actor, now=now)


def update_author(
    session: Session, *, author_id: int, data: AuthorUpdate, actor: User | None, now: datetime
) -> Edit[Author]:
    """Change the fields sent; a new slug must be free."""
    changes = _measured(session, data.model_dump(exclude_unset=True))
    return AUTHORS.update(session, record_id=author_id, changes=changes, actor=actor, now=now)


def _measured(session: Session, fields: dict[str, Any]) -> dict[str, Any]:
    """`fields`, with the picture's measurements when a library picture is among them."""
    if "profile_image" not in fields:
        return fields
    url = fields["profile_image"]
    media = library_image(session, url)
    return fields | {"profile_image_details": details_json(media, url) if media else None}


def delete_author(session: Session, *, author_id: int, actor: User | None, now: datetime) -> None:
    """Remove an author who is on no post; one still on any post is a Conflict, so that no
    byline is lost."""
    AUTHORS.delete(session, record_id=author_id, unlink=False, actor=actor, now=now)


def find_author_by_slug(session: Session, *, slug: str) -> Author | None:
    return session.exec(select(Author).where(col(Author.slug) == slug)).first()


def create_byline(session: Session, *, name: str, actor: User | None, now: datetime) -> Author:
    """A new author named `name`, its slug numbered (`jo-goh-2`) if the plain one is taken."""
    base = slugify_text(name) or "author"
    number = 1
    while find_author_by_slug(session, slug=numbered(base, number)) is not None:
        number += 1
    slug = numbered(base, number)
    return AUTHORS.create(session, fields={"name": name}, slug=slug, actor=actor, now=now)
