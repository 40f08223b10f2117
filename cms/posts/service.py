"""Editors' rules for posts: write, edit, publish or schedule, unpublish, trash and restore.
(Readers' queries are in reading.py.)

Every change that readers could notice bumps the post's `version` (the admin ETag)
and its `updated_at`, and is audited here, whoever calls (API, CLI, demo, importers);
counting views or comments touches neither.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from cms.audit import service as audit
from cms.authors.models import Author
from cms.linked.models import PostAuthor, PostTag
from cms.media.details import details_json, library_hash, library_image
from cms.media.markup import measure_images
from cms.paging import Pagination, Sorting, SortKey, order_by
from cms.posts import addresses, reading, revisions
from cms.posts.models import SEO_FIELDS, BodyFormat, Post, PostStatus
from cms.posts.permissions import sees_every_post
from cms.posts.rendering import render
from cms.posts.schemas import PostCreate, PostUpdate, PostWrite
from cms.posts.search import full_text
from cms.posts.visibility import has_status, status_of
from cms.previews.service import end_previews
from cms.problems import NotFound, PreconditionFailed, Unprocessable
from cms.tags import service as tags_service
from cms.tags.models import Tag
from cms.users import service as users_service
from cms.users.models import User
from cms.webhooks import outbox

_SOURCE_FIELDS = {"title", "body", "html", "excerpt"}
# Editors' lists: the latest edited first unless `sort` says otherwise.
SORTING = Sorting(reading.SORT_FIELDS, default="-updated_at")


@dataclass
class AdminPage:
    posts: list[Post]
    total: int
    bundle: reading.PostBundle
    users: dict[int, User] = field(default_factory=dict)


def create_post(session: Session, *, data: PostCreate, actor: User | None, now: datetime) -> Post:
    """A new draft: slug made unique, body rendered, authors and tags linked in order."""
    body, body_format = _source(data, None)
    # Without author_ids the writer is the author: their own byline, made on first use.
    author_ids = data.author_ids or (
        [users_service.ensure_byline(session, user=actor, now=now)] if actor else []
    )
    if not author_ids:
        raise Unprocessable("A post needs at least one author", field="author_ids")
    post = Post(
        slug=addresses.free_slug(session, data.slug, data.title),
        title=data.title.strip(),
        body=body,
        body_format=body_format,
        custom_excerpt=data.excerpt,
        featured=data.featured,
        comments_enabled=data.comments_enabled,
        status=PostStatus.DRAFT,
        published_at=data.published_at,
        created_at=now,
        updated_at=now,
        created_by_id=actor.id if actor else None,
        updated_by_id=actor.id if actor else None,
    )
    _apply_seo(post, data, SEO_FIELDS)
    _render_into(session, post)
    _describe_picture(session, post, data, before=None)
    session.add(post)
    session.flush()
    _link_authors(session, post, author_ids)
    _link_tags(session, post, data.tag_ids, data.tags)
    revisions.keep(session, post=post, actor=actor, now=now)
    _audit(session, actor, "post.create", post, now)
    return post


def update_post(
    session: Session, *, post: Post, data: PostUpdate, actor: User | None, now: datetime
) -> Post:
    """Apply the fields sent; a no-op update changes nothing, not even updated_at."""
    before = outbox.state(post, now)
    if _update(session, post, data, actor, now):
        _audit(session, actor, "post.update", post, now, ", ".join(sorted(data.model_fields_set)))
        outbox.post_changed(session, post=post, before=before, now=now)
    return post


def _update(
    session: Session, post: Post, data: PostUpdate, actor: User | None, now: datetime
) -> bool:
    """Whether anything changed."""
    sent = data.model_fields_set
    for name in ("title", "featured", "comments_enabled", "author_ids"):
        if name in sent and getattr(data, name) is None:
            raise Unprocessable(f"{name} cannot be null", field=name)
    changed = False
    if sent & _SOURCE_FIELDS:
        changed |= _update_source(session, post, data)
    if "slug" in sent and data.slug is not None:
        changed |= addresses.change_slug(session, post, data.slug, now)
    if "published_at" in sent and data.published_at is None and post.status == PostStatus.PUBLISHED:
        raise Unprocessable(
            "A published or scheduled post needs published_at: unpublish it instead",
            field="published_at",
        )
    picture = [getattr(post, name) for name in _PICTURE_FIELDS]
    for name in ("featured", "comments_enabled", "published_at"):
        if name in sent and getattr(data, name) != getattr(post, name):
            setattr(post, name, getattr(data, name))
            changed = True
    changed |= _apply_seo(post, data, sent.intersection(SEO_FIELDS))
    _describe_picture(session, post, data, before=post.feature_image)
    changed |= picture != [getattr(post, name) for name in _PICTURE_FIELDS]
    if data.author_ids is not None:
        changed |= _relink(
            session, post, PostAuthor, lambda: _link_authors(session, post, data.author_ids or [])
        )
    if data.tag_ids is not None or data.tags is not None:
        changed |= _relink(
            session,
            post,
            PostTag,
            lambda: _link_tags(session, post, data.tag_ids or [], data.tags or []),
        )
    if changed:
        # Any save measures library images the body shows: posts saved before they were
        # measured get their attributes then (idempotent: an img keeps what it has).
        post.html = measure_images(session, post.html)
        _touch(session, post, actor, now)
        if sent & _SOURCE_FIELDS:
            revisions.keep(session, post=post, actor=actor, now=now)
    return changed


def publish_post(
    session: Session, *, post: Post, at: datetime | None, actor: User | None, now: datetime
) -> Post:
    """Publish now, or at `at` (or the post's own future date): then it is scheduled."""
    when = at or (post.published_at if post.published_at and post.published_at > now else now)
    if post.status != PostStatus.PUBLISHED or post.published_at != when:
        before = outbox.state(post, now)
        post.status = PostStatus.PUBLISHED
        post.published_at = when
        _touch(session, post, actor, now)
        _audit(session, actor, "post.schedule" if when > now else "post.publish", post, now)
        outbox.post_changed(session, post=post, before=before, now=now)
    return post


def unpublish_post(session: Session, *, post: Post, actor: User | None, now: datetime) -> Post:
    """Back to draft: readers no longer see it (a scheduled post is called off), and its
    preview links end with it."""
    if post.status != PostStatus.DRAFT:
        before = outbox.state(post, now)
        post.status = PostStatus.DRAFT
        end_previews(session, post_id=_id(post))
        _touch(session, post, actor, now)
        _audit(session, actor, "post.unpublish", post, now)
        outbox.post_changed(session, post=post, before=before, now=now)
    return post


def trash_post(session: Session, *, post: Post, actor: User | None, now: datetime) -> Post:
    """Move to the trash: hidden at once, restorable for the trash period; its preview
    links end (a restored post needs new ones)."""
    before = outbox.state(post, now)
    post.deleted_at = now
    end_previews(session, post_id=_id(post))
    _touch(session, post, actor, now)
    _audit(session, actor, "post.trash", post, now)
    outbox.post_changed(session, post=post, before=before, now=now)
    return post


def restore_post(
    session: Session, *, post_id: int, actor: User | None, now: datetime, trash_days: int
) -> Post:
    """Take a post back out of the trash, as it was."""
    purge_trash(session, now=now, trash_days=trash_days)
    post = session.get(Post, post_id)
    if post is None or post.deleted_at is None:
        raise NotFound(f"No post with id {post_id} in the trash")
    before = outbox.state(post, now)
    post.deleted_at = None
    _touch(session, post, actor, now)
    _audit(session, actor, "post.restore", post, now)
    outbox.post_changed(session, post=post, before=before, now=now)
    return post


def purge_trash(session: Session, *, now: datetime, trash_days: int) -> int:
    """Delete for good what has been in the trash longer than `trash_days`."""
    cutoff = now - timedelta(days=trash_days)
    result = session.execute(
        delete(Post)
        .where(col(Post.deleted_at).is_not(None), col(Post.deleted_at) < cutoff)
        .execution_options(cache_keys=())  # trashed: readers saw them go already
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def restore_revision(
    session: Session, *, post: Post, number: int, actor: User | None, now: datetime
) -> Post:
    """Bring back a saved version's title, body and excerpt, as a new revision."""
    revision = revisions.get(session, post=post, number=number)
    data = PostUpdate.model_validate(
        {
            "title": revision.title,
            revision.body_format
            if revision.body_format == BodyFormat.HTML
            else "body": revision.body,
            "excerpt": revision.custom_excerpt,
        }
    )
    before = outbox.state(post, now)
    if _update(session, post, data, actor, now):
        outbox.post_changed(session, post=post, before=before, now=now)
    _audit(session, actor, "post.restore_revision", post, now, f"revision {number}")
    return post


def get_post_by_id(session: Session, *, post_id: int) -> Post:
    """The post with this id, unless it is in the trash."""
    post = session.get(Post, post_id)
    if post is None or post.deleted_at is not None:
        raise NotFound(f"No post with id {post_id}")
    return post


def last_editor(session: Session, *, post: Post) -> User | None:
    """Who saved the post last (None for the command line, or a removed account)."""
    return session.get(User, post.updated_by_id) if post.updated_by_id else None


def is_own(session: Session, *, user: User, post: Post) -> bool:
    """Whether `user` started this post or is one of its authors."""
    if post.created_by_id == user.id:
        return True
    if user.author_id is None:
        return False
    return bool(
        session.execute(
            select(
                exists().where(
                    col(PostAuthor.post_id) == post.id, col(PostAuthor.author_id) == user.author_id
                )
            )
        ).scalar()
    )


def list_posts(
    session: Session,
    *,
    viewer: User,
    now: datetime,
    status: str | None,
    trashed: bool,
    q: str | None,
    pagination: Pagination,
    sort: list[SortKey],
) -> AdminPage:
    """A page of the posts `viewer` may see (their own only, below editor)."""
    where: list[Any] = [
        col(Post.deleted_at).is_not(None) if trashed else col(Post.deleted_at).is_(None),
    ]
    if status is not None:
        where.append(has_status(status, now))
    if not sees_every_post(viewer):
        where.append(_owned_by(viewer))
    search = full_text(session.get_bind().dialect.name, q)
    posts = list(
        session.execute(
            search.apply(select(Post).where(*where))
            .order_by(*order_by(Post, sort, nulls_last=True))
            .offset(pagination.offset)
            .limit(pagination.limit),
            search.params,
        ).scalars()
    )
    count = search.apply(select(func.count()).select_from(Post).where(*where))
    total = session.execute(count, search.params).scalar_one()
    return load_page(session, posts=posts, total=total, now=now)


def load_page(session: Session, *, posts: list[Post], total: int, now: datetime) -> AdminPage:
    """Posts with their authors, tags and the users who wrote them, in a fixed number of queries."""
    bundle = reading.PostBundle(posts=posts, total=total)
    reading.load_relations(
        session, bundle, now=now, fields=frozenset({"authors", "tags"}), related_limit=0
    )
    user_ids = {i for post in posts for i in (post.created_by_id, post.updated_by_id) if i}
    users = session.execute(select(User).where(col(User.id).in_(user_ids))).scalars()
    return AdminPage(posts=posts, total=total, bundle=bundle, users={u.id or 0: u for u in users})


def status_label(post: Post, now: datetime) -> str:
    return status_of(post, now)


def _owned_by(viewer: User) -> Any:
    mine = col(Post.created_by_id) == viewer.id
    if viewer.author_id is None:
        return mine
    byline = exists().where(
        col(PostAuthor.post_id) == Post.id, col(PostAuthor.author_id) == viewer.author_id
    )
    return or_(mine, byline)


def _source(data: PostWrite, current: Post | None) -> tuple[str, BodyFormat]:
    if data.body is not None and data.html is not None:
        raise Unprocessable("Send either body (Markdown) or html, not both", field="html")
    if data.html is not None:
        return data.html, BodyFormat.HTML
    if data.body is not None:
        return data.body, BodyFormat.MARKDOWN
    if current is not None:
        return current.body, BodyFormat(current.body_format)
    return "", BodyFormat.MARKDOWN


def _update_source(session: Session, post: Post, data: PostUpdate) -> bool:
    before = (post.title, post.body, post.body_format, post.custom_excerpt)
    post.body, post.body_format = _source(data, post)
    if data.title is not None:
        post.title = data.title.strip()
    if "excerpt" in data.model_fields_set:
        post.custom_excerpt = data.excerpt
    if before == (post.title, post.body, post.body_format, post.custom_excerpt):
        return False
    _render_into(session, post)
    return True


_PICTURE_FIELDS = ("feature_image", "feature_image_alt", "feature_image_caption")


def _describe_picture(
    session: Session, post: Post, data: PostCreate | PostUpdate, *, before: str | None
) -> None:
    """The feature image as sent, measured if it is the library's; a new image sent without
    its alt text or caption takes the library's own."""
    sent = data.model_fields_set
    if "feature_image" in sent:
        post.feature_image = data.feature_image
    # The same library image at a new address (a variant, the bucket, a CDN) is no new image.
    before_hash, after_hash = library_hash(before), library_hash(post.feature_image)
    same_picture = before_hash is not None and before_hash == after_hash
    new_image = post.feature_image != before and not same_picture
    media = None
    if post.feature_image != before or post.feature_image_details is None:  # or unmeasured
        media = library_image(session, post.feature_image)
        details = details_json(media, post.feature_image or "") if media else None
        post.feature_image_details = details
    for name, own in (("feature_image_alt", "alt"), ("feature_image_caption", "caption")):
        if name in sent:
            setattr(post, name, getattr(data, name))
        elif new_image:
            setattr(post, name, getattr(media, own) if media else None)


def _apply_seo(post: Post, data: PostWrite, names: Iterable[str]) -> bool:
    """Set the SEO fields `names` as sent ("" clears one, as null does); whether any changed."""
    changed = False
    for name in names:
        value = getattr(data, name) or None
        changed |= value != getattr(post, name)
        setattr(post, name, value)
    return changed


def _render_into(session: Session, post: Post) -> None:
    rendered = render(post.body, post.body_format, post.custom_excerpt)
    post.html = measure_images(session, rendered.html)
    post.plaintext = rendered.plaintext
    post.excerpt = rendered.excerpt
    post.reading_time = rendered.reading_time


def _touch(session: Session, post: Post, actor: User | None, now: datetime) -> None:
    post.updated_at = now
    post.updated_by_id = actor.id if actor else None
    session.add(post)
    session.flush()
    # Bump the version only if nobody else did since we read it: of two saves racing
    # past their If-Match checks, the second fails here and its transaction rolls back.
    bumped = session.execute(
        update(Post)
        .where(col(Post.id) == post.id, col(Post.version) == post.version)
        .values(version=col(Post.version) + 1)
        # The post's own flush just named what readers may see change (cms.cache.purges).
        .execution_options(synchronize_session=False, cache_keys=())
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise PreconditionFailed("Someone else saved this post at the same moment; fetch it again")
    set_committed_value(post, "version", post.version + 1)


def _relink(
    session: Session, post: Post, link: type[PostAuthor] | type[PostTag], link_again: Any
) -> bool:
    key = col(PostAuthor.author_id) if link is PostAuthor else col(PostTag.tag_id)
    order = col(PostAuthor.position) if link is PostAuthor else col(PostTag.position)
    post_id = col(PostAuthor.post_id) if link is PostAuthor else col(PostTag.post_id)
    before = list(session.execute(select(key).where(post_id == post.id).order_by(order)).scalars())
    # Named by the links added again, or by the post once it is touched (cms.cache.purges).
    session.execute(delete(link).where(post_id == post.id).execution_options(cache_keys=()))
    link_again()
    after = list(session.execute(select(key).where(post_id == post.id).order_by(order)).scalars())
    return before != after


def _link_authors(session: Session, post: Post, author_ids: list[int]) -> None:
    wanted = _existing_ids(session, col(Author.id), author_ids, field="author_ids")
    if not wanted:
        raise Unprocessable("A post needs at least one author", field="author_ids")
    for position, author_id in enumerate(wanted):
        session.add(PostAuthor(post_id=_id(post), author_id=author_id, position=position))
    session.flush()


def _link_tags(session: Session, post: Post, tag_ids: list[int], names: list[str]) -> None:
    wanted = _existing_ids(session, col(Tag.id), tag_ids, field="tag_ids")
    named = [_id(tag) for tag in tags_service.tags_by_name(session, names=names)]
    for position, tag_id in enumerate(dict.fromkeys([*wanted, *named])):
        session.add(PostTag(post_id=_id(post), tag_id=tag_id, position=position))
    session.flush()


def _existing_ids(session: Session, column: Any, ids: list[int], *, field: str) -> list[int]:
    """`ids` without repeats, in order; Unprocessable naming `field` if any does not exist."""
    unique = list(dict.fromkeys(ids))
    found = set(session.execute(select(column).where(column.in_(unique))).scalars())
    missing = [number for number in unique if number not in found]
    if missing:
        raise Unprocessable(f"Unknown id(s) in {field}: {missing}", field=field)
    return unique


def _id(record: Post | Tag) -> int:
    # Rows that have been flushed always have their id.
    assert record.id is not None
    return record.id


def _audit(
    session: Session, actor: User | None, action: str, post: Post, now: datetime, summary: str = ""
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_id=post.id,
        summary=summary or post.title,
        now=now,
    )


def find_post_by_slug(session: Session, *, slug: str) -> Post | None:
    return session.execute(select(Post).where(col(Post.slug) == slug)).scalar()
