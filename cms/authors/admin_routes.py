"""Admin API: authors (editors and up). Guest authors need no login account."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path
from starlette.responses import Response

from cms.api.context import NowDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, listing
from cms.api.responses import private_page, private_response
from cms.api.urls import UrlsDep
from cms.auth.dependencies import EditorUser
from cms.authors import service
from cms.authors.schemas import AdminAuthorOut, AuthorCreate, AuthorUpdate, admin_author_out
from cms.db import SessionDep
from cms.linked.records import Counted
from cms.problems import problem_responses

router = APIRouter(prefix="/admin/authors", tags=["Admin: authors"])
AUTHOR_FIELDS = frozenset(AdminAuthorOut.model_fields)
AuthorsListing = Annotated[Listing, Depends(listing(service.SORTING, AUTHOR_FIELDS))]
AuthorId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The author's id.")]


@router.get("", response_model=Page[AdminAuthorOut], responses=problem_responses(400, 401, 403))
def list_admin_authors(
    user: EditorUser, session: SessionDep, urls: UrlsDep, now: NowDep, page: AuthorsListing
) -> Response:
    """Every author by name, those on no published post too."""
    authors, total = service.list_authors(
        session, now=now, pagination=page.pagination, sort=page.sort or []
    )
    return private_page(page, [admin_author_out(author, urls) for author in authors], total=total)


@router.post(
    "",
    response_model=One[AdminAuthorOut],
    status_code=201,
    responses=problem_responses(401, 403, 409, 422),
)
def create_author(
    data: Annotated[AuthorCreate, Body()],
    user: EditorUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Add a author; the slug comes from the name unless given, and must be free."""
    author = service.create_author(session, data=data, actor=user, now=now)
    response = private_response(
        {"data": admin_author_out(Counted(author, 0), urls)}, status_code=201
    )
    response.headers["Location"] = urls.api(f"/admin/authors/{author.id}")
    return response


@router.get(
    "/{author_id}",
    response_model=One[AdminAuthorOut],
    responses=problem_responses(400, 401, 403, 404),
)
def get_admin_author(
    author_id: AuthorId, user: EditorUser, session: SessionDep, urls: UrlsDep, now: NowDep
) -> Response:
    """One author, whatever is published."""
    author = service.get_author_by_id(session, author_id=author_id, now=now)
    return private_response({"data": admin_author_out(author, urls)})


@router.patch(
    "/{author_id}",
    response_model=One[AdminAuthorOut],
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
def update_author(
    author_id: AuthorId,
    data: Annotated[AuthorUpdate, Body()],
    user: EditorUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Change the fields sent; `null` clears an optional field. A new slug must be free
    (409); the old one is not kept."""
    edit = service.update_author(session, author_id=author_id, data=data, actor=user, now=now)
    return private_response({"data": admin_author_out(edit.record, urls)})


@router.delete(
    "/{author_id}", status_code=204, responses=problem_responses(400, 401, 403, 404, 409)
)
def delete_author(
    author_id: AuthorId, user: EditorUser, session: SessionDep, now: NowDep
) -> Response:
    """Remove an author who is on no post. One still on any post, drafts and trash
    included, is a 409: take them off those posts first."""
    service.delete_author(session, author_id=author_id, actor=user, now=now)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
