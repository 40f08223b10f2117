from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class Author(SQLModel, table=True):
    """A byline: a staff writer or a guest (guests need no login account)."""

    __tablename__ = "authors"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=191, unique=True)
    name: str = Field(max_length=191)
    bio: str | None = Field(default=None, sa_type=Text)
    profile_image: str | None = Field(default=None, max_length=2000)
    # The library's measurements of the picture (JSON; cms.media.details), as for posts.
    profile_image_details: str | None = Field(default=None, sa_type=Text)
    website: str | None = Field(default=None, max_length=2000)
    # Posts published and not trashed, scheduled ones included: kept by the database's
    # triggers (migration 0009). Readers' post_count leaves out those still to come.
    published_posts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
