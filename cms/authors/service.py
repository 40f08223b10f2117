"""Authors as readers see them: each with the number of live posts they wrote."""

from sqlmodel import Session, col, select

from cms.authors.models import Author
from cms.authors.schemas import AuthorCreate
from cms.posts.associations import SORTABLE, Association, Counted
from cms.posts.models import PostAuthor
from cms.problems import Conflict, Unprocessable
from cms.slugs import slugify_text

AUTHORS = Association(
    model=Author,
    noun="author",
    id=col(Author.id),
    slug=col(Author.slug),
    link_post_id=col(PostAuthor.post_id),
    link_record_id=col(PostAuthor.author_id),
    link_position=col(PostAuthor.position),
)

list_authors = AUTHORS.list_page
get_author = AUTHORS.get_by_slug
authors_of_posts = AUTHORS.of_posts

__all__ = ["AUTHORS", "SORTABLE", "Counted", "authors_of_posts", "get_author", "list_authors"]


def create_author(session: Session, *, data: AuthorCreate) -> Author:
    """A new author; the slug comes from the name unless given, and must be free."""
    slug = data.slug or slugify_text(data.name)
    if not slug:
        raise Unprocessable("A slug cannot be made from this name; give one", field="slug")
    if session.exec(select(Author).where(col(Author.slug) == slug)).first() is not None:
        raise Conflict(f"The slug {slug!r} is taken by another author", field="slug")
    author = Author(**data.model_dump(exclude={"slug"}), slug=slug)
    session.add(author)
    session.flush()
    return author


def find_author_by_slug(session: Session, *, slug: str) -> Author | None:
    return session.exec(select(Author).where(col(Author.slug) == slug)).first()
