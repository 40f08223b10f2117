"""Who is calling, and what their role lets them do: declared once, used in signatures."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cms.api.context import NowDep
from cms.auth import service
from cms.auth.passwords import PasswordGate
from cms.db import SessionDep
from cms.problems import Forbidden, Unauthorized
from cms.users.models import Role, User

_bearer = HTTPBearer(auto_error=False, description="A session token or an API token.")


def get_current_user(
    session: SessionDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None:
        raise Unauthorized("Send a token: 'Authorization: Bearer <token>'")
    return service.user_for_secret(session, secret=credentials.credentials, now=now)


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(role: Role) -> Callable[[User], Awaitable[User]]:
    async def check(user: CurrentUser) -> User:
        if not Role(user.role).includes(role):
            raise Forbidden(f"This needs the {role} role or higher; you are {user.role}")
        return user

    return check


# Any signed-in user (contributor and up); the post rules narrow it further.
ContributorUser = CurrentUser
AuthorUser = Annotated[User, Depends(require_role(Role.AUTHOR))]
EditorUser = Annotated[User, Depends(require_role(Role.EDITOR))]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


async def get_password_gate(request: Request) -> PasswordGate:
    gate: PasswordGate = request.app.state.password_gate
    return gate


# The one bound on password checks for this process (CMS_PASSWORD_HASH_CONCURRENCY).
PasswordGateDep = Annotated[PasswordGate, Depends(get_password_gate)]
