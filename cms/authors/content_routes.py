"""Content API: authors of published posts, each with its number of them."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, fields_query, listing, parse_fields, pick
from cms.api.responses import content_response
from cms.api.urls import UrlsDep
from cms.authors import service
from cms.authors.schemas import AuthorOut, author_out
from cms.cache import keys
from cms.db import ReadSessionDep, on_read_thread
from cms.problems import problem_responses

router = APIRouter(prefix="/authors", tags=["Content: authors"])
AUTHOR_FIELDS = frozenset(AuthorOut.model_fields)
AuthorsListing = Annotated[Listing, Depends(listing(service.SORTING, AUTHOR_FIELDS))]


@router.get("", response_model=Page[AuthorOut], responses=problem_responses(400))
async def list_authors(
    session: ReadSessionDep, settings: SettingsDep, urls: UrlsDep, now: NowDep, page: AuthorsListing
) -> Response:
    """The authors of published posts, by name, each with its number of them."""
    authors, total = await on_read_thread(
        session,
        service.list_authors,
        now=now,
        pagination=page.pagination,
        sort=page.sort or [],
        live_only=True,
    )
    envelope = page.envelope([author_out(author, urls) for author in authors], total=total)
    # Every answer holds `posts` too: readers see only authors on published posts, with how many.
    named = {keys.POSTS, keys.AUTHORS, *(keys.author(author.item.id or 0) for author in authors)}
    return content_response(envelope, settings=settings, keys=named)


@router.get("/{slug}", response_model=One[AuthorOut], responses=problem_responses(400, 404))
async def get_author(
    slug: Annotated[str, Path(max_length=191)],
    session: ReadSessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
    fields: Annotated[str | None, fields_query(AUTHOR_FIELDS)] = None,
) -> Response:
    """The author with this slug."""
    chosen = parse_fields(fields, AUTHOR_FIELDS)  # a bad value is a 400 before a 404
    author = await on_read_thread(session, service.get_author, slug=slug, now=now, live_only=True)
    data = pick(author_out(author, urls), chosen)
    return content_response(
        {"data": data}, settings=settings, keys={keys.POSTS, keys.author(author.item.id or 0)}
    )
