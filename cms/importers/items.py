"""What an export holds, as the importers hand it on: plain records read from the file
(WordPress's WXR, Ghost's JSON), each with the id it has in that file, before anything is
written. cms.importers.loader writes them through the domains' services.

Dates are aware UTC datetimes; bodies are HTML as the export has it (the posts' service
sanitises it as it does every HTML body); ids are the file's own, as text."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

PostStatus = Literal["draft", "published", "scheduled"]
CommentStatus = Literal["pending", "approved", "spam", "deleted"]


@dataclass(frozen=True)
class ImportedAuthor:
    source_id: str  # WordPress: the login; Ghost: the user's id
    name: str
    slug: str | None = None
    bio: str | None = None
    website: str | None = None
    profile_image: str | None = None


@dataclass(frozen=True)
class ImportedTag:
    source_id: str  # WordPress: "category:<nicename>" or "post_tag:<nicename>"; Ghost: the id
    name: str
    slug: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ImportedComment:
    source_id: str
    author_name: str
    author_email: str
    body: str  # plain text (the export's HTML with its tags taken out)
    status: CommentStatus
    created_at: datetime
    parent_source_id: str | None = None  # None: on the post itself


@dataclass(frozen=True)
class ImportedPost:
    source_id: str
    title: str
    html: str
    status: PostStatus
    slug: str | None = None
    excerpt: str | None = None
    published_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    featured: bool = False
    feature_image: str | None = None
    feature_image_alt: str | None = None
    feature_image_caption: str | None = None
    # Search and social texts, by cms's names (cms.posts.models.SEO_FIELDS): meta_title...
    seo: dict[str, str] = field(default_factory=dict)
    author_ids: list[str] = field(default_factory=list)  # source ids, in order
    tag_ids: list[str] = field(default_factory=list)  # source ids, in order (primary first)
    comments: list[ImportedComment] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    """Something in the file that is not imported, and why ("a page", "an attachment",
    "no title"): the summary lists it by its id in the file."""

    kind: str  # "post", "page", "comment", ...
    source_id: str
    reason: str


Item = ImportedAuthor | ImportedTag | ImportedPost | Skipped


class ExportError(ValueError):
    """The file cannot be read at all (not XML, an XML bomb, an unknown Ghost version...):
    nothing is imported, and the command says this and exits with status 1."""


# A reader of one kind of export: every author and tag before the posts that name them.
Reader = Iterator[Item]
