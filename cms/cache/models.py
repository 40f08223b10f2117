from sqlalchemy import Text
from sqlmodel import Field, SQLModel


class ContentVersion(SQLModel, table=True):
    """One row: a number that every change to public content raises, in the same
    transaction. Every server process compares it to decide when its cache is stale."""

    __tablename__ = "content_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0


class CachePurge(SQLModel, table=True):
    """What one raise of the content version changed, as cache keys (cms.cache.keys):
    another process that last saw version N drops only the answers naming the keys of
    N+1, N+2...; with one of them gone (kept: the last PURGES_KEPT), it drops everything."""

    __tablename__ = "cache_purges"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    keys: str = Field(sa_type=Text)  # space-separated; `*` for everything
