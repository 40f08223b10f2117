"""The readers' queries about posts, each built once per shape and run with bound values.

Building a SQLAlchemy statement costs more than running it on an indexed table (a list
page's three statements took 4 ms to build and 0.2 ms to run, bench/), so each shape of
query (which filters, which order, which columns) is built the first time it is needed
and kept; what varies between requests (the time, slugs, words, the page) is bound.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, String, bindparam, exists, func, select
from sqlmodel import col

from cms.authors.models import Author
from cms.linked.models import PostAuthor, PostTag
from cms.paging import SortKey, order_by
from cms.posts import search
from cms.posts.models import SEO_FIELDS, Post, PostSlugRedirect
from cms.posts.visibility import NOW, is_live
from cms.tags.models import Tag

# What a post's card and its page show, but the long texts (html, plaintext): asked for
# only where they are shown.
CARD = (
    col(Post.id), col(Post.slug), col(Post.title), col(Post.excerpt), col(Post.feature_image),
    col(Post.feature_image_alt), col(Post.feature_image_caption), col(Post.feature_image_details),
    col(Post.featured), col(Post.published_at), col(Post.updated_at), col(Post.created_at),
    col(Post.reading_time), col(Post.view_count), col(Post.comment_count),
    col(Post.custom_excerpt), col(Post.comments_enabled),
    *(getattr(Post, name) for name in SEO_FIELDS),
)  # fmt: skip
TEXTS = {"html": col(Post.html), "plaintext": col(Post.plaintext)}


@dataclass(frozen=True)
class PageShape:
    """What a page of posts filters on, how it is ordered, and which long texts it shows."""

    tag: bool = False
    author: bool = False
    featured: bool = False
    search_kind: str = search.EVERYTHING.kind
    sort: tuple[SortKey, ...] | None = None  # None: best matches first, else newest
    texts: frozenset[str] = frozenset()


def columns(fields: frozenset[str]) -> tuple[Any, ...]:
    return CARD + tuple(column for name, column in TEXTS.items() if name in fields)


NEWEST_FIRST = (SortKey("published_at", descending=True),)


def _record_id(model: Any, parameter: str) -> Any:
    slug = bindparam(parameter, type_=String())
    return select(model.id).where(model.slug == slug).scalar_subquery()


def _where(shape: PageShape, *, walked: Any = None) -> list[ColumnElement[bool]]:
    """The filters of `shape`; the one on the `walked` link table (the tag's or the author's
    newest-first index, migration 0010) is a join condition instead, set by the caller."""
    where = [is_live(NOW)]
    filters: list[tuple[bool, Any, Any, Any, str]] = [
        (shape.tag, PostTag, col(PostTag.tag_id), Tag, "tag"),
        (shape.author, PostAuthor, col(PostAuthor.author_id), Author, "author"),
    ]
    for wanted, link, key, model, parameter in filters:
        if wanted and link is not walked:
            where.append(
                exists().where(link.post_id == col(Post.id), key == _record_id(model, parameter))
            )
    if shape.featured:
        where.append(col(Post.featured) == bindparam("featured", type_=Boolean()))
    return where


MATCHES = "matches_in_all"  # on each row of a searched page: how many posts match


@lru_cache(maxsize=256)
def page_of_posts(shape: PageShape) -> Select[Any]:
    """Live posts of `shape`, with `limit` and `offset` bound."""
    searching = search.of_kind(shape.search_kind)
    newest = searching is search.EVERYTHING and shape.sort in (None, NEWEST_FIRST)
    if newest and (shape.tag or shape.author):
        return _newest_of_record(shape)
    sort = list(shape.sort or NEWEST_FIRST)
    order: list[ColumnElement[Any]] = []
    if shape.sort is None and searching.best_first is not None:
        order.append(searching.best_first)
    order += order_by(Post, sort)
    statement = select(*columns(shape.texts)).where(*_where(shape))
    if searching is not search.EVERYTHING:
        # The matches are found and ranked for the page anyway: counting them in the same
        # pass costs a quarter less than a second statement that finds them again.
        statement = statement.add_columns(func.count().over().label(MATCHES))
    return (
        searching.apply(statement)
        .order_by(*order)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


def _newest_of_record(shape: PageShape) -> Select[Any]:
    """A tag's (or an author's) newest posts, read in order off the link table's index:
    a page costs its own rows, however many posts the tag has."""
    link, key, model, parameter = (
        (PostTag, col(PostTag.tag_id), Tag, "tag")
        if shape.tag
        else (PostAuthor, col(PostAuthor.author_id), Author, "author")
    )
    published = col(link.published_at)
    return (
        select(*columns(shape.texts))
        .select_from(link)
        .join(Post, col(Post.id) == link.post_id)
        .where(key == _record_id(model, parameter), published <= NOW, *_where(shape, walked=link))
        .order_by(published.desc(), col(link.post_id).desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


@lru_cache(maxsize=64)
def count_of_posts(shape: PageShape) -> Select[Any]:
    """How many live posts `shape` (its filters and search) matches."""
    statement = select(func.count()).select_from(Post).where(*_where(shape))
    return search.of_kind(shape.search_kind).apply(statement)


@lru_cache(maxsize=4)
def live_post(texts: frozenset[str]) -> Select[Any]:
    """The live post with the slug bound as `slug`."""
    slug = bindparam("slug", type_=String())
    return select(*columns(texts)).where(col(Post.slug) == slug, is_live(NOW))


LIVE_POST_ID = select(col(Post.id)).where(
    col(Post.slug) == bindparam("slug", type_=String()), is_live(NOW)
)
# Where a former slug points now, if the post is live.
MOVED_TO = (
    select(col(Post.slug))
    .join(PostSlugRedirect, col(PostSlugRedirect.post_id) == col(Post.id))
    .where(col(PostSlugRedirect.slug) == bindparam("slug", type_=String()), is_live(NOW))
)
