"""Admin API: tags (editors and up)."""

from typing import Annotated

from fastapi import APIRouter, Body, Path
from starlette.responses import Response

from cms.api.context import NowDep
from cms.api.envelopes import One, Page, page_envelope
from cms.api.listing import PaginationDep, parse_sort, sort_query
from cms.api.responses import private_response
from cms.api.urls import UrlsDep
from cms.audit import service as audit
from cms.auth.dependencies import EditorUser
from cms.db import SessionDep
from cms.posts.associations import SORTABLE, Counted
from cms.problems import problem_responses
from cms.tags import service
from cms.tags.schemas import AdminTagOut, TagCreate, TagUpdate, admin_tag_out

router = APIRouter(prefix="/admin/tags", tags=["Admin: tags"])

TagId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The tag's id.")]


@router.get("", response_model=Page[AdminTagOut], responses=problem_responses(400, 401, 403))
def list_admin_tags(
    user: EditorUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
    pagination: PaginationDep,
    sort: Annotated[str | None, sort_query(SORTABLE)] = None,
) -> Response:
    """Every tag by name, those on no published post too, each with the number of published
    posts that carry it."""
    tags, total = service.list_tags(
        session, now=now, pagination=pagination, sort=parse_sort(sort, SORTABLE, "name")
    )
    self_url = urls.api("/admin/tags", page=pagination.page, limit=pagination.limit, sort=sort)
    items = [admin_tag_out(tag, urls) for tag in tags]
    return private_response(
        page_envelope(items, pagination=pagination, total=total, self_url=self_url)
    )


@router.post(
    "",
    response_model=One[AdminTagOut],
    status_code=201,
    responses=problem_responses(401, 403, 409, 422),
)
def create_tag(
    data: Annotated[TagCreate, Body()],
    user: EditorUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Add a tag; the slug is made from the name unless given, and must be free (409)."""
    tag = service.create_tag(session, data=data, now=now)
    audit.record(
        session,
        actor=user,
        action="tag.create",
        subject_type="tag",
        subject_id=tag.id,
        summary=tag.name,
        now=now,
    )
    response = private_response({"data": admin_tag_out(Counted(tag, 0), urls)}, status_code=201)
    response.headers["Location"] = urls.api(f"/admin/tags/{tag.id}")
    return response


@router.get(
    "/{tag_id}", response_model=One[AdminTagOut], responses=problem_responses(400, 401, 403, 404)
)
def get_admin_tag(
    tag_id: TagId, user: EditorUser, session: SessionDep, urls: UrlsDep, now: NowDep
) -> Response:
    """One tag, whether or not a published post carries it."""
    tag = service.get_tag_by_id(session, tag_id=tag_id, now=now)
    return private_response({"data": admin_tag_out(tag, urls)})


@router.patch(
    "/{tag_id}",
    response_model=One[AdminTagOut],
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
def update_tag(
    tag_id: TagId,
    data: Annotated[TagUpdate, Body()],
    user: EditorUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Change the fields sent; `null` clears the description. A new slug must be
    free (409); the old one is not kept."""
    edit = service.update_tag(session, tag_id=tag_id, data=data, now=now)
    if edit.changed:
        audit.record(
            session,
            actor=user,
            action="tag.update",
            subject_type="tag",
            subject_id=tag_id,
            summary=f"{edit.record.item.name}: {', '.join(edit.changed)}",
            now=now,
        )
    return private_response({"data": admin_tag_out(edit.record, urls)})


@router.delete("/{tag_id}", status_code=204, responses=problem_responses(400, 401, 403, 404))
def delete_tag(tag_id: TagId, user: EditorUser, session: SessionDep, now: NowDep) -> Response:
    """Remove a tag. The posts that carried it stay, without it."""
    tag = service.delete_tag(session, tag_id=tag_id)
    audit.record(
        session,
        actor=user,
        action="tag.delete",
        subject_type="tag",
        subject_id=tag_id,
        summary=tag.name,
        now=now,
    )
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
