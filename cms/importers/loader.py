"""Writes what an export holds (cms.importers.items) through the domains' services, so an
imported post is saved as an editor's would be: sanitised, rendered, counted, audited.

Every row made remembers where it came from (ImportSource): the same import run again
finds its rows and updates them instead of adding copies, leaves alone a post edited in
cms since (unless told to overwrite), and picks up where an interrupted run stopped, since
each batch of posts is committed on its own. A dry run writes the same way and rolls it
all back, so its summary is the real one's."""

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from cms.authors import service as authors_service
from cms.authors.schemas import AuthorCreate
from cms.comments import service as comments_service
from cms.comments.models import Comment, CommentStatus
from cms.importers.items import (
    ImportedAuthor,
    ImportedComment,
    ImportedPost,
    ImportedTag,
    Item,
    Skipped,
)
from cms.importers.models import ImportSource
from cms.importers.summary import Summary, reason_of
from cms.posts import addresses
from cms.posts import service as posts_service
from cms.posts.models import SEO_FIELDS, Post
from cms.posts.schemas import PostCreate, PostUpdate
from cms.problems import DomainError, NotFound, Unprocessable
from cms.slugs import slugify_text
from cms.tags import service as tags_service
from cms.tags.schemas import TagCreate
from cms.webhooks import outbox

_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
BATCH = 100  # posts a transaction: an interrupted import loses at most this many


