"""Content API routes for authors and tags: the same two reads over either table."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One, Page, page_envelope
from cms.api.listing import PaginationDep, parse_sort, sort_query
from cms.api.responses import content_response
from cms.api.urls import Urls, UrlsDep
from cms.db import SessionDep
from cms.posts.associations import SORTABLE, Association, Counted
from cms.problems import problem_responses

Presenter = Callable[[Counted[Any], Urls], dict[str, Any]]


def association_router(
    association: Association[Any], present: Presenter, out_model: type, *, plural: str
) -> APIRouter:
    """`GET /{plural}` and `GET /{plural}/{slug}`, each record with its published `post_count`."""
    noun = association.noun
    router = APIRouter(prefix=f"/{plural}", tags=[f"Content: {plural}"])

    def list_records(
        session: SessionDep,
        settings: SettingsDep,
        urls: UrlsDep,
        now: NowDep,
        pagination: PaginationDep,
        sort: Annotated[str | None, sort_query(SORTABLE)] = None,
    ) -> Response:
        records, total = association.list_page(
            session, now=now, pagination=pagination, sort=parse_sort(sort, SORTABLE, "name")
        )
        self_url = urls.api(f"/{plural}", page=pagination.page, limit=pagination.limit, sort=sort)
        envelope = page_envelope(
            [present(record, urls) for record in records],
            pagination=pagination,
            total=total,
            self_url=self_url,
        )
        return content_response(envelope, max_age=settings.cache_max_age)

    def get_record(
        slug: Annotated[str, Path(max_length=191)],
        session: SessionDep,
        settings: SettingsDep,
        urls: UrlsDep,
        now: NowDep,
    ) -> Response:
        record = association.get_by_slug(session, slug=slug, now=now)
        return content_response({"data": present(record, urls)}, max_age=settings.cache_max_age)

    router.add_api_route(
        "",
        list_records,
        methods=["GET"],
        name=f"list_{plural}",
        summary=f"List {plural}",
        description=f"All {plural} by name, each with the number of published posts.",
        response_model=Page[out_model],  # type: ignore[valid-type]
        responses=problem_responses(400),
    )
    router.add_api_route(
        "/{slug}",
        get_record,
        methods=["GET"],
        name=f"get_{noun}",
        summary=f"Get one {noun}",
        description=f"The {noun} with this slug.",
        response_model=One[out_model],  # type: ignore[valid-type]
        responses=problem_responses(400, 404),
    )
    return router
