"""Comments as readers and moderators see them. E-mail addresses are for moderators only."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, EmailStr, Field

from cms.api.types import LINES, Id, RequestBody
from cms.comments.models import Comment

MAX_BODY = 5000
GRAVATAR = "https://www.gravatar.com/avatar/{}?d=identicon"


class CommentCreate(RequestBody):
    author_name: str = Field(min_length=1, max_length=100)
    author_email: EmailStr = Field(max_length=254)
    body: Annotated[str, LINES] = Field(
        min_length=1, max_length=MAX_BODY, description="Plain text or Markdown."
    )
    parent_id: Id | None = Field(default=None, description="The comment this replies to.")
    website: str | None = Field(
        default=None,
        max_length=2000,
        description="Leave empty: a trap for robots (forms hide this field from people).",
    )
    commenter_token: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The commenter_token an earlier submission answered. Once a comment sent "
        "with it is approved, later ones with it are approved at once.",
    )


class EditorCommentCreate(RequestBody):
    body: Annotated[str, LINES] = Field(min_length=1, max_length=MAX_BODY)
    parent_id: Id | None = None


class ModerationUpdate(RequestBody):
    status: Literal["pending", "approved", "spam", "deleted"]


class CommentOut(BaseModel):
    """An approved comment, with its approved replies nested, oldest first; `fields`
    narrows the replies as it does the comment."""

    id: int
    parent_id: int | None
    author_name: str
    avatar_url: str | None = Field(description="Gravatar, when the site turns it on; else null.")
    html: str
    created_at: datetime
    replies: list["CommentOut"]


class SubmittedOut(BaseModel):
    id: int
    status: Literal["pending", "approved"] = Field(
        description="pending until a moderator approves it."
    )
    parent_id: int | None
    author_name: str
    html: str
    created_at: datetime
    commenter_token: str = Field(
        description="A secret for this commenter to keep and send with their next comment "
        "(the same one again once it is known here): proof that they are the writer of "
        "comments approved before. Sent to no one else."
    )


class PostRef(BaseModel):
    id: int
    slug: str
    title: str


class AdminCommentOut(BaseModel):
    id: int
    post: PostRef
    parent_id: int | None
    author_name: str
    author_email: str
    avatar_url: str | None
    body: str
    html: str
    status: Literal["pending", "approved", "spam", "deleted"]
    created_at: datetime
    updated_at: datetime


def submitted_out(comment: Comment, *, status: str, commenter_token: str) -> dict[str, Any]:
    return {
        "id": comment.id,
        # A comment caught as spam answers "pending" like any other: robots learn nothing.
        "status": status,
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "html": comment.html,
        "created_at": comment.created_at,
        "commenter_token": commenter_token,
    }


COMMENT_FIELDS = frozenset(CommentOut.model_fields)


def avatar_url(comment: Comment, *, gravatar: bool) -> str | None:
    # Gravatar takes the e-mail's hash unsalted, so the URL tells anyone who knows an
    # address whether it commented: only when the site chose that (CMS_GRAVATAR).
    return GRAVATAR.format(comment.avatar_hash) if gravatar else None


def comment_out(
    comment: Comment, replies: list[dict[str, Any]], *, gravatar: bool
) -> dict[str, Any]:
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "avatar_url": avatar_url(comment, gravatar=gravatar),
        "html": comment.html,
        "created_at": comment.created_at,
        "replies": replies,
    }


def admin_comment_out(
    comment: Comment, post: PostRef | dict[str, Any], *, gravatar: bool
) -> dict[str, Any]:
    return {
        "id": comment.id,
        "post": post,
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "avatar_url": avatar_url(comment, gravatar=gravatar),
        "body": comment.body,
        "html": comment.html,
        "status": comment.status,
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
    }
