from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class SiteSettings(SQLModel, table=True):
    """The one row of what admins set for the site as a whole. A null column means the
    environment's default (cms.config: CMS_SITE_TITLE, ...): so a deployment's settings go
    on applying until an admin says otherwise, and setting null goes back to them."""

    __tablename__ = "site_settings"

    id: int = Field(default=1, primary_key=True)
    title: str | None = Field(default=None, max_length=255)
    description: str | None = Field(default=None, max_length=500)
    logo: str | None = Field(default=None, max_length=2000)
    icon: str | None = Field(default=None, max_length=2000)
    accent_color: str | None = Field(default=None, max_length=7)  # "#15171a"
    language: str | None = Field(default=None, max_length=35)  # a BCP 47 tag
    timezone: str | None = Field(default=None, max_length=64)  # an IANA name
    navigation: str | None = Field(default=None, sa_type=Text)  # JSON: [{label, url}]
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
