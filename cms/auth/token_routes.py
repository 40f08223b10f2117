"""Admin API: long-lived API tokens (admins and owners)."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query
from starlette.responses import Response

from cms.api.context import NowDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, listing
from cms.api.responses import private_page, private_response
from cms.api.urls import UrlsDep
from cms.auth import service
from cms.auth.dependencies import AdminUser
from cms.auth.models import TokenKind
from cms.auth.schemas import TokenCreate, TokenCreated, TokenOut, token_out
from cms.db import SessionDep
from cms.problems import problem_responses

router = APIRouter(prefix="/admin/tokens", tags=["Admin: tokens"])

TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]
TOKEN_FIELDS = frozenset(TokenOut.model_fields)
TokensListing = Annotated[Listing, Depends(listing(service.TOKEN_SORTING, TOKEN_FIELDS))]


@router.get("", response_model=Page[TokenOut], responses=problem_responses(400, 401, 403))
def list_tokens(
    _admin: AdminUser,
    session: SessionDep,
    urls: UrlsDep,
    page: TokensListing,
    user_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Only this user's.")
    ] = None,
    kind: Annotated[TokenKind | None, Query(description="Only API or only session tokens.")] = None,
) -> Response:
    """Every token, newest first unless `sort` says otherwise, revoked and expired ones too;
    never a secret."""
    rows, total = service.list_tokens(
        session, pagination=page.pagination, sort=page.sort or [], user_id=user_id, kind=kind
    )
    items = [token_out(token, owner, urls) for token, owner in rows]
    return private_page(page, items, total=total, user_id=user_id, kind=kind)


@router.post(
    "",
    response_model=One[TokenCreated],
    status_code=201,
    responses=problem_responses(401, 403, 422),
)
def create_token(
    data: Annotated[TokenCreate, Body()],
    admin: AdminUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """A token for scripts that lives until revoked. Its secret is in this answer only."""
    issued, owner = service.create_api_token(
        session, name=data.name, owner_id=data.user_id, actor=admin, now=now
    )
    body = {"data": {"token": issued.secret, **token_out(issued.token, owner, urls)}}
    response = private_response(body, status_code=201)
    response.headers["Location"] = urls.api(f"/admin/tokens/{issued.token.id}")
    return response


@router.get("/{token_id}", response_model=One[TokenOut], responses=problem_responses(401, 403, 404))
def get_token(token_id: TokenId, _admin: AdminUser, session: SessionDep, urls: UrlsDep) -> Response:
    """One token, without its secret."""
    token, owner = service.get_token(session, token_id=token_id)
    return private_response({"data": token_out(token, owner, urls)})


@router.delete("/{token_id}", status_code=204, responses=problem_responses(401, 403, 404))
def revoke_token(token_id: TokenId, admin: AdminUser, session: SessionDep, now: NowDep) -> Response:
    """Revoke at once: the next request with it gets 401. Revoking again changes nothing."""
    service.revoke_token(session, token_id=token_id, actor=admin, now=now)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
