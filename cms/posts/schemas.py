"""Posts as the API shows them (API.md, "A post"), and as editors write them."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from cms.api.envelopes import SelfLinks, leaves_out
from cms.api.types import LINES, Id, IsoDateTime, RequestBody, WebUrl
from cms.api.urls import Urls
from cms.authors.models import Author
from cms.authors.schemas import AuthorOut, author_out
from cms.linked.records import Counted
from cms.media.details import ImageDetails, shown
from cms.posts.models import SEO_FIELDS, Post
from cms.tags.models import Tag
from cms.tags.schemas import TagOut, tag_out
from cms.users.models import User
from cms.users.schemas import UserRef, user_ref


class PostLinks(BaseModel):
    self: str
    comments: str
    related: str
    views: str


class RelatedPostOut(BaseModel):
    """A card linking to another post."""

    id: int
    slug: str
    title: str
    url: str
    excerpt: str
    feature_image: str | None
    published_at: datetime
    reading_time: int
    view_count: int
    comment_count: int
    links: SelfLinks


# Fields that answers carry only when `fields` names them: `plaintext` in every answer, and
# `html` and `related` in collections too (lists stay small).
ASKED_FOR_ONLY = frozenset({"plaintext"})
LEFT_OUT_OF_LISTS = ASKED_FOR_ONLY | {"html", "related"}


class PostOut(BaseModel):
    """A published post. `plaintext` comes only when `fields` asks for it; `fields` returns
    exactly the fields named."""

    model_config = ConfigDict(json_schema_extra=leaves_out(ASKED_FOR_ONLY))

    id: int
    slug: str
    title: str
    excerpt: str = Field(description="The custom excerpt, else the start of the text.")
    html: str = Field(description="Sanitised HTML of the body; headings carry stable ids.")
    plaintext: str
    feature_image: str | None
    feature_image_alt: str | None
    feature_image_caption: str | None
    feature_image_details: ImageDetails | None = Field(
        description="Size, variants and srcset of a library image; null for one from elsewhere."
    )
    featured: bool
    published_at: datetime
    updated_at: datetime
    created_at: datetime
    reading_time: int = Field(description="Whole minutes, at least 1.")
    view_count: int
    comment_count: int = Field(description="Approved comments only.")
    authors: list[AuthorOut]
    # Never null: a post cannot lose its last author (cms.posts.service, and an author on
    # any post cannot be deleted).
    primary_author: AuthorOut = Field(description="The first author.")
    tags: list[TagOut]
    primary_tag: TagOut | None
    related: list[RelatedPostOut]
    meta_title: str | None = Field(description="For search engines; null: the title.")
    meta_description: str | None = Field(description="For search engines; null: the excerpt.")
    canonical_url: str | None = Field(description="Where the post first appeared, if elsewhere.")
    og_image: str | None
    og_title: str | None
    og_description: str | None
    twitter_image: str | None
    twitter_title: str | None
    twitter_description: str | None
    url: str = Field(description="The post's page on the front end.")
    links: PostLinks


class PostListItem(PostOut):
    """A published post in a collection: `html`, `related` and `plaintext` come only when
    `fields` asks for them; `fields` returns exactly the fields named."""

    model_config = ConfigDict(json_schema_extra=leaves_out(LEFT_OUT_OF_LISTS))


POST_FIELDS = frozenset(PostOut.model_fields)
LIST_DEFAULT_FIELDS = POST_FIELDS - LEFT_OUT_OF_LISTS
SINGLE_DEFAULT_FIELDS = POST_FIELDS - ASKED_FOR_ONLY


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=191)]
# What search results and link cards show: longer is cut off there anyway.
SeoTitle = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
SeoDescription = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), LINES]
MAX_BODY = 500_000  # characters: a very long article is ~100,000 (and bodies stop at 1 MB)


class PostWrite(RequestBody):
    """What an editor sends to write a post (all optional on an update)."""

    slug: str | None = Field(default=None, max_length=180)
    body: Annotated[str | None, LINES] = Field(
        default=None, max_length=MAX_BODY, description="Markdown."
    )
    html: Annotated[str | None, LINES] = Field(
        default=None, max_length=MAX_BODY, description="HTML, sanitised on save."
    )
    excerpt: Annotated[str | None, LINES] = Field(
        default=None, max_length=500, description="A custom excerpt."
    )
    feature_image: WebUrl | None = None
    feature_image_alt: Annotated[str | None, LINES] = Field(
        default=None, max_length=1000, description="Default: the library image's own."
    )
    feature_image_caption: Annotated[str | None, LINES] = Field(
        default=None, max_length=5000, description="Default: the library image's own."
    )
    meta_title: SeoTitle | None = None
    meta_description: SeoDescription | None = None
    canonical_url: WebUrl | None = None
    og_image: WebUrl | None = None
    og_title: SeoTitle | None = None
    og_description: SeoDescription | None = None
    twitter_image: WebUrl | None = None
    twitter_title: SeoTitle | None = None
    twitter_description: SeoDescription | None = None
    featured: StrictBool = False
    comments_enabled: StrictBool = True
    author_ids: list[Id] = Field(default_factory=list)
    tag_ids: list[Id] = Field(default_factory=list)
    tags: list[TagName] = Field(
        default_factory=list, description="Tag names; new ones are created."
    )
    published_at: IsoDateTime | None = None


class PostCreate(PostWrite):
    title: Title


class PostUpdate(PostWrite):
    """Only the fields sent change; `null` clears excerpt, feature_image and published_at."""

    title: Title | None = None
    featured: StrictBool | None = None  # type: ignore[assignment]
    comments_enabled: StrictBool | None = None  # type: ignore[assignment]
    author_ids: list[Id] | None = None  # type: ignore[assignment]
    tag_ids: list[Id] | None = None  # type: ignore[assignment]
    tags: list[TagName] | None = None  # type: ignore[assignment]


class PublishRequest(RequestBody):
    published_at: IsoDateTime | None = Field(
        default=None,
        description="When it goes live; in the future the post is scheduled. Default: now, "
        "or the post's own published_at when that is still to come.",
    )


class RevisionOut(BaseModel):
    number: int
    title: str
    body: str
    body_format: str
    excerpt: str | None
    created_at: datetime
    created_by: UserRef | None


class AdminPostLinks(BaseModel):
    self: str
    revisions: str
    live: str | None = Field(description="The Content API address, while the post is live.")


class AdminPostOut(BaseModel):
    """A post as editors see it: every status, the source as written, and its version."""

    id: int
    slug: str
    title: str
    status: Literal["draft", "scheduled", "published"]
    body: str
    body_format: Literal["markdown", "html"]
    html: str
    excerpt: str
    custom_excerpt: str | None
    feature_image: str | None
    feature_image_alt: str | None
    feature_image_caption: str | None
    feature_image_details: ImageDetails | None
    meta_title: str | None
    meta_description: str | None
    canonical_url: str | None
    og_image: str | None
    og_title: str | None
    og_description: str | None
    twitter_image: str | None
    twitter_title: str | None
    twitter_description: str | None
    featured: bool
    comments_enabled: bool
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    reading_time: int
    view_count: int
    comment_count: int
    version: int = Field(description="Bumped by every change; the ETag carries it.")
    authors: list[AuthorOut]
    tags: list[TagOut]
    created_by: UserRef | None
    updated_by: UserRef | None
    url: str
    links: AdminPostLinks


def related_card(post: Post, urls: Urls) -> dict[str, Any]:
    return {
        "id": post.id,
        "slug": post.slug,
        "title": post.title,
        "url": _post_url(post, urls),
        "excerpt": post.excerpt,
        "feature_image": post.feature_image,
        "published_at": post.published_at,
        "reading_time": post.reading_time,
        "view_count": post.view_count,
        "comment_count": post.comment_count,
        "links": {"self": urls.api(f"/posts/{post.slug}")},
    }


def post_out(
    post: Post,
    *,
    fields: frozenset[str],
    urls: Urls,
    authors: list[dict[str, Any]],
    tags: list[dict[str, Any]],
    related: list[dict[str, Any]],
) -> dict[str, Any]:
    """The post with exactly `fields`; its authors, tags and related cards already shown
    (once per page for a record on many of its posts: see Shown)."""
    out: dict[str, Any] = {}
    for name in POST_ORDER:  # the documented order
        if name not in fields:
            continue
        if name == "authors":
            out[name] = authors
        elif name == "primary_author":
            out[name] = authors[0] if authors else None
        elif name == "tags":
            out[name] = tags
        elif name == "primary_tag":
            out[name] = tags[0] if tags else None
        elif name == "related":
            out[name] = related
        elif name == "url":
            out[name] = _post_url(post, urls)
        elif name == "links":
            out[name] = _post_links(post, urls)
        elif name == "feature_image_details":
            out[name] = shown(post.feature_image_details)
        else:
            out[name] = getattr(post, name)
    return out


POST_ORDER = tuple(PostOut.model_fields)


class Shown:
    """Authors, tags and cards as the API shows them, each made once per answer: on a page,
    the same popular tag is on most posts."""

    def __init__(self, urls: Urls) -> None:
        self.urls = urls
        self._made: dict[tuple[str, int], dict[str, Any]] = {}

    def authors(self, records: list[Counted[Any]]) -> list[dict[str, Any]]:
        return [self._once("author", record.item.id, author_out, record) for record in records]

    def tags(self, records: list[Counted[Any]]) -> list[dict[str, Any]]:
        return [self._once("tag", record.item.id, tag_out, record) for record in records]

    def cards(self, posts: list[Any]) -> list[dict[str, Any]]:
        return [self._once("card", post.id, related_card, post) for post in posts]

    def _once(
        self, kind: str, ident: int, show: Callable[[Any, Urls], dict[str, Any]], item: Any
    ) -> dict[str, Any]:
        found = self._made.get((kind, ident))
        if found is None:
            found = self._made[(kind, ident)] = show(item, self.urls)
        return found


def _post_url(post: Post, urls: Urls) -> str:
    return urls.post_page(slug=post.slug, id=post.id or 0, published_at=post.published_at)


def _post_links(post: Post, urls: Urls) -> dict[str, str]:
    base = urls.api(f"/posts/{post.slug}")
    return {
        "self": base,
        "comments": f"{base}/comments",
        "related": f"{base}/related",
        "views": f"{base}/views",
    }


def admin_post_out(
    post: Post,
    *,
    status: str,
    urls: Urls,
    authors: list[Counted[Author]],
    tags: list[Counted[Tag]],
    users: dict[int, User],
) -> dict[str, Any]:
    """The editors' view of a post, its relations and users already loaded in bulk."""
    api_base = f"/admin/posts/{post.id}"
    return {
        "id": post.id,
        "slug": post.slug,
        "title": post.title,
        "status": status,
        "body": post.body,
        "body_format": post.body_format,
        "html": post.html,
        "excerpt": post.excerpt,
        "custom_excerpt": post.custom_excerpt,
        "feature_image": post.feature_image,
        "feature_image_alt": post.feature_image_alt,
        "feature_image_caption": post.feature_image_caption,
        "feature_image_details": shown(post.feature_image_details),
        **{name: getattr(post, name) for name in SEO_FIELDS},
        "featured": post.featured,
        "comments_enabled": post.comments_enabled,
        "published_at": post.published_at,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "deleted_at": post.deleted_at,
        "reading_time": post.reading_time,
        "view_count": post.view_count,
        "comment_count": post.comment_count,
        "version": post.version,
        "authors": [author_out(author, urls) for author in authors],
        "tags": [tag_out(tag, urls) for tag in tags],
        "created_by": user_ref(users.get(post.created_by_id or 0)),
        "updated_by": user_ref(users.get(post.updated_by_id or 0)),
        "url": _post_url(post, urls),
        "links": {
            "self": urls.api(api_base),
            "revisions": urls.api(f"{api_base}/revisions"),
            "live": urls.api(f"/posts/{post.slug}") if status == "published" else None,
        },
    }
