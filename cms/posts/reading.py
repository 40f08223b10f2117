"""Readers' queries: live posts, listed, filtered, found by slug, related. (Editors' rules
are in service.py.)"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, select
from sqlmodel import Session, col

from cms.authors import service as authors_service
from cms.linked.records import Counted
from cms.paging import Pagination, Sorting, SortKey, order_by
from cms.posts import queries
from cms.posts.models import Post, PostTotals
from cms.posts.related import related_posts
from cms.posts.search import EVERYTHING, full_text
from cms.posts.visibility import NOW, is_live, is_scheduled
from cms.problems import NotFound
from cms.tags import service as tags_service

SORT_FIELDS = frozenset(
    {
        "id", "slug", "title", "published_at", "updated_at", "created_at",
        "featured", "reading_time", "view_count", "comment_count",
    }
)  # fmt: skip
# Unless `sort` says otherwise: best matches first when searching, else newest first.
SORTING = Sorting(SORT_FIELDS, default=None)
RELATED_LIMIT = 3


@dataclass(frozen=True)
class PostFilters:
    tag: str | None = None
    author: str | None = None
    featured: bool | None = None
    q: str | None = None


@dataclass
class PostBundle:
    """Posts with everything their representation needs, loaded in a fixed number of queries.

    A post is a Post (editors), or a row of queries.columns() (readers): both are read by
    attribute, and a row costs a fraction of what an ORM object does to load."""

    posts: list[Any]
    total: int = 0
    authors: dict[int, list[Counted[Any]]] = field(default_factory=dict)
    tags: dict[int, list[Counted[Any]]] = field(default_factory=dict)
    related: dict[int, list[Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Moved:
    """The slug asked for is a former one: the post now lives at `slug`."""

    slug: str


def list_live_posts(
    session: Session,
    *,
    now: datetime,
    filters: PostFilters,
    pagination: Pagination,
    sort: list[SortKey] | None,
    fields: frozenset[str],
) -> PostBundle:
    """A page of live posts matching `filters`, with what `fields` needs: in `sort` order,
    else best matches first when searching, else newest first."""
    search = full_text(session.get_bind().dialect.name, filters.q)
    shape = queries.PageShape(
        tag=filters.tag is not None,
        author=filters.author is not None,
        featured=filters.featured is not None,
        search_kind=search.kind,
        sort=None if sort is None else tuple(sort),
        texts=frozenset(queries.TEXTS) & fields,
    )
    params = {
        "now": now,
        "tag": filters.tag,
        "author": filters.author,
        "featured": filters.featured,
        "offset": pagination.offset,
        "limit": pagination.limit,
        **search.params,
    }
    reader = session.connection()
    if search is EVERYTHING:
        total = count_live_posts(session, now=now, filters=filters)
        # A page past the end is empty however deep it is: no walking the index to learn so.
        page = queries.page_of_posts(shape)
        posts = list(reader.execute(page, params).all()) if pagination.offset < total else []
    else:
        posts, total = _searched(reader, shape, params, offset=pagination.offset)
    bundle = PostBundle(posts=posts, total=total)
    load_relations(session, bundle, now=now, fields=fields, related_limit=RELATED_LIMIT)
    return bundle


def list_live_posts_where(
    session: Session,
    *,
    now: datetime,
    where: ColumnElement[bool] | None,
    pagination: Pagination,
    sort: list[SortKey],
    fields: frozenset[str],
) -> PostBundle:
    """A page of live posts meeting the caller's condition `where` (a Ghost filter, its
    values bound), in `sort` order, with what `fields` needs: two statements, and one per
    relation shown, whatever the page's size."""
    conditions = [is_live(NOW), *([where] if where is not None else [])]
    reader, params = session.connection(), {"now": now}
    total = int(
        reader.execute(
            select(func.count()).select_from(Post).where(*conditions), params
        ).scalar_one()
    )
    posts: list[Any] = []
    if pagination.offset < total:
        statement = (
            select(*queries.columns(frozenset(queries.TEXTS) & fields))
            .where(*conditions)
            .order_by(*order_by(Post, sort))
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        posts = list(reader.execute(statement, params).all())
    bundle = PostBundle(posts=posts, total=total)
    load_relations(session, bundle, now=now, fields=fields, related_limit=RELATED_LIMIT)
    return bundle


def _searched(
    reader: Connection, shape: queries.PageShape, params: dict[str, Any], *, offset: int
) -> tuple[list[Any], int]:
    """A searched page, and how many posts match in all, from one pass over the index; a
    page past the last one has no row to tell, so there they are counted apart."""
    posts = list(reader.execute(queries.page_of_posts(shape), params).all())
    if posts:
        return posts, int(posts[0]._mapping[queries.MATCHES])
    if not offset:
        return posts, 0
    return posts, int(reader.execute(queries.count_of_posts(shape), params).scalar_one())


def count_live_posts(session: Session, *, now: datetime, filters: PostFilters) -> int:
    """How many live posts match `filters` (not `q`): from the stored counts (migration
    0009) for one filter or none, less what is scheduled; by counting for combinations."""
    named = [value is not None for value in (filters.tag, filters.author, filters.featured)]
    if sum(named) > 1:
        shape = queries.PageShape(tag=named[0], author=named[1], featured=named[2])
        params: dict[str, Any] = {"now": now, "tag": filters.tag, "author": filters.author}
        params["featured"] = filters.featured
        counted = session.connection().execute(queries.count_of_posts(shape), params)
        return int(counted.scalar_one())
    if filters.tag is not None or filters.author is not None:
        association = tags_service.TAGS if filters.tag is not None else authors_service.AUTHORS
        slug = filters.tag if filters.tag is not None else filters.author
        try:
            return association.get_by_slug(session, slug=slug or "", now=now).post_count
        except NotFound:
            return 0
    return int(
        session.connection().execute(_LIVE_TOTALS[filters.featured], {"now": now}).scalar_one()
    )


def _live_totals(featured: bool | None) -> Select[Any]:
    """Live posts in all (or (un)featured ones): the stored totals less what is scheduled."""
    scheduled = select(func.count()).select_from(Post).where(is_scheduled(NOW))
    stored: Any = col(PostTotals.published)
    if featured is not None:
        scheduled = scheduled.where(col(Post.featured).is_(featured))
        stored = col(PostTotals.featured) if featured else stored - col(PostTotals.featured)
    return select(stored - scheduled.scalar_subquery())


_LIVE_TOTALS = {featured: _live_totals(featured) for featured in (None, True, False)}


def resolve_live_post(
    session: Session, *, slug: str, now: datetime, fields: frozenset[str]
) -> PostBundle | Moved:
    """The live post with this slug, or where a former slug moved to; NotFound otherwise."""
    reader = session.connection()
    texts = frozenset(queries.TEXTS) & fields
    post = reader.execute(queries.live_post(texts), {"slug": slug, "now": now}).first()
    if post is None:
        current = reader.execute(queries.MOVED_TO, {"slug": slug, "now": now}).scalar()
        if current is not None:
            return Moved(current)
        raise NotFound(f"No published post with slug {slug!r}")
    bundle = PostBundle(posts=[post], total=1)
    load_relations(session, bundle, now=now, fields=fields, related_limit=RELATED_LIMIT)
    return bundle


def related_to_live_post(session: Session, *, slug: str, now: datetime, limit: int) -> list[Any]:
    """Posts related to the live post with this slug (NotFound for drafts and unknown slugs)."""
    params = {"slug": slug, "now": now}
    post_id = session.connection().execute(queries.LIVE_POST_ID, params).scalar()
    if post_id is None:
        raise NotFound(f"No published post with slug {slug!r}")
    return related_posts(session, post_ids=[post_id], limit=limit, now=now).get(post_id, [])


def load_relations(
    session: Session,
    bundle: PostBundle,
    *,
    now: datetime,
    fields: frozenset[str],
    related_limit: int,
) -> None:
    ids = [post.id for post in bundle.posts if post.id is not None]
    if fields & {"authors", "primary_author"}:
        bundle.authors = authors_service.authors_of_posts(session, post_ids=ids, now=now)
    if fields & {"tags", "primary_tag"}:
        bundle.tags = tags_service.tags_of_posts(session, post_ids=ids, now=now)
    if "related" in fields:
        bundle.related = related_posts(session, post_ids=ids, limit=related_limit, now=now)
