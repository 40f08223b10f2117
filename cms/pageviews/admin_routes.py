"""Admin API: a post's numbers over time, for editors' charts."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from cms.api.context import NowDep
from cms.api.envelopes import One
from cms.api.responses import private_response
from cms.api.types import IsoDate
from cms.db import SessionDep
from cms.pageviews.schemas import PostStatsOut
from cms.pageviews.stats import post_stats
from cms.posts.admin_routes import ViewablePost
from cms.problems import BadRequest, problem_responses

router = APIRouter(prefix="/admin", tags=["Admin: posts"])

DEFAULT_DAYS = 30
MAX_DAYS = 366


@router.get(
    "/posts/{post_id}/stats",
    response_model=One[PostStatsOut],
    responses=problem_responses(400, 401, 403, 404),
)
def get_post_stats(
    post: ViewablePost,
    session: SessionDep,
    now: NowDep,
    first: Annotated[
        IsoDate | None,
        Query(
            alias="from",
            description="First day (UTC), YYYY-MM-DD; default 29 days before `to`.",
        ),
    ] = None,
    last: Annotated[
        IsoDate | None, Query(alias="to", description="Last day (UTC), YYYY-MM-DD; default today.")
    ] = None,
) -> Response:
    """Views and approved comments per day over a range (at most 366 days), and in all."""
    last = last or now.date()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise BadRequest(f"'from' ({first}) is after 'to' ({last})", field="from")
    if (last - first).days >= MAX_DAYS:
        raise BadRequest(f"A range is at most {MAX_DAYS} days; ask for several", field="from")
    return private_response({"data": post_stats(session, post=post, first=first, last=last)})
