"""Admin API: users (admins and owners)."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query
from starlette.responses import Response

from cms.api.context import NowDep
from cms.api.envelopes import One, Page
from cms.api.listing import Listing, listing
from cms.api.responses import private_page, private_response
from cms.api.urls import UrlsDep
from cms.auth.dependencies import AdminUser
from cms.db import SessionDep
from cms.problems import problem_responses
from cms.users import service
from cms.users.models import Role, User
from cms.users.schemas import AdminUserOut, UserCreate, UserUpdate, admin_user_out

router = APIRouter(prefix="/admin/users", tags=["Admin: users"])
USER_FIELDS = frozenset(AdminUserOut.model_fields)


def load_user(
    user_id: Annotated[int, Path(ge=1, le=2**31 - 1)], _admin: AdminUser, session: SessionDep
) -> User:
    """The user in the path, once the caller is known to be an admin (401/403 before 404)."""
    return service.get_user(session, user_id=user_id)


PathUser = Annotated[User, Depends(load_user)]
UsersListing = Annotated[Listing, Depends(listing(service.SORTING, USER_FIELDS))]


@router.get("", response_model=Page[AdminUserOut], responses=problem_responses(400, 401, 403))
def list_users(
    _admin: AdminUser,
    session: SessionDep,
    urls: UrlsDep,
    page: UsersListing,
    role: Annotated[Role | None, Query(description="Only users with this role.")] = None,
) -> Response:
    """Every account, by name unless `sort` says otherwise."""
    users, total = service.list_users(
        session, pagination=page.pagination, sort=page.sort or [], role=role
    )
    items = [admin_user_out(user, urls) for user in users]
    return private_page(page, items, total=total, role=role)


@router.post(
    "",
    response_model=One[AdminUserOut],
    status_code=201,
    responses=problem_responses(401, 403, 409, 422),
)
def create_user(
    data: Annotated[UserCreate, Body()],
    admin: AdminUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Open an account; only an owner can make another owner."""
    user = service.create_user(session, data=data, actor=admin, now=now)
    response = private_response({"data": admin_user_out(user, urls)}, status_code=201)
    response.headers["Location"] = urls.api(f"/admin/users/{user.id}")
    return response


@router.get(
    "/{user_id}", response_model=One[AdminUserOut], responses=problem_responses(401, 403, 404)
)
def get_user(user: PathUser, urls: UrlsDep) -> Response:
    """One account."""
    return private_response({"data": admin_user_out(user, urls)})


@router.patch(
    "/{user_id}",
    response_model=One[AdminUserOut],
    responses=problem_responses(401, 403, 404, 409, 422),
)
def update_user(
    user: PathUser,
    data: Annotated[UserUpdate, Body()],
    admin: AdminUser,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Change the fields sent. Owners are changed only by owners; the last owner stays one."""
    service.update_user(session, user=user, data=data, actor=admin, now=now)
    return private_response({"data": admin_user_out(user, urls)})


@router.delete("/{user_id}", status_code=204, responses=problem_responses(401, 403, 404, 409))
def delete_user(user: PathUser, admin: AdminUser, session: SessionDep, now: NowDep) -> Response:
    """Remove an account and its tokens; its posts and the audit log stay."""
    service.delete_user(session, user=user, actor=admin, now=now)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
