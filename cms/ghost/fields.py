"""What each Ghost resource may be filtered and ordered by, as our columns: Ghost's names
(and its aliases: `tag` is `tags.slug`, `primary_author` the first author's slug) on one
side, our tables on the other."""

from typing import Any

from sqlmodel import col

from cms.authors.models import Author
from cms.ghost.filters import Column, Field, Related, constant
from cms.linked.models import PostAuthor, PostTag
from cms.posts.models import Post
from cms.tags.models import Tag


def _related(link: Any, link_record: Any, record: Any, column: Column, primary: bool) -> Related:
    return Related(
        link=link,
        owner=col(link.post_id),
        owner_id=col(Post.id),
        record=link_record,
        record_id=col(record.id),
        column=column,
        primary_only=col(link.position) == 0 if primary else None,
    )


def _tag(column: Column, *, primary: bool = False) -> Related:
    return _related(PostTag, col(PostTag.tag_id), Tag, column, primary)


def _author(column: Column, *, primary: bool = False) -> Related:
    return _related(PostAuthor, col(PostAuthor.author_id), Author, column, primary)


_TAG_SLUG, _AUTHOR_SLUG = Column(col(Tag.slug), "text"), Column(col(Author.slug), "text")
POST_FILTERS: dict[str, Field] = {
    "id": Column(col(Post.id), "int"),
    "slug": Column(col(Post.slug), "text"),
    "title": Column(col(Post.title), "text"),
    "featured": Column(col(Post.featured), "bool"),
    "feature_image": Column(col(Post.feature_image), "text"),
    "custom_excerpt": Column(col(Post.custom_excerpt), "text"),
    "published_at": Column(col(Post.published_at), "date"),
    "created_at": Column(col(Post.created_at), "date"),
    "updated_at": Column(col(Post.updated_at), "date"),
    "visibility": constant("public"),  # cms has no members: every live post is public
    "status": constant("published"),  # what the Content API shows, as Ghost's
    "type": constant("post"),
    "tag": _tag(_TAG_SLUG),
    "tags": _tag(_TAG_SLUG),
    "tags.slug": _tag(_TAG_SLUG),
    "tags.name": _tag(Column(col(Tag.name), "text")),
    "tags.id": _tag(Column(col(Tag.id), "int")),
    "primary_tag": _tag(_TAG_SLUG, primary=True),
    "primary_tag.slug": _tag(_TAG_SLUG, primary=True),
    "author": _author(_AUTHOR_SLUG),
    "authors": _author(_AUTHOR_SLUG),
    "authors.slug": _author(_AUTHOR_SLUG),
    "authors.name": _author(Column(col(Author.name), "text")),
    "authors.id": _author(Column(col(Author.id), "int")),
    "primary_author": _author(_AUTHOR_SLUG, primary=True),
    "primary_author.slug": _author(_AUTHOR_SLUG, primary=True),
}
POST_ORDER = {
    name: name
    for name in ("id", "slug", "title", "featured", "published_at", "created_at", "updated_at",
                 "reading_time", "view_count", "comment_count")
}  # fmt: skip


def _record_filters(model: type[Tag] | type[Author]) -> dict[str, Field]:
    return {
        "id": Column(col(model.id), "int"),
        "slug": Column(col(model.slug), "text"),
        "name": Column(col(model.name), "text"),
        "visibility": constant("public"),
    }


TAG_FILTERS = _record_filters(Tag)
AUTHOR_FILTERS = _record_filters(Author)
RECORD_ORDER = {"id": "id", "slug": "slug", "name": "name", "count.posts": "post_count"}
