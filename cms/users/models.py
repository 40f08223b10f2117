from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class Role(StrEnum):
    """The role ladder: each role can do everything the ones below it can."""

    OWNER = "owner"
    ADMIN = "admin"
    EDITOR = "editor"
    AUTHOR = "author"
    CONTRIBUTOR = "contributor"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def includes(self, other: "Role") -> bool:
        return self.rank >= other.rank


_RANKS = {
    Role.CONTRIBUTOR: 1,
    Role.AUTHOR: 2,
    Role.EDITOR: 3,
    Role.ADMIN: 4,
    Role.OWNER: 5,
}


class User(SQLModel, table=True):
    """Someone who signs in to the Admin API. Guest authors need no user."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # stored lower-cased
    name: str = Field(max_length=191)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    # The byline this user writes under; their "own" posts are the ones it is on.
    author_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("authors.id", ondelete="SET NULL"), unique=True, nullable=True
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
