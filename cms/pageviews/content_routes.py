"""Content API: counting a view of a published post."""

from typing import Annotated

from fastapi import APIRouter, Body, Request
from starlette.responses import Response

from cms.api.context import SettingsDep
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
    settings: SettingsDep,
    data: Annotated[ViewCreate | None, Body()] = None,
) -> Response:
    """Count one view (repeats from the same visitor within the window count once) and
    answer the post's view count. Call it once per page view; no body is needed."""
    if data is not None and data.visitor_id is not None:
        visitor = client_id_hash(settings.secret_key, data.visitor_id)
    else:
        visitor = request_visitor(request, settings.secret_key, now=request.app.state.clock())
    counter: ViewCounter = request.app.state.view_counter
    count = await counter.count(View(slug=slug, visitor=visitor))
    return private_response({"data": {"view_count": count}})
