"""Routes for authors and tags, the same over either table: the Content API's two reads, and
the editors' CRUD on the Admin API."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel
from sqlmodel import Session
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One, Page, page_envelope
from cms.api.listing import (
    PaginationDep,
    fields_query,
    parse_fields,
    parse_sort,
    pick,
    sort_query,
)
from cms.api.responses import content_response, private_page, private_response
from cms.api.urls import Urls, UrlsDep
from cms.audit import service as audit
from cms.auth.dependencies import EditorUser
from cms.cache import keys
from cms.db import ReadSessionDep, SessionDep, read
from cms.posts.associations import SORTABLE, Association, Counted
from cms.problems import problem_responses
from cms.users.models import User

Presenter = Callable[[Counted[Any], Urls], dict[str, Any]]


def association_router(
    association: Association[Any], present: Presenter, out_model: type, *, plural: str
) -> APIRouter:
    """`GET /{plural}` and `GET /{plural}/{slug}`, each record with its published `post_count`."""
    noun = association.noun
    router = APIRouter(prefix=f"/{plural}", tags=[f"Content: {plural}"])
    # An author's or a tag's cache key (cms.cache.keys), and the key of their set. Every
    # answer holds `posts` too: the Content API shows only records on published posts,
    # with how many.
    key_of, collection = (keys.author, keys.AUTHORS) if noun == "author" else (keys.tag, keys.TAGS)
    known_fields = frozenset(out_model.model_fields)  # type: ignore[attr-defined]
    Fields = Annotated[str | None, fields_query(known_fields)]

    def shown(record: Counted[Any], urls: Urls, fields: str | None) -> dict[str, Any]:
        return pick(present(record, urls), parse_fields(fields, known_fields))

    async def list_records(
        session: ReadSessionDep,
        settings: SettingsDep,
        urls: UrlsDep,
        now: NowDep,
        pagination: PaginationDep,
        sort: Annotated[str | None, sort_query(SORTABLE)] = None,
        fields: Fields = None,
    ) -> Response:
        parse_fields(fields, known_fields)  # a bad value is a 400 even on an empty page
        records, total = await read(
            session,
            association.list_page,
            session,
            now=now,
            pagination=pagination,
            sort=parse_sort(sort, SORTABLE, "name"),
            live_only=True,
        )
        self_url = urls.api(
            f"/{plural}", page=pagination.page, limit=pagination.limit, sort=sort, fields=fields
        )
        envelope = page_envelope(
            [shown(record, urls, fields) for record in records],
            pagination=pagination,
            total=total,
            self_url=self_url,
        )
        named = {keys.POSTS, collection, *(key_of(record.item.id) for record in records)}
        return content_response(envelope, settings=settings, keys=named)

    async def get_record(
        slug: Annotated[str, Path(max_length=191)],
        session: ReadSessionDep,
        settings: SettingsDep,
        urls: UrlsDep,
        now: NowDep,
        fields: Fields = None,
    ) -> Response:
        parse_fields(fields, known_fields)
        record = await read(
            session, association.get_by_slug, session, slug=slug, now=now, live_only=True
        )
        data = shown(record, urls, fields)
        found = {keys.POSTS, key_of(record.item.id)}
        return content_response({"data": data}, settings=settings, keys=found)

    router.add_api_route(
        "",
        list_records,
        methods=["GET"],
        name=f"list_{plural}",
        summary=f"List {plural}",
        description=f"The {plural} of published posts, by name, each with its number of them.",
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


@dataclass(frozen=True)
class AdminShapes:
    """What differs between the authors' and the tags' admin routes."""

    create_model: type[BaseModel]
    update_model: type[BaseModel]
    out_model: type[BaseModel]
    present: Presenter
    # Deleting a record on posts: take it off them (tags), or refuse with 409 (authors,
    # so that no byline is lost).
    unlink_on_delete: bool
    delete_rule: str


def admin_association_router(
    association: Association[Any], shapes: AdminShapes, *, plural: str
) -> APIRouter:
    """Editors' CRUD on authors or tags: list, create, get, update, delete, each audited."""
    noun, base = association.noun, f"/admin/{plural}"
    router = APIRouter(prefix=base, tags=[f"Admin: {plural}"])
    one, page = One[shapes.out_model], Page[shapes.out_model]  # type: ignore[name-defined]
    admin_fields = frozenset(shapes.out_model.model_fields)
    key = f"{noun}_id"  # the path reads /admin/authors/{author_id}
    RecordId = Annotated[int, Path(alias=key, ge=1, le=2**31 - 1, description=f"The {noun}'s id.")]
    CreateBody = Annotated[shapes.create_model, Body()]  # type: ignore[name-defined]
    UpdateBody = Annotated[shapes.update_model, Body()]  # type: ignore[name-defined]

    def audit_write(
        session: Session, user: User, verb: str, record_id: int, summary: str, now: datetime
    ) -> None:
        audit.record(
            session,
            actor=user,
            action=f"{noun}.{verb}",
            subject_type=noun,
            subject_id=record_id,
            summary=summary,
            now=now,
        )

    @router.get(
        "",
        name=f"list_admin_{plural}",
        response_model=page,
        responses=problem_responses(400, 401, 403),
        description=f"Every {noun} by name, those on no published post too.",
    )
    def list_records(
        user: EditorUser,
        session: SessionDep,
        urls: UrlsDep,
        now: NowDep,
        pagination: PaginationDep,
        sort: Annotated[str | None, sort_query(SORTABLE)] = None,
        fields: Annotated[str | None, fields_query(admin_fields)] = None,
    ) -> Response:
        chosen = parse_fields(fields, admin_fields)
        records, total = association.list_page(
            session, now=now, pagination=pagination, sort=parse_sort(sort, SORTABLE, "name")
        )
        self_url = urls.api(
            base, page=pagination.page, limit=pagination.limit, sort=sort, fields=fields
        )
        items = [shapes.present(record, urls) for record in records]
        return private_page(
            items, pagination=pagination, total=total, self_url=self_url, fields=chosen
        )

    @router.post(
        "",
        name=f"create_{noun}",
        response_model=one,
        status_code=201,
        responses=problem_responses(401, 403, 409, 422),
        description=f"Add a {noun}; the slug comes from the name unless given, and must be free.",
    )
    def create_record(
        data: CreateBody, user: EditorUser, session: SessionDep, urls: UrlsDep, now: NowDep
    ) -> Response:
        fields = data.model_dump(exclude={"slug"})
        record = association.create(session, fields=fields, slug=data.slug, now=now)
        audit_write(session, user, "create", record.id, record.name, now)
        body = {"data": shapes.present(Counted(record, 0), urls)}
        response = private_response(body, status_code=201)
        response.headers["Location"] = urls.api(f"{base}/{record.id}")
        return response

    @router.get(
        f"/{{{key}}}",
        name=f"get_admin_{noun}",
        response_model=one,
        responses=problem_responses(400, 401, 403, 404),
        description=f"One {noun}, whatever is published.",
    )
    def get_record(
        record_id: RecordId, user: EditorUser, session: SessionDep, urls: UrlsDep, now: NowDep
    ) -> Response:
        record = association.get_by_id(session, record_id=record_id, now=now)
        return private_response({"data": shapes.present(record, urls)})

    @router.patch(
        f"/{{{key}}}",
        name=f"update_{noun}",
        response_model=one,
        responses=problem_responses(400, 401, 403, 404, 409, 422),
        description="Change the fields sent; `null` clears an optional field. A new slug must "
        "be free (409); the old one is not kept.",
    )
    def update_record(
        record_id: RecordId,
        data: UpdateBody,
        user: EditorUser,
        session: SessionDep,
        urls: UrlsDep,
        now: NowDep,
    ) -> Response:
        changes = data.model_dump(exclude_unset=True)
        edit = association.update(session, record_id=record_id, changes=changes, now=now)
        if edit.changed:
            summary = f"{edit.record.item.name}: {', '.join(edit.changed)}"
            audit_write(session, user, "update", record_id, summary, now)
        return private_response({"data": shapes.present(edit.record, urls)})

    @router.delete(
        f"/{{{key}}}",
        name=f"delete_{noun}",
        status_code=204,
        responses=problem_responses(400, 401, 403, 404, 409),
        description=shapes.delete_rule,
    )
    def delete_record(
        record_id: RecordId, user: EditorUser, session: SessionDep, now: NowDep
    ) -> Response:
        record = association.delete(session, record_id=record_id, unlink=shapes.unlink_on_delete)
        audit_write(session, user, "delete", record_id, record.name, now)
        return Response(status_code=204, headers={"Cache-Control": "no-store"})

    return router
