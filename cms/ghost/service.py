"""The Ghost-compatible Content API over our domains: each call checks the key, parses
Ghost's parameters, reads through the posts', tags' and authors' services, and answers
Ghost's envelope (`{"posts": [...], "meta": {...}}` for a browse, no `meta` for a read:
Ghost's client unwraps a one-item array without `meta` into one object) with the cache
keys of what it shows."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col

from cms.api.listing import pick
from cms.api.urls import Urls
from cms.authors import service as authors_service
from cms.authors.models import Author
from cms.cache import keys
from cms.config import Settings
from cms.ghost import fields as known
from cms.ghost import filters, nql, params, shapes
from cms.ghost.errors import GhostError
from cms.ghost.keys import key_in_use
from cms.linked.records import Counted
from cms.paging import Pagination, SortKey
from cms.posts import reading
from cms.posts.models import Post
from cms.site import service as site_service
from cms.tags import service as tags_service
from cms.tags.models import Tag

NEWEST_FIRST = [SortKey("published_at", descending=True)]
BY_NAME = [SortKey("name", descending=False)]
POST_INCLUDES = frozenset({"authors", "tags"})
RECORD_INCLUDES = frozenset({"count.posts"})
MAX_SLUG = 191  # the slug columns' length


@dataclass
class Answer:
    """A Ghost envelope, and the cache keys of what it shows."""

    body: dict[str, Any]
    keys: set[str] = field(default_factory=set)


def check_key(session: Session, *, key: str | None) -> int:
    """The id of the live content API key sent; Ghost's refusals otherwise."""
    if not key:
        raise GhostError("NoPermissionError", "Authorization failed: send ?key=<Content API key>")
    found = key_in_use(session, key=key)
    if found is None:
        raise GhostError(
            "UnauthorizedError", "Unknown Content API Key", code="UNKNOWN_CONTENT_API_KEY"
        )
    return found


def posts(
    session: Session, *, query: Mapping[str, str], now: datetime, urls: Urls, one: Any = None
) -> Answer:
    """A browse of live posts, or with `one` (a condition on posts) a read of one."""
    doing = "list posts" if one is None else "read post"
    asked = params.parse(query, doing=doing, order_fields=known.POST_ORDER, includes=POST_INCLUDES)
    where = _condition(asked, known.POST_FILTERS, now, doing) if one is None else one
    bundle = reading.list_live_posts_where(
        session,
        now=now,
        where=where,
        pagination=asked.pagination if one is None else Pagination(page=1, limit=1),
        sort=asked.order or NEWEST_FIRST,
        fields=asked.include | asked.formats,
    )
    shown = [_post(row, bundle, asked, urls) for row in bundle.posts]
    if one is not None and not shown:
        raise GhostError("NotFoundError", "Post not found.", doing=doing)
    named = {keys.POSTS, *(keys.post(row.id) for row in bundle.posts)}
    for row in bundle.posts:
        named |= {keys.author(a.item.id) for a in bundle.authors.get(row.id, [])}
        named |= {keys.tag(t.item.id) for t in bundle.tags.get(row.id, [])}
    named |= _filtered_by(asked)
    return _answer("posts", shown, asked if one is None else None, bundle.total, named)


def _filtered_by(asked: params.Asked) -> set[str]:
    """The keys of the records a filter names by their slugs or names: which posts it
    matches changes when one of those is renamed."""
    if asked.filter is None:
        return set()
    fields = nql.fields_of(asked.filter)
    named = set()
    if any(name.startswith(("tag", "primary_tag")) for name in fields):
        named.add(keys.TAGS)
    if any(name.startswith(("author", "primary_author")) for name in fields):
        named.add(keys.AUTHORS)
    return named


def _post(row: Any, bundle: reading.PostBundle, asked: params.Asked, urls: Urls) -> dict[str, Any]:
    include = asked.include
    authors = [shapes.author(a, urls=urls, counted=False) for a in bundle.authors.get(row.id, [])]
    tags = [shapes.tag(t, urls=urls, counted=False) for t in bundle.tags.get(row.id, [])]
    shown = shapes.post(
        row, urls=urls, formats=asked.formats, include=include, authors=authors, tags=tags
    )
    return pick(shown, asked.fields)


def pages(
    session: Session, *, query: Mapping[str, str], now: datetime, read: bool = False
) -> Answer:
    """cms has no pages: an empty browse (its parameters checked as for posts), and every
    read is not found."""
    doing = "read page" if read else "list pages"
    asked = params.parse(query, doing=doing, order_fields=known.POST_ORDER, includes=POST_INCLUDES)
    if read:
        raise GhostError("NotFoundError", "Page not found.", doing=doing)
    _condition(asked, known.POST_FILTERS, now, doing)  # a bad filter is refused all the same
    return _answer("pages", [], asked, 0, set())


