"""Posts as readers see them: live posts, listed, filtered, found by slug, related."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlmodel import Session, col

from cms.api.listing import Pagination, SortKey
from cms.authors import service as authors_service
from cms.authors.models import Author
from cms.posts.associations import Counted
from cms.posts.models import Post, PostAuthor, PostSlugRedirect, PostTag
from cms.posts.related import related_posts
from cms.posts.search import full_text
from cms.posts.visibility import is_live
from cms.problems import NotFound
from cms.tags import service as tags_service
from cms.tags.models import Tag

SORTABLE = frozenset(
    {
        "id", "slug", "title", "published_at", "updated_at", "created_at",
        "featured", "reading_time", "view_count", "comment_count",
    }
)  # fmt: skip
DEFAULT_SORT = "-published_at"
RELATED_LIMIT = 3


@dataclass(frozen=True)
class PostFilters:
    tag: str | None = None
    author: str | None = None
    featured: bool | None = None
    q: str | None = None


@dataclass
class PostBundle:
    """Posts with everything their representation needs, loaded in a fixed number of queries."""

    posts: list[Post]
    total: int = 0
    authors: dict[int, list[Counted[Author]]] = field(default_factory=dict)
    tags: dict[int, list[Counted[Tag]]] = field(default_factory=dict)
    related: dict[int, list[Post]] = field(default_factory=dict)


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
    search = full_text(session, filters.q)
    where = [is_live(now), *filter_clauses(filters)]
    order: list[ColumnElement[Any]] = []
    if sort is None:
        sort = [SortKey("published_at", descending=True)]
        order = [search.best_first] if search.best_first is not None else []
    order += [order_clause(key) for key in sort]
    tiebreak = col(Post.id).desc() if sort[-1].descending else col(Post.id).asc()
    page = search.apply(select(Post).where(*where))
    posts = list(
        session.execute(
            page.order_by(*order, tiebreak).offset(pagination.offset).limit(pagination.limit)
        ).scalars()
    )
    count = search.apply(select(func.count()).select_from(Post).where(*where))
    total = session.execute(count).scalar_one()
    bundle = PostBundle(posts=posts, total=total)
    load_relations(session, bundle, now=now, fields=fields, related_limit=RELATED_LIMIT)
    return bundle


def resolve_live_post(
    session: Session, *, slug: str, now: datetime, fields: frozenset[str]
) -> PostBundle | Moved:
    """The live post with this slug, or where a former slug moved to; NotFound otherwise."""
    post = session.execute(select(Post).where(col(Post.slug) == slug, is_live(now))).scalar()
    if post is None:
        current = session.execute(
            select(col(Post.slug))
            .join(PostSlugRedirect, col(PostSlugRedirect.post_id) == col(Post.id))
            .where(col(PostSlugRedirect.slug) == slug, is_live(now))
        ).scalar()
        if current is not None:
            return Moved(current)
        raise NotFound(f"No published post with slug {slug!r}")
    bundle = PostBundle(posts=[post], total=1)
    load_relations(session, bundle, now=now, fields=fields, related_limit=RELATED_LIMIT)
    return bundle


def related_to_live_post(session: Session, *, slug: str, now: datetime, limit: int) -> list[Post]:
    """Posts related to the live post with this slug (NotFound for drafts and unknown slugs)."""
    post_id = session.execute(
        select(col(Post.id)).where(col(Post.slug) == slug, is_live(now))
    ).scalar()
    if post_id is None:
        raise NotFound(f"No published post with slug {slug!r}")
    return related_posts(session, post_ids=[post_id], limit=limit, now=now).get(post_id, [])


def find_post_by_slug(session: Session, *, slug: str) -> Post | None:
    return session.execute(select(Post).where(col(Post.slug) == slug)).scalar()


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


def filter_clauses(filters: PostFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.tag is not None:
        clauses.append(
            exists()
            .where(col(PostTag.post_id) == col(Post.id))
            .where(
                col(PostTag.tag_id)
                == select(col(Tag.id)).where(col(Tag.slug) == filters.tag).scalar_subquery()
            )
        )
    if filters.author is not None:
        author_id = (
            select(col(Author.id)).where(col(Author.slug) == filters.author).scalar_subquery()
        )
        clauses.append(
            exists().where(
                col(PostAuthor.post_id) == col(Post.id), col(PostAuthor.author_id) == author_id
            )
        )
    if filters.featured is not None:
        clauses.append(col(Post.featured).is_(filters.featured))
    return clauses


def order_clause(key: SortKey) -> ColumnElement[object]:
    column = col(getattr(Post, key.field))
    return column.desc() if key.descending else column.asc()
