from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class AuditEvent(SQLModel, table=True):
    """One write: who did what to which thing, and when. Kept when the user is deleted."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    actor: str = Field(max_length=254)  # the e-mail at the time, or "cli"
    action: str = Field(max_length=64)  # e.g. "post.publish"
    subject_type: str = Field(max_length=32)
    subject_id: int | None = None
    summary: str = Field(default="", sa_type=Text)
