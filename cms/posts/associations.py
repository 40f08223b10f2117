"""Authors and tags alike: records linked to posts in order, each with its count of live posts.

The two domains differ only in their table and link table, so the queries live here
once and `authors.service` / `tags.service` bind them to their own tables.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, Field, StringConstraints
from sqlalchemy import ColumnElement, Subquery, delete, func, select
from sqlmodel import Session, SQLModel, col

from cms.api.listing import Pagination, SortKey
from cms.posts.models import Post
from cms.posts.visibility import is_live
from cms.problems import Conflict, NotFound, Unprocessable
from cms.slugs import MAX_SLUG_LENGTH, slugify_text

Record = TypeVar("Record", bound=SQLModel)

SORTABLE = frozenset({"id", "slug", "name", "post_count", "created_at", "updated_at"})

# What editors send for either: a name (trimmed) and an optional slug, made from the name if absent.
RecordName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=191)]
SlugText = Annotated[str, StringConstraints(max_length=MAX_SLUG_LENGTH)]


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("Cannot be null; leave the field out to keep its value")
    return value


def _hide_null(schema: dict[str, Any]) -> None:
    # The document shows only the type: null is refused, though leaving the field out is fine.
    (kept,) = [option for option in schema.pop("anyOf") if option.get("type") != "null"]
    schema.pop("default", None)
    schema.update(kept)


# In an update: may be left out (keeps its value), but never sent as null.
NewName = Annotated[
    RecordName | None, AfterValidator(_refuse_null), Field(json_schema_extra=_hide_null)
]
NewSlug = Annotated[
    SlugText | None, AfterValidator(_refuse_null), Field(json_schema_extra=_hide_null)
]


@dataclass(frozen=True)
class Counted(Generic[Record]):
    item: Record
    post_count: int


@dataclass(frozen=True)
class Edit(Generic[Record]):
    """A record after an update, and the names of the fields that really changed."""

    record: Counted[Record]
    changed: list[str]


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
        self,
        session: Session,
        *,
        now: datetime,
        pagination: Pagination,
        sort: list[SortKey],
        live_only: bool = False,
    ) -> tuple[list[Counted[Record]], int]:
        """A page of records in the requested order, and how many there are in all.

        `live_only` (readers): only records on at least one live post, so a tag or byline
        that exists only on drafts does not give them away.
        """
        counts = self.post_counts(now)
        post_count = func.coalesce(counts.c.post_count, 0)
        ident = self.id
        order = [self._order(key, post_count) for key in sort]
        query = select(self.model, post_count).join(
            counts, counts.c.record_id == ident, isouter=not live_only
        )
        rows = session.execute(
            query.order_by(*order, ident).offset(pagination.offset).limit(pagination.limit)
        ).all()
        if live_only:
            total = session.execute(select(func.count()).select_from(counts)).scalar_one()
        else:
            total = session.execute(select(func.count()).select_from(self.model)).scalar_one()
        return [Counted(record, count) for record, count in rows], total

    def get_by_slug(
        self, session: Session, *, slug: str, now: datetime, live_only: bool = False
    ) -> Counted[Record]:
        """The record with this slug (with `live_only`, only if on a live post), or NotFound."""
        record = session.execute(select(self.model).where(self.slug == slug)).scalar_one_or_none()
        counts = self.post_counts(now, only=select(self.id).where(self.slug == slug))
        count = session.execute(select(counts.c.post_count)).scalar() or 0
        if record is None or (live_only and count == 0):
            raise NotFound(f"No {self.noun} with slug {slug!r}")
        return Counted(record, count)

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

    # The editors' side (Admin API): the same records, by id, with writes.

    def get_by_id(self, session: Session, *, record_id: int, now: datetime) -> Counted[Record]:
        """The record with this id and its count of live posts, or NotFound."""
        record = session.get(self.model, record_id)
        if record is None:
            raise NotFound(f"No {self.noun} with id {record_id}")
        counts = self.post_counts(now, only=[record_id])
        count = session.execute(select(counts.c.post_count)).scalar()
        return Counted(record, count or 0)

    def claim_slug(self, session: Session, *, wanted: str, record_id: int | None = None) -> str:
        """`wanted` made into a slug that no other record has; Unprocessable or Conflict if not."""
        slug = slugify_text(wanted)
        if not slug:
            raise Unprocessable(
                f"No slug can be made from {wanted!r}: it has no letters or digits", field="slug"
            )
        holder = session.execute(select(self.id).where(self.slug == slug)).scalar()
        if holder is not None and holder != record_id:
            raise Conflict(f"The slug {slug!r} is taken by another {self.noun}", field="slug")
        return slug

    def create(
        self, session: Session, *, fields: dict[str, Any], slug: str | None, now: datetime
    ) -> Record:
        """A new record; its slug is `slug`, else made from its name, and must be free."""
        record = self.model(
            **fields,
            slug=self.claim_slug(session, wanted=fields["name"] if slug is None else slug),
            created_at=now,
            updated_at=now,
        )
        session.add(record)
        session.flush()
        return record

    def update(
        self, session: Session, *, record_id: int, changes: dict[str, Any], now: datetime
    ) -> Edit[Record]:
        """Apply `changes`; `updated_at` moves only when a value really changed."""
        counted = self.get_by_id(session, record_id=record_id, now=now)
        record = counted.item
        if "slug" in changes:
            slug = self.claim_slug(session, wanted=changes["slug"], record_id=record_id)
            changes = {**changes, "slug": slug}
        changed = [name for name, value in changes.items() if getattr(record, name) != value]
        for name in changed:
            setattr(record, name, changes[name])
        if changed:
            setattr(record, "updated_at", now)  # noqa: B010 (Record is any of the tables)
            session.add(record)
            session.flush()
        return Edit(counted, changed)

    def delete(self, session: Session, *, record_id: int, unlink: bool) -> Record:
        """Remove the record. With `unlink` it leaves its posts too; without, a record still on
        any post (draft or trashed included) is a Conflict and nothing changes."""
        record = session.get(self.model, record_id)
        if record is None:
            raise NotFound(f"No {self.noun} with id {record_id}")
        link_table = self.link_record_id.class_
        linked = session.execute(
            select(func.count()).select_from(link_table).where(self.link_record_id == record_id)
        ).scalar_one()
        if linked and not unlink:
            raise Conflict(
                f"This {self.noun} is still on {linked} post(s), drafts and trash included: "
                f"remove the {self.noun} from them first",
                extra={"linked_posts": linked},
            )
        session.execute(delete(link_table).where(self.link_record_id == record_id))
        session.delete(record)
        session.flush()
        return record

    def _order(self, key: SortKey, post_count: ColumnElement[Any]) -> ColumnElement[Any]:
        column = post_count if key.field == "post_count" else getattr(self.model, key.field)
        return column.desc() if key.descending else column.asc()
