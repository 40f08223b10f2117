"""Writes what an export holds (cms.importers.items) through the domains' services, so an
imported post is saved as an editor's would be: sanitised, rendered, counted, audited.

Every row made remembers where it came from (cms.importers.sources): the same import run
again finds its rows and updates them instead of adding copies, leaves alone a post edited
in cms since (unless told to overwrite), and picks up where an interrupted run stopped,
since each batch of posts is committed on its own. A dry run writes the same way and rolls
it all back, so its summary is the real one's."""

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import unquote

from pydantic import ValidationError
from sqlmodel import Session

from cms.authors import service as authors_service
from cms.authors.models import Author
from cms.authors.schemas import AuthorCreate
from cms.comments import service as comments_service
from cms.comments.models import Comment, CommentStatus
from cms.comments.schemas import MAX_BODY as MAX_COMMENT
from cms.importers.items import (
    ImportedAuthor,
    ImportedComment,
    ImportedPost,
    ImportedTag,
    Item,
    Skipped,
)
from cms.importers.sources import Sources
from cms.importers.summary import Summary, reason_of
from cms.importers.threads import parents_first
from cms.posts import addresses
from cms.posts import service as posts_service
from cms.posts.models import SEO_FIELDS, Post
from cms.posts.schemas import PostCreate, PostUpdate
from cms.problems import DomainError, NotFound, Unprocessable
from cms.slugs import numbered, slugify_text
from cms.tags import service as tags_service
from cms.tags.models import Tag
from cms.tags.schemas import TagCreate
from cms.webhooks import outbox

