"""Tags: as readers see them, each with the number of live posts that carry it, and as editors
manage them."""

from sqlmodel import Session, col, select

from cms.posts.associations import SORTABLE, Association, Counted
from cms.posts.models import PostTag
from cms.problems import Unprocessable
from cms.slugs import slugify_text
from cms.tags.models import Tag

TAGS = Association(
    model=Tag,
    noun="tag",
    id=col(Tag.id),
    slug=col(Tag.slug),
    link_post_id=col(PostTag.post_id),
    link_record_id=col(PostTag.tag_id),
    link_position=col(PostTag.position),
    published_posts=col(Tag.published_posts),
)

list_tags = TAGS.list_page
get_tag = TAGS.get_by_slug
tags_of_posts = TAGS.of_posts

__all__ = ["SORTABLE", "TAGS", "Counted", "get_tag", "list_tags", "tags_of_posts"]


def tags_by_name(session: Session, *, names: list[str]) -> list[Tag]:
    """The tags with these names, in the order given; new names become new tags."""
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


def set_tag_description(session: Session, *, tag: Tag, description: str | None) -> None:
    tag.description = description
    session.add(tag)
    session.flush()
