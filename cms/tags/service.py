"""Tags: as readers see them, each with the number of live posts that carry it, and as editors
manage them. Every editor's write is audited here, whoever calls."""

from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from cms.linked.models import PostTag
from cms.linked.records import SORTING, Counted, Edit, LinkedRecords
from cms.paging import Pagination, SortKey
from cms.problems import Unprocessable
from cms.slugs import slugify_text
from cms.tags.models import Tag
from cms.tags.schemas import TagCreate, TagUpdate
from cms.users.models import User

TAGS = LinkedRecords(
    model=Tag,
    noun="tag",
    id=col(Tag.id),
    slug=col(Tag.slug),
    link_post_id=col(PostTag.post_id),
    link_record_id=col(PostTag.tag_id),
    link_position=col(PostTag.position),
    published_posts=col(Tag.published_posts),
)

__all__ = ["SORTING", "TAGS", "Counted"]


def list_tags(
    session: Session,
    *,
    now: datetime,
    pagination: Pagination,
    sort: list[SortKey],
    live_only: bool = False,
    where: ColumnElement[bool] | None = None,
) -> tuple[list[Counted[Tag]], int]:
    """A page of tags in `sort` order, and how many there are; with `live_only` (readers),
    only tags on a live post; `where`, a condition on the tags (a Ghost filter)."""
    return TAGS.list_page(
        session, now=now, pagination=pagination, sort=sort, live_only=live_only, where=where
    )


def get_tag(session: Session, *, slug: str, now: datetime, live_only: bool = False) -> Counted[Tag]:
    """The tag with this slug (with `live_only`, only if on a live post), or NotFound."""
    return TAGS.get_by_slug(session, slug=slug, now=now, live_only=live_only)


def get_tag_by_id(session: Session, *, tag_id: int, now: datetime) -> Counted[Tag]:
    """The tag with this id, whatever is published, or NotFound."""
    return TAGS.get_by_id(session, record_id=tag_id, now=now)


def tags_of_posts(
    session: Session, *, post_ids: list[int], now: datetime
) -> dict[int, list[Counted[Tag]]]:
    """Each post's tags in their order, in one query."""
    return TAGS.of_posts(session, post_ids=post_ids, now=now)


def create_tag(session: Session, *, data: TagCreate, actor: User | None, now: datetime) -> Tag:
    """A new tag; the slug comes from the name unless given, and must be free."""
    fields = data.model_dump(exclude={"slug"})
    return TAGS.create(session, fields=fields, slug=data.slug, actor=actor, now=now)


def update_tag(
    session: Session, *, tag_id: int, data: TagUpdate, actor: User | None, now: datetime
) -> Edit[Tag]:
    """Change the fields sent; a new slug must be free."""
    changes = data.model_dump(exclude_unset=True)
    return TAGS.update(session, record_id=tag_id, changes=changes, actor=actor, now=now)


def delete_tag(session: Session, *, tag_id: int, actor: User | None, now: datetime) -> None:
    """Remove a tag; the posts that carried it stay, without it."""
    TAGS.delete(session, record_id=tag_id, unlink=True, actor=actor, now=now)


def tags_by_name(session: Session, *, names: list[str]) -> list[Tag]:
    """The tags with these names, in the order given; new names become new tags (part of the
    post's write that names them, audited with it)."""
    wanted: dict[str, str] = {}
    for name in names:
        slug = slugify_text(name)
        if not slug:
            raise Unprocessable(f"A tag cannot be made from {name!r}", field="tags")
        wanted.setdefault(slug, name.strip())
    found = {
        tag.slug: tag for tag in session.exec(select(Tag).where(col(Tag.slug).in_(list(wanted))))
    }
    for slug, name in wanted.items():
        if slug not in found:
            found[slug] = Tag(slug=slug, name=name)
            session.add(found[slug])
    session.flush()
    return [found[slug] for slug in wanted]


def find_tag_by_slug(session: Session, *, slug: str) -> Tag | None:
    return session.exec(select(Tag).where(col(Tag.slug) == slug)).first()
