"""Where views are counted, beside each post's total (posts.view_count): counter rows per
day, and a short-lived record of who was counted, for the repeat window."""

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from cms.db import UTCDateTime

# A view adds 1 to one of this many rows per post and day, picked at random; the day's
# count is their sum. (Sharded so that writers seldom waited for each other, from when the
# total was sharded too: a batch now locks the post's row first, migration 0014.)
SHARDS = 8


def _post_id() -> Column[int]:
    return Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)


class PostViewDay(SQLModel, table=True):
    """A post's views on one day (UTC), in up to SHARDS rows: the numbers behind a chart."""

    __tablename__ = "post_view_days"

    post_id: int = Field(sa_column=_post_id())
    day: date = Field(sa_column=Column(Date, primary_key=True))
    shard: int = Field(primary_key=True)
    views: int = 0


class PostViewer(SQLModel, table=True):
    """Who was last counted for a post, and when: a keyed hash, never an address.

    Rows older than the repeat window say nothing any more and are purged."""

    __tablename__ = "post_viewers"

    post_id: int = Field(sa_column=_post_id())
    visitor: str = Field(max_length=64, primary_key=True)
    counted_at: datetime = Field(sa_type=UTCDateTime, index=True)
