"""API tokens as the Admin API shows and takes them: never the secret (but once) nor its hash."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from cms.api.envelopes import SelfLinks
from cms.api.types import Id, RequestBody
from cms.api.urls import Urls
from cms.auth.models import ApiToken, TokenKind
from cms.users.models import User
from cms.users.schemas import UserRef, user_ref


class TokenOut(BaseModel):
    id: int
    name: str
    kind: TokenKind
    hint: str = Field(description="The secret's first characters, to tell tokens apart.")
    user: UserRef = Field(description="Whose token it is: it acts with this user's role.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="To the minute.")
    revoked_at: datetime | None
    links: SelfLinks


class TokenCreated(TokenOut):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown only here.")


class TokenCreate(RequestBody):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=191)]
    user_id: Id | None = Field(default=None, description="Whose token; by default the caller's.")


def token_out(token: ApiToken, owner: User, urls: Urls) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "kind": token.kind,
        "hint": token.hint,
        "user": user_ref(owner),
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "links": {"self": urls.api(f"/admin/tokens/{token.id}")},
    }
