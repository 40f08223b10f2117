"""Authors: as readers see them, each with the number of live posts they wrote, and as editors
manage them (guest authors need no login account)."""

from datetime import datetime

from sqlmodel import Session, col, select

from cms.authors.models import Author
from cms.authors.schemas import AuthorCreate
from cms.posts.associations import SORTABLE, Association, Counted
from cms.posts.models import PostAuthor
from cms.slugs import numbered, slugify_text
from cms.timestamps import utcnow

AUTHORS = Association(
    model=Author,
    noun="author",
    id=col(Author.id),
    slug=col(Author.slug),
    link_post_id=col(PostAuthor.post_id),
    link_record_id=col(PostAuthor.author_id),
    link_position=col(PostAuthor.position),
    published_posts=col(Author.published_posts),
)

list_authors = AUTHORS.list_page
get_author = AUTHORS.get_by_slug
authors_of_posts = AUTHORS.of_posts

__all__ = ["AUTHORS", "SORTABLE", "Counted", "authors_of_posts", "get_author", "list_authors"]


def create_author(session: Session, *, data: AuthorCreate, now: datetime | None = None) -> Author:
    """A new author; the slug comes from the name unless given, and must be free."""
    fields = data.model_dump(exclude={"slug"})
    return AUTHORS.create(session, fields=fields, slug=data.slug, now=now or utcnow())


def find_author_by_slug(session: Session, *, slug: str) -> Author | None:
    return session.exec(select(Author).where(col(Author.slug) == slug)).first()


def create_byline(session: Session, *, name: str, now: datetime) -> Author:
    """A new author named `name`, its slug numbered (`jo-goh-2`) if the plain one is taken."""
    base = slugify_text(name) or "author"
    number = 1
    while find_author_by_slug(session, slug=numbered(base, number)) is not None:
        number += 1
    return AUTHORS.create(session, fields={"name": name}, slug=numbered(base, number), now=now)
