"""The Ghost-compatible Content API at /ghost/api/content/: Ghost's paths, parameters,
shapes and errors (API.md "Ghost-compatible Content API"), so that front ends written for
Ghost work unchanged. Answers are cached, tagged and ETagged as our own Content API's."""

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Path, Request
from starlette.responses import RedirectResponse, Response

from cms.api.context import NowDep, SettingsDep
from cms.api.responses import content_response
from cms.api.urls import UrlsDep
from cms.authors.models import Author
from cms.cache import keys
from cms.config import Settings
from cms.db import ReadSessionDep, on_read_thread
from cms.ghost import service
from cms.ghost.errors import GhostError
from cms.posts.models import Post
from cms.tags.models import Tag

PREFIX = "/ghost/api/content"
# Left out of /openapi.json: Ghost documents this API (its paths end in "/", which our
# document's linting refuses), and generators of clients for ours have no use for it.
router = APIRouter(prefix=PREFIX, include_in_schema=False)
Id = Annotated[str, Path(description="The record's id.")]
Slug = Annotated[str, Path(description="The record's slug.")]
Work = Callable[..., service.Answer]
VERSION = "v6.0"  # Ghost 6's parameters (limit at most 100) over Ghost 5's shapes, which 6 kept


async def _answer(
    request: Request,
    session: Any,
    app_settings: Settings,
    work: Callable[..., service.Answer],
    **kwargs: Any,
) -> Response:
    query = {**request.query_params, **_raw_filter(request)}

    def checked(session: Any) -> tuple[int, service.Answer]:
        key_id = service.check_key(session, key=query.get("key"))
        return key_id, work(session, query=query, **kwargs)

    key_id, answer = await on_read_thread(session, checked)
    # Revoking the key drops every answer given to it (cms.cache.purges).
    shown = {*answer.keys, keys.content_key(key_id)}
    response = content_response(answer.body, settings=app_settings, keys=shown)
    response.headers["Content-Version"] = VERSION
    return response


def _raw_filter(request: Request) -> dict[str, str]:
    """`filter` with a "+" kept as NQL's AND: Ghost's client sends it as %2B, but a "+" typed
    into a URL by hand (`filter=tag:news+featured:true`) means the same, not a space."""
    for pair in request.scope["query_string"].decode("latin-1").split("&"):
        name, _, value = pair.partition("=")
        if unquote(name) == "filter":
            return {"filter": unquote(value)}
    return {}


@router.get("/pages/")
async def browse_ghost_pages(
    request: Request, session: ReadSessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    """cms has posts, not pages: always an empty collection."""
    return await _answer(request, session, settings, service.pages, now=now)


@router.get("/pages/slug/{slug}/")
async def read_ghost_page_by_slug(
    slug: Slug, request: Request, session: ReadSessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    """cms has no pages: Ghost's NotFoundError."""
    return await _answer(request, session, settings, service.pages, now=now, read=True)


@router.get("/pages/{page_id}/")
async def read_ghost_page(
    page_id: Id, request: Request, session: ReadSessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    """cms has no pages: Ghost's NotFoundError."""
    return await _answer(request, session, settings, service.pages, now=now, read=True)


def _resource_routes(
    kind: str, model: type[Post] | type[Tag] | type[Author], work: Work, listed: str
) -> None:
    """Ghost's three routes of a resource: browse, read by slug, read by id."""
    noun = kind.removesuffix("s")

    async def browse(
        request: Request, session: ReadSessionDep, settings: SettingsDep, urls: UrlsDep, now: NowDep
    ) -> Response:
        return await _answer(request, session, settings, work, now=now, urls=urls)

    async def read_by_slug(
        slug: Slug,
        request: Request,
        session: ReadSessionDep,
        settings: SettingsDep,
        urls: UrlsDep,
        now: NowDep,
    ) -> Response:
        one = service.by_slug(model, slug, noun)
        return await _answer(request, session, settings, work, now=now, urls=urls, one=one)

    async def read(
        record_id: Id,
        request: Request,
        session: ReadSessionDep,
        settings: SettingsDep,
        urls: UrlsDep,
        now: NowDep,
    ) -> Response:
        one = service.by_id(model, record_id, noun)
        return await _answer(request, session, settings, work, now=now, urls=urls, one=one)

    routes = (
        (f"/{kind}/", browse, f"browse_ghost_{kind}", listed),
        (f"/{kind}/slug/{{slug}}/", read_by_slug, f"read_ghost_{noun}_by_slug", "By its slug."),
        (f"/{kind}/{{record_id}}/", read, f"read_ghost_{noun}", "By its id."),
    )
    for path, endpoint, name, summary in routes:
        endpoint.__doc__ = summary
        router.add_api_route(path, endpoint, methods=["GET"], name=name)


_PARAMETERS = "`include`, `fields`, `filter`, `limit`, `page`, `order` as Ghost takes them"
_resource_routes(
    "posts", Post, service.posts, f"Live posts, newest first: `formats`, {_PARAMETERS}."
)
_resource_routes("authors", Author, service.authors, f"Authors of live posts: {_PARAMETERS}.")
_resource_routes("tags", Tag, service.tags, f"Tags of live posts: {_PARAMETERS}.")


@router.get("/settings/")
async def browse_ghost_settings(
    request: Request, session: ReadSessionDep, settings: SettingsDep
) -> Response:
    """The site's settings: title, description, logo, icon, accent colour, language, time
    zone, navigation and address (GET /api/v1/site), in Ghost's names."""
    return await _answer(request, session, settings, service.settings, settings=settings)


@router.get("/{anything:path}")
async def ghost_not_found(anything: str, request: Request) -> Response:
    """Ghost's paths end in "/": one without it is sent there (curl users leave it off).
    What cms does not have (tiers, newsletters, offers) is Ghost's NotFoundError, which
    Ghost's client throws as such."""
    if anything and not anything.endswith("/"):
        return RedirectResponse(request.url.replace(path=request.url.path + "/"), 308)
    raise GhostError("NotFoundError", "Resource not found")
