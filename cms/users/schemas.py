"""Users as the Admin API shows and takes them. Password hashes never leave the server."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from cms.api.envelopes import SelfLinks
from cms.api.types import Id, RequestBody
from cms.api.urls import Urls
from cms.auth.passwords import MIN_LENGTH
from cms.users.emails import AccountEmail
from cms.users.models import Role, User

# Surrounding blanks are dropped, so "   " is an empty (and refused) name.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=191)]
Password = Annotated[str, Field(min_length=MIN_LENGTH, max_length=1000)]


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    author_id: int | None = Field(description="The author profile this user writes as.")
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None


class AdminUserOut(UserOut):
    links: SelfLinks


class UserRef(BaseModel):
    """Who did something: enough to show a name."""

    id: int
    name: str


class UserCreate(RequestBody):
    email: AccountEmail
    name: Name
    role: Role
    password: Password
    author_id: Id | None = None


class UserUpdate(RequestBody):
    """Only the fields sent change; `author_id: null` unlinks the author profile."""

    email: AccountEmail | None = None
    name: Name | None = None
    role: Role | None = None
    password: Password | None = None
    author_id: Id | None = None


def user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "author_id": user.author_id,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "last_login_at": user.last_login_at,
    }


def admin_user_out(user: User, urls: Urls) -> dict[str, Any]:
    return {**user_out(user), "links": {"self": urls.api(f"/admin/users/{user.id}")}}


def user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user else None
