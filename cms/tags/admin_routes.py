"""Admin API: tags (editors and up)."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path
from starlette.responses import Response

from cms.api.context import NowDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, listing
from cms.api.responses import private_page, private_response
from cms.api.urls import UrlsDep
from cms.auth.dependencies import EditorUser
from cms.db import SessionDep
from cms.linked.records import Counted
from cms.problems import problem_responses
from cms.tags import service
from cms.tags.schemas import AdminTagOut, TagCreate, TagUpdate, admin_tag_out

router = APIRouter(prefix="/admin/tags", tags=["Admin: tags"])
TAG_FIELDS = frozenset(AdminTagOut.model_fields)
TagsListing = Annotated[Listing, Depends(listing(service.SORTING, TAG_FIELDS))]
TagId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The tag's id.")]


@router.get("", response_model=Page[AdminTagOut], responses=problem_responses(400, 401, 403))
def list_admin_tags(
    user: EditorUser, session: SessionDep, urls: UrlsDep, now: NowDep, page: TagsListing
) -> Response:
    """Every tag by name, those on no published post too."""
    tags, total = service.list_tags(
        session, now=now, pagination=page.pagination, sort=page.sort or []
    )
    return private_page(page, [admin_tag_out(tag, urls) for tag in tags], total=total)


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
    """Add a tag; the slug comes from the name unless given, and must be free."""
    tag = service.create_tag(session, data=data, actor=user, now=now)
    response = private_response({"data": admin_tag_out(Counted(tag, 0), urls)}, status_code=201)
    response.headers["Location"] = urls.api(f"/admin/tags/{tag.id}")
    return response


@router.get(
    "/{tag_id}", response_model=One[AdminTagOut], responses=problem_responses(400, 401, 403, 404)
)
def get_admin_tag(
    tag_id: TagId, user: EditorUser, session: SessionDep, urls: UrlsDep, now: NowDep
) -> Response:
    """One tag, whatever is published."""
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
    """Change the fields sent; `null` clears the description. A new slug must be free (409); the old
    one is not kept."""
    edit = service.update_tag(session, tag_id=tag_id, data=data, actor=user, now=now)
    return private_response({"data": admin_tag_out(edit.record, urls)})


@router.delete("/{tag_id}", status_code=204, responses=problem_responses(400, 401, 403, 404, 409))
def delete_tag(tag_id: TagId, user: EditorUser, session: SessionDep, now: NowDep) -> Response:
    """Remove a tag; the posts that carried it stay, without it."""
    service.delete_tag(session, tag_id=tag_id, actor=user, now=now)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
