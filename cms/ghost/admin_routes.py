"""Admin API: keys for the Ghost-compatible Content API (admins and up)."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path
from starlette.responses import Response

from cms.api.context import NowDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, listing
from cms.api.responses import private_page, private_response
from cms.api.urls import UrlsDep
from cms.auth.dependencies import AdminUser
from cms.db import SessionDep
from cms.ghost import keys
from cms.ghost.schemas import (
    ContentKeyCreate,
    ContentKeyOut,
    CreatedContentKeyOut,
    content_key_out,
)
from cms.problems import problem_responses

router = APIRouter(prefix="/admin/content-keys", tags=["Admin: content keys"])
KeysListing = Annotated[
    Listing, Depends(listing(keys.SORTING, frozenset(ContentKeyOut.model_fields)))
]
KeyId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The key's id.")]


@router.get("", response_model=Page[ContentKeyOut], responses=problem_responses(400, 401, 403))
def list_content_keys(
    _admin: AdminUser, session: SessionDep, urls: UrlsDep, page: KeysListing
) -> Response:
    """Every key, newest first unless `sort` says otherwise, revoked ones too; never a key."""
    records, total = keys.list_keys(session, pagination=page.pagination, sort=page.sort or [])
    return private_page(page, [content_key_out(record, urls) for record in records], total=total)


@router.post(
    "",
    response_model=One[CreatedContentKeyOut],
    status_code=201,
    responses=problem_responses(401, 403, 422),
)
def create_content_key(
    data: Annotated[ContentKeyCreate, Body()],
    user: AdminUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """A key for a front end written for Ghost. The key is in this answer only."""
    issued = keys.create_key(session, name=data.name, actor=user, now=now)
    shown = {**content_key_out(issued.record, urls), "key": issued.key}
    response = private_response({"data": shown}, status_code=201)
    response.headers["Location"] = shown["links"]["self"]
    return response


@router.get(
    "/{key_id}", response_model=One[ContentKeyOut], responses=problem_responses(401, 403, 404)
)
def get_content_key(
    key_id: KeyId, _admin: AdminUser, session: SessionDep, urls: UrlsDep
) -> Response:
    """One key, without the key itself."""
    return private_response({"data": content_key_out(keys.get_key(session, key_id=key_id), urls)})


@router.delete("/{key_id}", status_code=204, responses=problem_responses(401, 403, 404))
def revoke_content_key(
    key_id: KeyId, admin: AdminUser, session: SessionDep, now: NowDep
) -> Response:
    """Revoke at once: the next request with it gets Ghost's 401, and every answer cached
    for it is dropped. Revoking again changes nothing."""
    keys.revoke_key(session, key_id=key_id, actor=admin, now=now)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
