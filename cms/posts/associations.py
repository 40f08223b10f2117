"""Authors and tags alike: records linked to posts in order, each with its count of live posts.

The two domains differ only in their table and link table, so the queries live here
once and `authors.service` / `tags.service` bind them to their own tables.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Subquery, func, select
from sqlmodel import Session, SQLModel, col

from cms.api.listing import Pagination, SortKey
from cms.posts.models import Post
from cms.posts.visibility import is_live
from cms.problems import NotFound

Record = TypeVar("Record", bound=SQLModel)

SORTABLE = frozenset({"id", "slug", "name", "post_count", "created_at", "updated_at"})


@dataclass(frozen=True)
class Counted(Generic[Record]):
    item: Record
    post_count: int


@dataclass(frozen=True)
class Association(Generic[Record]):
    """A record table (authors, tags) and the ordered link table joining it to posts."""

    model: type[Record]
    noun: str
    id: Any  # the record's columns, e.g. Author.id, Author.slug
    slug: Any
    link_post_id: Any  # the link table's columns, e.g. PostAuthor.post_id
    link_record_id: Any
    link_position: Any

    def post_counts(self, now: datetime, only: Any = None) -> Subquery:
        key = self.link_record_id
        query = (
            select(key.label("record_id"), func.count().label("post_count"))
            .join(Post, col(Post.id) == self.link_post_id)
            .where(is_live(now))
            .group_by(key)
        )
        return (query if only is None else query.where(key.in_(only))).subquery()

    def list_page(
        self, session: Session, *, now: datetime, pagination: Pagination, sort: list[SortKey]
    ) -> tuple[list[Counted[Record]], int]:
        """A page of records in the requested order, and how many there are in all."""
        counts = self.post_counts(now)
        post_count = func.coalesce(counts.c.post_count, 0)
        ident = self.id
        order = [self._order(key, post_count) for key in sort]
        rows = session.execute(
            select(self.model, post_count)
            .outerjoin(counts, counts.c.record_id == ident)
            .order_by(*order, ident)
            .offset(pagination.offset)
            .limit(pagination.limit)
        ).all()
        total = session.execute(select(func.count()).select_from(self.model)).scalar_one()
        return [Counted(record, count) for record, count in rows], total

    def get_by_slug(self, session: Session, *, slug: str, now: datetime) -> Counted[Record]:
        """The record with this slug, or NotFound."""
        record = session.execute(select(self.model).where(self.slug == slug)).scalar_one_or_none()
        if record is None:
            raise NotFound(f"No {self.noun} with slug {slug!r}")
        counts = self.post_counts(now, only=select(self.id).where(self.slug == slug))
        count = session.execute(select(counts.c.post_count)).scalar()
        return Counted(record, count or 0)

    def of_posts(
        self, session: Session, *, post_ids: list[int], now: datetime
    ) -> dict[int, list[Counted[Record]]]:
        """Each post's records in their order, in one query for any number of posts."""
        if not post_ids:
            return {}
        key, post_id = self.link_record_id, self.link_post_id
        counts = self.post_counts(now, only=select(key).where(post_id.in_(post_ids)))
        rows = session.execute(
            select(post_id, self.model, func.coalesce(counts.c.post_count, 0))
            .join(self.model, self.id == key)
            .outerjoin(counts, counts.c.record_id == key)
            .where(post_id.in_(post_ids))
            .order_by(post_id, self.link_position)
        ).all()
        result: dict[int, list[Counted[Record]]] = {}
        for owner, record, count in rows:
            result.setdefault(owner, []).append(Counted(record, count))
        return result

    def _order(self, key: SortKey, post_count: ColumnElement[Any]) -> ColumnElement[Any]:
        column = post_count if key.field == "post_count" else getattr(self.model, key.field)
        return column.desc() if key.descending else column.asc()
