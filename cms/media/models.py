from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class Media(SQLModel, table=True):
    """An image in the library. Its files are stored under names made from the hash of the
    bytes uploaded (`<hash>.<ext>`, `<hash>-<width>.<ext>`), so the same bytes uploaded twice
    are stored once, and a name never says anything the uploader chose."""

    __tablename__ = "media"

    id: int | None = Field(default=None, primary_key=True)
    hash: str = Field(max_length=64, index=True)  # sha256 of the bytes uploaded
    filename: str = Field(max_length=255)  # as uploaded, cleaned: metadata only
    mime_type: str = Field(max_length=32)
    extension: str = Field(max_length=8)
    size: int  # bytes of the file served (metadata removed)
    width: int
    height: int
    alt: str | None = Field(default=None, sa_type=Text)
    caption: str | None = Field(default=None, sa_type=Text)
    # [{"width", "height", "mime_type", "name"}, ...], narrowest first: the variants stored.
    variants: str = Field(default="[]", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
