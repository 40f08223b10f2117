from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class CommentStatus(StrEnum):
    PENDING = "pending"  # waiting for a moderator; nobody else sees it
    APPROVED = "approved"  # shown, and counted in the post's comment_count
    SPAM = "spam"
    DELETED = "deleted"  # soft: a moderator can bring it back


class Comment(SQLModel, table=True):
    """A reader's comment on a post, or a reply to another comment on the same post."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_post_id_status_created_at", "post_id", "status", "created_at"),
        Index("ix_comments_status_created_at", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False)
    )
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("comments.id", ondelete="CASCADE"), nullable=True),
    )
    depth: int = 0  # 0 for a comment on the post, 1 for a reply, ...
    author_name: str = Field(max_length=100)
    author_email: str = Field(max_length=254)  # never shown publicly
    avatar_hash: str = Field(max_length=64)  # sha256 of the e-mail, as Gravatar takes it
    body: str = Field(sa_type=Text)  # as written
    html: str = Field(sa_type=Text)  # rendered from a small safe Markdown subset
    status: str = Field(max_length=16, default=CommentStatus.PENDING)
    # A keyed hash of the sender (never an address): for the rate limit.
    sender_hash: str = Field(max_length=64, index=True)
    # sha256 of the commenter token the sender was given (or showed): who they are to us.
    commenter_hash: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
