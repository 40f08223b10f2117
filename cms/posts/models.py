from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class PostStatus(StrEnum):
    # "scheduled" is not stored: it is a published post whose published_at is still
    # in the future, so it goes live by itself when that time comes.
    DRAFT = "draft"
    PUBLISHED = "published"


class BodyFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"


# A post's texts and images for search engines and social networks (migration 0021).
SEO_FIELDS = (
    "meta_title", "meta_description", "canonical_url", "og_image", "og_title",
    "og_description", "twitter_image", "twitter_title", "twitter_description",
)  # fmt: skip


class Post(SQLModel, table=True):
    __tablename__ = "posts"
    # Newest first, and one index per other sort the Content API offers (migrations 0011,
    # 0014): each is led by status, as every live query is, and ends in id, the tie-breaker,
    # so a sorted page reads its own rows.
    __table_args__ = (
        Index("ix_posts_status_published_at", "status", "published_at", "id"),
        Index("ix_posts_status_id", "status", "id"),
        *(
            Index(f"ix_posts_status_{'_'.join(columns)}", "status", *columns, "id")
            for columns in (
                ("slug",),
                ("title",),
                ("created_at",),
                ("updated_at",),
                ("reading_time",),
                ("comment_count",),
                ("view_count",),
                ("featured",),
                ("featured", "published_at"),  # featured=true, newest first
            )
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=191, unique=True)
    title: str = Field(max_length=255)
    # What the editor wrote, kept as written; html/plaintext/excerpt/reading_time are
    # derived from it on save so that reads never render.
    body: str = Field(default="", sa_type=Text)
    body_format: str = Field(default=BodyFormat.MARKDOWN, max_length=16)
    html: str = Field(default="", sa_type=Text)
    plaintext: str = Field(default="", sa_type=Text)
    custom_excerpt: str | None = Field(default=None, sa_type=Text)
    excerpt: str = Field(default="", sa_type=Text)
    reading_time: int = 1
    feature_image: str | None = Field(default=None, max_length=2000)
    feature_image_alt: str | None = Field(default=None, sa_type=Text)
    feature_image_caption: str | None = Field(default=None, sa_type=Text)
    # The library's measurements of the image (JSON; cms.media.details), null for one
    # from elsewhere: copied when the post is saved.
    feature_image_details: str | None = Field(default=None, sa_type=Text)
    # What search engines and social networks show when it should differ from the title,
    # excerpt and feature image (null: front ends fall back on those).
    meta_title: str | None = Field(default=None, max_length=300)
    meta_description: str | None = Field(default=None, max_length=500)
    canonical_url: str | None = Field(default=None, max_length=2000)
    og_image: str | None = Field(default=None, max_length=2000)
    og_title: str | None = Field(default=None, max_length=300)
    og_description: str | None = Field(default=None, max_length=500)
    twitter_image: str | None = Field(default=None, max_length=2000)
    twitter_title: str | None = Field(default=None, max_length=300)
    twitter_description: str | None = Field(default=None, max_length=500)
    featured: bool = False
    status: str = Field(default=PostStatus.DRAFT, max_length=16)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # All views, ever: added to by cms.pageviews in the transaction that counts them.
    view_count: int = 0
    # When a view last counted: every process's response cache reads the posts viewed since
    # its last check (cms.http.cache), to refresh what shows their counts.
    viewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # Approved comments only: recounted whenever a comment's status changes.
    comment_count: int = 0
    comments_enabled: bool = True
    # Bumped by every editorial change: the admin ETag, for safe concurrent edits.
    version: int = 1
    # In the trash since then (restorable for 30 days); hidden everywhere else.
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    updated_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )


class PostSlugRedirect(SQLModel, table=True):
    """A slug a post used to have: the Content API answers it with a 301."""

    __tablename__ = "post_slug_redirects"

    slug: str = Field(max_length=191, primary_key=True)
    post_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PostRevision(SQLModel, table=True):
    """A saved version of a post's title, body and excerpt: who saved it, and when."""

    __tablename__ = "post_revisions"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False)
    )
    number: int
    title: str = Field(max_length=255)
    body: str = Field(default="", sa_type=Text)
    body_format: str = Field(max_length=16)
    custom_excerpt: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )


class PostTotals(SQLModel, table=True):
    """One row: how many posts are published and not trashed, and how many of those are
    featured (scheduled ones included), kept by the database's triggers (migration 0009)."""

    __tablename__ = "post_totals"

    id: int = Field(default=1, primary_key=True)
    published: int = 0
    featured: int = 0
