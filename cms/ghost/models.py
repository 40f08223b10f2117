from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class ContentApiKey(SQLModel, table=True):
    """A key for the Ghost-compatible Content API. Front ends put it in pages, so it is no
    secret from readers; it is hashed all the same, so that a leaked database cannot be
    used to read as another site's front end, and revoking one ends it everywhere."""

    __tablename__ = "content_api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=191)
    key_hash: str = Field(max_length=64, unique=True)  # sha256 of the key, hex
    hint: str = Field(max_length=8)  # the key's first characters, to tell keys apart
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
