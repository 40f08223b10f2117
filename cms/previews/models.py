from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class PostPreview(SQLModel, table=True):
    """A link an editor shares to show a post as it is now, before readers see it. Only the
    token's hash is kept: the token itself is shown once, to the editor who made it."""

    __tablename__ = "post_previews"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    token_hash: str = Field(max_length=64, unique=True)  # sha256 of the token, hex
    expires_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