BATCH = 100  # posts a transaction: an interrupted import loses at most this many
NAME = 191  # the longest author or tag name
_GHOST_ID = re.compile(r"[0-9a-f]{24}")


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
        max_depth: int = 3,
        on_post: Callable[[], None] = lambda: None,
    ) -> None:
        self.session, self.now, self.overwrite, self.dry_run = session, now, overwrite, dry_run
        self.batch, self.max_depth, self.on_post = batch, max_depth, on_post
        self.sources = Sources(session, source=source, now=now)
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
            for login in item.author_ids:  # each in its own savepoint, before the post's
                if ("author", login) not in self._local:
                    self._guarded("author", login, partial(self._undefined, login, item))
            self._guarded("post", item.source_id, lambda: self._post(item))
            self.on_post()
            self._pending += 1
            if self._pending >= self.batch:
                self._end_batch()

    def _guarded(self, kind: str, source_id: str, work: Callable[[], None]) -> None:
        """`work` in a savepoint: an item the services refuse is skipped with their reason,
        the rest of its batch is kept, and the summary forgets what the item had added."""
        summary, local = self.summary.mark(), len(self._local)
        try:
            with self.session.begin_nested():
                work()
        except (ValidationError, DomainError) as error:
            self.summary.back_to(summary)
            for key in list(self._local)[local:]:  # dicts keep their order of insertion
                del self._local[key]
            self.summary.skip(Skipped(kind, source_id, reason_of(error)))

    def _end_batch(self) -> None:
        if self.dry_run:
            self.session.flush()
        else:
            self.session.commit()
        self.session.expunge_all()  # memory stays flat however long the export
        self._pending = 0

    # Authors and tags: made once; a later run leaves them be.

    def _author(self, item: ImportedAuthor) -> None:
        if self._known("author", item.source_id, Author):
            return
        if item.slug:  # a slug of its own (Ghost's) taken here: the same person
            linked = self._existing(authors_service.get_author, item.slug)
            if linked is not None:
                return self._link("author", item.source_id, Author, linked, item.slug)
        fields = {name: self._field(AuthorCreate, f"author {item.source_id}", name, value)
                  for name, value in (("bio", item.bio), ("website", item.website),
                                      ("profile_image", item.profile_image))}  # fmt: skip
        name = item.name[:NAME]
        slug = item.slug or self._free_author_slug(name)  # two Sams are two authors
        data = _valid(AuthorCreate, name=name, slug=slug, **fields)
        author = authors_service.create_author(self.session, data=data, actor=None, now=self.now)
        self._made("author", item.source_id, author)

    def _undefined(self, login: str, item: ImportedPost) -> None:
        """An author a post names but the file never defines: a guest author of that name
        (a WordPress login is one of sorts; a Ghost id, 24 hex digits, is none)."""
        if self._known("author", login, Author):
            return
        self.summary.note(f"post {item.source_id}: author {login!r} is referenced but never "
                          "defined in the file: made a guest author for it")  # fmt: skip
        name = "Unknown author" if _GHOST_ID.fullmatch(login) else login
        self._author(ImportedAuthor(source_id=login, name=name or "Unknown author"))

    def _tag(self, item: ImportedTag) -> None:
        if self._known("tag", item.source_id, Tag):
            return
        name = item.name[:NAME]
        wanted = item.slug or name
        linked = self._existing(tags_service.get_tag, wanted)  # the same subject
        if linked is not None:
            return self._link("tag", item.source_id, Tag, linked, wanted)
        description = self._field(
            TagCreate, f"tag {item.source_id}", "description", item.description
        )
        data = _valid(TagCreate, name=name, slug=item.slug, description=description)
        tag = tags_service.create_tag(self.session, data=data, actor=None, now=self.now)
        self._made("tag", item.source_id, tag)

    def _known(self, kind: str, source_id: str, model: type) -> bool:
        mapped, _row = self.sources.find(kind, source_id, model)
        if mapped is not None:
            self._local[(kind, source_id)] = mapped.local_id
            self.summary.unchanged[kind] += 1
        return mapped is not None

    def _existing(self, get: Callable[..., Any], wanted: str) -> int | None:
        try:
            return int(get(self.session, slug=slugify_text(wanted), now=self.now).item.id)
        except NotFound:
            return None

    def _free_author_slug(self, name: str) -> str | None:
        base = slugify_text(name)
        if not base:
            return None  # the service says why no slug can be made
        number = 1
        while self._existing(authors_service.get_author, numbered(base, number)) is not None:
            number += 1
        return numbered(base, number)

    def _link(self, kind: str, source_id: str, model: type, local_id: int, wanted: str) -> None:
        self.summary.note(f"{kind} {source_id}: linked to the existing {kind} {wanted!r}")
        self.summary.unchanged[kind] += 1
        self.sources.remember(kind, source_id, self.session.get(model, local_id))
        self._local[(kind, source_id)] = local_id

    def _made(self, kind: str, source_id: str, row: Author | Tag) -> None:
        self.summary.created[kind] += 1
        self.sources.remember(kind, source_id, row)
        self._local[(kind, source_id)] = row.id or 0

    # Posts.

    def _post(self, item: ImportedPost) -> None:
        author_ids = [
            self._local[("author", a)] for a in item.author_ids if ("author", a) in self._local
        ]
        if not author_ids:
            raise Unprocessable("no author")
        tag_ids = [self._local[("tag", t)] for t in item.tag_ids if ("tag", t) in self._local]
        mapped, found = self.sources.find("post", item.source_id, Post)
        post = found if isinstance(found, Post) else None
        if mapped is not None and post is not None:
            if post.deleted_at is not None:
                return self._left_alone(
                    item, "in cms's trash: left alone (restore it to update it)"
                )
            if post.version != mapped.version and not self.overwrite:
                return self._left_alone(
                    item, "edited in cms since it was imported (--overwrite replaces it)"
                )
            self._update(post, item, author_ids, tag_ids)
        else:
            post = self._create(item, author_ids, tag_ids)
        self._status(post, item)
        self._dates(post, item)
        self._comments(post, item)
        if mapped is None:
            self.sources.remember("post", item.source_id, post, version=post.version)
        else:
            mapped.version, mapped.local_created_at = post.version, post.created_at

    def _left_alone(self, item: ImportedPost, reason: str) -> None:
        self.summary.skip(Skipped("post", item.source_id, reason))

    def _create(self, item: ImportedPost, author_ids: list[int], tag_ids: list[int]) -> Post:
        wanted = slugify_text(unquote(item.slug or "")) or None
        slug = addresses.first_free_slug(self.session, wanted) if wanted else None
        if slug and slug != wanted:
            self.summary.note(f"post {item.source_id}: the slug {wanted!r} was taken: now {slug!r}")
        fields = self._fields(item, author_ids, tag_ids)
        data = _valid(PostCreate, slug=slug, published_at=item.published_at, **fields)
        post = posts_service.create_post(self.session, data=data, actor=None, now=self.now)
        self.summary.created["post"] += 1
        return post

    def _update(
        self, post: Post, item: ImportedPost, author_ids: list[int], tag_ids: list[int]
    ) -> None:
        fields = self._fields(item, author_ids, tag_ids)
        # What the export no longer has is cleared here too (null clears these).
        clearable = (
            "excerpt",
            "feature_image",
            "feature_image_alt",
            "feature_image_caption",
            *SEO_FIELDS,
        )
        data = PostUpdate(**(dict.fromkeys(clearable) | _given(fields)))
        version = post.version
        posts_service.update_post(self.session, post=post, data=data, actor=None, now=self.now)
        (self.summary.updated if post.version != version else self.summary.unchanged)["post"] += 1

    def _fields(
        self, item: ImportedPost, author_ids: list[int], tag_ids: list[int]
    ) -> dict[str, Any]:
        """What a post is written with, from the export, as the Admin API takes it: an
        optional field cms cannot take is left out with a note, not the post."""
        what = f"post {item.source_id}"
        optional = {"excerpt": item.excerpt, "feature_image": item.feature_image,
                    **{name: item.seo.get(name) for name in SEO_FIELDS}}  # fmt: skip
        fields = {
            name: self._field(PostUpdate, what, name, value) for name, value in optional.items()
        }
        if fields["feature_image"]:  # its texts go with it: without it, they describe nothing
            fields["feature_image_alt"] = self._field(
                PostUpdate, what, "feature_image_alt", item.feature_image_alt
            )
            fields["feature_image_caption"] = self._field(
                PostUpdate, what, "feature_image_caption", item.feature_image_caption
            )
        return {"title": item.title, "html": item.html, "featured": item.featured,
                "author_ids": author_ids, "tag_ids": tag_ids, **fields}  # fmt: skip

    def _field(self, model: type, what: str, name: str, value: str | None) -> str | None:
        """`value` for the field `name` of `model`, if cms takes it; else none, and a note."""
        if value is None:
            return None
        try:
            model.model_validate({name: value, **_REQUIRED.get(model, {})})  # type: ignore[attr-defined]
        except ValidationError as error:
            if any(name in map(str, e["loc"]) for e in error.errors()):
                self.summary.note(f"{what}: {reason_of(error)}: left out")
                return None
        return value

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

    # Comments: made once; a later run adds only the new ones (moderation here stands).

    def _comments(self, post: Post, item: ImportedPost) -> None:
        made: dict[str, Comment] = {}
        in_file = {comment.source_id for comment in item.comments}
        for comment in parents_first(item.comments):
            _mapped, found = self.sources.find("comment", comment.source_id, Comment)
            if isinstance(found, Comment):
                made[comment.source_id] = found
                self.summary.unchanged["comment"] += 1
            elif not comment.body.strip():
                self.summary.skip(Skipped("comment", comment.source_id, "empty"))
            elif len(comment.body) > MAX_COMMENT:
                self.summary.skip(Skipped("comment", comment.source_id,
                                          f"longer than {MAX_COMMENT} characters"))  # fmt: skip
            else:
                made[comment.source_id] = self._comment(post, comment, made, in_file)
        comments_service.recount(self.session, post_id=post.id or 0)

    def _comment(self, post: Post, comment: ImportedComment, made: dict[str, Comment],
                 in_file: set[str]) -> Comment:  # fmt: skip
        parent = made.get(comment.parent_source_id or "")
        if comment.parent_source_id and parent is None:
            where = (
                "in a loop of replies" if comment.parent_source_id in in_file else "not in the file"
            )
            self.summary.note(f"comment {comment.source_id}: its parent {comment.parent_source_id} "
                              f"is {where}: imported as a comment on the post")  # fmt: skip
        while parent is not None and parent.depth >= self.max_depth:  # as deep as threads go
            parent = self.session.get(Comment, parent.parent_id) if parent.parent_id else None
        row = comments_service.import_comment(
            self.session, post_id=post.id or 0, parent=parent,
            name=comment.author_name or "Anonymous", email=comment.author_email,
            body=comment.body.strip(), status=CommentStatus(comment.status),
            created_at=comment.created_at,
        )  # fmt: skip
        self.sources.remember("comment", comment.source_id, row)
        self.summary.created["comment"] += 1
        return row


# What a model needs besides the field checked, so that only that field can be at fault.
_REQUIRED: dict[type, dict[str, object]] = {AuthorCreate: {"name": "x"}, TagCreate: {"name": "x"}}


def _given(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def _valid(model: type, **fields: object) -> Any:
    """`model` of the fields given (None: not sent), validated as the Admin API would."""
    return model(**_given(fields))
