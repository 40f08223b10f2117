"""Views as the API takes and gives them."""

from datetime import date

from pydantic import BaseModel, Field

from cms.api.types import RequestBody


class ViewCreate(RequestBody):
    visitor_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="An id the client keeps for itself (an app install, a browser's local "
        "storage). Without it, the visitor is told apart by address and user agent.",
    )


class ViewCountOut(BaseModel):
    view_count: int


class DayStats(BaseModel):
    date: date
    views: int
    comments: int = Field(description="Approved comments written that day.")


class RangeStats(BaseModel):
    from_: date = Field(alias="from")
    to: date
    views: int
    comments: int


class PostStatsOut(BaseModel):
    post_id: int
    view_count: int = Field(description="All views, ever.")
    comment_count: int = Field(description="Approved comments, ever.")
    pending_comment_count: int
    range: RangeStats
    days: list[DayStats] = Field(description="Every day of the range, oldest first.")
