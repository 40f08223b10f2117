"""Authors and tags alike: records linked to posts in order, each with its count of live posts.

The two domains differ only in their table and link table, so the queries (and the audit
of editors' writes) live here once, and `authors.service` / `tags.service` bind them to
their own tables. Neither domain knows posts; this module is where they meet.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, String, Subquery, bindparam, delete, func, select
from sqlmodel import Session, SQLModel, col

from cms.audit import service as audit
from cms.cache import keys
from cms.paging import Pagination, Sorting, SortKey
from cms.posts.models import Post
from cms.posts.visibility import NOW, Moment, is_scheduled
from cms.problems import Conflict, NotFound, Unprocessable
from cms.slugs import slugify_text
from cms.users.models import User

Record = TypeVar("Record", bound=SQLModel)

SORTING = Sorting(
    frozenset({"id", "slug", "name", "post_count", "created_at", "updated_at"}), default="name"
)

Item = TypeVar("Item")


@dataclass(frozen=True)
class Counted(Generic[Item]):
    """A record (a model, or a row read like one) and its number of live posts."""

    item: Item
    post_count: int


@dataclass(frozen=True)
class Edit(Generic[Record]):
    """A record after an update, and the names of the fields that really changed."""

    record: Counted[Record]
    changed: list[str]


# A post's authors and tags show neither their own times nor the stored count.
_NOT_EMBEDDED = frozenset({"created_at", "updated_at", "published_posts"})


@dataclass(frozen=True)
class LinkedRecords(Generic[Record]):
    """A record table (authors, tags) and the ordered link table joining it to posts."""

    model: type[Record]
    noun: str
    id: Any  # the record's columns, e.g. Author.id, Author.slug
    slug: Any
    link_post_id: Any  # the link table's columns, e.g. PostAuthor.post_id
    link_record_id: Any
    link_position: Any
    published_posts: Any  # the record's stored count (see live_counts)

    # Statements built once (see cms.posts.queries), by what varies in their shape.
    _built: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def live_counts(self, now: Moment) -> tuple[Subquery, ColumnElement[int]]:
        """Readers' `post_count`: the stored count of published posts (migration 0009)
        less the record's scheduled posts still to come, which are few and found by the
        posts' index. (the subquery to outer-join on `record_id`, the count)"""
        key = self.link_record_id
        # Driven from the scheduled posts (IN, not a join): a join lets SQLite's planner walk
        # every link instead, 300 ms at 100,000 posts.
        scheduled = (
            select(key.label("record_id"), func.count().label("scheduled"))
            .where(self.link_post_id.in_(select(col(Post.id)).where(is_scheduled(now))))
            .group_by(key)
            .subquery()
        )
        count = self.published_posts - func.coalesce(scheduled.c.scheduled, 0)
        return scheduled, count

    def _statement(self, shape: Any, build: Callable[[], Any]) -> Any:
        if shape not in self._built:
            self._built[shape] = build()
        return self._built[shape]

    def _counted_rows(
        self, *extra: Any, shown_only: bool = False
    ) -> tuple[Select[Any], ColumnElement[int]]:
        """The records (as rows, read like the model) with their post_count, at NOW; with
        `shown_only`, only what a post's embedded author or tag shows."""
        scheduled, post_count = self.live_counts(NOW)
        columns = [
            column
            for column in self.model.__table__.c  # type: ignore[attr-defined]
            if not (shown_only and column.name in _NOT_EMBEDDED)
        ]
        statement = (
            select(*extra, *columns, post_count.label("post_count"))
            .select_from(self.model)
            .outerjoin(scheduled, scheduled.c.record_id == self.id)
        )
        return statement, post_count

    def list_page(
        self,
        session: Session,
        *,
        now: datetime,
        pagination: Pagination,
        sort: list[SortKey],
        live_only: bool = False,
        where: ColumnElement[bool] | None = None,
    ) -> tuple[list[Counted[Any]], int]:
        """A page of records in the requested order, and how many there are in all.

        `live_only` (readers): only records on at least one live post, so a tag or byline
        that exists only on drafts does not give them away. `where`: a condition of the
        caller's on the records (a Ghost filter), its values bound.
        """

        def build() -> tuple[Select[Any], Select[Any]]:
            rows, post_count = self._counted_rows()
            conditions = [post_count > 0] if live_only else []
            conditions += [where] if where is not None else []
            order = [self._order(key, post_count) for key in sort]
            page = rows.where(*conditions).order_by(*order, self.id)
            total = select(func.count()).select_from(rows.where(*conditions).subquery())
            return page.offset(bindparam("offset")).limit(bindparam("limit")), total

        shape = ("page", tuple(sort), live_only)
        # A condition of the caller's varies with each request: built for it alone.
        page, total = build() if where is not None else self._statement(shape, build)
        params = {"now": now, "offset": pagination.offset, "limit": pagination.limit}
        reader = session.connection()
        found = [Counted(row, row.post_count) for row in reader.execute(page, params)]
        return found, int(reader.execute(total, params).scalar_one())

    def get_by_slug(
        self, session: Session, *, slug: str, now: datetime, live_only: bool = False
    ) -> Counted[Any]:
        """The record with this slug (with `live_only`, only if on a live post), or NotFound."""

        def build() -> Select[Any]:
            return self._counted_rows()[0].where(self.slug == bindparam("slug", type_=String()))

        statement = self._statement("by slug", build)
        row = session.connection().execute(statement, {"slug": slug, "now": now}).first()
        if row is None or (live_only and row.post_count == 0):
            raise NotFound(f"No {self.noun} with slug {slug!r}")
        return Counted(row, row.post_count)

    def of_posts(
        self, session: Session, *, post_ids: list[int], now: datetime
    ) -> dict[int, list[Counted[Any]]]:
        """Each post's records in their order, in one query for any number of posts."""
        if not post_ids:
            return {}

        def build() -> Select[Any]:
            post_id = self.link_post_id
            return (
                self._counted_rows(post_id.label("of_post"), shown_only=True)[0]
                .join(self.link_post_id.table, self.link_record_id == self.id)
                .where(post_id.in_(bindparam("post_ids", expanding=True)))
                .order_by(post_id, self.link_position)
            )

        statement = self._statement("of posts", build)
        rows = session.connection().execute(statement, {"post_ids": post_ids, "now": now}).all()
        result: dict[int, list[Counted[Any]]] = {}
        for row in rows:
            result.setdefault(row.of_post, []).append(Counted(row, row.post_count))
        return result

    def _one(self, session: Session, where: Any, *, now: datetime) -> Counted[Record] | None:
        scheduled, post_count = self.live_counts(now)
        row = session.execute(
            select(self.model, post_count)
            .outerjoin(scheduled, scheduled.c.record_id == self.id)
            .where(where)
        ).first()
        return None if row is None else Counted(row[0], row[1])

    # The editors' side (Admin API): the same records, by id, with writes.

    def get_by_id(self, session: Session, *, record_id: int, now: datetime) -> Counted[Record]:
        """The record with this id and its count of live posts, or NotFound."""
        found = self._one(session, self.id == record_id, now=now)
        if found is None:
            raise NotFound(f"No {self.noun} with id {record_id}")
        return found

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
        self,
        session: Session,
        *,
        fields: dict[str, Any],
        slug: str | None,
        actor: User | None,
        now: datetime,
    ) -> Record:
        """A new record, audited; its slug is `slug`, else made from its name, and must be free."""
        record = self.model(
            **fields,
            slug=self.claim_slug(session, wanted=fields["name"] if slug is None else slug),
            created_at=now,
            updated_at=now,
        )
        session.add(record)
        session.flush()
        self._audit(session, actor, "create", record, now)
        return record

    def update(
        self,
        session: Session,
        *,
        record_id: int,
        changes: dict[str, Any],
        actor: User | None,
        now: datetime,
    ) -> Edit[Record]:
        """Apply `changes`; `updated_at` moves, and the change is audited, only when a value
        really changed."""
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
            self._audit(session, actor, "update", record, now, changed=changed)
        return Edit(counted, changed)

    def delete(
        self, session: Session, *, record_id: int, unlink: bool, actor: User | None, now: datetime
    ) -> Record:
        """Remove the record, audited. With `unlink` it leaves its posts too; without, a record
        still on any post (draft or trashed included) is a Conflict and nothing changes."""
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
        # The record's own key is on every answer that showed it linked; related posts,
        # ranked by shared tags, change with the links (cms.cache.purges).
        unlink_all = delete(link_table).where(self.link_record_id == record_id)
        session.execute(unlink_all.execution_options(cache_keys=(keys.POSTS,) if linked else ()))
        self._audit(session, actor, "delete", record, now)
        session.delete(record)
        session.flush()
        return record

    def _audit(
        self,
        session: Session,
        actor: User | None,
        verb: str,
        record: Any,
        now: datetime,
        changed: list[str] | None = None,
    ) -> None:
        summary = f"{record.name}: {', '.join(changed)}" if changed else record.name
        audit.record(
            session,
            actor=actor,
            action=f"{self.noun}.{verb}",
            subject_id=record.id,
            summary=summary,
            now=now,
        )

    def _order(self, key: SortKey, post_count: ColumnElement[Any]) -> ColumnElement[Any]:
        column = post_count if key.field == "post_count" else getattr(self.model, key.field)
        return column.desc() if key.descending else column.asc()
