"""Content API: tags of published posts, each with its number of them."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, fields_query, listing, parse_fields, pick
from cms.api.responses import content_response
from cms.api.urls import UrlsDep
from cms.cache import keys
from cms.db import ReadSessionDep, on_read_thread
from cms.problems import problem_responses
from cms.tags import service
from cms.tags.schemas import TagOut, tag_out

router = APIRouter(prefix="/tags", tags=["Content: tags"])
TAG_FIELDS = frozenset(TagOut.model_fields)
TagsListing = Annotated[Listing, Depends(listing(service.SORTING, TAG_FIELDS))]


@router.get("", response_model=Page[TagOut], responses=problem_responses(400))
async def list_tags(
    session: ReadSessionDep, settings: SettingsDep, urls: UrlsDep, now: NowDep, page: TagsListing
) -> Response:
    """The tags of published posts, by name, each with its number of them."""
    tags, total = await on_read_thread(
        session,
        service.list_tags,
        now=now,
        pagination=page.pagination,
        sort=page.sort or [],
        live_only=True,
    )
    envelope = page.envelope([tag_out(tag, urls) for tag in tags], total=total)
    # Every answer holds `posts` too: readers see only tags on published posts, with how many.
    named = {keys.POSTS, keys.TAGS, *(keys.tag(tag.item.id or 0) for tag in tags)}
    return content_response(envelope, settings=settings, keys=named)


@router.get("/{slug}", response_model=One[TagOut], responses=problem_responses(400, 404))
async def get_tag(
    slug: Annotated[str, Path(max_length=191)],
    session: ReadSessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
    fields: Annotated[str | None, fields_query(TAG_FIELDS)] = None,
) -> Response:
    """The tag with this slug."""
    chosen = parse_fields(fields, TAG_FIELDS)  # a bad value is a 400 before a 404
    tag = await on_read_thread(session, service.get_tag, slug=slug, now=now, live_only=True)
    data = pick(tag_out(tag, urls), chosen)
    return content_response(
        {"data": data}, settings=settings, keys={keys.POSTS, keys.tag(tag.item.id or 0)}
    )