class Loader:
    """One run of an import from `source` (the export's site) into `session`."""

    def __init__(
        self,
        session: Session,
        *,
        source: str,
        now: datetime,
        overwrite: bool = False,
        dry_run: bool = False,
        batch: int = BATCH,
        on_post: Callable[[], None] = lambda: None,
    ) -> None:
        self.session, self.source, self.now = session, source, now
        self.overwrite, self.dry_run, self.batch, self.on_post = overwrite, dry_run, batch, on_post
        self.summary = Summary()
        self._local: dict[tuple[str, str], int] = {}  # authors' and tags' rows, by source id
        self._pending = 0  # posts since the last commit
        outbox.quiet(session)  # old posts are no news (a scheduled one still is, at its time)

    def run(self, items: Iterable[Item]) -> Summary:
        """Import every item; a dry run then rolls it all back."""
        try:
            for item in items:
                self._one(item)
            self._end_batch()
        finally:
            if self.dry_run:
                self.session.rollback()
        return self.summary

    def _one(self, item: Item) -> None:
        if isinstance(item, Skipped):
            self.summary.skip(item)
        elif isinstance(item, ImportedAuthor):
            self._guarded("author", item.source_id, lambda: self._author(item))
        elif isinstance(item, ImportedTag):
            self._guarded("tag", item.source_id, lambda: self._tag(item))
        else:
            self._guarded("post", item.source_id, lambda: self._post(item))
            self.on_post()
            self._pending += 1
            if self._pending >= self.batch:
                self._end_batch()

    def _guarded(self, kind: str, source_id: str, work: Callable[[], None]) -> None:
        """`work` in a savepoint: an item the services refuse is skipped with their reason,
        and the rest of its batch is kept."""
        try:
            with self.session.begin_nested():
                work()
        except (ValidationError, DomainError) as error:
            self.summary.skip(Skipped(kind, source_id, reason_of(error)))

    def _end_batch(self) -> None:
        if self.dry_run:
            self.session.flush()
        else:
            self.session.commit()
        self.session.expunge_all()  # memory stays flat however long the export
        self._pending = 0

    # Authors and tags: made once, or found by their slug; a later run leaves them be.

    def _author(self, item: ImportedAuthor) -> None:
        def make() -> int:
            data = _valid(
                AuthorCreate,
                name=item.name,
                slug=item.slug,
                bio=item.bio,
                website=item.website,
                profile_image=item.profile_image,
            )
            return (
                authors_service.create_author(self.session, data=data, actor=None, now=self.now).id
                or 0
            )

        self._record(
            "author",
            item.source_id,
            item.slug or item.name,
            make,
            lambda slug: authors_service.get_author(self.session, slug=slug, now=self.now),
        )

    def _tag(self, item: ImportedTag) -> None:
        def make() -> int:
            data = _valid(TagCreate, name=item.name, slug=item.slug, description=item.description)
            return (
                tags_service.create_tag(self.session, data=data, actor=None, now=self.now).id or 0
            )

        self._record(
            "tag",
            item.source_id,
            item.slug or item.name,
            make,
            lambda slug: tags_service.get_tag(self.session, slug=slug, now=self.now),
        )

    def _record(
        self,
        kind: str,
        source_id: str,
        wanted: str,
        make: Callable[[], int],
        by_slug: Callable[[str], object],
    ) -> None:
        mapped = self._mapped(kind, source_id)
        if mapped is not None:
            self._local[(kind, source_id)] = mapped.local_id
            self.summary.unchanged[kind] += 1
            return
        try:  # one of the same slug here already: the same person or subject
            local_id = int(by_slug(slugify_text(wanted)).item.id)  # type: ignore[attr-defined]
            self.summary.note(f"{kind} {source_id}: linked to the existing {kind} {wanted!r}")
            self.summary.unchanged[kind] += 1
        except NotFound:
            local_id = make()
            self.summary.created[kind] += 1
        self._remember(kind, source_id, local_id)
        self._local[(kind, source_id)] = local_id

    # Posts.

    def _post(self, item: ImportedPost) -> None:
        author_ids = [self._author_id(source_id, item) for source_id in item.author_ids]
        if not author_ids:
            raise Unprocessable("no author")
        tag_ids = [self._local[("tag", t)] for t in item.tag_ids if ("tag", t) in self._local]
        mapped = self._mapped("post", item.source_id)
        post = self.session.get(Post, mapped.local_id) if mapped else None
        if mapped is not None and post is not None:
            if post.version != mapped.version and not self.overwrite:
                reason = "edited in cms since it was imported (--overwrite replaces it)"
                self.summary.skip(Skipped("post", item.source_id, reason))
                return
            self._update(post, item, author_ids, tag_ids)
        else:
            post = self._create(item, author_ids, tag_ids)
            if mapped is not None:  # imported before, then deleted for good here
                self.session.delete(mapped)
                self.session.flush()
            self._remember("post", item.source_id, post.id or 0)
        self._status(post, item)
        self._dates(post, item)
        self._comments(post, item.comments)
        self._mapped("post", item.source_id).version = post.version  # type: ignore[union-attr]

    def _create(self, item: ImportedPost, author_ids: list[int], tag_ids: list[int]) -> Post:
        wanted = slugify_text(unquote(item.slug or "")) or None
        slug = addresses.first_free_slug(self.session, wanted) if wanted else None
        if slug and slug != wanted:
            self.summary.note(f"post {item.source_id}: the slug {wanted!r} was taken: now {slug!r}")
        data = _valid(
            PostCreate,
            slug=slug,
            published_at=item.published_at,
            **self._fields(item, author_ids, tag_ids),
        )
        post = posts_service.create_post(self.session, data=data, actor=None, now=self.now)
        self.summary.created["post"] += 1
        return post

    def _update(
        self, post: Post, item: ImportedPost, author_ids: list[int], tag_ids: list[int]
    ) -> None:
        data = _valid(PostUpdate, **self._fields(item, author_ids, tag_ids))
        version = post.version
        posts_service.update_post(self.session, post=post, data=data, actor=None, now=self.now)
        changed = post.version != version
        (self.summary.updated if changed else self.summary.unchanged)["post"] += 1

    def _fields(
        self, item: ImportedPost, author_ids: list[int], tag_ids: list[int]
    ) -> dict[str, object]:
        """What a post is written with, from the export, as the Admin API takes it."""
        seo = {name: self._optional(item, name, value) for name, value in item.seo.items()
               if name in SEO_FIELDS}  # fmt: skip
        image = self._optional(item, "feature_image", item.feature_image)
        return {
            "title": item.title,
            "html": item.html,
            "excerpt": item.excerpt,
            "featured": item.featured,
            "feature_image": image,
            # An image's texts go with it: without it, they describe nothing.
            "feature_image_alt": item.feature_image_alt if image else None,
            "feature_image_caption": item.feature_image_caption if image else None,
            "author_ids": author_ids,
            "tag_ids": tag_ids,
            **seo,
        }

    def _status(self, post: Post, item: ImportedPost) -> None:
        if item.status == "draft":
            posts_service.unpublish_post(self.session, post=post, actor=None, now=self.now)
        else:
            at = item.published_at or self.now
            posts_service.publish_post(self.session, post=post, at=at, actor=None, now=self.now)

    def _dates(self, post: Post, item: ImportedPost) -> None:
        """The post's own dates from the export, not the import's: readers sort by them."""
        created = item.created_at or item.published_at
        if created is not None:
            post.created_at = created
        post.updated_at = item.updated_at or item.published_at or post.created_at
        self.session.flush()

    def _optional(self, item: ImportedPost, name: str, value: str | None) -> str | None:
        """`value` for the post's field `name`, if cms takes it; else none, and a note: a
        feature image or a meta title cms cannot take is no reason to leave the post out."""
        if value is None:
            return None
        try:
            _valid(PostUpdate, **{name: value})
        except ValidationError as error:
            self.summary.note(f"post {item.source_id}: {reason_of(error)}: left out")
            return None
        return value

    def _author_id(self, source_id: str, item: ImportedPost) -> int:
        """The author's row; one referenced but never defined is made from its id (a WordPress
        login is a name of sorts), and said so."""
        found = self._local.get(("author", source_id))
        if found is not None:
            return found
        self.summary.note(
            f"post {item.source_id}: author {source_id!r} is referenced but "
            "never defined in the file: made a guest author for it"
        )
        # A WordPress login is a name of sorts; a Ghost id (24 hex digits) is none.
        name = "Unknown author" if _OBJECT_ID.fullmatch(source_id) else source_id[:191]
        self._author(ImportedAuthor(source_id=source_id, name=name or "Unknown author"))
        return self._local[("author", source_id)]

    # Comments: made once; a later run adds only the new ones (moderation here stands).

    def _comments(self, post: Post, comments: list[ImportedComment]) -> None:
        made: dict[str, Comment] = {}
        for comment in _parents_first(comments):
            mapped = self._mapped("comment", comment.source_id)
            if mapped is not None:
                found = self.session.get(Comment, mapped.local_id)
                if found is not None:
                    made[comment.source_id] = found
                    self.summary.unchanged["comment"] += 1
                    continue
            made[comment.source_id] = self._comment(post, comment, made)
        comments_service.recount(self.session, post_id=post.id or 0)

    def _comment(self, post: Post, comment: ImportedComment, made: dict[str, Comment]) -> Comment:
        parent = made.get(comment.parent_source_id or "")
        if comment.parent_source_id and parent is None:
            self.summary.note(
                f"comment {comment.source_id}: its parent {comment.parent_source_id} "
                "is not in the file: imported as a comment on the post"
            )
        row = comments_service.import_comment(
            self.session,
            post_id=post.id or 0,
            parent=parent,
            name=comment.author_name or "Anonymous",
            email=comment.author_email,
            body=comment.body,
            status=CommentStatus(comment.status),
            created_at=comment.created_at,
        )
        self._remember("comment", comment.source_id, row.id or 0)
        self.summary.created["comment"] += 1
        return row

    # Where rows came from.

    def _mapped(self, kind: str, source_id: str) -> ImportSource | None:
        return self.session.execute(
            select(ImportSource).where(
                col(ImportSource.source) == self.source,
                col(ImportSource.kind) == kind,
                col(ImportSource.source_id) == source_id,
            )
        ).scalar_one_or_none()

    def _remember(self, kind: str, source_id: str, local_id: int) -> None:
        self.session.add(
            ImportSource(
                source=self.source,
                kind=kind,
                source_id=source_id,
                local_id=local_id,
                imported_at=self.now,
            )
        )
        self.session.flush()


def _valid(model: type, **fields: object) -> Any:
    """`model` of the fields given (None: not sent), validated as the Admin API would."""
    return model(**{name: value for name, value in fields.items() if value is not None})


def _parents_first(comments: list[ImportedComment]) -> list[ImportedComment]:
    """The comments with each parent before its replies (exports mostly list them so, but
    not always); a reply whose parent is not among them keeps its place."""
    ids = {comment.source_id for comment in comments}
    placed: set[str] = set()
    ordered: list[ImportedComment] = []
    waiting = list(comments)
    while waiting:
        ready = [
            c
            for c in waiting
            if not c.parent_source_id
            or c.parent_source_id in placed
            or c.parent_source_id not in ids
        ]
        if not ready:  # a loop of parents: the rest as they come
            ready = waiting
        ordered += ready
        placed |= {c.source_id for c in ready}
        waiting = [c for c in waiting if c.source_id not in placed]
    return ordered
