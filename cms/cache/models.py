from sqlmodel import Field, SQLModel


class ContentVersion(SQLModel, table=True):
    """One row: a number that every change to public content raises, in the same
    transaction. Every server process compares it to decide when its cache is stale."""

    __tablename__ = "content_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
