"""The link tables between posts and the records on them (authors, tags), in order."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime


class PostAuthor(SQLModel, table=True):
    """A post's byline, in order: the first author is the primary one."""

    __tablename__ = "post_authors"
    __table_args__ = (
        Index("ix_post_authors_author_id_published_at", "author_id", "published_at", "post_id"),
    )

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    )
    author_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("authors.id", ondelete="RESTRICT"), primary_key=True, index=True
        )
    )
    position: int = 0
    # The post's published_at, kept in step by the database (migration 0010): a record's
    # newest posts are the first rows of the index above.
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PostTag(SQLModel, table=True):
    """A post's tags, in order: the first tag is the primary one."""

    __tablename__ = "post_tags"
    __table_args__ = (
        Index("ix_post_tags_tag_id_published_at", "tag_id", "published_at", "post_id"),
    )

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    position: int = 0
    # The post's published_at, kept in step by the database (migration 0010): a record's
    # newest posts are the first rows of the index above.
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
