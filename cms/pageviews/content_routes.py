"""Content API: counting a view of a published post."""

from typing import Annotated

from fastapi import APIRouter, Body, Request
from starlette.responses import Response

from cms.api.envelopes import One
from cms.api.responses import private_response
from cms.api.types import SlugPath
from cms.pageviews.schemas import ViewCountOut, ViewCreate
from cms.pageviews.service import View, ViewCounter
from cms.problems import problem_responses
from cms.visitors import client_id_hash, request_visitor

router = APIRouter(prefix="/posts/{slug}/views", tags=["Content: views"])


@router.post("", response_model=One[ViewCountOut], responses=problem_responses(400, 404, 422, 503))
async def count_view(
    slug: SlugPath,
    request: Request,
    data: Annotated[ViewCreate | None, Body()] = None,
) -> Response:
    """Count one view (repeats from the same visitor within the window count once) and
    answer the post's view count. Call it once per page view; no body is needed."""
    # Most views are answered before routing (cms.pageviews.fast_path), the same way.
    counter: ViewCounter = request.app.state.view_counter
    count = await counter.count(View(slug=slug, visitor=visitor_of(request, data)))
    return private_response({"data": {"view_count": count}})


def visitor_of(request: Request, data: ViewCreate | None) -> str:
    """Who viewed: the id the client keeps, if it sent one; else its address and agent."""
    secret = request.app.state.settings.secret_key
    if data is not None and data.visitor_id is not None:
        return client_id_hash(secret, data.visitor_id)
    return request_visitor(request, secret, now=request.app.state.clock())
