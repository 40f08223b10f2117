"""Admin API: signing in."""

from typing import Annotated

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One
from cms.api.responses import private_response
from cms.api.types import RequestBody
from cms.auth import service
from cms.auth.dependencies import PasswordGateDep
from cms.db import ReadSessionDep, SessionDep
from cms.problems import problem_responses
from cms.users.schemas import UserOut, user_out

router = APIRouter(prefix="/admin", tags=["Admin: session"])


class SignIn(RequestBody):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1000)


class SessionOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown only here.")
    expires_at: str
    user: UserOut


@router.post(
    "/session",
    response_model=One[SessionOut],
    status_code=201,
    responses=problem_responses(401, 422, 429, 503),
)
async def create_session(
    credentials: Annotated[SignIn, Body()],
    request: Request,
    session: SessionDep,
    reads: ReadSessionDep,
    gate: PasswordGateDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """Sign in with e-mail and password: a bearer token that expires."""
    issued, user = await service.sign_in(
        session,
        reads=reads,
        email=credentials.email,
        password=credentials.password,
        address=request.client.host if request.client else "",
        gate=gate,
        now=now,
        settings=settings,
    )
    data = {
        "token": issued.secret,
        "expires_at": issued.token.expires_at,
        "user": user_out(user),
    }
    return private_response({"data": data}, status_code=201)
