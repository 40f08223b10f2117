from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime
from cms.timestamps import utcnow


class ImportSource(SQLModel, table=True):
    """Where an imported author, tag, post or comment came from: so that importing the
    same export again updates what it made instead of making it twice."""

    __tablename__ = "import_sources"
    __table_args__ = (UniqueConstraint("source", "kind", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=500)  # the export's site: "https://blog.example.com", "ghost"
    kind: str = Field(max_length=16)  # "author", "tag", "post" or "comment"
    source_id: str = Field(max_length=255)  # its id in the export
    local_id: int  # the row it became here
    # A post's version once imported: a later version means an editor changed it here.
    version: int | None = None
    # The row's created_at when last imported: a row with the same id but another
    # created_at is a newer one that took the id of a deleted row (SQLite reuses the
    # highest id), not the one imported.
    local_created_at: datetime = Field(sa_type=UTCDateTime)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