@dataclass(frozen=True)
class _Records:
    """What tags and authors differ in, for the Ghost API."""

    listed: Callable[..., tuple[list[Counted[Any]], int]]  # the domain's list function
    shape: Callable[..., dict[str, Any]]
    filters: Mapping[str, filters.Field]
    key_of: Callable[[int], str]  # a record's cache key
    every: str  # the cache key of the set of them


_TAGS = _Records(tags_service.list_tags, shapes.tag, known.TAG_FILTERS, keys.tag, keys.TAGS)
_AUTHORS = _Records(
    authors_service.list_authors, shapes.author, known.AUTHOR_FILTERS, keys.author, keys.AUTHORS
)


def tags(
    session: Session, *, query: Mapping[str, str], now: datetime, urls: Urls, one: Any = None
) -> Answer:
    """A browse of the tags of live posts, or with `one` a read of one."""
    return _records(session, "tags", _TAGS, query=query, now=now, urls=urls, one=one)


def authors(
    session: Session, *, query: Mapping[str, str], now: datetime, urls: Urls, one: Any = None
) -> Answer:
    """A browse of the authors of live posts, or with `one` a read of one."""
    return _records(session, "authors", _AUTHORS, query=query, now=now, urls=urls, one=one)


def _records(
    session: Session,
    kind: str,
    records: _Records,
    *,
    query: Mapping[str, str],
    now: datetime,
    urls: Urls,
    one: Any,
) -> Answer:
    noun = kind.removesuffix("s")
    doing = f"list {kind}" if one is None else f"read {noun}"
    asked = params.parse(
        query, doing=doing, order_fields=known.RECORD_ORDER, includes=RECORD_INCLUDES
    )
    where = _condition(asked, records.filters, now, doing) if one is None else one
    found, total = records.listed(
        session,
        now=now,
        pagination=asked.pagination if one is None else Pagination(page=1, limit=1),
        sort=asked.order or BY_NAME,
        live_only=True,
        where=where,
    )
    if one is not None and not found:
        raise GhostError("NotFoundError", f"{noun.capitalize()} not found.", doing=doing)
    counted = "count.posts" in asked.include
    shown = [pick(records.shape(item, urls=urls, counted=counted), asked.fields) for item in found]
    # Only records on live posts are shown, with their counts: both change with the posts.
    named = {keys.POSTS, records.every, *(records.key_of(item.item.id) for item in found)}
    return _answer(kind, shown, asked if one is None else None, total, named)


def settings(session: Session, *, query: Mapping[str, str], settings: Settings) -> Answer:
    """The site, as Ghost's public settings (which take no parameters)."""
    site = site_service.current_site(session, settings=settings)
    return Answer({"settings": shapes.settings(site), "meta": {}}, {keys.SITE})


def by_id(
    model: type[Post] | type[Tag] | type[Author], value: str, noun: str
) -> ColumnElement[bool]:
    """The condition of a read by id: ours are whole numbers (Ghost's 24 hex characters
    never match one, and are answered as Ghost answers an unknown id)."""
    if not value.isascii() or not value.isdigit() or int(value[:12]) > filters.MAX_ID:
        raise GhostError("NotFoundError", f"{noun.capitalize()} not found.", doing=f"read {noun}")
    return col(model.id) == int(value)


def by_slug(
    model: type[Post] | type[Tag] | type[Author], value: str, noun: str
) -> ColumnElement[bool]:
    """The condition of a read by slug (one longer than any slug is not found)."""
    if len(value) > MAX_SLUG:
        raise GhostError("NotFoundError", f"{noun.capitalize()} not found.", doing=f"read {noun}")
    return col(model.slug) == value


def _condition(
    asked: params.Asked, fields: Mapping[str, filters.Field], now: datetime, doing: str
) -> ColumnElement[bool] | None:
    if asked.filter is None:
        return None
    return filters.condition(asked.filter, fields, now=now, doing=doing)


def _answer(
    kind: str, shown: list[dict[str, Any]], asked: params.Asked | None, total: int, named: set[str]
) -> Answer:
    if asked is None:  # a read: no meta, so Ghost's client hands back the one object
        return Answer({kind: shown}, named)
    page, limit = asked.pagination.page, asked.pagination.limit
    pages = max(1, ceil(total / limit))
    pagination = {
        "page": page,
        "limit": limit,
        "pages": pages,
        "total": total,
        "next": page + 1 if page < pages else None,
        "prev": page - 1 if page > 1 else None,
    }
    return Answer({kind: shown, "meta": {"pagination": pagination}}, named)
