from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class TokenKind(StrEnum):
    SESSION = "session"  # from signing in with a password; expires
    API = "api"  # for scripts; lives until revoked


class ApiToken(SQLModel, table=True):
    """A bearer token. Only a hash of the secret is stored: the secret is shown once."""

    __tablename__ = "tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=191)
    kind: str = Field(max_length=16)
    secret_hash: str = Field(max_length=64, unique=True)
    hint: str = Field(max_length=16)  # the secret's first characters, to tell tokens apart
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginFailure(SQLModel, table=True):
    """Recent failed sign-ins from one client address, or from one address for one e-mail
    (known or not), to slow guessing down. Keyed by a keyed hash: neither is stored."""

    __tablename__ = "login_failures"

    key_hash: str = Field(max_length=64, primary_key=True)
    failures: int = 0
    window_started_at: datetime = Field(sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
